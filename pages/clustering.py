"""Clustering: compare 12 algorithms live, deep clustering on digits, your own table, text lines."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pandas as pd
import streamlit as st

from dl_core import clustering as cl
from dl_core.errors import InputError
from ui import clustering_plots as plots
from ui import errors

ASSETS = Path(__file__).resolve().parents[1] / "assets" / "clustering"
MAX_PLOT_POINTS = 5_000

st.title("Clustering: finding groups without labels")
st.markdown(
    "Clustering puts similar things together without being told what the groups are. Each algorithm "
    "has its own idea of a *group* (round blobs, dense regions, connected chains), so they disagree: "
    "compare them below, see how a **learned representation** helps k-means find digits, and cluster "
    "your own table or text lines."
)

tab_grid, tab_deep, tab_csv, tab_text = st.tabs(
    ["Compare algorithms", "Deep clustering (digits)", "Your table (CSV)", "Text lines"])


# ---- 1. comparison grid --------------------------------------------------------------------------

@st.cache_data(show_spinner="Fitting every algorithm on every data set…", max_entries=8)
def _grid(datasets: tuple, algorithms: tuple, n_samples: int, noise: float, seed: int, params_key: tuple,
          n_clusters: int | None, tuned: bool) -> cl.Grid:
    params = {a: dict(p) for a, p in params_key}
    return cl.comparison_grid(datasets, algorithms, n_samples, noise, seed, params, n_clusters, tuned)


def _algorithm_controls(prefix: str, algorithm: str) -> dict[str, float]:
    """Sliders for one algorithm's key parameters; returns {name: value}."""
    values = {}
    for p in cl.PARAMS[algorithm]:
        is_int = float(p.step).is_integer() and float(p.default).is_integer()
        cast = int if is_int else float
        values[p.name] = st.slider(p.label, cast(p.low), cast(p.high), cast(p.default), cast(p.step),
                                   help=p.help, key=f"{prefix}_{algorithm}_{p.name}")
    return values


def grid_tab() -> None:
    st.markdown("Six toy data sets, twelve scikit-learn algorithms: the classic comparison, recomputed "
                "when you move a control. Each panel gives the fit time and the **adjusted Rand index** "
                "against the true groups (1 = perfect, 0 = chance), or the **silhouette** where there are "
                "no true groups. Grey points are *noise* (density-based algorithms may leave points out).")
    c1, c2, c3, c4 = st.columns(4)
    n_samples = c1.slider("points per data set", 100, 2000, 500, 100, key="cl_grid_n")
    noise = c2.slider("noise", 0.0, 0.2, 0.05, 0.01, key="cl_grid_noise",
                      help="jitter of the circles/moons; spread of the blobs (0.05 = the gallery's)")
    seed = c3.number_input("seed", 0, 10_000, 0, key="cl_grid_seed")
    true_k = c4.toggle("true k", True, key="cl_grid_truek",
                       help="on: each data set's true number of clusters; off: the same k everywhere")
    k_all = None if true_k else c4.slider("k", 1, 10, 3, key="cl_grid_k")
    with st.expander("Data sets, algorithms and their parameters"):
        chosen_d = st.multiselect("data sets", list(cl.DATASETS), list(cl.DATASETS), key="cl_grid_datasets",
                                  format_func=cl.DATASETS.get)
        chosen_a = st.multiselect("algorithms", list(cl.ALGORITHMS), list(cl.ALGORITHMS), key="cl_grid_algos",
                                  format_func=cl.ALGORITHMS.get)
        tuned = st.toggle("start from scikit-learn's per-data-set tuning", True, key="cl_grid_tuned")
        overrides: dict[str, dict[str, float]] = {}
        tunable = [a for a in cl.ALGORITHMS if cl.PARAMS[a]]
        cols = st.columns(3)
        for i, a in enumerate(tunable):
            with cols[i % 3]:
                if st.checkbox(f"set {cl.ALGORITHMS[a]} by hand", key=f"cl_grid_own_{a}"):
                    overrides[a] = _algorithm_controls("cl_grid", a)
    if not chosen_d or not chosen_a:
        st.info("Choose at least one data set and one algorithm above.")
        return
    params_key = tuple(sorted((a, tuple(sorted(p.items()))) for a, p in overrides.items()))
    grid = _grid(tuple(chosen_d), tuple(chosen_a), n_samples, noise, int(seed), params_key, k_all, tuned)
    st.caption(f"{len(grid.cells)} fits in {grid.seconds:.1f} s (thread pools capped at one thread per fit).")
    st.plotly_chart(plots.grid_figure(grid, chosen_d, chosen_a), key="cl_grid_fig")
    with st.expander("All scores as a table"):
        table = pd.DataFrame(grid.rows())
        table["dataset"] = table["dataset"].map(cl.DATASETS)
        table["algorithm"] = table["algorithm"].map(cl.ALGORITHMS)
        st.dataframe(table, hide_index=True, key="cl_grid_table")


