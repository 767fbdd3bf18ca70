"""Step 2 · Model: every setting next to the Train button, one engine call, live curves, Stop.

`timeseries.train_forecaster` trains, backtests and logs; the result is kept in this session
(`ui.actions`). A Stop click reruns the page mid-training: the partly trained network that the live
callback saved is then evaluated (no more training) and shown, marked as stopped.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from functools import partial

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from dl_core import timeseries as ts
from dl_core.training import TrainedModel
from ui import actions, errors, expanders, fragments, repeat, tuning
from ui import training as live
from ui.charts import history_figure

from .data import Chosen

RUN = "timeseries"  # the live-training state and the kept result, in st.session_state
PENDING = "ts_pending"  # (settings key, prepared windows) of the training in progress


@dataclass
class Kept:
    """What one click on Train produced, kept in this person's session."""

    key: tuple  # the data and settings it was trained with
    result: TrainedModel
    stopped: bool = False
    figures: dict = field(default_factory=dict)  # figures that depend on the result only, drawn once

    @property
    def prep(self) -> ts.Prepared:
        return self.result.details["prep"]

    @property
    def backtest(self) -> ts.Backtest:
        return self.result.details["backtest"]


def _bounded(key: str, value: int, hi: int) -> None:
    """Keep a number input's remembered value inside a range that just shrank (another model)."""
    if key in st.session_state and st.session_state[key] > hi:
        st.session_state[key] = hi
    st.session_state.setdefault(key, min(value, hi))


NETWORK = {"ts_hidden": 32, "ts_layers": 1, "ts_dropout": 0.1, "ts_lr": 3e-3, "ts_epochs": 100, "ts_batch": "auto",
           "ts_scaling": ts.SCALINGS[0], "ts_seed": 0}  # the "Network and training" settings and their defaults


def _network(auto_batch: int, after: Callable[[], None]) -> None:
    """The "Network and training" widgets, each a fragment of its own (fragments.own) that calls `after()`
    once drawn: a kept result's notice ("the results below are of these settings") follows every step of
    them without the section's other widgets being sent again (0.16-0.19 s a step when the whole section
    redrew for it, issue 13)."""
    def put(draw, where):
        def drawn():
            value = draw()
            after()
            return value
        return fragments.own(drawn, where)

    a, b, c = st.columns(3)
    d = NETWORK
    put(lambda: st.select_slider("Hidden size", [8, 16, 32, 64, 128], d["ts_hidden"], key="ts_hidden"), a)
    put(lambda: st.slider("Layers", 1, 4, d["ts_layers"], key="ts_layers"), a)
    put(lambda: st.slider("Dropout", 0.0, 0.5, d["ts_dropout"], 0.05, key="ts_dropout"), a)
    put(lambda: st.select_slider("Learning rate", [1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2], d["ts_lr"], key="ts_lr"), b)
    put(lambda: st.slider("Epochs (early stopping after 20 without improvement)", 1, 300, d["ts_epochs"],
                          key="ts_epochs"), b)
    put(lambda: st.select_slider("Batch size", ["auto", 8, 16, 32, 64, 128, 256], d["ts_batch"], key="ts_batch",
                                 help=f"auto: about 8 batches an epoch; here {auto_batch}"), b)
    # The scaling changes what the section says of the windows: drawn with the section.
    c.selectbox("Scaling", ts.SCALINGS, ts.SCALINGS.index(d["ts_scaling"]), key="ts_scaling",
                help="window: each input window minus its own mean (handles trends); standard/minmax: one scale "
                     "fitted on the training part only.")
    put(lambda: st.number_input("Seed", 0, 10_000, d["ts_seed"], key="ts_seed"), c)


