"""Clustering: the classic algorithm comparison grid, clustering your own table, and text lines.

Three things live here (deep clustering on digits is in `clustering_deep.py`):
- `comparison_grid`: 6 toy data sets x 12 scikit-learn algorithms, each fit timed and scored
  (ARI/NMI against the generating labels; silhouette where there is no ground truth);
- `cluster_table` + `k_scan` + `profiles`: a person's own numeric columns, scaled, clustered, scored;
- `cluster_texts`: lines embedded with MiniLM, k-means, typical terms and example lines per cluster.

Native thread pools are capped with threadpoolctl around every fit: on a 2-core machine an
over-subscribed BLAS/OpenMP pool made the grid ~6x slower.
"""

from __future__ import annotations

import re
import time
import warnings
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from .errors import InputError

if TYPE_CHECKING:
    import pandas as pd

Scale = Literal["standard", "minmax", "none"]

# ---- the algorithms ------------------------------------------------------------------------------

# Canonical names (CLI and API) -> what people read. Order = the grid's columns.
ALGORITHMS: dict[str, str] = {
    "minibatch-kmeans": "MiniBatch KMeans",
    "kmeans": "KMeans",
    "affinity-propagation": "Affinity Propagation",
    "mean-shift": "MeanShift",
    "spectral": "Spectral",
    "ward": "Ward",
    "agglomerative": "Agglomerative",
    "dbscan": "DBSCAN",
    "hdbscan": "HDBSCAN",
    "optics": "OPTICS",
    "birch": "BIRCH",
    "gmm": "Gaussian mixture",
}
# Algorithms that take a number of clusters; the others find it themselves.
USES_K = {"minibatch-kmeans", "kmeans", "spectral", "ward", "agglomerative", "birch", "gmm"}
# Quadratic (or worse) in memory/time: fitted on a sample of big tables, the rest assigned by 1-NN.
SLOW = {"affinity-propagation", "mean-shift", "spectral", "ward", "agglomerative", "dbscan", "hdbscan",
        "optics"}
SLOW_MAX_ROWS = 3_000


@dataclass(frozen=True)
class Param:
    """One control of an algorithm: a slider on the page, a keyword in `params`."""

    name: str
    label: str
    low: float
    high: float
    default: float
    step: float
    help: str = ""


# The key parameters per algorithm (what the page shows as controls). `n_clusters` is separate.
PARAMS: dict[str, list[Param]] = {
    "minibatch-kmeans": [],
    "kmeans": [],
    "affinity-propagation": [
        Param("damping", "damping", 0.5, 0.99, 0.9, 0.01, "higher = slower, steadier message passing"),
        Param("preference", "preference", -500.0, 0.0, -200.0, 10.0, "lower = fewer exemplars (clusters)"),
    ],
    "mean-shift": [Param("quantile", "bandwidth quantile", 0.05, 0.9, 0.3, 0.05,
                         "kernel width as a quantile of pairwise distances; smaller = more clusters")],
    "spectral": [],
    "ward": [Param("n_neighbors", "connectivity neighbours", 2, 30, 3, 1,
                   "k-NN graph that restricts merges to neighbours")],
    "agglomerative": [Param("n_neighbors", "connectivity neighbours", 2, 30, 3, 1,
                            "k-NN graph that restricts merges to neighbours")],
    "dbscan": [Param("eps", "eps (neighbourhood radius)", 0.05, 1.0, 0.3, 0.01,
                     "points closer than eps are neighbours"),
               Param("min_samples", "min samples", 2, 50, 7, 1, "neighbours needed for a core point")],
    "hdbscan": [Param("hdbscan_min_cluster_size", "min cluster size", 2, 100, 15, 1,
                      "smallest group that counts as a cluster"),
                Param("hdbscan_min_samples", "min samples", 1, 50, 3, 1, "higher = more points called noise")],
    "optics": [Param("min_samples", "min samples", 2, 50, 7, 1, "neighbours needed for a core point"),
               Param("xi", "xi (steepness)", 0.01, 0.3, 0.05, 0.005, "minimum steepness of a cluster edge"),
               Param("min_cluster_size", "min cluster size (share)", 0.01, 0.5, 0.1, 0.01,
                     "smallest cluster as a share of the points")],
    "birch": [Param("threshold", "threshold", 0.05, 2.0, 0.5, 0.05, "radius of a sub-cluster leaf")],
    "gmm": [],
}

