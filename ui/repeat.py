""""Repeat with 3 seeds" beside a training page's Train button: the same settings trained with seeds
s, s+1, s+2 through the page's one engine call, one after another; each run's final metric, then the
mean ± standard deviation. How much of a result is the luck of the initialisation?

    with st.container(horizontal=True):
        clicked = st.button("Train", ...)
        again = repeat.button("digits")
    repeat.section("digits", again, seed=cfg.seed, settings=cfg, epochs=cfg.epochs,
                   metric="test_accuracy", label="test accuracy", fmt=repeat.percent,
                   train=lambda seed, callbacks, cancel: vision.train_digits_cnn(
                       None, replace(cfg, seed=seed), callbacks=callbacks, cancel=cancel, caller="app"))

Each seed is a normal training (a normal MLflow run with the same params but the seed), so the
Experiments page groups the three under "Seeds". Stop interrupts the seed in progress; the seeds that
finished are kept, and the mean ± std is of those.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
import streamlit as st

from dl_core.training import CancelToken, TrainedModel

from . import errors
from . import training as live

SEEDS = 3
Train = Callable[[int, Sequence[Any], CancelToken], TrainedModel]  # (seed, callbacks, cancel) -> result


def percent(value: float) -> str:
    return f"{value:.1%}"


def plain(value: float) -> str:
    return f"{value:.3f}"


@dataclass
class SeedRun:
    seed: int
    value: float | None  # the final metric (None if the engine did not report it)
    epochs: int
    run_id: str | None
    stopped: bool = False  # cancelled part-way: shown, not counted in the mean


@dataclass
class Repeat:
    """One click's seeds and what each finished with (kept in this person's session only)."""

    seeds: tuple[int, ...]
    metric: str  # the key in TrainedModel.metrics
    label: str  # that metric for people
    settings: Any = None  # what the page trained (to notice later that its settings changed)
    runs: list[SeedRun] = field(default_factory=list)
    complete: bool = False

    @property
    def values(self) -> list[float]:
        """The final metric of every seed that trained to the end."""
        return [r.value for r in self.runs if r.value is not None and not r.stopped]

    @property
    def mean(self) -> float | None:
        return statistics.fmean(self.values) if self.values else None

    @property
    def std(self) -> float | None:
        """Sample standard deviation (n - 1), as the Experiments page's seed groups."""
        return statistics.stdev(self.values) if len(self.values) > 1 else None


def _key(key: str) -> str:
    return f"repeat::{key}"


def kept(key: str) -> Repeat | None:
    return st.session_state.get(_key(key))


def button(key: str, n: int = SEEDS, help: str | None = None, **kwargs: Any) -> bool:
    """The button, drawn where the page wants it (beside its Train button)."""
    return st.button(f"Repeat with {n} seeds", key=f"repeat_go::{key}", icon=":material/replay:",
                     help=help or f"Trains these settings {n} times, with the seed shown and the next {n - 1}, "
                                  "each logged like a normal training: the spread says how much of a result is "
                                  "luck. The Experiments page groups them (Seeds).", **kwargs)


def run(key: str, *, seed: int, train: Train, metric: str, label: str, epochs: int, settings: Any = None,
        n: int = SEEDS, title: str = "", fmt: Callable[[float], str] = plain,
        cancel: CancelToken | None = None) -> Repeat:
    """Train seeds seed..seed+n-1 one after another with live curves and a Stop button. The kept
    result is updated after every seed, so a Stop (which reruns the page and interrupts this) or a
    set `cancel` token keeps the seeds that finished."""
    cancel = cancel or CancelToken()
    rep = Repeat(seeds=tuple(range(seed, seed + n)), metric=metric, label=label, settings=settings)
    st.session_state[_key(key)] = rep
    area = st.empty()  # the live widgets, removed when done (the kept result is drawn by `show`)
    with area.container():
        st.button("Stop the repeats", key=f"repeat_stop::{key}", icon=":material/stop_circle:",
                  on_click=cancel.cancel, help="Stops the seed in progress; the seeds that finished are kept.")
        table = st.empty()
        slot = st.empty()
        for s in rep.seeds:
            if cancel.cancelled:
                break
            with slot.container():
                view = live.LiveTraining(f"repeat::{key}", epochs, f"{title} seed {s}".strip(), stop_button=False)
                result = train(s, [view], cancel)
            stopped = bool(result.fit is not None and result.fit.cancelled)
            value = result.metrics.get(metric)
            rep.runs.append(SeedRun(seed=s, value=None if value is None else float(value),
                                    epochs=len(result.history), run_id=result.run_id, stopped=stopped))
            table.dataframe(_frame(rep, fmt), hide_index=True)
            if stopped:
                break
    area.empty()
    live.clear(f"repeat::{key}")
    rep.complete = len(rep.runs) == n and not any(r.stopped for r in rep.runs)
    return rep


def _frame(rep: Repeat, fmt: Callable[[float], str]) -> pd.DataFrame:
    rows = [{"seed": r.seed, rep.label: "—" if r.value is None else fmt(r.value), "epochs": r.epochs,
             "MLflow run": (r.run_id or "")[:8]} for r in rep.runs]
    if any(r.stopped for r in rep.runs):
        for row, r in zip(rows, rep.runs, strict=True):
            row["note"] = "stopped part-way (not counted)" if r.stopped else ""
    return pd.DataFrame(rows)


def show(key: str, rep: Repeat, fmt: Callable[[float], str] = plain, settings: Any = None) -> None:
    """The kept repeats: one row per seed, the mean ± std, and what to do next."""
    with st.container(border=True, key=f"repeat_box::{key}"):
        done = len(rep.values)
        if not rep.complete:
            st.warning(f"Stopped: {done} of {len(rep.seeds)} seeds trained to the end; those are kept below.",
                       icon=":material/stop_circle:")
        if settings is not None and rep.settings is not None and settings != rep.settings:
            st.caption("The settings changed since these seeds were trained: the numbers are for the earlier ones.")
        if rep.runs:
            st.dataframe(_frame(rep, fmt), hide_index=True, key=f"repeat_table::{key}")
        if rep.mean is None:
            return
        if rep.std is None:
            only = next(r.seed for r in rep.runs if r.value is not None and not r.stopped)
            st.metric(f"{rep.label}, seed {only} only", fmt(rep.mean))
        else:
            st.metric(f"{rep.label}, mean ± std over {done} seeds", f"{fmt(rep.mean)} ± {fmt(rep.std)}")
        st.caption("Standard deviation over seeds (n − 1). A difference between two settings smaller than this "
                   "spread may be luck. The Experiments page groups these runs under **Seeds**.")


def section(key: str, clicked: bool, *, seed: int, train: Train, metric: str, label: str, epochs: int,
            settings: Any = None, fmt: Callable[[float], str] = plain, n: int = SEEDS,
            title: str = "") -> Repeat | None:
    """When `clicked`, train the seeds (`run`) inside the error boundary; then draw the kept result."""
    if clicked:
        with errors.guard(stop=False):
            run(key, seed=seed, train=train, metric=metric, label=label, epochs=epochs, settings=settings, n=n,
                title=title, fmt=fmt)
    rep = kept(key)
    if rep is not None:
        show(key, rep, fmt, settings)
    return rep
