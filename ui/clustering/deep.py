"""Tab "Deep clustering (digits)": train an encoder (`clustering.train_encoder`), then compare k-means
in its latent space with k-means on raw pixels and on PCA, and look at the clusters' digits."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from dl_core import clustering as cl
from dl_core.training import TrainedModel
from ui import actions, errors, fragments
from ui import training as live

from . import plots

RUN = "clustering_deep"  # the LiveTraining name and the ui.actions key of this tab's result
INTRO = (
    "k-means on raw pixels measures distance pixel by pixel, so a slightly shifted **1** can look "
    "closer to a **7** than to another **1**. A network can learn a better space first. The "
    "**contrastive** encoder is taught only that each digit should sit near its nearest neighbours "
    "in pixel space and away from other digits in the batch (no labels); the **autoencoder** "
    "learns to compress and rebuild the digits. Then the same k-means (k=10) runs on raw pixels, "
    "on PCA and on the learned codes. The true digits are used only to score (ARI, NMI).")


@st.cache_data(show_spinner=False, max_entries=1)
def _digits() -> cl.DigitsData:
    return cl.load_digits_data()


@st.cache_data(show_spinner="Projecting the codes to 2-D…", max_entries=8)
def _embed2d(Z: np.ndarray, method: str, seed: int) -> np.ndarray:
    return cl.embedding_2d(Z, method, seed)


def config_from_widgets() -> cl.DeepConfig:
    c1, c2, c3, c4 = st.columns(4)
    kind = c1.radio("encoder", ["contrastive", "autoencoder"], key="cl_deep_kind")
    # The encoder changes what temperature means; the others are each a fragment of their own
    # (fragments.own): only the Train click reads them.
    epochs = fragments.own(lambda: st.slider("epochs", 5, 100, 40, 5, key="cl_deep_epochs"), c2)
    latent_dim = fragments.own(lambda: st.select_slider("latent size", [4, 8, 16, 32], 16, key="cl_deep_latent"), c3)
    temperature = fragments.own(lambda: st.slider("temperature", 0.05, 1.0, 0.2, 0.05, key="cl_deep_temp",
                                                  disabled=kind != "contrastive",
                                                  help="contrastive only: lower = sharper"), c4)
    seed = fragments.own(lambda: st.number_input("seed", 0, 10_000, 0, key="cl_deep_seed"), c4)
    return cl.DeepConfig(kind=kind, epochs=epochs, latent_dim=latent_dim, temperature=temperature, seed=int(seed))


def _train(cfg: cl.DeepConfig) -> TrainedModel:
    live_view = live.LiveTraining(RUN, cfg.epochs, title=f"{cfg.kind} encoder on digits")
    st.session_state[f"{RUN}::config"] = cfg  # to evaluate the model if the person stops the training
    trained = cl.train_encoder(_digits(), cfg, callbacks=[live_view], caller="app")
    live_view.finish(trained.model, trained.fit, extra={"config": cfg})
    return trained


def _with_stopped(trained: TrainedModel | None) -> TrainedModel | None:
    """A training stopped with its Stop button leaves the partly trained model in the session: it
    is evaluated (the same engine evaluation as a finished one) once, and kept as the result."""
    state = live.state(RUN)
    if state is None or state.complete or state.model is None:
        return trained
    if trained is not None and trained.model is state.model:
        return trained
    cfg = st.session_state.get(f"{RUN}::config") or cl.DeepConfig()
    metrics, details = cl.evaluate_encoder(state.model, _digits(), seed=cfg.seed)
    trained = TrainedModel(model=state.model, history=state.history, metrics=metrics, details=details)
    actions.keep(RUN, trained)
    return trained


def deep_tab() -> None:
    st.markdown(INTRO)
    # The settings redraw alone (ui/fragments.py): nothing below reads them (an encoder's results are of the
    # settings it was trained with); the Train click is a full run, which does.
    cfg = fragments.alone(config_from_widgets, shown_below=lambda: False)
    clicked = st.button("Train the encoder", type="primary", key="cl_deep_train", icon=":material/play_arrow:")
    trained = _with_stopped(actions.run(RUN, clicked, lambda: _train(cfg)))
    if trained is None:
        if live.state(RUN) is None:
            st.info("Press **Train the encoder**: a progress bar and the loss curves show how it goes, and "
                    "**Stop training** keeps the model as it is at that moment.")
        return
    if not clicked:  # right after training, the live chart is already on screen
        live.show_history(RUN)
    results(trained)


def _scatter(trained: TrainedModel, method: str):
    """The 2-D picture of this person's codes, built once per model and projection (kept in the session)."""
    key = (id(trained.model), method)
    figures = st.session_state.setdefault(f"{RUN}::figures", {})
    if key not in figures:
        if not any(k[0] == key[0] for k in figures):
            figures.clear()  # a new model: the old pictures are of no use
        P = _embed2d(trained.details["codes"], method, 0)
        hover = [f"digit {d} (row {i})" for i, d in enumerate(_digits().y)]
        figures[key] = plots.scatter_figure(P, np.asarray(trained.details["labels"]), hover, axis=method.upper())
    return figures[key]


@st.fragment
def results(trained: TrainedModel) -> None:
    """The comparison, the 2-D picture and the digits of each cluster: a fragment, so choosing a
    projection or selecting points reruns this part only."""
    data = _digits()
    rows = trained.details["comparison"]
    left, right = st.columns([2, 3])
    left.dataframe(pd.DataFrame(rows), hide_index=True, key="cl_deep_table")
    raw, latent = rows[0], rows[-1]
    left.metric("ARI gain over raw pixels", f"{latent['ari'] - raw['ari']:+.3f}")
    right.plotly_chart(plots.comparison_bars(rows), key="cl_deep_bars")

    method = st.radio("2-D picture of the learned codes", ["pca", "tsne"], horizontal=True, key="cl_deep_proj",
                      format_func={"pca": "PCA (instant)", "tsne": "t-SNE (a few seconds)"}.get)
    labels = np.asarray(trained.details["labels"])
    plot_col, side = st.columns([3, 2])
    with plot_col:
        st.caption("Colour = k-means cluster in the learned space; hover shows the true digit. "
                   "Drag a box or lasso round points to see their images on the right.")
        event = st.plotly_chart(_scatter(trained, method), key="cl_deep_scatter", on_select="rerun",
                                selection_mode=("box", "lasso", "points"))
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


def view() -> None:
    """Not a fragment: the Stop button of a running training must rerun (and so stop) the whole page."""
    with errors.guard(stop=False):
        deep_tab()
