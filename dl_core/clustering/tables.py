"""Clustering a person's own table: pick numeric columns, scale, cluster, score, describe.

    table = read_table(Path("wine.csv"))                      # parse the file once
    prepared, result = run_csv(table.frame, "kmeans", k=3, label_col="cultivar")
    profiles(prepared.raw, result.labels)                     # size and mean of each column per cluster

Slow (quadratic) algorithms on big tables are fitted on a sample and the other rows take the label
of their nearest sampled row, with a notice that says so.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

import numpy as np

from ..errors import InputError
from .algorithms import ALGORITHMS, SLOW, SLOW_MAX_ROWS, USES_K, canonical, fit_predict, n_found, scores

if TYPE_CHECKING:
    import pandas as pd

    from ..inputs import Source, Table

Scale = Literal["standard", "minmax", "none"]


def read_table(source: "Source", name: str | None = None) -> "Table":
    """A CSV upload or file as a table: `inputs.read_csv`, which also renames column names that
    repeat once spaces are trimmed (`a,a ,b` -> `a`, `a (2)`, `b`, with a notice)."""
    from .. import inputs

    return inputs.read_csv(source, name=name)


def example_table() -> "pd.DataFrame":
    """scikit-learn's wine data (178 wines, 13 measurements) with its grape variety as `cultivar`."""
    from sklearn.datasets import load_wine

    wine = load_wine(as_frame=True)
    frame = wine.frame.rename(columns={"target": "cultivar"})
    frame["cultivar"] = frame["cultivar"].map(dict(enumerate(wine.target_names)))
    return frame


@dataclass
class Prepared:
    """Numeric features ready to cluster, and what the person should be told about them."""

    X: np.ndarray  # (n, d) scaled
    raw: "pd.DataFrame"  # the chosen columns, unscaled, rows kept
    columns: list[str]
    index: "pd.Index"  # rows of the original frame that were kept
    truth: np.ndarray | None = None  # label column as integer codes
    truth_names: list[str] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)


def numeric_columns(frame: "pd.DataFrame", exclude: Sequence[str] = ()) -> tuple[list[str], list[str]]:
    """(columns that are numbers, columns that are not) - mostly-numeric text counts as not."""
    import pandas as pd

    good, bad = [], []
    for c in frame.columns:
        if c in exclude:
            continue
        num = pd.to_numeric(frame[c], errors="coerce")
        (good if num.notna().sum() > 0 and (num.isna() == frame[c].isna()).all() else bad).append(c)
    return good, bad


def prepare(frame: "pd.DataFrame", columns: Sequence[str] | None = None, label_col: str | None = None,
            scale: Scale = "standard") -> Prepared:
    """Pick numeric columns (never the label), drop bad rows and constant columns, scale."""
    from .. import inputs

    if frame.columns.duplicated().any():
        twice = ", ".join(map(repr, dict.fromkeys(frame.columns[frame.columns.duplicated()])))
        raise InputError(f"Column name(s) {twice} appear more than once; rename the repeated columns "
                         "(`read_table` does that for files).")
    if scale not in ("standard", "minmax", "none"):
        raise InputError(f"scale must be standard, minmax or none, got {scale!r}.")
    if label_col is not None and label_col not in frame.columns:
        raise InputError(f"No label column {label_col!r}; the file has: {', '.join(map(str, frame.columns))}.")
    notices: list[str] = []
    exclude = [label_col] if label_col else []
    if columns:
        columns = [c for c in columns if c != label_col]  # the label is never a feature
        if not columns:
            raise InputError("The only chosen column is the label column; choose feature columns too.")
    else:
        columns, skipped = numeric_columns(frame, exclude)
        if skipped:
            notices.append(f"Non-numeric column(s) left out: {', '.join(map(str, skipped))}.")
        if not columns:
            raise InputError("No numeric column to cluster on; the file needs at least one column of numbers.")
    X, more, kept = inputs.numeric_matrix(frame, list(columns))
    notices += more
    if len(X) < 2:
        raise InputError(f"Only {len(X)} usable row; clustering needs at least 2 rows (ideally dozens).")
    raw = frame.loc[kept, list(columns)].apply(lambda s: s.astype("float64"))
    constant = [c for c in columns if raw[c].nunique() <= 1]
    if constant:
        if len(constant) == len(columns):
            raise InputError(f"Every chosen column is constant ({', '.join(constant)}); nothing separates "
                             "the rows. Choose columns whose values vary.")
        notices.append(f"Constant column(s) left out (they cannot separate rows): {', '.join(constant)}.")
        columns = [c for c in columns if c not in constant]
        raw = raw[columns]
        X = raw.to_numpy()
    X = _scale(X, scale)
    truth, names = None, []
    if label_col:
        lab = frame.loc[kept, label_col]
        if lab.isna().any():
            raise InputError(f"The label column {label_col!r} has missing values; fill them or pick no label column.")
        codes, uniques = lab.astype(str).factorize()
        truth, names = np.asarray(codes), [str(u) for u in uniques]
    return Prepared(X=X, raw=raw, columns=list(columns), index=kept, truth=truth, truth_names=names,
                    notices=notices)


def _scale(X: np.ndarray, scale: Scale) -> np.ndarray:
    from sklearn.preprocessing import MinMaxScaler, StandardScaler

    if scale == "standard":
        return StandardScaler().fit_transform(X)
    if scale == "minmax":
        return MinMaxScaler().fit_transform(X)
    return X.astype(np.float64)


def check_k(k: int, n_rows: int) -> None:
    if k < 1:
        raise InputError(f"k must be at least 1, got {k}.")
    if k > n_rows:
        raise InputError(f"k={k} is larger than the number of usable rows ({n_rows}); choose k <= {n_rows}.")


