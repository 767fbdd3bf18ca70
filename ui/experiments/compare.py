"""Compare runs: overlay their curves for one metric, and only the settings that differ."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import streamlit as st

from dl_core import comparison, tracking
from ui import echarts, markdown

from .runs import labels

MAX_COMPARED = 12  # more curves than this on one chart are unreadable
MARKED = 60  # a line of up to this many points shows a dot at each (RL logs one per episode: thousands)
FIRST_METRICS = ("val_loss", "rolling_reward", "train_loss")  # shown first: the first of these logged, else by name
ENDED = ("FINISHED", "FAILED", "KILLED")  # MLflow's run states after which a run logs nothing more


@st.cache_data(max_entries=512, show_spinner=False)
def _ended_history(run_id: str) -> pd.DataFrame:
    return tracking.history(run_id)


@st.cache_data(ttl=5, show_spinner=False)
def _live_history(run_id: str) -> pd.DataFrame:
    return tracking.history(run_id)


def _history(run_id: str, status: str) -> pd.DataFrame:
    """A run's curves, read from the store once when it has ended (~40 ms a run on 2 cores), every few seconds
    while it is still training."""
    return (_ended_history if status in ENDED else _live_history)(run_id)


def _curves_option(lines_of: list[tuple[str, pd.DataFrame]], metric: str) -> dict:
    """One line per run (an ECharts option): "Everyone's runs" and the run picks redraw it, and a chart a control
    redraws is ECharts (ui/echarts.py says why)."""
    lines = [{"type": "line", "name": run, "showSymbol": len(one) <= MARKED, "symbolSize": 6, "sampling": "lttb",
              "data": [[int(x), y] for x, y in zip(one["step"], echarts.values(one["value"], 6), strict=True)]}
             for run, one in lines_of]
    return echarts.option(
        aria={"enabled": True, "label": {"description": f"{metric} by step, one line per run ({len(lines)})."}},
        legend={"type": "scroll", "top": 0},
        grid={"left": 10, "right": 30, "top": 40, "bottom": 30, "containLabel": True},
        xAxis={"type": "value", "name": "step (epoch; episode for RL)", "nameLocation": "middle", "nameGap": 25,
               "minInterval": 1, "scale": True},
        yAxis={"type": "value", "name": metric, "scale": True, "nameTextStyle": {"align": "left"}},
        series=lines,
    )


def _identical(lines_of: list[tuple[str, pd.DataFrame]]) -> list[list[str]]:
    """Runs (labels) whose curves are the same, step for step: groups of two or more."""
    alike: dict[tuple, list[str]] = {}
    for run, one in lines_of:
        alike.setdefault(tuple(zip(one["step"], one["value"], strict=True)), []).append(run)
    return [runs for runs in alike.values() if len(runs) > 1]


def compare_tab(shown: pd.DataFrame) -> None:
    ids = list(shown["run_id"])
    label = labels(shown)
    # By default the newest runs of the newest run's experiment: runs of two models share few settings or metrics.
    alike = list(shown.loc[shown["experiment"] == shown["experiment"].iloc[0], "run_id"][:3])
    picked = st.multiselect("Runs to compare", ids, default=alike, key="exp_compare",
                            max_selections=MAX_COMPARED, format_func=label.get)
    if not picked:
        st.info("Pick one or more runs to overlay their curves.")
        return
    status = dict(zip(shown["run_id"], shown["status"], strict=True))
    curves = pd.concat([_history(r, status[r]).assign(run=label[r]) for r in picked], ignore_index=True)
    curves = curves[curves["metric"] != "epoch_seconds"]
    if curves.empty:
        st.caption("These runs logged no per-epoch metrics.")
    else:
        metrics = sorted(curves["metric"].unique())
        default = next((metrics.index(m) for m in FIRST_METRICS if m in metrics), 0)
        metric = st.selectbox("Metric", metrics, index=default, key="exp_compare_metric")
        lines_of = list(curves[curves["metric"] == metric].groupby("run", sort=False))  # (label, its curve)
        echarts.show(_curves_option(lines_of, metric), key="exp_compare_curves", height=380)
        for runs in _identical(lines_of):  # else one line hides the others and the legend looks wrong
            st.caption(f"{', '.join(runs[:-1])} and {runs[-1]} logged the same {metric} at every step: their "
                       "lines lie one over the other.")
    st.markdown("**Settings that differ**")
    diff = comparison.differing_params(shown, picked)
    if diff.shape[1] == 0:
        st.caption("The chosen runs share every setting.")
    else:
        st.markdown(_side_by_side(diff, "setting", label, str))
    finals = shown.set_index("run_id").loc[picked, comparison.metric_columns(shown)].dropna(axis=1, how="all")
    if finals.shape[1]:
        st.markdown("**Final metrics**")
        finals = finals.apply(pd.to_numeric, errors="coerce").rename(columns=lambda c: c.removeprefix(comparison.FINAL))
        st.markdown(_side_by_side(finals, "metric", label, lambda v: "—" if pd.isna(v) else f"{v:.4g}"))


def _side_by_side(table: pd.DataFrame, what: str, label: dict[str, str], text: Callable[[object], str]) -> str:
    """A table of one row per run (index: run ids) as Markdown with a column per run and a row per column, as
    MLflow compares runs: a few runs by dozens of settings read down, not across. Markdown, not a table grid:
    two grids made switching to everyone's runs ~70 ms slower to draw (a bare page's toggle, issue 13)."""
    return markdown.table([{what: column, **{label[r]: text(v) for r, v in table[column].items()}}
                           for column in table.columns])


def seeds_tab(shown: pd.DataFrame) -> None:
    st.markdown("Runs that share every setting except the seed, grouped: how much of a result is "
                "the luck of the initialisation? Train the same settings with a few seeds on a page "
                "(\"Repeat with 3 seeds\") and compare the spread with the differences between settings.")
    groups = comparison.seed_groups(shown)
    if groups.empty:
        st.info("No settings were trained with more than one seed yet.")
        return
    st.dataframe(groups, hide_index=True, key="exp_seed_groups")


def sweeps_tab(shown: pd.DataFrame, everything: pd.DataFrame) -> None:
    table = comparison.sweeps(everything[everything["run_id"].isin(shown["run_id"])
                                         | everything["parent_run_id"].isin(shown["run_id"])])
    if table.empty:
        st.info("No tuning sweeps yet. Start one from the Tune section of a page, or with "
                "`python -m dl_core tune`.")
        return
    st.dataframe(table, hide_index=True, key="exp_sweeps")
    sweep = st.selectbox("Trials of", list(table["sweep"]), key="exp_sweep_pick",
                         format_func=lambda s: s[:8])
    trials = everything[everything["parent_run_id"] == sweep].dropna(axis=1, how="all")
    st.dataframe(trials.drop(columns=["session"], errors="ignore"), hide_index=True, key="exp_trials")
