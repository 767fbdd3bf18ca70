"""The comparison grid: 6 toy data sets x 12 algorithms, as in scikit-learn's gallery.

    grid = comparison_grid()                        # 72 fits, each timed and scored
    grid.rows()                                     # what `clustering compare --json` prints

Every panel is a pure function of its `Panel` (data set, algorithm, the parameters that algorithm
reads, k) and of the data settings (points, noise, seed): `fit_panel` is what a cache keys on, so a
slider that changes one algorithm's parameter re-fits that algorithm's six panels only.

The default grid (500 points, noise 0.05, seed 0, gallery tuning) is saved once in the data folder
(`default_grid`), so a page can show it at once after the first computation, also after a restart.
"""

from __future__ import annotations

import functools
import io
import json
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import InputError
from .algorithms import ALGORITHMS, USES_K, canonical, fit_predict, n_found, own_params, scores

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
# The data settings of the default grid (what the page opens with and the CLI's defaults).
DEFAULT_N_SAMPLES, DEFAULT_NOISE, DEFAULT_SEED = 500, 0.05, 0


def check_data_settings(n_samples: int, noise: float) -> None:
    if not 10 <= n_samples <= 20_000:
        raise InputError(f"n_samples must be between 10 and 20,000, got {n_samples}.")
    if not 0 <= noise <= 1:
        raise InputError(f"noise must be between 0 and 1, got {noise}.")


def make_dataset(name: str, n_samples: int = DEFAULT_N_SAMPLES, noise: float = DEFAULT_NOISE,
                 seed: int = DEFAULT_SEED) -> tuple[np.ndarray, np.ndarray | None]:
    """(X standardised, true labels or None). `noise` scales the jitter of every data set."""
    from sklearn import datasets
    from sklearn.preprocessing import StandardScaler

    if name not in DATASETS:
        raise InputError(f"Unknown data set {name!r}; choose one of: {', '.join(DATASETS)}.")
    check_data_settings(n_samples, noise)
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
        X, y = np.random.RandomState(seed).rand(n_samples, 2), None  # a local generator, as before
    return StandardScaler().fit_transform(X), y


@dataclass(frozen=True)
class Panel:
    """What one panel's fit depends on, besides the data: hashable, so a cache can key on it."""

    dataset: str
    algorithm: str
    n_clusters: int  # 0 for the algorithms that find the number themselves
    params: tuple[tuple[str, float], ...]  # only the parameters this algorithm reads


def panels(datasets: Sequence[str] | None = None, algorithms: Sequence[str] | None = None,
           params: Mapping[str, Mapping[str, float]] | None = None, n_clusters: int | None = None,
           tuned: bool = True) -> list[Panel]:
    """The grid's panels, data set by data set. `params[algorithm]` overrides that algorithm's
    parameters everywhere; `tuned` starts from the gallery's per-data-set values; `n_clusters`
    None = the true number of each data set."""
    datasets = list(DATASETS if datasets is None else datasets)
    algorithms = [canonical(a) for a in (ALGORITHMS if algorithms is None else algorithms)]
    if not datasets or not algorithms:
        raise InputError("Choose at least one data set and one algorithm.")
    unknown = [d for d in datasets if d not in DATASETS]
    if unknown:
        raise InputError(f"Unknown data set {unknown[0]!r}; choose one of: {', '.join(DATASETS)}.")
    if n_clusters is not None and not 1 <= n_clusters <= 20:
        raise InputError(f"the number of clusters must be between 1 and 20, got {n_clusters}.")
    overrides = {canonical(a): dict(p) for a, p in (params or {}).items()}
    out = []
    for d in datasets:
        for a in algorithms:
            own = own_params(a, {**(TUNED[d] if tuned else {}), **overrides.get(a, {})})
            k = (n_clusters or TRUE_K[d]) if a in USES_K else 0
            out.append(Panel(d, a, k, tuple(sorted(own.items()))))
    return out


@dataclass
class Cell:
    """One fitted panel of the grid."""

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


@functools.cache
def _warm_up() -> None:
    """The first k-means of a process pays for imports and thread-pool start-up (seconds on a busy
    machine): paid here, once, so that no panel's fit time includes it."""
    fit_predict("minibatch-kmeans", np.random.default_rng(0).random((20, 2)), 2)


def fit_panel(panel: Panel, X: np.ndarray, y: np.ndarray | None, seed: int = DEFAULT_SEED) -> Cell:
    """Fit, time and score one panel: ARI/NMI against the true groups, silhouette where there are none."""
    _warm_up()
    t0 = time.perf_counter()
    labels = fit_predict(panel.algorithm, X, max(panel.n_clusters, 1), dict(panel.params), seed)
    seconds = time.perf_counter() - t0
    s = scores(X, labels, y, seed=seed)
    return Cell(panel.dataset, panel.algorithm, labels, seconds, n_found(labels), s["ari"], s["nmi"],
                None if y is not None else s["silhouette"])