@dataclass
class Clustering:
    labels: np.ndarray  # one per kept row; -1 = noise
    seconds: float
    n_clusters: int
    silhouette: float | None
    ari: float | None = None
    nmi: float | None = None
    notices: list[str] = field(default_factory=list)


def cluster_matrix(X: np.ndarray, algorithm: str, k: int, params: dict[str, float] | None = None,
                   truth: np.ndarray | None = None, seed: int = 0,
                   slow_max_rows: int = SLOW_MAX_ROWS) -> Clustering:
    """Cluster the rows of X. Slow algorithms on big data are fitted on a random sample and the
    other rows take the label of their nearest sampled row (said in a notice)."""
    algorithm = canonical(algorithm)
    if algorithm in USES_K:
        check_k(k, len(X))
    notices: list[str] = []
    t0 = time.perf_counter()
    if algorithm in SLOW and len(X) > slow_max_rows:
        rng = np.random.default_rng(seed)
        idx = np.sort(rng.choice(len(X), slow_max_rows, replace=False))
        sub = fit_predict(algorithm, X[idx], k, params, seed)
        labels = _propagate(X[idx], sub, X)
        notices.append(f"{ALGORITHMS[algorithm]} is slow on {len(X):,} rows: it was fitted on a random sample "
                       f"of {slow_max_rows:,} rows, and every other row got the cluster of its nearest "
                       "sampled row. Pick KMeans, MiniBatch KMeans, BIRCH or Gaussian mixture to use all rows.")
    else:
        labels = fit_predict(algorithm, X, k, params, seed)
    seconds = time.perf_counter() - t0
    s = scores(X, labels, truth, seed=seed)
    if n_found(labels) < 2:
        notices.append("Fewer than 2 clusters were found, so there is no silhouette; change the parameters.")
    return Clustering(labels=labels, seconds=seconds, n_clusters=n_found(labels), silhouette=s["silhouette"],
                      ari=s["ari"], nmi=s["nmi"], notices=notices)


def _propagate(X_fit: np.ndarray, labels: np.ndarray, X: np.ndarray) -> np.ndarray:
    from sklearn.neighbors import KNeighborsClassifier

    return KNeighborsClassifier(n_neighbors=1).fit(X_fit, labels).predict(X).astype(int)


def k_scan(X: np.ndarray, k_max: int = 10, seed: int = 0, sample: int = 3_000) -> "pd.DataFrame":
    """Elbow (k-means inertia) and silhouette for k = 1..k_max, on a sample of big data."""
    import pandas as pd
    from sklearn.cluster import KMeans
    from sklearn.metrics import silhouette_score

    if len(X) > sample:
        X = X[np.random.default_rng(seed).choice(len(X), sample, replace=False)]
    k_max = int(min(k_max, len(X) - 1))
    if k_max < 2:
        raise InputError("At least 3 rows are needed to compare numbers of clusters.")
    rows = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for k in range(1, k_max + 1):
            km = KMeans(n_clusters=k, n_init=3, random_state=seed).fit(X)
            sil = None
            if 2 <= len(set(km.labels_.tolist())) <= len(X) - 1:
                sil = float(silhouette_score(X, km.labels_))
            rows.append({"k": k, "inertia": float(km.inertia_), "silhouette": sil})
    return pd.DataFrame(rows)


def profiles(raw: "pd.DataFrame", labels: np.ndarray) -> "pd.DataFrame":
    """Per-cluster size and mean of every column (in the original units)."""
    frame = raw.copy()
    frame.insert(0, "cluster", labels)
    out = frame.groupby("cluster").mean()
    out.insert(0, "size", frame.groupby("cluster").size())
    out.index = [("noise" if c == -1 else f"cluster {c}") for c in out.index]
    return out


def profile_scores(raw: "pd.DataFrame", labels: np.ndarray) -> "pd.DataFrame":
    """Each cluster's mean of every column in standard deviations from the whole table's mean (0 for a
    constant column): which columns set a cluster apart, on one scale whatever their units."""
    means = profiles(raw, labels).drop(columns="size")
    spread = raw.std(ddof=0).replace(0, np.nan)
    return ((means - raw.mean()) / spread).fillna(0.0)


def projection(X: np.ndarray, dims: int = 2, seed: int = 0) -> np.ndarray:
    """X itself when it already has <= dims columns (padded), else its first principal components."""
    from sklearn.decomposition import PCA

    if X.shape[1] <= dims:
        return np.hstack([X, np.zeros((len(X), dims - X.shape[1]))])
    return PCA(n_components=dims, random_state=seed).fit_transform(X)


def with_clusters(frame: "pd.DataFrame", prepared: Prepared, labels: np.ndarray) -> "pd.DataFrame":
    """The uploaded table plus a `cluster` column (empty for rows that could not be used)."""
    import pandas as pd

    out = frame.copy()
    col = "cluster" if "cluster" not in out.columns else "cluster_found"
    out[col] = pd.Series(labels, index=prepared.index).reindex(out.index).astype("Int64")
    return out


def run_csv(frame: "pd.DataFrame", algorithm: str = "kmeans", k: int = 3, columns: Sequence[str] | None = None,
            label_col: str | None = None, scale: Scale = "standard", params: dict[str, float] | None = None,
            seed: int = 0) -> tuple[Prepared, Clustering]:
    """The whole 'your own data' path: prepare, cluster, score (what the CLI's `run` prints)."""
    algorithm = canonical(algorithm)  # a typo in the name is reported before any data work
    prepared = prepare(frame, columns, label_col, scale)
    result = cluster_matrix(prepared.X, algorithm, k, params, prepared.truth, seed)
    result.notices = prepared.notices + result.notices
    return prepared, result