BASE_PARAMS: dict[str, float] = {p.name: p.default for ps in PARAMS.values() for p in ps}


def canonical(name: str) -> str:
    """'KMeans', 'k-means', 'Gaussian mixture' -> the canonical key; a clear error otherwise."""
    key = re.sub(r"[\s_]+", "-", name.strip().lower())
    aliases = {"k-means": "kmeans", "minibatchkmeans": "minibatch-kmeans", "mini-batch-kmeans":
               "minibatch-kmeans", "minibatch": "minibatch-kmeans", "affinitypropagation":
               "affinity-propagation", "affinity": "affinity-propagation", "meanshift": "mean-shift",
               "spectral-clustering": "spectral", "agglomerative-clustering": "agglomerative",
               "gaussian-mixture": "gmm", "gaussianmixture": "gmm"}
    key = aliases.get(key, key)
    if key in ALGORITHMS:
        return key
    for k, label in ALGORITHMS.items():
        if re.sub(r"[\s_]+", "-", label.lower()) == key:
            return k
    raise InputError(f"Unknown algorithm {name!r}; choose one of: {', '.join(ALGORITHMS)}.")


def make_estimator(name: str, X: np.ndarray, n_clusters: int, params: dict[str, float] | None = None,
                   seed: int = 0) -> Any:
    """A configured (unfitted) scikit-learn estimator for `name`, as in sklearn's comparison gallery."""
    from sklearn import cluster, mixture
    from sklearn.neighbors import kneighbors_graph

    p = {**BASE_PARAMS, **(params or {})}
    name = canonical(name)
    if name == "minibatch-kmeans":
        return cluster.MiniBatchKMeans(n_clusters=n_clusters, n_init=3, random_state=seed)
    if name == "kmeans":
        return cluster.KMeans(n_clusters=n_clusters, n_init=3, random_state=seed)
    if name == "affinity-propagation":
        return cluster.AffinityPropagation(damping=p["damping"], preference=p["preference"], random_state=seed)
    if name == "mean-shift":
        sample = min(len(X), 500)  # the bandwidth estimate is O(n^2): a sample is enough
        bw = cluster.estimate_bandwidth(X, quantile=p["quantile"], n_samples=sample, random_state=seed)
        return cluster.MeanShift(bandwidth=bw if bw > 0 else None, bin_seeding=True)
    if name == "spectral":
        return cluster.SpectralClustering(n_clusters=n_clusters, eigen_solver="arpack",
                                          affinity="nearest_neighbors", random_state=seed)
    if name in ("ward", "agglomerative"):
        k = int(min(max(p["n_neighbors"], 1), len(X) - 1))
        conn = kneighbors_graph(X, n_neighbors=k, include_self=False)
        conn = 0.5 * (conn + conn.T)  # symmetric, as the gallery does
        if name == "ward":
            return cluster.AgglomerativeClustering(n_clusters=n_clusters, linkage="ward", connectivity=conn)
        return cluster.AgglomerativeClustering(n_clusters=n_clusters, linkage="average", metric="cityblock",
                                               connectivity=conn)
    if name == "dbscan":
        return cluster.DBSCAN(eps=p["eps"], min_samples=int(p["min_samples"]))
    if name == "hdbscan":
        return cluster.HDBSCAN(min_cluster_size=int(p["hdbscan_min_cluster_size"]),
                               min_samples=int(p["hdbscan_min_samples"]), allow_single_cluster=True,
                               copy=True)
    if name == "optics":
        return cluster.OPTICS(min_samples=int(p["min_samples"]), xi=p["xi"],
                              min_cluster_size=p["min_cluster_size"])
    if name == "birch":
        return cluster.Birch(n_clusters=n_clusters, threshold=p["threshold"])
    return mixture.GaussianMixture(n_components=n_clusters, covariance_type="full", random_state=seed)


