"""The twelve scikit-learn clustering algorithms, their key parameters, fitting and scoring.

    labels = fit_predict("dbscan", X, n_clusters=2, params={"eps": 0.2})   # -1 = noise
    scores(X, labels, truth)   # {"ari": ..., "nmi": ..., "silhouette": ...}

Native thread pools are sized once per process (`dl_core.limit_threads`, one thread per computation on
2 cores): an over-subscribed BLAS/OpenMP pool made the comparison grid ~6x slower, and capping them
per call (threadpoolctl) is process-wide, so overlapping sessions undid each other's caps.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..errors import InputError

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


def own_params(algorithm: str, params: Mapping[str, float] | None = None) -> dict[str, float]:
    """The parameters `algorithm` reads, defaults filled in: its fit depends on these (and k) only,
    so they are what a cache of its results is keyed on."""
    merged = {**BASE_PARAMS, **(params or {})}
    return {p.name: float(merged[p.name]) for p in PARAMS[canonical(algorithm)]}


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
    """Labels for every row of X (-1 = noise, for the density-based algorithms)."""
    import sklearn

    name = canonical(name)
    X = np.asarray(X, dtype=np.float64)
    if not np.isfinite(X).all():
        raise InputError("The data has missing or infinite values; remove or fill them first.")
    # Inputs are checked above, so sklearn's per-call re-validation (a third of OPTICS' time on
    # 500 points) is skipped.
    with warnings.catch_warnings(), sklearn.config_context(assume_finite=True, skip_parameter_validation=True):
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
