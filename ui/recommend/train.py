"""Recommendations page, Train tab: pick a model and its settings, train it live, compare every model
and baseline on the same held-out interactions, download the trained model.

Stop: the click reruns the page, which cuts `train_recommender` off mid-epoch. The live view kept the
network as it was (ui.training); `pick_up_stopped` has the engine score it like a finished one
(`recommend.score_stopped`, the same split and baselines) and keeps it with the other models.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dl_core import recommend

from .. import actions, errors, fragments
from .. import training as live
from . import state

RUN = "recommend"  # LiveTraining name
TRAINING = "rec_training"  # session: (data key, data, config) of the deep training under way
SAID = "recommend::train_said"  # session: set in a full run whose Train click (or Stop) drew a result or message
ABOUT = {
    "bpr": "One learned vector per user and per item; a user's score for an item is their dot product. "
           "Trained to rank what a user had above random items (BPR) or to pick it out of random items "
           "(sampled softmax).",
    "two-tower": "A user tower and an item tower (small neural networks) meet in a dot product; the item "
                 "tower also reads the genres and the decade, so rarely-rated films borrow from similar ones.",
    "mf": "Predicts the stars: average + user bias + item bias + user·item. Judged by RMSE; its top-k lists "
          "are often poor, because a high predicted rating is not the same as a likely choice.",
    "popularity": "Everybody gets the most-had items they do not have yet.",
    "itemknn": "People who had this also had…: cosine similarity between items, 100 neighbours each.",
    "als": "Alternating least squares for implicit feedback, from the `implicit` library.",
}
COLUMNS = {"recall_at_k": "recall@k", "ndcg_at_k": "NDCG@k", "hit_rate": "hit rate", "coverage": "coverage",
           "mean_popularity": "popularity of recs", "rmse": "RMSE", "mae": "MAE", "seconds": "train s"}


def config_from_widgets(data: recommend.Interactions) -> recommend.RecommenderConfig:
    models = [m for m in recommend.MODELS if m != "als" or recommend.als_available()]
    c1, c2, c3 = st.columns([2, 1, 1])
    model = c1.selectbox("Model", models, format_func=lambda m: recommend.LABELS[m], key="rec_model")
    c1.caption(ABOUT[model])
    deep = model in recommend.DEEP
    loss = c2.radio("Ranking loss", ["bpr", "softmax"], key="rec_loss", disabled=model not in ("bpr", "two-tower"),
                    format_func={"bpr": "BPR (pairs)", "softmax": "sampled softmax"}.get)
    # The model and the loss change what the others offer; the others are each a fragment of their own
    # (fragments.own): only the Train click reads them.
    seed = fragments.own(lambda: st.number_input("Seed", 0, 1_000_000, 0, key="rec_seed"), c3)
    c1, c2, c3, c4 = st.columns(4)
    dim = fragments.own(lambda: st.select_slider("Embedding size", [8, 16, 32, 64, 128, 256], 64, key="rec_dim",
                                                 disabled=model in ("popularity", "itemknn")), c1)
    epochs = fragments.own(lambda: st.slider("Epochs", 1, 100, 30, key="rec_epochs", disabled=not deep), c2)
    lr = fragments.own(lambda: st.select_slider("Learning rate", [1e-3, 2e-3, 5e-3, 1e-2, 2e-2, 5e-2], 1e-2,
                                                key="rec_lr", disabled=not deep), c3)
    group = "mf" if model == "mf" else "ranking"
    wd = fragments.own(lambda: st.select_slider(
        "Weight decay (L2)", [0.0, 1e-4, 1e-3, 1e-2, 3e-2, 1e-1, 3e-1], recommend.DEFAULT_WEIGHT_DECAY[group],
        key=f"rec_wd_{group}", disabled=not deep,
        help="Pulls the vectors towards zero: too little and rarely-seen items get wild vectors."), c4)
    c1, c2, c3, c4 = st.columns(4)
    ranking = model in ("bpr", "two-tower")
    options = [1, 2, 4, 8, 16, 32, 64] if loss == "bpr" else [64, 128, 256, 512, 1024, 2048]
    negatives = fragments.own(lambda: st.select_slider(
        "Negatives" + (" per positive" if loss == "bpr" else " per batch"), options,
        recommend.DEFAULT_NEGATIVES[loss], key=f"rec_negatives_{loss}", disabled=not ranking,
        help="Random items the model learns to score below what the user had."), c1)
    layers = fragments.own(lambda: st.slider(
        "Tower layers", 0, 3, 0, key="rec_layers", disabled=model != "two-tower",
        help="0: each tower sums its embeddings (id, genres, decade); more: an MLP on top."), c2)
    k = fragments.own(lambda: st.slider("k (list length scored)", 5, 50, 10, key="rec_k"), c3)
    split = fragments.own(lambda: st.radio(
        "Hold out", ["random", "time"], key="rec_split", horizontal=True,
        format_func={"random": "at random", "time": "latest"}.get,
        disabled=data.times is None, help="20% of each user's interactions become the test set."), c4)
    return recommend.RecommenderConfig(model=model, loss=loss, dim=int(dim), layers=int(layers), lr=float(lr),
                                       weight_decay=float(wd), negatives=int(negatives), epochs=int(epochs),
                                       seed=int(seed), k=int(k), split=split)


def _settings() -> recommend.RecommenderConfig:
    """The settings section: all of them are read by the Train button only (k too: the table below shows
    the k each model was scored with)."""
    return config_from_widgets(state.chosen().data)


def _said_shown() -> bool:
    """Whether the tab shows what the last Train click or Stop said (a refused setting, "stopped before its
    first epoch"): a settings move then reruns the tab, which clears it. Models' results do not read the
    settings (each shows the k and settings it was trained with), so they leave the settings alone."""
    return bool(st.session_state.get(SAID))


def _train(data: recommend.Interactions, config: recommend.RecommenderConfig):
    if config.model not in recommend.DEEP:
        live.clear(RUN)  # an earlier deep run's curves belong to that run, not to this one
        with st.spinner(f"Fitting {recommend.LABELS[config.model]} and the baselines…"):
            result = recommend.train_recommender(data, config)
    else:
        # Kept until the engine call returns: a Stop click's rerun finds it and scores the partial model.
        st.session_state[TRAINING] = (state.chosen().key, data, config)
        run = live.LiveTraining(RUN, config.epochs, title=recommend.LABELS[config.model])
        try:
            result = recommend.train_recommender(data, config, callbacks=[run])
        except Exception:  # a bad setting (InputError) or a bug: nothing was stopped, nothing to pick up.
            st.session_state.pop(TRAINING, None)  # (A Stop click's rerun is no Exception: it passes by.)
            live.clear(RUN)
            raise
        st.session_state.pop(TRAINING, None)
        run.finish(result.model, result.fit)
    state.keep_result(config.model, result)
    return result


def pick_up_stopped() -> None:
    """After a Stop click: score the partly trained network the live view kept, once, and keep it as
    that model's result (marked stopped after N of M epochs)."""
    under_way = st.session_state.get(TRAINING)
    s = live.state(RUN)
    if under_way is None or s is None or s.complete:
        return
    key, data, config = under_way
    st.session_state.pop(TRAINING, None)  # once: a failed scoring is not retried on every rerun
    st.session_state[SAID] = True  # a warning, an error or a kept result follows on the page
    if s.model is None or not s.history:
        st.warning("Training was stopped before its first epoch finished, so there is no model to score; "
                   "press **Train** again.", icon=":material/stop_circle:")
        return
    with st.spinner(f"Scoring the partly trained model (after {len(s.history)} of {config.epochs} epochs) and "
                    "the baselines…"), errors.guard(stop=False):
        result = recommend.score_stopped(data, config, s.model, s.history)
        state.keep_result(config.model, result, data_key=key)


def train_tab() -> None:
    current = state.chosen()
    st.markdown(f"Training on **{current.data.name}** ({len(current.data):,} interactions). Every model and "
                "baseline is scored on the same held-out interactions; items a user already has never count.")
    st.session_state.pop(SAID, None)  # a full run: what the last click said is no longer on the page
    # The settings redraw alone unless a message of the last click is shown (ui/fragments.py); Train is a full
    # run, which reads them.
    config = fragments.alone(_settings, _said_shown)
    clicked = st.button("Train", key="rec_train", type="primary", icon=":material/play_arrow:")
    if clicked:
        st.session_state[SAID] = True  # the live curves, then the results or an error message
    actions.run("rec_train", clicked, lambda: _train(current.data, config))
    if not clicked:
        pick_up_stopped()
        s = live.state(RUN)
        if s is not None and s.history:
            live.show_history(RUN)  # with "stopped after epoch N" when it was stopped
    results = state.results()
    if not results:
        st.info("Press **Train** (the default ranking model takes 10 to 30 seconds here).", icon=":material/info:")
        return
    show_results(results)


def show_results(results: dict) -> None:
    latest = list(results.values())[-1]
    st.subheader("All models on the same split")
    for name, result in results.items():
        stopped = recommend.stopped_label(result.details)
        if stopped:
            st.warning(f"{recommend.LABELS[name]}: {stopped} (Stop was pressed). It is scored as it was then, "
                       "on the same split as the others, and works on the other tabs; press **Train** to train "
                       "it fully.", icon=":material/stop_circle:")
    table = pd.DataFrame(recommend.metrics_table(results)).rename(columns=COLUMNS)
    k = latest.details["config"].k
    st.dataframe(table, hide_index=True, column_config={
        c: st.column_config.NumberColumn(format="%.1f" if c == "train s" else "%.3f")
        for c in table.columns if c != "model"})
    split = latest.details["split"]
    st.caption(f"k = {k} · {split.how}; {split.test.n_users:,} users, {len(split.test):,} held-out interactions. "
               "recall@k: share of a user's held-out items found in their top k (out of at most k); NDCG@k also "
               "rewards finding them near the top; coverage: share of the catalogue recommended to anybody; "
               "popularity of recs: share of users who had a recommended item (lower = less obvious).")
    for note in latest.details["notices"]:
        st.caption(f":material/info: {note}")
    names = list(results)
    c1, c2 = st.columns([2, 1])
    name = c1.selectbox("Download a trained model", names, index=len(names) - 1,
                        format_func=lambda m: recommend.LABELS[m], key="rec_download_pick")
    picked = results[name]
    blob = picked.details.get("bytes")
    if blob is None:
        blob = picked.details["bytes"] = recommend.to_bytes(picked.model)
    c2.download_button("Download (safetensors)", blob, file_name=f"recommender-{name}.safetensors",
                       mime="application/octet-stream", key="rec_download", icon=":material/download:",
                       help="Vectors, biases and the network's weights, with the user and item id mappings "
                            "as JSON metadata.")
    if picked.run_id:
        st.caption(f"Logged to MLflow as run `{picked.run_id[:8]}` (see the Experiments page).")