def fit_predict(name: str, X: np.ndarray, n_clusters: int, params: dict[str, float] | None = None,
                seed: int = 0) -> np.ndarray:
    """Labels for every row of X (-1 = noise, for the density-based algorithms); threads capped."""
    import sklearn
    from threadpoolctl import threadpool_limits

    name = canonical(name)
    X = np.asarray(X, dtype=np.float64)
    if not np.isfinite(X).all():
        raise InputError("The data has missing or infinite values; remove or fill them first.")
    # Inputs are checked above, so sklearn's per-call re-validation (a third of OPTICS' time on
    # 500 points) is skipped.
    with threadpool_limits(limits=1), warnings.catch_warnings(), \
            sklearn.config_context(assume_finite=True, skip_parameter_validation=True):
        # Convergence and "graph not fully connected" warnings are expected on toy data; the
        # scores on the page tell the person how good the result is.
        warnings.simplefilter("ignore")
        est = make_estimator(name, X, n_clusters, params, seed)
        if name == "optics" and len(X) <= 5_000:
            return optics_labels(X, est.min_samples, est.xi, est.min_cluster_size)
        labels = est.fit_predict(X)  # every estimator used here has it (GaussianMixture too)
    return np.asarray(labels, dtype=int)


def optics_labels(X: np.ndarray, min_samples: int, xi: float, min_cluster_size: float) -> np.ndarray:
    """scikit-learn's OPTICS (xi extraction, max_eps=inf) with its ordering loop vectorised over a
    full distance matrix: the same labels (tested), but sklearn validates its inputs again for every
    one of the n points, which made OPTICS half of the whole grid's time. Used up to 5,000 rows."""
    from sklearn.cluster import cluster_optics_xi
    from sklearn.metrics import pairwise_distances

    n = len(X)
    D = pairwise_distances(X)  # (n, n)
    decimals = np.finfo(np.float64).precision  # sklearn rounds distances like this to tame float noise
    k = int(min_samples)
    core = np.partition(D, k - 1, axis=1)[:, k - 1]  # distance to the k-th neighbour, self included
    np.around(core, decimals=decimals, out=core)
    reach = np.full(n, np.inf)
    pred = np.full(n, -1, dtype=int)
    processed = np.zeros(n, dtype=bool)
    ordering = np.zeros(n, dtype=int)
    for step in range(n):
        index = np.flatnonzero(~processed)
        point = index[np.argmin(reach[index])]
        processed[point] = True
        ordering[step] = point
        unproc = np.flatnonzero(~processed)
        if not unproc.size:
            continue
        rd = np.maximum(D[point, unproc], core[point])
        np.around(rd, decimals=decimals, out=rd)
        better = rd < reach[unproc]
        reach[unproc[better]] = rd[better]
        pred[unproc[better]] = point
    labels, _ = cluster_optics_xi(reachability=reach, predecessor=pred, ordering=ordering, min_samples=k,
                                  min_cluster_size=min_cluster_size, xi=xi)
    return np.asarray(labels, dtype=int)


# ---- scores --------------------------------------------------------------------------------------

def scores(X: np.ndarray, labels: np.ndarray, truth: np.ndarray | None = None,
           sample: int = 3_000, seed: int = 0) -> dict[str, float | None]:
    """ARI/NMI against `truth` when given; silhouette (on a sample of big data) when >= 2 clusters."""
    from sklearn import metrics

    out: dict[str, float | None] = {"ari": None, "nmi": None, "silhouette": None}
    if truth is not None:
        out["ari"] = float(metrics.adjusted_rand_score(truth, labels))
        out["nmi"] = float(metrics.normalized_mutual_info_score(truth, labels))
    # Noise points (-1) are not a cluster: the silhouette is of the clustered points only.
    keep = labels >= 0
    Xc, lc = X[keep], labels[keep]
    if 2 <= n_found(lc) <= len(Xc) - 1:
        size = sample if len(Xc) > sample else None
        out["silhouette"] = float(metrics.silhouette_score(Xc, lc, sample_size=size, random_state=seed))
    return out


def n_found(labels: np.ndarray) -> int:
    """Clusters found, not counting noise (-1)."""
    return len(set(labels.tolist()) - {-1})


# ---- the toy data sets ---------------------------------------------------------------------------

