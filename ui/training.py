"""Live training on a page: progress bar, curves redrawn each epoch, a Stop button, results kept.

Usage in a page:

    run = ui.training.LiveTraining("digits_cnn", epochs=cfg.epochs)   # draws bar, chart, Stop
    result = training.fit(model, train, val, config=cfg, callbacks=[run])
    run.finish(model=model, result=result, extra={...})

Clicking Stop makes Streamlit rerun the page, which interrupts `fit` at its next callback. Because
the callback saves the model and history after each epoch into `st.session_state`, the rerun finds
the partly trained model there (`state(key).complete is False`) and can show its results.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import streamlit as st

from dl_core.training import EpochLog, FitResult

from .charts import history_figure


@dataclass
class TrainingState:
    """A person's trained model and its history, kept in their own session only."""

    model: Any = None
    history: list[EpochLog] = field(default_factory=list)
    complete: bool = False
    result: FitResult | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    # The curves' figure, built on the first rerun that shows them: a new state comes with each epoch,
    # and rebuilding the same figure on every later rerun of the page cost 15-18 ms (issue 13).
    figure: Any = field(default=None, repr=False, compare=False)

    @property
    def stopped(self) -> bool:
        return not self.complete


def _key(name: str) -> str:
    return f"training::{name}"


def state(name: str) -> TrainingState | None:
    return st.session_state.get(_key(name))


def clear(name: str) -> None:
    st.session_state.pop(_key(name), None)


class LiveTraining:
    """A training.fit callback that draws progress and curves, and keeps partial results."""

    def __init__(self, name: str, epochs: int, title: str = "", stop_button: bool = True,
                 redraw_seconds: float = 0.3) -> None:
        self.name = name
        self.epochs = epochs
        self.title = title
        self.redraw_seconds = redraw_seconds
        self._last_draw = 0.0
        self._last_bar = 0.0
        self._drawn = 0  # epochs in the chart now: drawing the same figure twice is a duplicate element
        if stop_button:
            # Any click reruns the page, which is what stops the training; nothing to handle here.
            st.button("Stop training", key=f"stop::{name}", icon=":material/stop_circle:",
                      help="Another tab or button stops it too (a settings slider may not: it can wait for the "
                           "training to end); what was trained so far is kept and evaluated.")
        self.bar = st.progress(0.0, text="Starting…")
        self.chart = st.empty()
        st.session_state[_key(name)] = TrainingState()

    def on_wait(self, position: int, queue: Any) -> None:
        """Called by the training queue while this training waits for a free slot."""
        self.bar.progress(0.0, text=waiting_text(position, queue))

    def on_batch_end(self, epoch: int, batch: int, batches: int, loss: float) -> None:
        now = time.perf_counter()
        if now - self._last_bar < 0.15 and batch != batches:
            return
        self._last_bar = now
        done = ((epoch - 1) + batch / max(batches, 1)) / self.epochs
        self.bar.progress(min(done, 1.0), text=f"Epoch {epoch}/{self.epochs} · batch {batch}/{batches}"
                                               f" · loss {loss:.4f}")

    def on_epoch_end(self, log: EpochLog, history: list[EpochLog], model: Any) -> None:
        st.session_state[_key(self.name)] = TrainingState(model=model, history=list(history))
        now = time.perf_counter()
        if now - self._last_draw >= self.redraw_seconds or log.epoch == log.epochs:
            self._last_draw = now
            self._drawn = len(history)
            self.chart.plotly_chart(history_figure(history, self.title), key=None)

    def finish(self, model: Any, result: FitResult, extra: dict[str, Any] | None = None) -> TrainingState:
        st.session_state[_key(self.name)] = done = TrainingState(
            model=model, history=result.history, complete=True, result=result, extra=dict(extra or {}))
        self.bar.progress(1.0, text=summary(result))
        if result.history and len(result.history) != self._drawn:
            self.chart.plotly_chart(history_figure(result.history, self.title))
        return done


def waiting_text(position: int, queue: Any) -> str:
    ahead = "you are next" if position == 1 else f"{position - 1} ahead of you"
    return (f"Waiting for a free training slot ({queue.running} of {queue.slots} in use, {ahead}). "
            "It starts by itself; press Stop to cancel.")


def summary(result: FitResult) -> str:
    last = result.last
    if last is None:
        return "Training stopped before the first epoch finished (or while it waited for a slot)."
    how = ("stopped early (no validation improvement)" if result.stopped_early
           else "stopped" if result.cancelled else "diverged (loss became NaN)" if result.diverged
           else "done")
    return f"{how}: {len(result.history)} epoch(s) in {result.seconds:.1f} s" + (
        f", best epoch {result.best_epoch}" if result.best_epoch else "")


def show_history(name: str) -> TrainingState | None:
    """Re-draw a finished or stopped run's curves on later reruns; returns its state."""
    s = state(name)
    if s is None or not s.history:
        return s
    if s.stopped:
        st.warning(f"Training was stopped after epoch {s.history[-1].epoch}; "
                   "the results below use the model as it was then.", icon=":material/stop_circle:")
    if s.figure is None:
        s.figure = history_figure(s.history)
    st.plotly_chart(s.figure, key=f"history::{name}")
    return s
