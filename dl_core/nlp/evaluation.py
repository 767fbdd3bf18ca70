"""Evaluate on your own labels: a CSV's label column read as positive/negative, and the sentiment
model's predictions (beside the TF-IDF baseline's) compared with it.

    got = texts_from_upload(data, "tweets.csv", "text", label_column="sentiment")
    truth = sentiment_labels(got.label_values, "sentiment")         # "positive" / "negative" / None
    frame = compare_with_baseline(model, got.texts)
    ev = evaluate_sentiment(frame["text"], truth, frame["label"], frame["TF-IDF says"], column="sentiment")
    ev.model.accuracy, ev.baseline.per_class["negative"]["recall"], ev.disagreements

Label values count only when they clearly say positive or negative: pos/neg, positive/negative or
1/0, in any case, with spaces around them. "true/false", "yes/no", star ratings and the like are
refused with an error naming what the column holds: whether "true" means positive depends on a
question the values do not state (is_positive? is_negative? is_sarcastic?). Rows without a label
get predictions but are left out of the evaluation, with a notice saying how many.
"""

from __future__ import annotations

import math
import numbers
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..errors import InputError
from .reviews import LABELS

if TYPE_CHECKING:
    import pandas as pd

NEGATIVE, POSITIVE = LABELS
LABEL_WORDS = {"neg": NEGATIVE, "negative": NEGATIVE, "0": NEGATIVE, "0.0": NEGATIVE,
               "pos": POSITIVE, "positive": POSITIVE, "1": POSITIVE, "1.0": POSITIVE}
ACCEPTED = "pos/neg, positive/negative or 1/0 (any case)"
# Column names that suggest labels, best first; a column is only offered when its values map cleanly.
LABEL_NAMES = ("sentiment", "label", "labels", "polarity", "target", "class", "rating", "y")
MAX_DISTINCT = 50  # a column with more distinct values than this is not a two-class label column
SHOWN_VALUES = 10  # distinct values an error message names


def _normalise(value: Any) -> str | None:
    """The lookup key of one cell: None when missing, else a stripped lower-case string (numbers
    0 and 1 as "0"/"1" whatever their type; booleans as "true"/"false", which are not accepted)."""
    if value is None or type(value).__name__ in ("NAType", "NaTType"):
        return None
    if isinstance(value, bool) or type(value).__name__ == "bool_":
        return str(bool(value)).lower()
    if isinstance(value, numbers.Real):
        v = float(value)
        if math.isnan(v):
            return None
        return str(int(v)) if v.is_integer() else repr(v)
    text = str(value).strip()
    return text.lower() if text else None


def _shown(values: Sequence[str]) -> str:
    more = len(values) - SHOWN_VALUES
    return ", ".join(repr(v) for v in values[:SHOWN_VALUES]) + (f" and {more} more" if more > 0 else "")


def sentiment_labels(values: Sequence[Any], column: str = "labels") -> list[str | None]:
    """`values` (a label column's cells) as "positive"/"negative", None where a cell is empty.

    Raises InputError naming the values found when any of them is not clearly a sentiment, or when
    there is no label at all.
    """
    keys = [_normalise(v) for v in values]
    found = Counter(k for k in keys if k is not None)
    if not found:
        raise InputError(f"The label column {column!r} is empty; pick a column that holds {ACCEPTED}, or leave "
                         "the labels out.")
    if not set(found) <= set(LABEL_WORDS):
        raw = [v for v, _ in Counter(str(v).strip() for v, k in zip(values, keys) if k is not None).most_common()]
        unclear = [v for v in raw if _normalise(v) not in LABEL_WORDS]
        raise InputError(
            f"The label column {column!r} does not clearly say positive or negative: it holds {_shown(raw)}; "
            f"{_shown(unclear)} cannot be read as a sentiment. Labels must be {ACCEPTED}; pick another column "
            "or leave the labels out.")
    return [None if k is None else LABEL_WORDS[k] for k in keys]


def maps_cleanly(values: "pd.Series") -> bool:
    """True when a column's values (ignoring empty cells) are all clear labels. Vectorised: looks at
    the distinct values only, so it is cheap on a big table."""
    distinct = values.dropna().unique()
    if not 0 < len(distinct) <= MAX_DISTINCT:
        return False
    keys = {_normalise(v) for v in distinct} - {None}
    return bool(keys) and keys <= set(LABEL_WORDS)


def label_columns(frame: "pd.DataFrame") -> list[str]:
    """Columns that look like sentiment labels, best first: a label-like name (sentiment, label,
    polarity, target, class, rating, y) whose values map cleanly, then any other column of words
    (pos/neg, positive/negative). A 0/1 column counts only under a label-like name: ids and flags
    are 0/1 too."""
    rank = {name: i for i, name in enumerate(LABEL_NAMES)}
    named = sorted((c for c in frame.columns if str(c).strip().lower() in rank),
                   key=lambda c: rank[str(c).strip().lower()])
    found = [str(c) for c in named if maps_cleanly(frame[c])]
    words = {"pos", "neg", "positive", "negative"}
    for c in frame.columns:
        col = frame[c]
        if c in named or not (col.dtype == object or str(col.dtype).startswith("str")) or not maps_cleanly(col):
            continue
        if {_normalise(v) for v in col.dropna().unique()} <= words:
            found.append(str(c))
    return found