DATASETS: dict[str, str] = {
    "noisy-circles": "Noisy circles",
    "noisy-moons": "Moons",
    "varied": "Blobs, varied variance",
    "aniso": "Anisotropic blobs",
    "blobs": "Blobs",
    "no-structure": "No structure",
}
TRUE_K = {"noisy-circles": 2, "noisy-moons": 2, "varied": 3, "aniso": 3, "blobs": 3, "no-structure": 3}
# Per-data-set tuning from scikit-learn's "Comparing different clustering algorithms" gallery.
TUNED: dict[str, dict[str, float]] = {
    "noisy-circles": {"damping": 0.77, "preference": -240, "quantile": 0.2, "min_samples": 7, "xi": 0.08},
    "noisy-moons": {"damping": 0.75, "preference": -220, "min_samples": 7, "xi": 0.1},
    "varied": {"eps": 0.18, "n_neighbors": 2, "min_samples": 7, "xi": 0.01, "min_cluster_size": 0.2},
    "aniso": {"eps": 0.15, "n_neighbors": 2, "min_samples": 7, "xi": 0.1, "min_cluster_size": 0.2},
    "blobs": {"min_samples": 7, "xi": 0.1, "min_cluster_size": 0.2},
    "no-structure": {},
}


def make_dataset(name: str, n_samples: int = 500, noise: float = 0.05,
                 seed: int = 0) -> tuple[np.ndarray, np.ndarray | None]:
    """(X standardised, true labels or None). `noise` scales the jitter of every data set."""
    from sklearn import datasets
    from sklearn.preprocessing import StandardScaler

    if name not in DATASETS:
        raise InputError(f"Unknown data set {name!r}; choose one of: {', '.join(DATASETS)}.")
    if not 10 <= n_samples <= 20_000:
        raise InputError(f"n_samples must be between 10 and 20,000, got {n_samples}.")
    if not 0 <= noise <= 1:
        raise InputError(f"noise must be between 0 and 1, got {noise}.")
    rng = np.random.RandomState(seed)
    y: np.ndarray | None
    if name == "noisy-circles":
        X, y = datasets.make_circles(n_samples=n_samples, factor=0.5, noise=noise, random_state=seed)
    elif name == "noisy-moons":
        X, y = datasets.make_moons(n_samples=n_samples, noise=noise, random_state=seed)
    elif name == "varied":
        std = np.array([1.0, 2.5, 0.5]) * (noise / 0.05)  # noise 0.05 = the gallery's spreads
        X, y = datasets.make_blobs(n_samples=n_samples, cluster_std=np.maximum(std, 1e-3), random_state=170)
    elif name == "aniso":
        X, y = datasets.make_blobs(n_samples=n_samples, cluster_std=max(noise / 0.05, 1e-3), random_state=170)
        X = X @ np.array([[0.6, -0.6], [-0.4, 0.8]])
    elif name == "blobs":
        X, y = datasets.make_blobs(n_samples=n_samples, cluster_std=max(noise / 0.05, 1e-3), random_state=seed + 8)
    else:
        X, y = rng.rand(n_samples, 2), None
    return StandardScaler().fit_transform(X), y


@dataclass
class Cell:
    """One panel of the grid."""

    dataset: str
    algorithm: str
    labels: np.ndarray
    seconds: float
    n_clusters: int
    ari: float | None = None
    nmi: float | None = None
    silhouette: float | None = None

    def row(self) -> dict[str, Any]:
        return {"dataset": self.dataset, "algorithm": self.algorithm, "seconds": round(self.seconds, 4),
                "clusters": self.n_clusters, "ari": _r(self.ari), "nmi": _r(self.nmi),
                "silhouette": _r(self.silhouette)}


def _r(v: float | None) -> float | None:
    return None if v is None else round(float(v), 4)


@dataclass
class Grid:
    data: dict[str, tuple[np.ndarray, np.ndarray | None]]
    cells: list[Cell] = field(default_factory=list)
    seconds: float = 0.0

    def rows(self) -> list[dict[str, Any]]:
        return [c.row() for c in self.cells]