# ---- 2. deep clustering --------------------------------------------------------------------------

DEEP = "clustering_deep"


@st.cache_data(show_spinner=False, max_entries=4)
def _digits():
    from dl_core import clustering_deep

    return clustering_deep.load_digits_data()


@st.cache_data(show_spinner="Projecting the codes to 2-D…", max_entries=8)
def _embed2d(Z: np.ndarray, method: str, seed: int) -> np.ndarray:
    from dl_core import clustering_deep

    return clustering_deep.embedding_2d(Z, method, seed)


def _train_deep(cfg) -> None:
    from dl_core import clustering_deep, tracking
    from ui.training import LiveTraining

    data = _digits()
    live = LiveTraining(DEEP, cfg.epochs, title=f"{cfg.kind} encoder on digits")
    with tracking.start_run(f"clustering/{cfg.kind}", cfg.params(), seed=cfg.seed, source="app") as run:
        model, result = clustering_deep.train(data, cfg, callbacks=[live, run.callback])
        rows = clustering_deep.compare(data, clustering_deep.embed(model, data.X), seed=cfg.seed)
        latent = next(r for r in rows if r["features"] == "latent")
        run.log_final({"ari": latent["ari"], "nmi": latent["nmi"]}, model=model)
    live.finish(model, result, extra={"config": cfg})


def _show_deep(state) -> None:
    from dl_core import clustering_deep

    data = _digits()
    Z = clustering_deep.embed(state.model, data.X)
    key = hashlib.sha1(Z.tobytes()).hexdigest()
    if st.session_state.get("cl_deep_key") != key:  # k-means on the three representations, once per model
        st.session_state["cl_deep_rows"] = clustering_deep.compare(data, Z, with_labels=True)
        st.session_state["cl_deep_key"] = key
    rows = st.session_state["cl_deep_rows"]
    table = pd.DataFrame([{k: v for k, v in r.items() if k != "labels"} for r in rows])
    left, right = st.columns([2, 3])
    left.dataframe(table, hide_index=True, key="cl_deep_table")
    raw, latent = rows[0], rows[2]
    gain = latent["ari"] - raw["ari"]
    left.metric("ARI gain over raw pixels", f"{gain:+.3f}")
    right.plotly_chart(plots.comparison_bars([{k: v for k, v in r.items() if k != "labels"} for r in rows]),
                       key="cl_deep_bars")

    method = st.radio("2-D picture of the learned codes", ["pca", "tsne"], horizontal=True, key="cl_deep_proj",
                      format_func={"pca": "PCA (instant)", "tsne": "t-SNE (a few seconds)"}.get)
    P = _embed2d(Z, method, 0)
    labels = np.asarray(latent["labels"])
    hover = [f"digit {d} (row {i})" for i, d in enumerate(data.y)]
    plot_col, side = st.columns([3, 2])
    with plot_col:
        st.caption("Colour = k-means cluster in the learned space; hover shows the true digit. "
                   "Drag a box or lasso round points to see their images on the right.")
        event = st.plotly_chart(plots.scatter_figure(P, labels, hover, axis=method.upper()), key="cl_deep_scatter",
                                on_select="rerun", selection_mode=("box", "lasso", "points"))
    with side:
        picked = sorted({int(p["customdata"]) for p in (event.selection.points if event else [])
                         if p.get("customdata") is not None})
        if picked:
            st.markdown(f"**{len(picked)} selected digit(s)** (first 40)")
            for start in range(0, min(len(picked), 40), 10):
                chunk = picked[start:start + 10]
                st.image(plots.digit_strip(data.images[chunk]), width="content",
                         caption="true digit → cluster: " + ", ".join(f"{data.y[i]}→{labels[i]}" for i in chunk))
        else:
            st.markdown("**Each cluster's first digits** (select points on the left to see those instead)")
            for c in sorted(set(labels.tolist())):
                members = np.flatnonzero(labels == c)
                st.image(plots.digit_strip(data.images[members[:12]]),
                         caption=f"cluster {c}: {len(members)} digits", width="content")


