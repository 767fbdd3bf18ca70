"""Tab "Compare algorithms": 6 toy data sets x 12 scikit-learn algorithms, as in sklearn's gallery.

Each panel is fitted once per setting that it depends on (its data set's points/noise/seed, its
algorithm's own parameters, k) and cached, so moving one algorithm's slider re-fits that algorithm's
row only. The default grid comes from the copy saved in the data folder (computed once).
"""

from __future__ import annotations

import time

import pandas as pd
import streamlit as st

from dl_core import clustering as cl
from ui import errors

from . import plots
from .controls import algorithm_sliders

INTRO = ("Six toy data sets, twelve scikit-learn algorithms: the classic comparison, recomputed when you "
         "move a control. Each panel gives the **adjusted Rand index** (ARI) and **normalised mutual "
         "information** (NMI) against the true groups (1 = perfect, 0 = chance), or the **silhouette** "
         "where there are no true groups, and the fit time. Grey points are *noise* (density-based "
         "algorithms may leave points out).")
PROGRESS_AFTER_S = 0.3  # a rerun served from the cache never shows a progress bar


@st.cache_data(show_spinner=False, max_entries=64)
def _dataset(name: str, n_samples: int, noise: float, seed: int):
    return cl.make_dataset(name, n_samples, noise, seed)


@st.cache_data(show_spinner=False, max_entries=3_000)
def _panel(dataset: str, algorithm: str, n_clusters: int, params: tuple, n_samples: int, noise: float,
           seed: int) -> cl.Cell:
    X, y = _dataset(dataset, n_samples, noise, seed)
    return cl.fit_panel(cl.Panel(dataset, algorithm, n_clusters, params), X, y, seed)


@st.cache_resource(show_spinner=False)
def _saved_default() -> dict[cl.Panel, cl.Cell] | None:
    grid = cl.load_default_grid()
    return None if grid is None else dict(zip(cl.panels(), grid.cells))


def _default_cells(build: bool) -> dict[cl.Panel, cl.Cell]:
    """The default grid's panels: from memory, else from the data folder, else (when `build`)
    computed once for every session and process, with a progress bar, and saved."""
    cells = _saved_default()
    if cells is None and build:
        bar = st.progress(0.0, text="Fitting the default grid (once; it is saved for next time)…")
        grid = cl.default_grid(
            on_progress=lambda i, n: bar.progress(i / n, text=f"Fitting the default grid (once; it is saved "
                                                              f"for next time): {i} of {n} panels…"),
            on_wait=lambda: bar.progress(0.0, text="Another session is fitting the default grid; waiting for it…"))
        bar.empty()
        _saved_default.clear()
        cells = _saved_default() or dict(zip(cl.panels(), grid.cells))
    return cells or {}


@st.cache_resource(show_spinner=False, max_entries=32)
def _figure(key: tuple, _grid: cl.Grid, datasets: tuple, algorithms: tuple):
    """The grid figure of the panels `key` names (built in ~0.1 s; shared, never mutated)."""
    return plots.grid_figure(_grid, datasets, algorithms)


def _controls() -> dict | None:
    c1, c2, c3, c4 = st.columns(4)
    n_samples = c1.slider("points per data set", 100, 2000, cl.DEFAULT_N_SAMPLES, 100, key="cl_grid_n")
    noise = c2.slider("noise", 0.0, 0.2, cl.DEFAULT_NOISE, 0.01, key="cl_grid_noise",
                      help="jitter of the circles/moons; spread of the blobs (0.05 = the gallery's)")
    seed = int(c3.number_input("seed", 0, 10_000, cl.DEFAULT_SEED, key="cl_grid_seed"))
    true_k = c4.toggle("true k", True, key="cl_grid_truek",
                       help="on: each data set's true number of clusters; off: the same k everywhere")
    k_all = None if true_k else c4.slider("k", 1, 10, 3, key="cl_grid_k")
    with st.expander("Data sets, algorithms and their parameters"):
        datasets = st.multiselect("data sets", list(cl.DATASETS), list(cl.DATASETS), key="cl_grid_datasets",
                                  format_func=cl.DATASETS.get)
        algorithms = st.multiselect("algorithms", list(cl.ALGORITHMS), list(cl.ALGORITHMS), key="cl_grid_algos",
                                    format_func=cl.ALGORITHMS.get)
        tuned = st.toggle("start from scikit-learn's per-data-set tuning", True, key="cl_grid_tuned")
        overrides: dict[str, dict[str, float]] = {}
        tunable = [a for a in cl.ALGORITHMS if cl.PARAMS[a]]
        cols = st.columns(3)
        for i, a in enumerate(tunable):
            with cols[i % 3]:
                if st.checkbox(f"set {cl.ALGORITHMS[a]} by hand", key=f"cl_grid_own_{a}"):
                    overrides[a] = algorithm_sliders("cl_grid", a)
    if not datasets or not algorithms:
        st.info("Choose at least one data set and one algorithm above.")
        return None
    return {"datasets": datasets, "algorithms": algorithms, "n_samples": n_samples, "noise": noise, "seed": seed,
            "params": overrides, "n_clusters": k_all, "tuned": tuned}


def grid_tab() -> None:
    st.markdown(INTRO)
    chosen = _controls()
    if chosen is None:
        return
    n, noise, seed = chosen["n_samples"], chosen["noise"], chosen["seed"]
    todo = cl.panels(chosen["datasets"], chosen["algorithms"], chosen["params"], chosen["n_clusters"],
                     chosen["tuned"])
    known: dict[cl.Panel, cl.Cell] = {}
    if (n, noise, seed) == (cl.DEFAULT_N_SAMPLES, cl.DEFAULT_NOISE, cl.DEFAULT_SEED):
        default = set(cl.panels())
        known = _default_cells(build=all(p in default for p in todo))
    slot, started, cells = st.empty(), time.perf_counter(), []
    for i, p in enumerate(todo, start=1):
        cell = known.get(p)
        cells.append(cell if cell is not None else _panel(p.dataset, p.algorithm, p.n_clusters, p.params, n, noise,
                                                          seed))
        if time.perf_counter() - started > PROGRESS_AFTER_S:
            slot.progress(i / len(todo), text=f"Fitting the panels whose settings changed: {i} of {len(todo)}…")
    slot.empty()
    datasets = tuple(dict.fromkeys(p.dataset for p in todo))
    algorithms = tuple(dict.fromkeys(p.algorithm for p in todo))
    grid = cl.Grid(data={d: _dataset(d, n, noise, seed) for d in datasets}, cells=cells)
    st.caption(f"{len(cells)} panels; fitting them took {sum(c.seconds for c in cells):.1f} s in all (one thread "
               "each). A control re-fits only the panels it changes; the others come from a cache.")
    st.plotly_chart(_figure((tuple(todo), n, noise, seed), grid, datasets, algorithms), key="cl_grid_fig")
    with st.expander("All scores as a table"):
        table = pd.DataFrame(grid.rows())
        table["dataset"] = table["dataset"].map(cl.DATASETS)
        table["algorithm"] = table["algorithm"].map(cl.ALGORITHMS)
        st.dataframe(table, hide_index=True, key="cl_grid_table")


@st.fragment
def view() -> None:
    """The tab as a fragment: its controls rerun this tab only, not the rest of the page."""
    with errors.guard(stop=False):
        grid_tab()
