"""Evaluate on your own labels: label columns read as positive/negative (or refused, naming what they
hold), found in a CSV, kept row by row beside the texts, and both models scored against them."""

from __future__ import annotations

import math

import pytest

from dl_core import nlp
from dl_core.errors import InputError

P, N = "positive", "negative"


# ---- reading a label column ----------------------------------------------------------------------

def test_labels_that_clearly_say_so_are_mapped_any_case_and_spaces():
    values = ["pos", " NEG ", "Positive", "negative", "1", "0", 1, 0, 1.0, 0.0, " 1 ", "PoS"]
    assert nlp.sentiment_labels(values) == [P, N, P, N, P, N, P, N, P, N, P, P]


def test_missing_labels_become_none():
    assert nlp.sentiment_labels(["pos", None, float("nan"), "", "   ", "neg"]) == [P, None, None, None, None, N]


@pytest.mark.parametrize("values, named", [
    (["pos", "neutral", "neg", "Neutral"], ["'neutral'", "'Neutral'"]),
    ([1, 2, 3, 4, 5, 5], ["'5'", "'2'", "'3'", "'4'"]),  # star ratings
    (["true", "false"], ["'true'", "'false'"]),  # true of what? not clearly a sentiment
    (["yes", "no", "pos"], ["'yes'", "'no'"]),
])
def test_unclear_labels_are_refused_naming_the_values_found(values, named):
    with pytest.raises(InputError) as err:
        nlp.sentiment_labels(values, "mood")
    msg = str(err.value)
    assert "'mood'" in msg and "pos/neg" in msg
    for v in named:
        assert v in msg


def test_a_label_column_without_any_label_is_refused():
    with pytest.raises(InputError, match="empty"):
        nlp.sentiment_labels([None, "", float("nan")], "sentiment")


def test_label_columns_are_found_by_name_and_clean_values():
    import pandas as pd

    frame = pd.DataFrame({
        "id": [1, 0, 1], "text": ["good", "bad", "fine"], "flag": [1, 0, 0],  # 0/1 without a label name: no
        "rating": [1, 5, 3],  # a label name, but not two classes: no
        "mood": ["pos", "NEG", None],  # words, any name: yes (after the named ones)
        "Sentiment": ["positive", "negative", "positive"], "target": [1, 0, None],
    })
    assert nlp.label_columns(frame) == ["Sentiment", "target", "mood"]


def test_texts_from_upload_keeps_labels_row_by_row():
    csv = (b"id,review,sentiment\n1,Loved it,Positive\n2,   ,neg\n3,Boring,\n4,Fine,NEG\n")
    got = nlp.texts_from_upload(csv, "r.csv", label_column="sentiment")
    assert got.texts == ["Loved it", "Boring", "Fine"]  # row 2 has no text: left out with its label
    assert got.label_values == ["Positive", None, "NEG"] and got.label_columns == ["sentiment"]
    assert nlp.sentiment_labels(got.label_values) == [P, None, N]
    assert nlp.texts_from_upload(csv, "r.csv").label_values is None  # no label column asked: as before
    capped = nlp.texts_from_upload(csv, "r.csv", label_column="sentiment", max_texts=2)
    assert capped.texts == ["Loved it", "Boring"] and capped.label_values == ["Positive", None]


def test_the_text_column_is_never_a_label_column_by_default():
    got = nlp.texts_from_upload(b"sentiment,t\nnegative,ok\npositive,meh\n", "r.csv")
    assert got.column == "t" and got.label_columns == ["sentiment"]


def test_bad_label_column_choices_are_clear_errors():
    csv = b"text,label\nGreat,pos\n"
    with pytest.raises(InputError, match="no label column named 'sentimnet'.*text, label"):
        nlp.texts_from_upload(csv, "r.csv", label_column="sentimnet")
    with pytest.raises(InputError, match="column of texts"):
        nlp.texts_from_upload(csv, "r.csv", "text", label_column="text")
    with pytest.raises(InputError, match=r"\.csv"):
        nlp.texts_from_upload(b"Great\n", "r.txt", label_column="label")


# ---- scoring -------------------------------------------------------------------------------------

def test_scores_match_a_hand_computed_case():
    texts = ["a", "b", "c", "d", "e", "f"]
    truth = [P, P, P, N, N, None]
    model = [P, P, N, N, P, P]
    base = [P, N, N, N, N, N]
    ev = nlp.evaluate_sentiment(texts, truth, model, base, column="sentiment")
    assert (ev.rows, ev.skipped) == (5, 1)
    assert ev.notices and "1 of 6" in ev.notices[0] and "'sentiment'" in ev.notices[0]
    # model: right on a, b, d -> 3/5. positive: TP 2 (a, b), FP 1 (e), FN 1 (c); negative: TP 1 (d), FP 1, FN 1
    assert ev.model.accuracy == pytest.approx(0.6)
    assert ev.model.per_class[P] == pytest.approx({"precision": 2 / 3, "recall": 2 / 3, "f1": 2 / 3, "support": 3},
                                                  abs=1e-6)
    assert ev.model.per_class[N] == pytest.approx({"precision": 0.5, "recall": 0.5, "f1": 0.5, "support": 2})
    assert ev.model.confusion == [[1, 1], [1, 2]]  # rows = true (negative, positive), columns = predicted
    # baseline: right on a, d, e -> 3/5. positive: TP 1, FP 0, FN 2; negative: TP 2, FP 2 (b, c), FN 0
    assert ev.baseline.accuracy == pytest.approx(0.6)
    assert ev.baseline.per_class[P] == pytest.approx({"precision": 1.0, "recall": 1 / 3, "f1": 0.5, "support": 3},
                                                     abs=1e-6)
    assert ev.baseline.per_class[N] == pytest.approx({"precision": 0.5, "recall": 1.0, "f1": 2 / 3, "support": 2},
                                                     abs=1e-6)
    assert ev.baseline.confusion == [[2, 0], [2, 1]]
    # They disagree on b (model right) and e (baseline right); f has no label; c: both wrong alike.
    assert [(d.row, d.text, d.right) for d in ev.disagreements] == [(2, "b", "model"), (5, "e", "baseline")]
    out = ev.as_dict()
    assert {"accuracy", "per_class", "confusion", "baseline"} <= set(out)
    assert set(out["baseline"]) >= {"accuracy", "per_class"} and out["rows"] == 5 and out["skipped"] == 1


def test_an_undefined_precision_is_none_not_zero():
    ev = nlp.evaluate_sentiment(["a", "b"], [P, P], [P, P])
    assert ev.model.accuracy == 1.0 and ev.baseline is None and ev.disagreements == []
    assert ev.model.per_class[N] == {"precision": None, "recall": None, "f1": None, "support": 0}
    assert ev.model.per_class[P]["f1"] == 1.0 and not any(
        isinstance(v, float) and math.isnan(v) for v in ev.model.per_class[P].values())


def test_bad_evaluation_inputs_are_clear_errors():
    with pytest.raises(InputError, match="None of the 2 texts has a label"):
        nlp.evaluate_sentiment(["a", "b"], [None, None], [P, N], [P, N], column="sentiment")
    with pytest.raises(InputError, match="one label per text"):
        nlp.evaluate_sentiment(["a", "b"], [P], [P, N])
    with pytest.raises(InputError, match="'pos'"):
        nlp.evaluate_sentiment(["a"], ["pos"], [P])