def settings(chosen: Chosen, after_network: Callable[[], None]) -> ts.ForecastConfig:
    """Draw the settings and return them (`after_network`: see `_network`)."""
    series, tag = chosen.series, chosen.key
    n = len(series)
    auto = ts.resolve(series, ts.ForecastConfig())
    c1, c2, c3, c4 = st.columns(4)
    model = c1.selectbox("Deep model", ts.MODELS, format_func=ts.MODEL_LABELS.get, key="ts_model")
    h_max = max(1, min(ts.MAX_HORIZON, n // 3))
    w_max = max(2, min(n // 2, ts.MAX_WINDOW[model], ts.MAX_WINDOW_VALUES // max(n, 1)))
    s_max = max(1, n // 2)
    for key, value, hi in ((f"ts_horizon_{tag}", auto.horizon, h_max), (f"ts_window_{tag}", auto.window, w_max),
                           (f"ts_season_{tag}", auto.season, s_max)):
        _bounded(key, value, hi)
    c2.number_input("Forecast horizon (steps)", 1, h_max, key=f"ts_horizon_{tag}")
    c3.number_input("Window length (input steps)", 2, w_max, key=f"ts_window_{tag}",
                    help=f"At most {ts.MAX_WINDOW[model]:,} steps for the {ts.MODEL_LABELS[model]}.")
    c4.number_input("Season (steps; 1 = none)", 1, s_max, key=f"ts_season_{tag}")
    # Drawn only while open (ui/expanders.py): eight widgets a new browser tab would otherwise draw unseen.
    expanders.settings("Network and training", "ts_net", NETWORK, lambda: _network(auto.batch_size, after_network),
                       icon=":material/tune:")
    return _config(chosen)


def _config(chosen: Chosen) -> ts.ForecastConfig:
    """The settings' values in this run, as the widgets left them in the session (the network's defaults
    while its expander has never been open)."""
    state, tag = st.session_state, chosen.key
    hidden, layers, dropout, lr, epochs, batch, scaling, seed = expanders.values(NETWORK).values()
    return ts.ForecastConfig(model=state["ts_model"], window=int(state[f"ts_window_{tag}"]),
                             horizon=int(state[f"ts_horizon_{tag}"]), season=int(state[f"ts_season_{tag}"]),
                             hidden=hidden, layers=layers, dropout=dropout, lr=lr, epochs=epochs, scaling=scaling,
                             seed=int(seed), batch_size=None if batch == "auto" else batch)


def _repeat_shown() -> bool:
    """Whether something below the settings reads their current values: a "Repeat with 3 seeds" table (it
    says when they changed since its seeds). A training's results do not: the notice that they are of
    earlier settings is drawn with the settings."""
    return repeat.kept("timeseries") is not None


def _key(chosen: Chosen, cfg: ts.ForecastConfig) -> tuple:
    """What a result was trained on: the data and the settings."""
    return chosen.key, tuple(sorted(asdict(cfg).items()))


def _settings_and_windows(chosen: Chosen, notice: DeltaGenerator) -> tuple[ts.ForecastConfig, ts.Prepared]:
    """The settings, what they make of the series, and the kept result's notice, written into `notice`."""
    def renew_notice() -> None:
        if (kept := actions.kept(RUN)) is not None:
            fragments.into(notice, lambda: actions.results_match(
                kept.key == _key(chosen, _config(chosen)), "The results below are of these data and settings.",
                "Data or settings changed since training: the results below are of the earlier ones. "
                "**Train and backtest** to update."))

    cfg = settings(chosen, renew_notice)
    with errors.guard():
        prep = ts.prepare(chosen.series, cfg)
    st.caption(f"Training windows: {len(prep.train_idx)} (validation: {len(prep.val_idx)}) before the held-out "
               f"tail of {len(chosen.series) - prep.test_start} points; the backtest forecasts "
               f"{prep.config.horizon} steps from {len(prep.origins)} origins in that tail.")
    errors.notices(prep.notices)
    renew_notice()  # also while the network settings are closed
    return cfg, prep


def view(chosen: Chosen) -> Kept | None:
    """Draw step 2 and return the kept result (None before the first training)."""
    st.header("2 · Model: train and backtest", divider="gray")
    # A training stopped by its Stop button is evaluated first: the settings' notice compares with it.
    _after_stop(actions.kept(RUN))
    # The settings and what they make of the series redraw alone unless a Repeat table below reads them
    # (ui/fragments.py); a Train click is a full run that gets them.
    # The notice's st.empty is made here, outside every fragment, so that each network widget, a fragment of
    # its own, can rewrite it (fragments.into): it follows the section rather than sitting in it.
    section, notice = st.container(), st.empty()
    with section:
        cfg, prep = fragments.alone(partial(_settings_and_windows, chosen, notice), _repeat_shown)
    key = _key(chosen, cfg)
    tuning.tune_section("timeseries", data={"series": chosen.series, "base": cfg}, key=f"ts::{chosen.key}",
                        widget_keys={"hidden": "ts_hidden", "layers": "ts_layers", "dropout": "ts_dropout",
                                     "lr": "ts_lr"})
    with st.container(horizontal=True):
        clicked = st.button("Train and backtest", type="primary", key="ts_train", icon=":material/play_arrow:")
        again = repeat.button("timeseries")
    repeat.section("timeseries", again, seed=cfg.seed, settings=key, epochs=cfg.epochs, metric="mase",
                   label="backtest MASE (lower is better)", title=ts.MODEL_LABELS[cfg.model],
                   train=lambda seed, callbacks, cancel: ts.train_forecaster(
                       chosen.series, replace(cfg, seed=seed), callbacks=callbacks, cancel=cancel, caller="app"))

    def train() -> Kept:
        st.session_state[PENDING] = (key, prep)
        run = live.LiveTraining(RUN, epochs=cfg.epochs, title=f"{ts.MODEL_LABELS[cfg.model]} (quantile loss)")
        result = ts.train_forecaster(chosen.series, cfg, callbacks=[run], caller="app")
        run.finish(result.model, result.fit)
        return Kept(key, result)

    kept = actions.run(RUN, clicked, train)
    if clicked and kept is not None and kept.key == key and not kept.stopped:
        st.rerun()  # redraw without the live widgets (Stop button, progress bar): the result is final
    if not clicked and kept is not None:
        _history(kept)
    if kept is None:
        st.info("Choose the settings above and click **Train and backtest**. With the defaults this takes a few "
                "seconds on a CPU.", icon=":material/play_arrow:")
    return kept


def _history(kept: Kept) -> None:
    """The kept result's training curves (drawn once per result: a figure with subplots is slow to build)."""
    history = kept.result.history
    if not history:
        return
    if kept.stopped:
        st.warning(f"Training was stopped after epoch {history[-1].epoch}; the results below use the model as "
                   "it was then.", icon=":material/stop_circle:")
    if "history" not in kept.figures:
        kept.figures["history"] = history_figure(history, f"{ts.MODEL_LABELS[kept.prep.config.model]} "
                                                          "(quantile loss)")
    st.plotly_chart(kept.figures["history"], key="ts_history_chart")


def _after_stop(kept: Kept | None) -> None:
    """Stop was clicked: evaluate the partly trained network as it was after its last full epoch, and keep
    it as the result (once)."""
    state, pending = live.state(RUN), st.session_state.get(PENDING)
    if state is None or not state.stopped or state.model is None or pending is None:
        return
    if kept is not None and kept.key == pending[0]:
        return
    with st.spinner("Backtesting the stopped model against the baselines…"):
        metrics, details = ts.evaluate_forecaster(pending[1], state.model)
    actions.keep(RUN, Kept(pending[0], TrainedModel(model=state.model, history=list(state.history), metrics=metrics,
                                                    details=details), stopped=True))
