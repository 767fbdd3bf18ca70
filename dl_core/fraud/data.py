"""A labelled table -> stratified train / validation / test matrices, ready for every model.

    frame, notices = fraud.read_table(path)            # or fraud.generate(GeneratorConfig())
    data = fraud.prepare(frame)                          # label detected, features built, split 60/20/20

Everything a person gives us is checked here and refused with an `InputError` that says what to fix;
every silent-looking decision (a column dropped, a value chosen as positive) becomes a notice.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import InputError
from .features import Preprocessor
from .generator import MAX_ROWS
from .labels import Terms, binary_labels, detect_label, is_about_fraud, is_creditcard_layout, terms_for

if TYPE_CHECKING:
    import pandas as pd

MB = 1024 * 1024
# From a path (the command line): the well-known 284k-row card-fraud CSV is ~150 MB. A page is
# bounded by the server's upload limit first (`.streamlit/config.toml` maxUploadSize).
CSV_MAX_BYTES = 200 * MB
MAX_COLUMNS = 2_000
MIN_POSITIVES = 10  # fewer frauds than this cannot be split into train, validation and test


@dataclass
class FraudData:
    """Stratified train / validation / test matrices, and what is needed to explain and score."""

    X_train: np.ndarray
    y_train: np.ndarray
    X_val: np.ndarray
    y_val: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    test_rows: "pd.DataFrame"  # the original test rows (same order as X_test), for explanations
    preprocessor: Preprocessor
    label_col: str
    positive: str
    negative: str
    notices: list[str] = field(default_factory=list)
    terms: Terms = field(default_factory=Terms)  # what positive and negative rows are called
    split_seed: int = 0
    # Baselines fitted on this data, kept so that the MLP's and the autoencoder's comparisons share them.
    fitted: dict[tuple, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def feature_names(self) -> list[str]:
        return self.preprocessor.feature_names_

    def summary(self) -> dict[str, Any]:
        """Rows and positives per split (the key stays "fraud", whatever the label is about)."""
        return {s: {"rows": int(len(y)), "fraud": int(y.sum())}
                for s, y in (("train", self.y_train), ("validation", self.y_val), ("test", self.y_test))}


def prepare(frame: "pd.DataFrame", label_col: str | None = None, positive: str | None = None,
            seed: int = 0, val_size: float = 0.2, test_size: float = 0.2) -> FraudData:
    """Labels → 0/1, columns → features, then a stratified 60/20/20 split (by default)."""
    from sklearn.model_selection import train_test_split

    notices: list[str] = []
    if len(frame) > MAX_ROWS:
        raise InputError(f"The table has {len(frame):,} rows; the limit is {MAX_ROWS:,}. Sample it first.")
    if frame.shape[1] > MAX_COLUMNS:
        raise InputError(f"The table has {frame.shape[1]:,} columns; the limit is {MAX_COLUMNS:,}. Keep the "
                         "columns that describe a row and upload again.")
    repeated = sorted({str(c) for c in frame.columns[frame.columns.duplicated()]})
    if repeated:
        raise InputError(f"Column name(s) {', '.join(map(repr, repeated))} appear more than once; rename the "
                         "repeats so that every column has its own name.")
    if label_col is None:
        label_col = detect_label(frame)
        if label_col is not None:
            notices.append("Recognised the card-fraud layout (Time, V1–V28, Amount, Class): the label is 'Class'."
                           if label_col == "Class" and is_creditcard_layout(frame)
                           else f"Label column detected: {label_col!r}.")
    labels = binary_labels(frame, label_col, positive)
    notices += labels.notices
    terms = terms_for(label_col, labels.positive, labels.negative, about_fraud=is_about_fraud(frame, label_col))
    rows = frame.loc[labels.kept]
    features = rows.drop(columns=[label_col])
    pre = Preprocessor()
    notices += pre.plan(features)
    n_pos = int(labels.y.sum())
    if n_pos < MIN_POSITIVES or len(labels.y) - n_pos < MIN_POSITIVES:
        few, what = ((n_pos, terms.positive) if n_pos < MIN_POSITIVES
                     else (len(labels.y) - n_pos, terms.negative))
        value = labels.positive if n_pos < MIN_POSITIVES else labels.negative
        raise InputError(f"Only {few} {what} row(s) ({value!r} in {label_col!r}); at least {MIN_POSITIVES} are "
                         "needed to split into training, validation and test sets. Add more rows (for synthetic "
                         "data: raise the fraud rate).")
    idx = np.arange(len(labels.y))
    try:
        rest, test = train_test_split(idx, test_size=test_size, stratify=labels.y, random_state=seed)
        train, val = train_test_split(rest, test_size=val_size / (1 - test_size), stratify=labels.y[rest],
                                      random_state=seed)
    except ValueError as exc:
        raise InputError(f"The rows cannot be split into training, validation and test sets ({exc}); "
                         "add more rows of each class.") from None
    pre.fit(features.iloc[train])
    notices += pre.fit_notices()
    parts = {}
    for name, ix in (("train", train), ("val", val), ("test", test)):
        X, ok, extra = pre.transform(features.iloc[ix])
        if extra and name == "train":
            notices += [m.replace("row(s)", "training row(s)", 1) for m in extra]
        parts[name] = (X, labels.y[ix][ok], ix[ok])
    for name in ("train", "val", "test"):
        y = parts[name][1]
        if y.sum() == 0 or y.sum() == len(y):
            raise InputError(f"The {'validation' if name == 'val' else name} split has no "
                             f"{terms.positive if y.sum() == 0 else terms.negative} rows left (after removing "
                             "incomplete rows); fix the missing values or add more labelled rows.")
    return FraudData(X_train=parts["train"][0], y_train=parts["train"][1], X_val=parts["val"][0],
                     y_val=parts["val"][1], X_test=parts["test"][0], y_test=parts["test"][1],
                     test_rows=rows.iloc[parts["test"][2]], preprocessor=pre, label_col=label_col,
                     positive=labels.positive, negative=labels.negative, notices=notices, terms=terms,
                     split_seed=seed)


def read_table(source: Any, name: str | None = None) -> tuple["pd.DataFrame", list[str]]:
    """A CSV upload (or path) as a frame plus notices; a path may be larger than the usual CSV limit."""
    from .. import inputs

    table = inputs.read_csv(source, name=name, max_bytes=CSV_MAX_BYTES)
    frame, notices = table.frame, list(table.notices)
    if len(frame) > MAX_ROWS:
        frame = frame.sample(n=MAX_ROWS, random_state=0)
        notices.append(f"The file has more than {MAX_ROWS:,} rows; a random {MAX_ROWS:,} were kept.")
    return frame, notices
