"""Step 2 · Train: the settings next to the Train button; one engine call per network, live curves.

The chosen baselines are fitted first (each with a spinner); `fraud.train_mlp` and
`fraud.train_autoencoder` then train, compare with those same fitted baselines, and log to MLflow.
A Stop click reruns the page mid-training: the partly trained networks that the live callback saved
are then compared (no more training) and marked "stopped part-way".
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import streamlit as st

from dl_core import fraud
from dl_core.training import TrainedModel
from ui import actions, errors, expanders, fragments, repeat, training, tuning
from ui.charts import history_figure

from .data import Chosen

RUN = "fraud"  # the kept Run (ui.actions)
NETWORKS = {"mlp": "fraud_mlp", "autoencoder": "fraud_ae"}  # name -> live-training state key


@dataclass
class Run:
    """What one click on 'Train models' produced (kept in this person's session only)."""

    key: tuple
    data: fraud.FraudData
    seed: int
    baselines: tuple[str, ...]
    networks: tuple[str, ...]
    results: dict[str, TrainedModel] = field(default_factory=dict)  # per network
    stopped: set[str] = field(default_factory=set)
    cache: dict[Any, Any] = field(default_factory=dict)  # figures and attributions drawn from this run

    @property
    def evaluations(self) -> dict[str, fraud.Evaluation]:
        """Every model on the same test split: the networks first, then the baselines."""
        out: dict[str, fraud.Evaluation] = {}
        for name, r in self.results.items():
            out[name] = r.details["evaluation"]
        for r in self.results.values():
            for name, e in r.details["evaluations"].items():
                out.setdefault(name, e)
        return out

    @property
    def scorers(self) -> dict[str, fraud.Scorer]:
        out = {name: r.model for name, r in self.results.items()}
        for r in self.results.values():
            for name, s in r.details["baselines"].items():
                out.setdefault(name, s)
        return out


SETTINGS = {"fraud_loss": "class weights", "fraud_layers": 2, "fraud_width": 64, "fraud_dropout": 0.1, "fraud_lr": 3e-3,
            "fraud_epochs": 20, "fraud_model_seed": 0, "fraud_bottleneck": 6, "fraud_ae_epochs": 20,
            "fraud_others": ["autoencoder", *fraud.BASELINES]}  # "Model settings" and their defaults


def _settings() -> tuple[fraud.MLPConfig, fraud.AEConfig | None, tuple[str, ...]]:
    # Drawn only while open (ui/expanders.py): eleven widgets the page would otherwise draw unseen.
    v = expanders.settings("Model settings", "fraud_settings_open", SETTINGS, _widgets, icon=":material/tune:")
    loss, layers, width, dropout, lr, epochs, seed, bottleneck, ae_epochs, others = (v[k] for k in SETTINGS)
    seed = int(seed)
    baselines = tuple(b for b in fraud.BASELINES if b in others)
    mlp = fraud.MLPConfig(layers=layers, width=width, dropout=dropout, lr=lr, epochs=epochs, seed=seed,
                          loss="focal" if loss == "focal loss" else "weighted", baselines=baselines)
    ae = (fraud.AEConfig(bottleneck=bottleneck, width=max(32, 2 * bottleneck), epochs=ae_epochs, seed=seed,
                         baselines=baselines) if "autoencoder" in others else None)
    return mlp, ae, baselines


def _widgets() -> None:
    d = SETTINGS
    a, b = st.columns(2)
    # Each widget a fragment of its own (fragments.own): the section reads them only in a full run.
    with a:
        st.markdown("**MLP (supervised)**")
        fragments.own(lambda: st.radio(
            "Handling the imbalance", ["class weights", "focal loss"], key="fraud_loss", horizontal=True,
            index=["class weights", "focal loss"].index(d["fraud_loss"]),
            help="Class weights count every positive as many negative rows; focal loss down-weights the "
                 "easy, confident examples."))
        fragments.own(lambda: st.slider("Hidden layers", 1, 4, d["fraud_layers"], key="fraud_layers"))
        fragments.own(lambda: st.select_slider("Width", [8, 16, 32, 64, 128, 256], d["fraud_width"],
                                               key="fraud_width"))
        fragments.own(lambda: st.slider("Dropout", 0.0, 0.5, d["fraud_dropout"], step=0.05, key="fraud_dropout"))
        fragments.own(lambda: st.select_slider("Learning rate", [1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2], d["fraud_lr"],
                                               key="fraud_lr"))
        fragments.own(lambda: st.slider("Epochs (at most; stops early when validation loss stalls)", 1, 100,
                                        d["fraud_epochs"], key="fraud_epochs"))
        fragments.own(lambda: st.number_input("Model seed", 0, 1_000_000, d["fraud_model_seed"],
                                              key="fraud_model_seed"))
    with b:
        st.markdown("**Autoencoder (unsupervised) and baselines**")
        fragments.own(lambda: st.slider(
            "Autoencoder bottleneck", 2, 16, d["fraud_bottleneck"], key="fraud_bottleneck",
            help="How narrow the code is: too wide and it rebuilds unusual rows just as well."))
        fragments.own(lambda: st.slider("Autoencoder epochs", 1, 100, d["fraud_ae_epochs"], key="fraud_ae_epochs"))
        fragments.own(lambda: st.multiselect("Also train", ["autoencoder", *fraud.BASELINES], d["fraud_others"],
                                             format_func=lambda n: fraud.LABELS[n], key="fraud_others"))


def _train(chosen: Chosen, mlp: fraud.MLPConfig, ae: fraud.AEConfig | None, baselines: tuple[str, ...]) -> Run:
    data = chosen.data
    run = Run(key=chosen.key, data=data, seed=mlp.seed, baselines=baselines,
              networks=("mlp", "autoencoder") if ae else ("mlp",))
    actions.keep(RUN, run)  # kept before training: a Stop click's rerun finds it and the partial networks
    for key in NETWORKS.values():
        training.clear(key)
    for name in baselines:
        with st.spinner(f"Training {fraud.LABELS[name]}…"):
            fraud.baseline_scorer(name, data, mlp.seed)  # fitted once; both networks are compared with it
    live = training.LiveTraining(NETWORKS["mlp"], mlp.epochs, title="MLP")
    run.results["mlp"] = result = fraud.train_mlp(data, mlp, callbacks=[live], caller="app")
    live.finish(result.model.model, result.fit)
    if ae is not None:
        live = training.LiveTraining(NETWORKS["autoencoder"], ae.epochs, title="Autoencoder (normal rows only)")
        run.results["autoencoder"] = result = fraud.train_autoencoder(data, ae, callbacks=[live], caller="app")
        live.finish(result.model.model, result.fit)
    return run


def _repeat_mlp(chosen: Chosen, mlp: fraud.MLPConfig, callbacks, cancel) -> TrainedModel:
    """One seed of "Repeat with 3 seeds": the MLP's engine call with these settings and this seed."""
    for name in mlp.baselines:
        with st.spinner(f"Seed {mlp.seed}: fitting {fraud.LABELS[name]} to compare with…"):
            fraud.baseline_scorer(name, chosen.data, mlp.seed)  # what train_mlp compares with, fitted once
    return fraud.train_mlp(chosen.data, mlp, callbacks=callbacks, cancel=cancel, caller="app")


def _after_stop(run: Run) -> None:
    """Pick up the networks a Stop click interrupted: compare them as they were (no more training)."""
    for name in run.networks:
        state = training.state(NETWORKS[name])
        if name in run.results or state is None or state.model is None:
            continue
        scorer = fraud.scorer_for(name, state.model, run.data, complete=False)
        metrics, details = fraud.compare(scorer, run.data, run.baselines, run.seed)
        run.results[name] = TrainedModel(model=scorer, history=list(state.history), metrics=metrics, details=details)
        run.stopped.add(name)
        run.cache.clear()


def repeat_shown() -> bool:
    """Whether something below the data and settings reads their current values: the "Repeat with 3 seeds"
    table (it says when they changed since its seeds). A training's results do not: they are of the data and
    settings trained with (step 1 says when the data changed since)."""
    return repeat.kept("fraud_mlp") is not None


def trained_on() -> tuple | None:
    """The data key of the kept training, if any."""
    run = actions.kept(RUN)
    return None if run is None else run.key


def view(chosen: Chosen) -> Run | None:
    """Draw step 2 and return the kept run (None before the first training)."""
    st.header("2 · Train", divider="gray")
    # Settings redraw alone unless the Repeat table below reads them (ui/fragments.py).
    mlp, ae, baselines = fragments.alone(_settings, repeat_shown)
    # Trials are judged on validation PR-AUC; the baselines stay the "Train models" button's business.
    tune_base = replace(mlp, baselines=(), monitor="val_pr_auc", monitor_mode="max")
    tuning.tune_section("fraud-mlp", data={"data": chosen.data, "base": tune_base}, key=f"fraud::{chosen.key}",
                        widget_keys={"loss": "fraud_loss", "layers": "fraud_layers", "width": "fraud_width",
                                     "dropout": "fraud_dropout", "lr": "fraud_lr"},
                        convert={"loss": lambda v: "focal loss" if v == "focal" else "class weights"})
    with st.container(horizontal=True):
        clicked = st.button("Train models", type="primary", key="fraud_train", icon=":material/model_training:")
        again = repeat.button("fraud_mlp", help="Trains the MLP with these settings and seeds s, s+1, s+2 (one MLflow "
                                                "run each, compared with the same baselines): how much of its PR-AUC "
                                                "is the luck of the seed? The Experiments page groups them (Seeds).")
    repeat.section("fraud_mlp", again, seed=mlp.seed, settings=(chosen.key, mlp), epochs=mlp.epochs,
                   metric="test_pr_auc", label="MLP test PR-AUC", title="MLP",
                   train=lambda seed, callbacks, cancel: _repeat_mlp(chosen, replace(mlp, seed=seed), callbacks,
                                                                     cancel))
    run = actions.run(RUN, clicked, lambda: _train(chosen, mlp, ae, baselines))
    if clicked and run is not None and run.results:
        st.rerun()  # redraw without the live widgets (Stop button, progress bars): the results are final
    if run is None:
        st.info("Click **Train models**: the baselines take a few seconds, then the networks train live.",
                icon=":material/info:")
        return None
    _after_stop(run)
    if not run.results:
        st.warning("Training was stopped before any network finished an epoch; click **Train models** again.")
        return None
    for s in run.scorers.values():
        errors.notices(s.notices)
    done = [f"{fraud.LABELS[n]} {s.seconds:.1f} s" + (" (stopped part-way)" if n in run.stopped else "")
            for n, s in run.scorers.items()]
    st.success("Trained: " + " · ".join(done) + ".", icon=":material/check_circle:")
    # Drawn only while open (Plotly charts in a collapsed expander still cost every rerun).
    curves = st.expander("Training curves of the networks", icon=":material/show_chart:", key="fraud_history_open",
                         on_change="rerun")
    if not curves.open:
        return run
    with curves:
        for name, result in run.results.items():
            if result.history:  # drawn once per run: a figure with subplots is slow to build
                if ("history", name) not in run.cache:
                    run.cache[("history", name)] = history_figure(result.history, fraud.LABELS[name])
                st.plotly_chart(run.cache[("history", name)], key=f"fraud_history_{name}")
    return run
