"""Which rows are positive: the label column (recognised or chosen), turned into 0/1, and the words a
page uses for the two classes.

The bundled (synthetic) transactions, the card-fraud layout and labels named like `is_fraud` are about
fraud; a person's own table about something else (loan defaults, churn) is described with its label
column's own name, so that a page never calls a defaulted loan "fraud".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from ..errors import InputError

if TYPE_CHECKING:
    import pandas as pd

CREDITCARD_COLUMNS = ["Time", *[f"V{i}" for i in range(1, 29)], "Amount", "Class"]
LABEL_NAMES = ("class", "label", "is_fraud", "isfraud", "fraud", "is_fraudulent", "fraudulent", "target", "y")
FRAUD_LABEL_NAMES = ("is_fraud", "isfraud", "fraud", "is_fraudulent", "fraudulent", "fraud_flag", "is_fraud_flag")
_YES = {"1", "true", "yes", "y", "t"}


@dataclass(frozen=True)
class Terms:
    """What a positive and a negative row are called on a page: "fraud" / "normal" for fraud data,
    else the label column's own words ("loan_default" / "not loan_default", "status = bad" / ...)."""

    positive: str = "fraud"
    negative: str = "normal"
    about_fraud: bool = True

    @property
    def score_column(self) -> str:
        """The name of the score column added to scored rows."""
        return "fraud_score" if self.about_fraud else f"{self.positive.split(' = ')[0]}_score"


FRAUD_TERMS = Terms()


def terms_for(label_col: str, positive: str, negative: str, about_fraud: bool) -> Terms:
    if about_fraud:
        return FRAUD_TERMS
    if positive.strip().lower() in _YES:
        return Terms(positive=label_col, negative=f"not {label_col}", about_fraud=False)
    return Terms(positive=f"{label_col} = {positive}", negative=f"{label_col} = {negative}", about_fraud=False)


def is_about_fraud(frame: "pd.DataFrame", label_col: str) -> bool:
    """The card-fraud layout, or a label whose name says fraud."""
    return (label_col == "Class" and is_creditcard_layout(frame)) or str(label_col).lower() in FRAUD_LABEL_NAMES


def is_creditcard_layout(frame: "pd.DataFrame") -> bool:
    """The well-known Kaggle/ULB layout: Time, V1..V28 (PCA components), Amount, Class."""
    return set(CREDITCARD_COLUMNS) <= set(frame.columns)


def detect_label(frame: "pd.DataFrame") -> str | None:
    """The label column, if it can be recognised: the card-fraud layout's `Class`, a usual label
    name with two values, else None (the person must pick it)."""
    if is_creditcard_layout(frame):
        return "Class"
    by_lower = {str(c).lower(): c for c in frame.columns}
    for name in LABEL_NAMES:
        col = by_lower.get(name)
        if col is not None and frame[col].dropna().nunique() == 2:
            return col
    return None


def _label_strings(values: "pd.Series") -> "pd.Series":
    """Labels as strings, with 1.0 written as "1" (a float column of 0/1 is common)."""
    import pandas as pd

    if pd.api.types.is_bool_dtype(values):
        return values.map({True: "True", False: "False"})
    if pd.api.types.is_numeric_dtype(values):
        finite = values[np.isfinite(values.astype(float))]
        if len(finite) and np.all(np.mod(finite.astype(float), 1) == 0):
            return values.map(lambda v: str(int(v)) if np.isfinite(v) else None)
    return values.map(lambda v: str(v).strip())


def label_values(frame: "pd.DataFrame", label_col: str) -> list[str]:
    """The distinct values of a label column as the strings used to pick the fraud value."""
    return sorted(_label_strings(frame[label_col].dropna()).dropna().unique().tolist())


@dataclass
class Labels:
    y: np.ndarray  # (N,) 1 = positive (e.g. fraud), 0 = negative
    positive: str
    negative: str
    kept: "pd.Index"  # rows of the frame that have a label
    notices: list[str] = field(default_factory=list)


def binary_labels(frame: "pd.DataFrame", label_col: str | None, positive: str | None = None) -> Labels:
    """Check the label column and turn it into 0/1; the minority value is positive unless chosen."""
    if label_col is None:
        raise InputError("No label column was recognised; choose the column that says which rows are positive "
                         f"(e.g. fraud; the file has: {', '.join(map(str, frame.columns[:30]))}).")
    if label_col not in frame.columns:
        raise InputError(f"There is no column {label_col!r}; the file has: "
                         f"{', '.join(map(str, frame.columns[:30]))}.")
    if int((frame.columns == label_col).sum()) > 1:
        raise InputError(f"The table has more than one column named {label_col!r}; rename the repeats and try again.")
    notices: list[str] = []
    raw = frame[label_col]
    has = raw.notna()
    if raw.dtype.kind == "f":
        has &= np.isfinite(raw.astype(float))
    if not has.any():
        raise InputError(f"The label column {label_col!r} is empty; choose the column with the labels.")
    if (~has).any():
        notices.append(f"{int((~has).sum()):,} row(s) without a label in {label_col!r} were left out.")
    labels = _label_strings(raw[has])
    counts = labels.value_counts()
    if len(counts) == 1:
        raise InputError(f"The label column {label_col!r} has a single value ({counts.index[0]!r}) in every "
                         "row; a model needs examples of both classes (e.g. fraud and normal transactions).")
    if len(counts) > 2:
        shown = ", ".join(repr(v) for v in counts.index[:6])
        raise InputError(f"The label column {label_col!r} has {len(counts)} different values ({shown}"
                         f"{', ...' if len(counts) > 6 else ''}); it must have exactly two (e.g. 0/1, "
                         "Yes/No, fraud/legit). Choose another column or merge the values.")
    what = "Fraud (the positive class)" if is_about_fraud(frame, label_col) else "The positive class"
    if positive is None:
        positive = str(counts.index[-1])  # value_counts sorts by frequency: last = minority
        notices.append(f"{what} = {positive!r} in {label_col!r}, the rarer value "
                       f"({counts.iloc[-1]:,} of {counts.sum():,} rows, {counts.iloc[-1] / counts.sum():.2%}).")
    elif str(positive) not in counts.index:
        raise InputError(f"{positive!r} is not a value of {label_col!r}; its values are "
                         f"{', '.join(map(repr, counts.index))}.")
    positive = str(positive)
    negative = next(v for v in counts.index if v != positive)
    y = (labels == positive).to_numpy().astype(np.int64)
    return Labels(y=y, positive=positive, negative=str(negative), kept=labels.index, notices=notices)
