"""Columns -> model-ready features, learned on the training rows only: identifiers, empty and constant
columns dropped (each with a notice), text one-hot encoded, money-like columns log-scaled, numbers
standardised. The output is float32 and bounded (features, and rows x features) before it is built.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import InputError

if TYPE_CHECKING:
    import pandas as pd

MAX_CATEGORIES = 30  # more distinct values than this is not a category we can one-hot encode
# After one-hot encoding: 10,000 text columns asked for ~260,000 features (~8 GB in float64). A table
# of hand-made features rarely has more than a few hundred.
MAX_FEATURES = 1_000
MAX_CELLS = 50_000_000  # rows x features of the float32 matrices: 200 MB

_ID_NAME = re.compile(r"(^|[_\s-])(id|uuid|guid|index|row|rownum|row_number)$|^unnamed", re.IGNORECASE)


def _is_identifier(name: str, col: "pd.Series") -> bool:
    """A row number or a unique key: it would let a model memorise rows, not learn patterns."""
    import pandas as pd

    values = col.dropna()
    n = len(values)
    if n < 20:
        return False
    unique = values.nunique() / n
    if _ID_NAME.search(name) and unique >= 0.5:
        return True
    if not pd.api.types.is_numeric_dtype(values):
        return unique >= 0.999
    if pd.api.types.is_integer_dtype(values) and unique == 1.0:
        steps = np.diff(np.sort(values.to_numpy()))
        return bool(len(steps) and np.all(steps == 1))  # 0,1,2,... or 1,2,3,...
    return False


def _numeric_text(name: str, col: "pd.Series") -> None:
    """A column that is numbers with a few words in it is a data error, not a category."""
    import pandas as pd

    values = col.dropna()
    if values.empty or pd.api.types.is_numeric_dtype(values):
        return
    num = pd.to_numeric(values, errors="coerce")
    share = num.notna().mean()
    if share >= 0.8:
        bad = values[num.isna()]
        raise InputError(f"Column {name!r} holds numbers but {len(bad):,} value(s) are text, e.g. "
                         f"{str(bad.iloc[0])[:40]!r}; fix or remove them (or delete the column) and upload again.")


@dataclass
class Preprocessor:
    """Learned on the training rows, applied the same way to validation, test and new data.

    Learned state (sklearn style, trailing underscore): which columns are numeric, which get a
    log transform, their mean/sd, the categories of each one-hot column, the output feature names.
    """

    numeric_: list[str] = field(default_factory=list)
    log_: list[str] = field(default_factory=list)
    mean_: list[float] = field(default_factory=list)
    scale_: list[float] = field(default_factory=list)
    categories_: dict[str, list[str]] = field(default_factory=dict)
    dropped_: dict[str, str] = field(default_factory=dict)  # column -> why
    feature_names_: list[str] = field(default_factory=list)

    def plan(self, frame: "pd.DataFrame") -> list[str]:
        """Decide what to do with each column (on the whole frame, label removed); returns notices."""
        import pandas as pd

        notices: list[str] = []
        self.numeric_, self.categories_, self.dropped_ = [], {}, {}
        widths: dict[str, int] = {}  # one-hot columns per text column (at most: its values + "missing")
        for name in frame.columns:
            col = frame[name]
            if col.isna().all():
                self.dropped_[name] = "it is empty"
            elif _is_identifier(str(name), col):
                self.dropped_[name] = ("it looks like an identifier (a different value on almost every row); "
                                       "a model would memorise rows instead of learning patterns")
            elif pd.api.types.is_bool_dtype(col) or pd.api.types.is_numeric_dtype(col):
                if col.dropna().nunique() <= 1:
                    self.dropped_[name] = "it has the same value on every row"
                else:
                    self.numeric_.append(name)
            else:
                _numeric_text(str(name), col)
                levels = col.dropna().astype(str).str.strip().nunique()
                if levels > MAX_CATEGORIES:
                    self.dropped_[name] = (f"it is text with {levels:,} different values, too many to one-hot "
                                           f"encode (at most {MAX_CATEGORIES})")
                elif levels <= 1 and not col.isna().any():
                    self.dropped_[name] = "it has the same value on every row"
                else:
                    self.categories_[name] = []
                    widths[name] = levels + int(col.isna().any())
        for name, why in self.dropped_.items():
            notices.append(f"Column {name!r} was dropped: {why}.")
        if not self.numeric_ and not self.categories_:
            raise InputError("No usable feature columns are left (all were identifiers, empty or constant); "
                             "upload a table with the rows' attributes (amounts, counts, categories) as columns.")
        features = len(self.numeric_) + sum(widths.values())
        if features > MAX_FEATURES:
            widest = sorted(widths.items(), key=lambda kv: -kv[1])[:5]
            shown = ", ".join(f"{c!r} ({w})" for c, w in widest)
            raise InputError(
                f"Once text columns are one-hot encoded the table has {features:,} features "
                f"({len(self.numeric_):,} numeric columns and {len(widths):,} text columns, the widest {shown}); "
                f"the limit is {MAX_FEATURES:,}. Remove columns that are not attributes of a row, then upload again.")
        return notices

    def fit(self, frame: "pd.DataFrame") -> "Preprocessor":
        """Learn categories, log transforms and scaling from the training rows only."""
        import pandas as pd

        for name in self.categories_:
            levels = _cat(frame[name]).value_counts()
            self.categories_[name] = sorted(levels.index.tolist())
        self.log_, self.mean_, self.scale_ = [], [], []
        for name in self.numeric_:
            v = pd.to_numeric(frame[name], errors="coerce").astype(float).to_numpy()
            v = v[np.isfinite(v)]
            # Money-like columns (non-negative, long right tail) are compared on a log scale.
            if len(np.unique(v[:10_000])) > 10 and v.min() >= 0 and _skew(v) > 2.0:
                self.log_.append(name)
                v = np.log1p(v)
            self.mean_.append(float(v.mean()) if len(v) else 0.0)
            sd = float(v.std()) if len(v) else 1.0
            self.scale_.append(sd if sd > 1e-12 else 1.0)
        self.feature_names_ = list(self.numeric_) + [f"{c}={v}" for c, vs in self.categories_.items() for v in vs]
        return self

    def fit_notices(self) -> list[str]:
        notices = []
        if self.categories_:
            parts = ", ".join(f"{c!r} ({len(v)} values)" for c, v in self.categories_.items())
            notices.append(f"Text columns one-hot encoded (one 0/1 column per value): {parts}.")
        if self.log_:
            notices.append("Skewed money-like columns put on a log scale first: "
                           f"{', '.join(map(repr, self.log_))}.")
        if self.numeric_:
            notices.append(f"{len(self.numeric_)} numeric column(s) scaled to mean 0 and standard deviation 1 "
                           "(learned on the training split only).")
        return notices

    def transform(self, frame: "pd.DataFrame") -> tuple[np.ndarray, np.ndarray, list[str]]:
        """(X (N', F) float32, mask of the rows kept (N,), notices). Rows with missing or infinite
        numbers are left out (with a notice); unknown categories become all-zero columns."""
        import pandas as pd

        needed = self.numeric_ + list(self.categories_)
        missing = [c for c in needed if c not in frame.columns]
        if missing:
            raise InputError(f"The table lacks column(s) the model was trained on: {', '.join(map(repr, missing))}. "
                             "Upload rows with the same columns as the training data.")
        notices: list[str] = []
        n = len(frame)
        width = len(self.feature_names_)
        if n * width > MAX_CELLS:
            raise InputError(f"{n:,} rows x {width:,} features is {n * width:,} numbers; the limit is {MAX_CELLS:,}. "
                             "Use fewer rows (a random sample keeps the patterns) or fewer columns.")
        num = np.empty((n, len(self.numeric_)), dtype=np.float32)
        for j, name in enumerate(self.numeric_):
            col = frame[name]
            if not pd.api.types.is_numeric_dtype(col) and not pd.api.types.is_bool_dtype(col):
                conv = pd.to_numeric(col, errors="coerce")
                bad = conv.isna() & col.notna()
                if bad.any():
                    raise InputError(f"Column {name!r} should hold numbers but has {int(bad.sum()):,} text value(s), "
                                     f"e.g. {str(col[bad].iloc[0])[:40]!r}; fix or remove them and upload again.")
                col = conv
            v = col.astype(float).to_numpy()
            if name in self.log_:
                with np.errstate(invalid="ignore", divide="ignore"):
                    v = np.log1p(np.where(v < 0, np.nan, v))  # a negative amount cannot be scored
            with np.errstate(over="ignore"):  # a number too large for float32 becomes inf: left out below
                num[:, j] = (v - self.mean_[j]) / self.scale_[j]
        ok = np.isfinite(num).all(axis=1)
        if (~ok).any():
            notices.append(f"{int((~ok).sum()):,} row(s) with missing, infinite or invalid numbers were left out.")
        if not ok.any():
            raise InputError("No row is complete once rows with missing or infinite numbers are removed; "
                             "fill in the blanks and upload again.")
        rows = np.flatnonzero(ok)
        X = np.zeros((len(rows), width), dtype=np.float32)  # built once, in float32, for the kept rows
        X[:, :len(self.numeric_)] = num[rows]
        del num
        unseen = []
        start = len(self.numeric_)
        for name, levels in self.categories_.items():
            values = _cat(frame[name])
            codes = pd.Index(levels).get_indexer(values)  # -1 = a value not seen in training
            kept = codes[rows]
            hit = np.flatnonzero(kept >= 0)
            X[hit, start + kept[hit]] = 1.0
            new = set(values[ok & (codes < 0)])
            if new:
                unseen.append(f"{name!r}: {', '.join(sorted(map(str, new))[:5])}")
            start += len(levels)
        if unseen:
            notices.append("Values not seen in training are treated as none of the known ones: " + "; ".join(unseen))
        return X, ok, notices

    def to_dict(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in ("numeric_", "log_", "mean_", "scale_", "categories_",
                                              "dropped_", "feature_names_")}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "Preprocessor":
        return cls(**d)

    def groups(self) -> list[tuple[str, list[int]]]:
        """Output columns grouped by original column (one-hot columns together), for explanations."""
        out = [(name, [j]) for j, name in enumerate(self.numeric_)]
        j = len(self.numeric_)
        for name, levels in self.categories_.items():
            out.append((name, list(range(j, j + len(levels)))))
            j += len(levels)
        return out


def _cat(col: "pd.Series") -> "pd.Series":
    return col.astype("object").where(col.notna(), "(missing)").astype(str).str.strip()


def _skew(v: np.ndarray) -> float:
    sd = v.std()
    return float(((v - v.mean()) ** 3).mean() / sd**3) if sd > 0 else 0.0

