"""The "Tune" section a page with a trainable model shows: an Optuna sweep with a live trials table,
Optuna's own figures, and "Use the best settings", which loads them into the page's controls.

    tuning.tune_section("vision-digits", data=None, widget_keys={"lr": "digits_lr", ...})
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import partial
from typing import Any

import pandas as pd
import streamlit as st

from dl_core import tuning
from dl_core.training import CancelToken

from . import errors, expanders, fragments, tabs


def _state_key(model: str) -> str:
    return f"tuning::{model}"


def _trials_frame(result: tuning.SweepResult) -> pd.DataFrame:
    rows = [{"trial": t["number"], "state": t["state"].lower(), result.metric: t["value"],
             **{f"{k}": v for k, v in t["params"].items()}} for t in result.trials]
    return pd.DataFrame(rows)


def _apply(best: Mapping[str, Any], widget_keys: Mapping[str, str],
           convert: Mapping[str, Callable[[Any], Any]]) -> None:
    """A button callback: runs before the page is drawn again, so it may set widget values."""
    for param, key in widget_keys.items():
        if param in best:
            value = best[param]
            st.session_state[key] = convert[param](value) if param in convert else value
    st.session_state["tuning::applied"] = True


@st.cache_data(show_spinner=False, ttl=60, max_entries=8)
def _study_figures(study_name: str, storage: str | None, direction: str, n_trials: int) -> list[tuple[str, Any]]:
    """Optuna's figures of the study, read back with other workers' trials: (name, figure, or why there is
    none). Cached for a minute per study and sweep size: reading the study and drawing them took ~0.1 s,
    which every rerun of the page paid while the section was shown (issue 13)."""
    import optuna
    from optuna import visualization as vis

    study = tuning.open_study(study_name, direction, storage)
    done = [t for t in study.trials if t.state == optuna.trial.TrialState.COMPLETE]
    if len(done) < 2:
        return []
    plots = [("Optimisation history", vis.plot_optimization_history),
             ("Parallel coordinates", vis.plot_parallel_coordinate)]
    if len(done) >= 3 and len(done[0].params) > 1:
        plots.append(("Parameter importances", vis.plot_param_importances))
    figures: list[tuple[str, Any]] = []
    for name, plot in plots:
        try:
            figures.append((name, plot(study)))
        except (ValueError, RuntimeError) as exc:  # e.g. importances with one distinct value
            figures.append((name, f"{name} is not available for these trials ({exc})."))
    return figures


@st.fragment
def _figures(result: tuning.SweepResult) -> None:
    """Optuna's figures, one at a time: a choice (a fragment, so a pick redraws the figure alone), not
    `st.tabs`, which would cost every later fragment rerun of the page one more page render (ui/tabs.py)."""
    figures = _study_figures(result.study, None, result.direction, len(result.trials))
    if not figures:
        st.caption("Optuna's figures appear once two trials have finished.")
        return
    names = [name for name, _ in figures]
    name = tabs.pick("Optuna's figures", names, key=f"tune_fig_pick::{result.study}")
    figure = figures[names.index(name)][1]
    if isinstance(figure, str):
        st.caption(figure)
    else:
        st.plotly_chart(figure, key=f"tune_fig::{result.study}::{name}")


def _sweep_settings(key: str) -> tuple[int, int, bool]:
    """Trials, time budget, pruner: a fragment section, each a fragment of its own (ui/fragments.py), so
    changing one redraws only it (issue 13); nothing shown depends on them (a kept sweep says its own
    numbers), and Start is a full run that reads them."""
    c1, c2, c3 = st.columns(3)
    n_trials = fragments.own(lambda: st.number_input("Trials", 2, 50, 8, key=f"tune_trials::{key}"), c1)
    budget = fragments.own(lambda: st.number_input("Time budget (s)", 10, 1800, 120, step=10,
                                                   key=f"tune_budget::{key}"), c2)
    prune = fragments.own(lambda: st.toggle("Median pruner", value=True, key=f"tune_prune::{key}"), c3)
    return int(n_trials), int(budget), bool(prune)


def tune_section(model: str, data: Any, widget_keys: Mapping[str, str],
                 convert: Mapping[str, Callable[[Any], Any]] | None = None, key: str | None = None) -> None:
    """Draw the Tune section for the tunable `model` trained on `data`.

    `data` is what the tunable trains on, or a function returning it, called only when a sweep starts
    (so a page does not load its data on every rerun). `widget_keys` maps a search-space parameter to
    the `key=` of the page control it came from; `convert` turns a trial's value into what that
    control holds (e.g. an index into options).
    """
    key = key or model
    tunable = tuning.get(model)
    # Drawn only while open (ui/expanders.py says why): closed, the section still drew its widgets and, after
    # a sweep, its table and three Plotly figures on every rerun of the page (issue 13).
    box = expanders.lazy(f"Tune: let Optuna search the settings ({tunable.metric}, "
                         f"{'higher' if tunable.direction == 'maximize' else 'lower'} is better)",
                         f"tune_open::{key}", [f"tune_trials::{key}", f"tune_budget::{key}", f"tune_prune::{key}"],
                         icon=":material/tune:")
    if box is None:
        return
    with box:
        st.caption("Each trial trains the model with settings Optuna picks from the same ranges as the "
                   "controls above, and is judged on the **validation** split (never the test split). "
                   "The median pruner stops trials whose curves fall behind the median of earlier ones. "
                   "Every trial is an MLflow run inside the sweep's run (see Experiments).")
        n_trials, budget, prune = fragments.alone(partial(_sweep_settings, key), shown_below=lambda: False)
        start = st.button("Start the sweep", key=f"tune_start::{key}", type="primary", icon=":material/tune:")
        if start:
            stop = st.empty()  # removed once the sweep ends (a Stop click reruns the page, which stops it)
            stop.button("Stop the sweep", key=f"tune_stop::{key}", icon=":material/stop_circle:",
                        help="Stops after the trial in progress; finished trials are kept.")
            table = st.empty()

            def show(result: tuning.SweepResult) -> None:
                st.session_state[_state_key(key)] = result
                table.dataframe(_trials_frame(result), hide_index=True)

            with errors.guard(stop=False), st.spinner("Tuning… each trial waits for a free training slot"):
                if callable(data):
                    data = data()
                result = tuning.sweep(tunable, data, n_trials=int(n_trials), timeout=float(budget), seed=0,
                                      pruner=prune, caller="app", on_trial=show, cancel=CancelToken())
                st.session_state[_state_key(key)] = result
            table.empty()
            stop.empty()
        result: tuning.SweepResult | None = st.session_state.get(_state_key(key))
        if result is None:
            return
        done = sum(t["state"] == "COMPLETE" for t in result.trials)
        pruned = sum(t["state"] == "PRUNED" for t in result.trials)
        st.markdown(f"**Study `{result.study}`**: {done} finished, {pruned} pruned. Best {result.metric}: "
                    + (f"**{result.best_value:.4g}**" if result.best_value is not None else "none yet"))
        st.dataframe(_trials_frame(result), hide_index=True, key=f"tune_table::{key}")
        if result.best_params:
            st.json(result.best_params, expanded=False)
            st.button("Use the best settings", key=f"tune_apply::{key}", icon=":material/check:",
                      on_click=_apply, args=(result.best_params, widget_keys, convert or {}))
            if st.session_state.pop("tuning::applied", False):
                st.success("The best settings are now in the controls above: train to use them.")
        _figures(result)