def comparison_grid(datasets: Sequence[str] | None = None, algorithms: Sequence[str] | None = None,
                    n_samples: int = 500, noise: float = 0.05, seed: int = 0,
                    params: dict[str, dict[str, float]] | None = None, n_clusters: int | None = None,
                    tuned: bool = True, n_jobs: int | None = None) -> Grid:
    """Fit every algorithm on every data set. `params[algorithm]` overrides that algorithm's
    parameters everywhere; `tuned` starts from the gallery's per-data-set values; `n_clusters`
    None = the true number of each data set; `n_jobs` > 1 fits in that many processes."""
    datasets = list(datasets or DATASETS)
    algorithms = [canonical(a) for a in (algorithms or ALGORITHMS)]
    if not datasets or not algorithms:
        raise InputError("Choose at least one data set and one algorithm.")
    if n_clusters is not None and not 1 <= n_clusters <= 20:
        raise InputError(f"the number of clusters must be between 1 and 20, got {n_clusters}.")
    started = time.perf_counter()
    grid = Grid(data={d: make_dataset(d, n_samples, noise, seed) for d in datasets})
    jobs = [(d, a, {**(TUNED[d] if tuned else {}), **((params or {}).get(a, {}))}) for d in datasets
            for a in algorithms]
    n_jobs = min(n_jobs if n_jobs is not None else 1, len(jobs))

    def run(d: str, a: str, p: dict[str, float]) -> Cell:
        return _cell(d, a, *grid.data[d], n_clusters or TRUE_K[d], p, seed)

    if n_jobs > 1:
        # One single-threaded process per core: the fits are Python-heavy (OPTICS, AP), so
        # processes beat threads; loky keeps its workers for the next call.
        from joblib import Parallel, delayed

        grid.cells = Parallel(n_jobs=n_jobs, backend="loky")(delayed(run)(*j) for j in jobs)
    else:
        grid.cells = [run(*j) for j in jobs]
    grid.seconds = time.perf_counter() - started
    return grid


def _cell(d: str, a: str, X: np.ndarray, y: np.ndarray | None, k: int, p: dict[str, float], seed: int) -> Cell:
    t0 = time.perf_counter()
    labels = fit_predict(a, X, k, p, seed)
    seconds = time.perf_counter() - t0
    s = scores(X, labels, y, seed=seed)
    return Cell(d, a, labels, seconds, n_found(labels), s["ari"], s["nmi"],
                None if y is not None else s["silhouette"])


# ---- your own table ------------------------------------------------------------------------------

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
    from . import inputs

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
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1):
        return KNeighborsClassifier(n_neighbors=1).fit(X_fit, labels).predict(X).astype(int)


def k_scan(X: np.ndarray, k_max: int = 10, seed: int = 0, sample: int = 3_000) -> "pd.DataFrame":
    """Elbow (k-means inertia) and silhouette for k = 1..k_max, on a sample of big data."""
    import pandas as pd
    from sklearn.cluster import KMeans
    from sklearn.metrics import silhouette_score
    from threadpoolctl import threadpool_limits

    if len(X) > sample:
        X = X[np.random.default_rng(seed).choice(len(X), sample, replace=False)]
    k_max = int(min(k_max, len(X) - 1))
    if k_max < 2:
        raise InputError("At least 3 rows are needed to compare numbers of clusters.")
    rows = []
    with threadpool_limits(limits=1), warnings.catch_warnings():
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


# ---- text lines ----------------------------------------------------------------------------------

MAX_LINES = 5_000
_WORD = re.compile(r"[A-Za-zÀ-ÿ][A-Za-zÀ-ÿ'-]+")
STOP_WORDS = (
    "a an the and or but if then else of to in on at by for with from as is are was were be been being "
    "it its this that these those i me my we our you your he she him her his they them their there here "
    "what which who whom when where why how all any both each few more most other some such no nor not "
    "only own same so than too very can will just should now do does did doing have has had having "
    "about above after again against below between into through during before under over up down out "
    "off once also would could may might must shall our ours yours its itself get got one two new like")
STOP_WORDS = frozenset(STOP_WORDS.split())