def deep_tab() -> None:
    from dl_core.clustering_deep import DeepConfig
    from ui.training import show_history
    from ui.training import state as training_state

    st.markdown(
        "k-means on raw pixels measures distance pixel by pixel, so a slightly shifted **1** can look "
        "closer to a **7** than to another **1**. A network can learn a better space first. The "
        "**contrastive** encoder is taught only that each digit should sit near its nearest neighbours "
        "in pixel space and away from other digits in the batch (no labels); the **autoencoder** "
        "learns to compress and rebuild the digits. Then the same k-means (k=10) runs on raw pixels, "
        "on PCA and on the learned codes. The true digits are used only to score (ARI, NMI).")
    c1, c2, c3, c4 = st.columns(4)
    kind = c1.radio("encoder", ["contrastive", "autoencoder"], key="cl_deep_kind")
    epochs = c2.slider("epochs", 5, 100, 40, 5, key="cl_deep_epochs")
    latent_dim = c3.select_slider("latent size", [4, 8, 16, 32], 16, key="cl_deep_latent")
    temperature = c4.slider("temperature", 0.05, 1.0, 0.2, 0.05, key="cl_deep_temp",
                            disabled=kind != "contrastive", help="contrastive only: lower = sharper")
    deep_seed = c4.number_input("seed", 0, 10_000, 0, key="cl_deep_seed")
    trained_now = st.button("Train the encoder", type="primary", key="cl_deep_train", icon=":material/play_arrow:")
    if trained_now:
        cfg = DeepConfig(kind=kind, epochs=epochs, latent_dim=latent_dim, temperature=temperature,
                         seed=int(deep_seed))
        cfg.check()
        _train_deep(cfg)
    state = training_state(DEEP)
    if state is not None and state.model is not None:
        if not trained_now:  # the live chart is already on screen right after training
            show_history(DEEP)
        _show_deep(state)
    elif state is None:
        st.info("Press **Train the encoder**: 40 epochs take 10-30 seconds on a laptop CPU.")


# ---- 3. your own table ---------------------------------------------------------------------------

@st.cache_data(show_spinner=False, max_entries=4)
def _example_table() -> pd.DataFrame:
    from sklearn.datasets import load_wine

    wine = load_wine(as_frame=True)
    frame = wine.frame.rename(columns={"target": "cultivar"})
    frame["cultivar"] = frame["cultivar"].map(dict(enumerate(wine.target_names)))
    return frame


@st.cache_data(show_spinner="Clustering…", max_entries=8)
def _cluster(X: np.ndarray, algorithm: str, k: int, params_key: tuple, truth: np.ndarray | None, seed: int):
    return cl.cluster_matrix(X, algorithm, k, dict(params_key), truth, seed)


@st.cache_data(show_spinner="Trying k = 1…10…", max_entries=8)
def _k_scan(X: np.ndarray, seed: int):
    return cl.k_scan(X, 10, seed)