@dataclass
class Grid:
    data: dict[str, tuple[np.ndarray, np.ndarray | None]]
    cells: list[Cell] = field(default_factory=list)
    seconds: float = 0.0

    def rows(self) -> list[dict[str, Any]]:
        return [c.row() for c in self.cells]


def comparison_grid(datasets: Sequence[str] | None = None, algorithms: Sequence[str] | None = None,
                    n_samples: int = DEFAULT_N_SAMPLES, noise: float = DEFAULT_NOISE, seed: int = DEFAULT_SEED,
                    params: Mapping[str, Mapping[str, float]] | None = None, n_clusters: int | None = None,
                    tuned: bool = True, n_jobs: int | None = None,
                    on_progress: Callable[[int, int], None] | None = None) -> Grid:
    """Fit every algorithm on every data set (see `panels` for the arguments); `n_jobs` > 1 fits in
    that many processes; `on_progress(done, total)` is called after each panel (one process only)."""
    check_data_settings(n_samples, noise)
    todo = panels(datasets, algorithms, params, n_clusters, tuned)
    started = time.perf_counter()
    grid = Grid(data={d: make_dataset(d, n_samples, noise, seed) for d in dict.fromkeys(p.dataset for p in todo)})
    n_jobs = min(n_jobs if n_jobs is not None else 1, len(todo))
    if n_jobs > 1:
        # One single-threaded process per core: the fits are Python-heavy (OPTICS, AP), so
        # processes beat threads; loky keeps its workers for the next call.
        from joblib import Parallel, delayed

        grid.cells = Parallel(n_jobs=n_jobs, backend="loky")(
            delayed(fit_panel)(p, *grid.data[p.dataset], seed) for p in todo)
    else:
        for i, p in enumerate(todo, start=1):
            grid.cells.append(fit_panel(p, *grid.data[p.dataset], seed))
            if on_progress is not None:
                on_progress(i, len(todo))
    grid.seconds = time.perf_counter() - started
    return grid


# ---- the default grid, saved once ----------------------------------------------------------------

SAVED_FORMAT = 2  # raise when what is saved, or how fit times are taken, changes


def _version() -> str:
    """What the saved default grid depends on: a new scikit-learn or new defaults make it stale."""
    import sklearn

    spec = [SAVED_FORMAT, sklearn.__version__, DEFAULT_N_SAMPLES, DEFAULT_NOISE, DEFAULT_SEED,
            [(p.dataset, p.algorithm, p.n_clusters, p.params) for p in panels()]]
    return json.dumps(spec)


def default_grid_path() -> Path:
    from .. import paths

    return paths.data_dir() / "clustering" / "default-grid.npz"


def save_grid(grid: Grid, path: Path) -> None:
    """The grid's data, labels and scores as one .npz (no pickle), written atomically."""
    from .. import store

    arrays: dict[str, np.ndarray] = {"version": np.array(_version())}
    for d, (X, y) in grid.data.items():
        arrays[f"X/{d}"] = X
        if y is not None:
            arrays[f"y/{d}"] = y
    meta = []
    for i, c in enumerate(grid.cells):
        arrays[f"labels/{i}"] = c.labels.astype(np.int32)
        meta.append({k: v for k, v in vars(c).items() if k != "labels"})
    arrays["cells"] = np.array(json.dumps(meta))
    arrays["seconds"] = np.array(grid.seconds)
    buf = io.BytesIO()
    np.savez_compressed(buf, **arrays)
    store.write_atomic(path, buf.getvalue())


def load_grid(path: Path) -> Grid | None:
    """A grid saved by `save_grid` for the current version, else None (missing, stale or unreadable)."""
    try:
        with np.load(path, allow_pickle=False) as z:
            if str(z["version"]) != _version():
                return None
            data = {key[2:]: (z[key], z.get(f"y/{key[2:]}")) for key in z.files if key.startswith("X/")}
            cells = [Cell(labels=z[f"labels/{i}"].astype(int), **m) for i, m in enumerate(json.loads(str(z["cells"])))]
            return Grid(data=data, cells=cells, seconds=float(z["seconds"]))
    except (OSError, KeyError, ValueError, TypeError):
        return None


def load_default_grid() -> Grid | None:
    """The saved default grid, or None when it has not been computed yet (or is stale)."""
    return load_grid(default_grid_path())


def default_grid(on_progress: Callable[[int, int], None] | None = None,
                 on_wait: Callable[[], None] | None = None) -> Grid:
    """The default 6 x 12 grid: read from the data folder, else computed once (under a cross-process
    lock, so two sessions never compute it together) and saved there."""
    from .. import store

    path = default_grid_path()
    store.build_once("clustering-default-grid", exists=lambda: load_grid(path) is not None,
                     build=lambda: save_grid(comparison_grid(on_progress=on_progress), path), on_wait=on_wait)
    grid = load_grid(path)
    if grid is None:  # the data folder is not writable or the file vanished: compute without saving
        grid = comparison_grid(on_progress=on_progress)
    return grid