def split_lines(text: str, min_chars: int = 3) -> tuple[list[str], list[str]]:
    """Non-empty lines (whitespace-trimmed, duplicates kept), capped at MAX_LINES; with notices."""
    lines = [ln.strip() for ln in text.splitlines()]
    kept = [ln for ln in lines if len(ln) >= min_chars]
    notices = []
    dropped = sum(1 for ln in lines if ln) - len(kept)
    if dropped:
        notices.append(f"{dropped} line(s) shorter than {min_chars} characters were left out.")
    if len(kept) > MAX_LINES:
        notices.append(f"{len(kept):,} lines; only the first {MAX_LINES:,} were clustered.")
        kept = kept[:MAX_LINES]
    return kept, notices


@dataclass
class TextClusters:
    lines: list[str]
    embeddings: np.ndarray  # (n, 384), L2-normalised
    labels: np.ndarray
    terms: dict[int, list[str]]  # typical terms per cluster
    examples: dict[int, list[str]]  # lines nearest the cluster centre
    silhouette: float | None
    seconds: float


def typical_terms(lines: Sequence[str], labels: np.ndarray, centres: np.ndarray,
                  encode: Callable[[list[str]], np.ndarray], top: int = 6,
                  max_words: int = 2_000) -> dict[int, list[str]]:
    """Each cluster's words whose own embedding is closest to the cluster's centre and far from the
    other centres (KeyBERT-like): with few lines, word counts alone pick accidental words."""
    words_of: dict[int, Counter] = {}
    for line, lab in zip(lines, labels.tolist()):
        words = {w.lower().strip("'-") for w in _WORD.findall(line)} - STOP_WORDS
        words_of.setdefault(lab, Counter()).update(w for w in words if len(w) >= 3)
    total = Counter()
    for c in words_of.values():
        total.update(c)
    vocab = [w for w, _ in total.most_common(max_words)]  # bounded cost on big inputs
    if not vocab:
        return {lab: [] for lab in words_of}
    W = np.asarray(encode(vocab), dtype=np.float64)  # (V, d)
    W /= np.linalg.norm(W, axis=1, keepdims=True).clip(min=1e-12)
    C = centres / np.linalg.norm(centres, axis=1, keepdims=True).clip(min=1e-12)  # (k, d)
    sim = W @ C.T  # (V, k) cosine of each word with each cluster centre
    position = {w: i for i, w in enumerate(vocab)}
    out = {}
    for lab, counts in words_of.items():
        idx = np.array([position[w] for w in counts if w in position], dtype=int)
        if not idx.size:
            out[lab] = []
            continue
        others = np.delete(sim[idx], lab, axis=1)
        score = sim[idx, lab] - (others.max(axis=1) if others.size else 0.0)
        order = np.argsort(-score, kind="stable")[:top]
        out[lab] = [vocab[i] for i in idx[order]]
    return out


def cluster_texts(lines: Sequence[str], k: int, encode: Callable[[list[str]], np.ndarray],
                  seed: int = 0, n_examples: int = 4) -> TextClusters:
    """Embed lines (e.g. MiniLM's `.encode`), k-means them, describe each cluster."""
    from sklearn.cluster import KMeans
    from threadpoolctl import threadpool_limits

    lines = list(lines)
    if len(lines) < 2:
        raise InputError(f"Only {len(lines)} line(s) of text; give at least 2 lines (one item per line).")
    check_k(k, len(lines))
    if k < 2:
        raise InputError("Choose at least 2 clusters for text lines.")
    t0 = time.perf_counter()
    emb = np.asarray(encode(lines), dtype=np.float64)
    with threadpool_limits(limits=1), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        km = KMeans(n_clusters=k, n_init=5, random_state=seed).fit(emb)
    labels = km.labels_.astype(int)
    examples = {}
    for c in range(k):
        members = np.flatnonzero(labels == c)
        dist = np.linalg.norm(emb[members] - km.cluster_centers_[c], axis=1)
        examples[c] = [lines[i] for i in members[np.argsort(dist)[:n_examples]]]
    sil = scores(emb, labels, seed=seed)["silhouette"]
    terms = typical_terms(lines, labels, km.cluster_centers_, encode)
    return TextClusters(lines=lines, embeddings=emb, labels=labels, terms=terms, examples=examples,
                        silhouette=sil, seconds=time.perf_counter() - t0)