# ---- evaluation ----------------------------------------------------------------------------------

@dataclass
class Scores:
    """One model against the labels. Classes in LABELS order; confusion rows = true, columns = predicted.
    A precision (or recall, F1) that is 0/0 (a class never predicted, or absent) is None, not 0."""

    accuracy: float
    per_class: dict[str, dict[str, float | int | None]]
    confusion: list[list[int]]

    def as_dict(self) -> dict[str, Any]:
        return {"accuracy": self.accuracy, "per_class": self.per_class, "confusion": self.confusion}


@dataclass
class Disagreement:
    row: int  # 1-based position among the texts analysed
    text: str
    truth: str
    model: str
    baseline: str

    @property
    def right(self) -> str:
        """Which one matched the label: "model" or "baseline" (two classes: exactly one of them)."""
        return "model" if self.model == self.truth else "baseline" if self.baseline == self.truth else "neither"


@dataclass
class LabelEvaluation:
    """The model (and the baseline, when given) against the person's labels."""

    model: Scores
    baseline: Scores | None
    rows: int  # rows compared (with a label)
    skipped: int  # rows without a label: predicted, not compared
    column: str | None = None
    labels: tuple[str, ...] = LABELS
    disagreements: list[Disagreement] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """The JSON of `python -m dl_core nlp sentiment --label-column`."""
        out: dict[str, Any] = {**self.model.as_dict(), "labels": list(self.labels), "column": self.column,
                               "rows": self.rows, "skipped": self.skipped}
        out["baseline"] = self.baseline.as_dict() if self.baseline is not None else None
        out["disagreements"] = [{"row": d.row, "text": d.text, "label": d.truth, "model": d.model,
                                 "baseline": d.baseline, "right": d.right} for d in self.disagreements]
        return out


def _number(x: float) -> float | None:
    return None if math.isnan(x) else round(float(x), 6)


def scores(truth: Sequence[str], predicted: Sequence[str]) -> Scores:
    """Accuracy, per-class precision/recall/F1/support and the confusion matrix (sklearn.metrics)."""
    import numpy as np
    from sklearn.metrics import accuracy_score, confusion_matrix, precision_recall_fscore_support

    labels = list(LABELS)
    p, r, f, s = precision_recall_fscore_support(truth, predicted, labels=labels, zero_division=np.nan)
    per_class = {c: {"precision": _number(p[i]), "recall": _number(r[i]), "f1": _number(f[i]), "support": int(s[i])}
                 for i, c in enumerate(labels)}
    return Scores(accuracy=round(float(accuracy_score(truth, predicted)), 6), per_class=per_class,
                  confusion=confusion_matrix(truth, predicted, labels=labels).astype(int).tolist())


def evaluate_sentiment(texts: Sequence[str], truth: Sequence[str | None], predicted: Sequence[str],
                       baseline: Sequence[str] | None = None, *, column: str | None = None) -> LabelEvaluation:
    """The model's labels `predicted` (and the baseline's) against `truth` (from `sentiment_labels`),
    row by row; rows whose truth is None are left out with a notice. Raises InputError when the
    lengths differ or no row has a label."""
    texts, truth, predicted = list(texts), list(truth), list(predicted)
    baseline = None if baseline is None else list(baseline)
    if not len(texts) == len(truth) == len(predicted) or (baseline is not None and len(baseline) != len(texts)):
        raise InputError(f"{len(truth)} labels for {len(texts)} texts; give one label per text.")
    bad = sorted({str(x) for x in [*truth, *predicted, *(baseline or [])] if x is not None and x not in LABELS})
    if bad:
        raise InputError(f"Labels must be {' or '.join(LABELS)}, got {_shown(bad)}; map them with sentiment_labels.")
    keep = [i for i, t in enumerate(truth) if t is not None]
    name = f"column {column!r}" if column else "the labels"
    if not keep:
        raise InputError(f"None of the {len(texts):,} texts has a label in {name}; nothing to compare.")
    skipped = len(texts) - len(keep)
    notices = [f"{skipped:,} of {len(texts):,} text(s) have no label in {name}: they are predicted but left "
               "out of the evaluation."] if skipped else []
    y = [truth[i] for i in keep]
    ev = LabelEvaluation(model=scores(y, [predicted[i] for i in keep]), rows=len(keep), skipped=skipped,
                         baseline=None if baseline is None else scores(y, [baseline[i] for i in keep]),
                         column=column, notices=notices)
    if baseline is not None:
        ev.disagreements = [Disagreement(row=i + 1, text=texts[i], truth=truth[i], model=predicted[i],
                                         baseline=baseline[i]) for i in keep if predicted[i] != baseline[i]]
    return ev
