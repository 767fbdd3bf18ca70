"""Tab "Compare algorithms": 6 toy data sets x 12 scikit-learn algorithms, as in sklearn's gallery.

Each panel is fitted once per setting that it depends on (its data set's points/noise/seed, its
algorithm's own parameters, k) and cached, so moving one algorithm's slider re-fits that algorithm's
row only. The default grid comes from the copy saved in the data folder (computed once).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import streamlit as st

from dl_core import clustering as cl
from ui import errors, expanders

from . import plots
from .controls import algorithm_sliders, number_type

INTRO = ("Six toy data sets, twelve scikit-learn algorithms: the classic comparison, recomputed when you "
         "move a control. Each panel gives the **adjusted Rand index** (ARI) and **normalised mutual "
         "information** (NMI) against the true groups (1 = perfect, 0 = chance), or the **silhouette** "
         "where there are no true groups, and the fit time. Grey points are *noise* (density-based "
         "algorithms may leave points out).")
DEFAULT_DATA = (cl.DEFAULT_N_SAMPLES, cl.DEFAULT_NOISE, cl.DEFAULT_SEED)


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
    if grid is None:
        return None
    by_name = {(c.dataset, c.algorithm): c for c in grid.cells}
    return {p: by_name[(p.dataset, p.algorithm)] for p in cl.panels() if (p.dataset, p.algorithm) in by_name}


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
        cells = _saved_default()
        if cells is None:  # the data folder is not writable: use what was computed, this time
            by_name = {(c.dataset, c.algorithm): c for c in grid.cells}
            cells = {p: by_name[(p.dataset, p.algorithm)] for p in cl.panels() if (p.dataset, p.algorithm) in by_name}
    return cells or {}


@dataclass
class GridView:
    """What the tab draws for one choice of controls: built once, then shared (never mutated)."""

    grid: cl.Grid
    image: bytes  # the grid as a PNG (plots.grid_image)
    table: pd.DataFrame


@st.cache_resource(show_spinner="Fitting the panels whose settings changed…", max_entries=32)
def _grid_view(datasets: tuple, algorithms: tuple, params: tuple, n_clusters: int | None, tuned: bool,
               n_samples: int, noise: float, seed: int) -> GridView:
    """One cache entry per choice of controls (a rerun with the same choice costs one lookup); inside,
    each panel comes from the saved default grid or from its own cache, so only new panels are fitted."""
    todo = cl.panels(datasets, algorithms, {a: dict(p) for a, p in params}, n_clusters, tuned)
    known = _default_cells(build=False) if (n_samples, noise, seed) == DEFAULT_DATA else {}
    cells = [known[p] if p in known else _panel(p.dataset, p.algorithm, p.n_clusters, p.params, n_samples, noise,
                                                seed) for p in todo]
    grid = cl.Grid(data={d: _dataset(d, n_samples, noise, seed) for d in datasets}, cells=cells)
    table = pd.DataFrame(grid.rows())
    table["dataset"] = table["dataset"].map(cl.DATASETS)
    table["algorithm"] = table["algorithm"].map(cl.ALGORITHMS)
    return GridView(grid, plots.grid_image(grid, datasets, algorithms), table)


TUNABLE = [a for a in cl.ALGORITHMS if cl.PARAMS[a]]


# The settings under "Data sets, algorithms and their parameters", with their defaults.
MORE = {"cl_grid_datasets": list(cl.DATASETS), "cl_grid_algos": list(cl.ALGORITHMS), "cl_grid_tuned": True,
        **{f"cl_grid_own_{a}": False for a in TUNABLE},
        **{f"cl_grid_{a}_{p.name}": number_type(p)(p.default) for a in TUNABLE for p in cl.PARAMS[a]}}


def _more() -> None:
    st.multiselect("data sets", list(cl.DATASETS), MORE["cl_grid_datasets"], key="cl_grid_datasets",
                   format_func=cl.DATASETS.get)
    st.multiselect("algorithms", list(cl.ALGORITHMS), MORE["cl_grid_algos"], key="cl_grid_algos",
                   format_func=cl.ALGORITHMS.get)
    st.toggle("start from scikit-learn's per-data-set tuning", MORE["cl_grid_tuned"], key="cl_grid_tuned")
    cols = st.columns(3)
    for i, a in enumerate(TUNABLE):
        with cols[i % 3]:
            if st.checkbox(f"set {cl.ALGORITHMS[a]} by hand", key=f"cl_grid_own_{a}"):
                algorithm_sliders("cl_grid", a)


def _controls() -> dict | None:
    c1, c2, c3, c4 = st.columns(4)
    n_samples = c1.slider("points per data set", 100, 2000, cl.DEFAULT_N_SAMPLES, 100, key="cl_grid_n")
    noise = c2.slider("noise", 0.0, 0.2, cl.DEFAULT_NOISE, 0.01, key="cl_grid_noise",
                      help="jitter of the circles/moons; spread of the blobs (0.05 = the gallery's)")
    seed = int(c3.number_input("seed", 0, 10_000, cl.DEFAULT_SEED, key="cl_grid_seed"))
    true_k = c4.toggle("true k", True, key="cl_grid_truek",
                       help="on: each data set's true number of clusters; off: the same k everywhere")
    k_all = None if true_k else c4.slider("k", 1, 10, 3, key="cl_grid_k")
    # Drawn only while open (ui/expanders.py): two multiselects, a toggle and seven checkboxes the tab would
    # otherwise draw unseen on every rerun; closed, the person's choices (or the defaults) still apply.
    v = expanders.settings("Data sets, algorithms and their parameters", "cl_grid_more_open", MORE, _more)
    datasets, algorithms, tuned = v["cl_grid_datasets"], v["cl_grid_algos"], v["cl_grid_tuned"]
    overrides = {a: {p.name: v[f"cl_grid_{a}_{p.name}"] for p in cl.PARAMS[a]} for a in TUNABLE
                 if v[f"cl_grid_own_{a}"]}
    if not datasets or not algorithms:
        st.info("Choose at least one data set and one algorithm above.")
        return None
    return {"datasets": datasets, "algorithms": algorithms, "n_samples": n_samples, "noise": noise, "seed": seed,
            "params": overrides, "n_clusters": k_all, "tuned": tuned}


def grid_tab() -> None:
    chosen = _controls()
    if chosen is None:
        return
    datasets, algorithms = tuple(chosen["datasets"]), tuple(cl.canonical(a) for a in chosen["algorithms"])
    if (chosen["n_samples"], chosen["noise"], chosen["seed"]) == DEFAULT_DATA:
        # The first visit ever (on this data folder) fits the default grid with a progress bar, once.
        default = set(cl.panels())
        _default_cells(build=all(p in default for p in cl.panels(datasets, algorithms, chosen["params"],
                                                                  chosen["n_clusters"], chosen["tuned"])))
    params = tuple(sorted((a, tuple(sorted(p.items()))) for a, p in chosen["params"].items()))
    view_ = _grid_view(datasets, algorithms, params, chosen["n_clusters"], chosen["tuned"], chosen["n_samples"],
                       chosen["noise"], chosen["seed"])
    cells = view_.grid.cells
    st.caption(f"{len(cells)} panels; fitting them took {sum(c.seconds for c in cells):.1f} s in all (one thread "
               "each). A control re-fits only the panels it changes; the others come from a cache.")
    st.image(view_.image, width="content", output_format="PNG")
    # Drawn only while open (a collapsed expander still draws its content: a table on every rerun).
    scores = st.expander("All scores as a table", key="cl_grid_scores", on_change="rerun")
    if scores.open:
        with scores:
            st.dataframe(view_.table, hide_index=True, key="cl_grid_table")


@st.fragment
def _view() -> None:
    with errors.guard(stop=False):
        grid_tab()


def view() -> None:
    """The tab: its controls are a fragment, which reruns them and the grid, not the text above them."""
    st.markdown(INTRO)
    _view()