def csv_tab() -> None:
    st.markdown("Upload a CSV (one row per item, numeric columns as features), or use the **wine** example "
                "(178 wines, 13 chemical measurements; `cultivar` is the known grape variety).")
    upload = st.file_uploader("CSV file", type=["csv", "txt"], key="cl_csv")
    if upload is None:
        frame, table_notices, source = _example_table(), [], "wine.csv"
        st.download_button("Download the example CSV", frame.to_csv(index=False), "wine.csv", "text/csv",
                           key="cl_csv_example")
    else:
        from dl_core import inputs

        parsed = inputs.read_csv(upload, name=upload.name)
        frame, table_notices, source = parsed.frame, parsed.notices, upload.name
    errors.notices(table_notices)
    columns = list(frame.columns)
    # Column choices belong to one file: a new upload starts again from its own defaults.
    file_key = hashlib.sha1(f"{source}|{'|'.join(map(str, columns))}".encode()).hexdigest()[:8]
    label_options = [None] + columns
    default_label = label_options.index("cultivar") if upload is None and "cultivar" in columns else 0
    c1, c2 = st.columns([1, 2])
    label_col = c1.selectbox("label column (optional: scores ARI/NMI, never used as a feature)", label_options,
                             index=default_label, key=f"cl_csv_label_{file_key}",
                             format_func=lambda c: "none" if c is None else c)
    numeric, not_numeric = cl.numeric_columns(frame, [label_col] if label_col else [])
    if not_numeric:
        st.info(f"Non-numeric column(s) left out of the features: {', '.join(map(str, not_numeric))}.",
                icon=":material/info:")
    if not numeric:
        raise InputError("No numeric column to cluster on: the file needs at least one column of numbers "
                         "(besides the label column).")
    features = c2.multiselect("feature columns", numeric, numeric, key=f"cl_csv_cols_{file_key}")
    c1, c2, c3 = st.columns(3)
    scale = c1.radio("scaling", ["standard", "minmax", "none"], key="cl_csv_scale", horizontal=True,
                     help="standard: mean 0, sd 1 per column (usual); none: big-valued columns dominate")
    algorithm = c2.selectbox("algorithm", list(cl.ALGORITHMS), index=1, key="cl_csv_algo",
                             format_func=cl.ALGORITHMS.get)
    k = c3.slider("k (clusters)", 1, 15, 3, key="cl_csv_k", disabled=algorithm not in cl.USES_K,
                  help="used by the algorithms that take a number of clusters")
    params = {}
    if cl.PARAMS[algorithm]:
        with st.expander(f"{cl.ALGORITHMS[algorithm]} parameters (data scaled as chosen)"):
            params = _algorithm_controls("cl_csv", algorithm)
    if not features:
        st.info("Choose at least one feature column.")
        return
    prepared = cl.prepare(frame, features, label_col, scale)
    errors.notices(prepared.notices)
    result = _cluster(prepared.X, algorithm, k, tuple(sorted(params.items())), prepared.truth, 0)
    errors.notices(result.notices)
    m = st.columns(5)
    m[0].metric("clusters found", result.n_clusters)
    m[1].metric("silhouette", "–" if result.silhouette is None else f"{result.silhouette:.3f}")
    m[2].metric("ARI vs label", "–" if result.ari is None else f"{result.ari:.3f}")
    m[3].metric("NMI vs label", "–" if result.nmi is None else f"{result.nmi:.3f}")
    m[4].metric("fit time", f"{result.seconds:.2f} s")

    st.subheader("How many clusters?")
    if len(prepared.X) >= 3:
        with errors.guard(stop=False):
            st.plotly_chart(plots.k_scan_figure(_k_scan(prepared.X, 0)), key="cl_csv_kscan")
            st.caption("Look for the bend of the elbow and the peak of the silhouette (k-means, same scaling).")
    left, right = st.columns([2, 3])
    with left:
        st.subheader("Cluster profiles")
        st.caption("Rows per cluster and the mean of each column, in the file's own units.")
        st.dataframe(cl.profiles(prepared.raw, result.labels).round(3), key="cl_csv_profiles")
        out = cl.with_clusters(frame, prepared, result.labels)
        st.download_button("Download the CSV with a cluster column", out.to_csv(index=False),
                           f"{Path(source).stem}_clusters.csv", "text/csv", key="cl_csv_download",
                           icon=":material/download:")
    with right:
        dims = st.radio("view", ["2-D", "3-D"], horizontal=True, key="cl_csv_dims")
        n_dims = 3 if dims == "3-D" else 2
        P = cl.projection(prepared.X, n_dims)
        axis = "PC" if prepared.X.shape[1] > n_dims else "feature"
        # A browser draws a few thousand points smoothly, not 200,000: plot a random sample.
        shown = np.arange(len(P))
        if len(P) > MAX_PLOT_POINTS:
            shown = np.sort(np.random.default_rng(0).choice(len(P), MAX_PLOT_POINTS, replace=False))
            st.caption(f"Showing a random {MAX_PLOT_POINTS:,} of {len(P):,} rows.")
        hover = None
        if prepared.truth is not None:
            hover = [f"{label_col}: {prepared.truth_names[prepared.truth[i]]}" for i in shown]
        st.plotly_chart(plots.scatter_figure(P[shown], result.labels[shown], hover, axis=axis),
                        key="cl_csv_scatter")
        if prepared.X.shape[1] > n_dims:
            st.caption(f"The {prepared.X.shape[1]} scaled columns projected on their first {n_dims} principal "
                       "components.")


