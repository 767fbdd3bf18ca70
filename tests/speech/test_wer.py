"""Word error rate and alignment against cases counted by hand."""

from __future__ import annotations

import pytest

from dl_core import speech
from dl_core.errors import InputError


def ops(score):
    return [(a.op, a.ref, a.hyp) for a in score.alignment]


def test_identical_after_normalisation():
    s = speech.word_error_rate("Mr. Dashwood was ill-disposed, wasn't he?",
                               "mister dashwood was ill disposed wasn't he")
    assert s.wer == 0 and s.hits == 7 and s.errors == 0


def test_one_substitution():
    # ref: the cat sat on the mat (6 words); hyp changes one word -> 1/6
    s = speech.word_error_rate("the cat sat on the mat", "the cat sit on the mat")
    assert (s.substitutions, s.deletions, s.insertions, s.reference_words) == (1, 0, 0, 6)
    assert s.wer == pytest.approx(1 / 6)
    assert ops(s)[2] == ("sub", "sat", "sit")


def test_deletion_and_insertion():
    # ref: a b c d; hyp: b c d e -> "a" missed (deletion), "e" extra (insertion): 2/4
    s = speech.word_error_rate("a b c d", "b c d e")
    assert (s.substitutions, s.deletions, s.insertions) == (0, 1, 1)
    assert s.wer == 0.5
    assert ops(s) == [("del", "a", None), ("ok", "b", "b"), ("ok", "c", "c"), ("ok", "d", "d"), ("ins", None, "e")]


def test_all_three_kinds():
    # ref: he was not an ill disposed young man (8)
    # hyp: he was not until this blows young man very -> ill->until? No: alignment by hand:
    # he was not [an->until] [ill->this] [disposed->blows] young man [+very] = 3 sub + 1 ins = 4/8
    s = speech.word_error_rate("he was not an ill disposed young man", "he was not until this blows young man very")
    assert (s.substitutions, s.deletions, s.insertions) == (3, 0, 1)
    assert s.wer == 0.5


def test_wer_can_exceed_one():
    s = speech.word_error_rate("yes", "no no no")
    assert s.wer == 3.0 and (s.substitutions, s.insertions) == (1, 2)


def test_empty_hypothesis_is_all_deletions():
    s = speech.word_error_rate("one two three", "")
    assert s.wer == 1.0 and s.deletions == 3 and [a.op for a in s.alignment] == ["del"] * 3


def test_empty_reference_is_refused():
    with pytest.raises(InputError, match="reference transcript is empty"):
        speech.word_error_rate(" ... ", "something")


def test_corpus_wer_weights_by_length():
    # 1 error in 1 word + 0 errors in 9 words = 1/10 (not the mean of 1.0 and 0.0)
    nine = "one two three four five six seven eight nine"
    pairs = [("a", "b"), (nine, nine)]
    assert speech.corpus_word_error_rate(pairs) == pytest.approx(0.1)


def test_normalise():
    assert speech.normalise("“Hello,” she said — it’s 10% <s> [NOISE] Dr. Who & Co.") == \
        "hello she said it's 10 doctor who and co"
