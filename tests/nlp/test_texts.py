"""Texts in: the one "one text per line" rule, uploads, odd encodings, sentences and passages."""

from __future__ import annotations

import pytest

from dl_core import nlp
from dl_core.errors import InputError


def test_one_text_per_line_is_one_rule():
    got = nlp.lines("  first line \n\n\t\nsecond line\r\nthird\n")
    assert got.texts == ["first line", "second line", "third"] and got.notices == []
    for blank in ("", "   ", "\n \n\t"):
        with pytest.raises(InputError, match="empty"):
            nlp.lines(blank)
    with pytest.raises(InputError, match="too many; the limit is 3"):
        nlp.lines("a\nb\nc\nd", max_texts=3)
    long = nlp.lines("word " * 30_000)
    assert len(long.texts[0]) == 100_000 - 1 and any("characters" in n for n in long.notices)
    # A .txt upload follows the same rule as a typed box.
    assert nlp.texts_from_upload(b"  first line \n\n\t\nsecond line\r\nthird\n", "a.txt").texts == got.texts


def test_txt_and_csv_uploads():
    got = nlp.texts_from_upload(b"first line\n\n  second line  \n", "reviews.txt")
    assert got.texts == ["first line", "second line"] and got.columns == []
    csv = b"id,review\n1,Great film with a great cast\n2,Bad\n3,\n"
    got = nlp.texts_from_upload(csv, "r.csv")
    assert got.column == "review" and got.texts == ["Great film with a great cast", "Bad"]
    assert any("empty" in n for n in got.notices)
    with pytest.raises(InputError, match="no column named 'text'.*id, review"):
        nlp.texts_from_upload(csv, "r.csv", column="text")


def test_encodings_binary_and_huge_text():
    assert nlp.texts_from_upload("Ótimo café".encode("latin-1"), "a.txt").texts == ["Ótimo café"]
    assert nlp.texts_from_upload("Ótimo café".encode("utf-16"), "a.txt").texts == ["Ótimo café"]
    with pytest.raises(InputError, match="binary"):
        nlp.texts_from_upload(bytes(range(256)) * 10, "photo.txt")
    with pytest.raises(InputError, match="not .pkl"):
        nlp.texts_from_upload(b"x", "model.pkl")
    big = nlp.texts_from_upload(b"a" * (1024 * 1024), "big.txt")
    assert len(big.texts[0]) == 100_000 and any("characters" in n for n in big.notices)


def test_sentences_and_passages():
    assert nlp.split_sentences('He said "yes." Then left! Why?\nNew line') == ['He said "yes."', "Then left!",
                                                                              "Why?", "New line"]
    long = " ".join(f"Sentence number {i} is here." for i in range(40))
    passages = nlp.split_passages(f"Short paragraph.\n\n{long}", max_words=30)
    assert passages[0] == "Short paragraph." and len(passages) > 3
    assert all(len(p.split()) <= 30 for p in passages[1:]) and all(p.endswith(".") for p in passages)
    with pytest.raises(InputError, match="not .exe"):
        nlp.documents_from_upload([("a.exe", b"MZ")])