# ---- 4. text lines -------------------------------------------------------------------------------

def text_tab() -> None:
    st.markdown("Paste or upload lines of text (one item per line: reviews, titles, tickets…). Each line "
                "becomes a 384-number **MiniLM** sentence embedding, so lines with similar *meaning* land "
                "close together even with no word in common; k-means then groups them.")
    example = (ASSETS / "example_lines.txt").read_text(encoding="utf-8")
    text_upload = st.file_uploader("text file (.txt: one line per item; .csv: pick a column)", type=["txt", "csv"],
                                   key="cl_text_file")
    from dl_core import inputs

    if text_upload is not None and text_upload.name.lower().endswith(".csv"):
        parsed = inputs.read_csv(text_upload, name=text_upload.name)
        errors.notices(parsed.notices)
        col = st.selectbox("text column", list(parsed.frame.columns), key="cl_text_col")
        lines = [str(v) for v in parsed.frame[col].dropna().tolist()]
        lines, notes = cl.split_lines("\n".join(v.replace("\n", " ") for v in lines))
    elif text_upload is not None:
        read = inputs.read_text(text_upload, name=text_upload.name, max_chars=500_000)
        errors.notices(read.notices)
        lines, notes = cl.split_lines(read.text)
    else:
        typed = st.text_area("lines", example, height=200, key="cl_text_area")
        lines, notes = cl.split_lines(typed or "")
    errors.notices(notes)
    n_text_k = st.slider("clusters", 2, 12, 4, key="cl_text_k")
    if st.button("Cluster the lines", type="primary", key="cl_text_go", icon=":material/play_arrow:"):
        from ui import loaders

        cl.check_k(n_text_k, len(lines))
        encoder = loaders.model("minilm-l6")
        with st.spinner(f"Embedding {len(lines)} lines with MiniLM…"):
            st.session_state["cl_text_result"] = cl.cluster_texts(lines, n_text_k, encoder.encode)
    res = st.session_state.get("cl_text_result")
    if res is not None:
        if res.lines != lines or len(set(res.labels.tolist())) != n_text_k:
            st.caption("These results are for the previous lines or number of clusters; press the button again.")
        sil = "–" if res.silhouette is None else f"{res.silhouette:.3f}"
        st.caption(f"{len(res.lines)} lines, {len(res.terms)} clusters, silhouette {sil} (cosine space), "
                   f"{res.seconds:.1f} s.")
        cols = st.columns(2)
        for c in sorted(res.examples):
            with cols[c % 2].container(border=True):
                size = int((res.labels == c).sum())
                st.markdown(f"**Cluster {c}** · {size} line(s) · typical terms: "
                            + (", ".join(f"`{t}`" for t in res.terms.get(c, [])) or "–"))
                for ex in res.examples[c]:
                    st.markdown(f"- {ex}")
        P = cl.projection(res.embeddings, 2)
        st.plotly_chart(plots.scatter_figure(P, res.labels, [ln[:80] for ln in res.lines],
                                             title="Embeddings (PCA of 384-d)"), key="cl_text_scatter")


# Each tab runs inside its own error boundary that does not stop the page, so a bad upload in one
# tab shows its message there and the other tabs still work. The grid, table and text tabs are
# fragments: moving one of their widgets reruns only that tab, not the 72-panel grid. (Training
# stays outside a fragment, because its Stop button must rerun, and so interrupt, the whole page.)
@st.fragment
def grid_fragment() -> None:
    with errors.guard(stop=False):
        grid_tab()


@st.fragment
def csv_fragment() -> None:
    with errors.guard(stop=False):
        csv_tab()


@st.fragment
def text_fragment() -> None:
    with errors.guard(stop=False):
        text_tab()


with tab_grid:
    grid_fragment()
with tab_deep, errors.guard(stop=False):
    deep_tab()
with tab_csv:
    csv_fragment()
with tab_text:
    text_fragment()
