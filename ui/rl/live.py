"""Live training on the RL page: the engine call runs in a thread of this person's session while the
page follows it (progress bar, episode-reward curve with its rolling mean, a Stop button).

Why a thread rather than ui.training.LiveTraining's "Stop reruns the page and interrupts the loop":
here Stop sets the engine's CancelToken, so the run ends cleanly and the agent trained so far is
evaluated and kept like a finished one; and moving a slider while an agent learns does not kill it
(the rerun finds the job in the session and follows it again). The engine call itself never touches
Streamlit; only `follow` draws, from the script thread.

    if clicked:
        live.start(KEY, lambda callbacks, cancel: rl.train_agent(env, cfg, callbacks=callbacks,
                                                                   cancel=cancel, caller="app"))
    if live.running(KEY):
        actions.run(KEY, True, lambda: live.follow(KEY, "PPO on CartPole-v1"))
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from typing import Any

import streamlit as st

from dl_core import rl
from dl_core.training import CancelToken, TrainedModel
from ui.training import waiting_text

from . import charts

REDRAW_SECONDS = 0.5  # the curve is redrawn at most this often: the page stays responsive


class Job:
    """One engine call in a background thread; it reports to this object as its callback."""

    def __init__(self, compute: Callable[[Sequence[Any], CancelToken], TrainedModel]) -> None:
        self.cancel = CancelToken()
        self.latest: rl.TrainingUpdate | None = None
        self.waiting: str | None = None
        self.status: str | None = None  # what happens after training (the evaluation), from the engine
        self.result: TrainedModel | None = None
        self.error: BaseException | None = None
        self._compute = compute
        self.thread = threading.Thread(target=self._run, daemon=True, name="dlx-rl-training")

    # Called from the training thread: plain attribute writes only, no Streamlit.
    def on_update(self, update: rl.TrainingUpdate) -> None:
        self.latest = update
        self.waiting = None

    def on_wait(self, position: int, queue: Any) -> None:
        self.waiting = waiting_text(position, queue)

    def on_status(self, text: str) -> None:
        self.status = text

    def _run(self) -> None:
        try:
            self.result = self._compute([self], self.cancel)
        except BaseException as exc:  # noqa: BLE001 (re-raised in the script thread by follow)
            self.error = exc


def _key(name: str) -> str:
    return f"rl::job::{name}"


def start(name: str, compute: Callable[[Sequence[Any], CancelToken], TrainedModel]) -> Job:
    """Start `compute(callbacks, cancel)` in a thread, unless this session already runs one here."""
    job = st.session_state.get(_key(name))
    if job is not None and job.thread.is_alive():
        st.toast("A training is already running here; following it (Stop it to start another).",
                 icon=":material/hourglass_top:")
        return job
    job = Job(compute)
    st.session_state[_key(name)] = job
    job.thread.start()
    return job


def running(name: str) -> bool:
    """A job was started here and its result has not been collected by `follow` yet."""
    return _key(name) in st.session_state


def collect(name: str) -> TrainedModel | None:
    """The result of a job that ended while nobody followed it (its tab was closed: only the open tab
    runs), taken out of the session as `follow` does; None while it runs, when there is none, or when it
    failed (`follow` raises the error in the job's own tab when that tab is opened)."""
    job: Job | None = st.session_state.get(_key(name))
    if job is None or job.thread.is_alive() or job.error is not None:
        return None
    del st.session_state[_key(name)]
    return job.result


def follow(name: str, title: str, x_label: str = "timesteps") -> TrainedModel | None:
    """Draw the job until it ends, then return its result (an engine error is raised here)."""
    job: Job = st.session_state[_key(name)]
    stop = st.empty()  # emptied at the end, with the bar and the curve: the results replace them
    stop.button("Stop training", key=f"stop::{name}", on_click=job.cancel.cancel, icon=":material/stop_circle:",
                disabled=job.cancel.cancelled, help="Ends training now; the agent so far is evaluated and kept.")
    bar = st.progress(0.0, text="Starting the training process…")
    chart = st.empty()
    drawn = -1  # episodes in the chart now: the same figure twice would be a duplicate element
    while True:
        alive = job.thread.is_alive()
        update = job.latest
        if update is None:
            waiting = job.waiting or "Starting the training process…"
            bar.progress(0.0, text=waiting + (" · stopping…" if job.cancel.cancelled else ""))
        else:
            stopping = " · stopping…" if job.cancel.cancelled else ""
            bar.progress(update.fraction, text=job.status or update.text() + stopping)
            if len(update.episodes) != drawn and update.episodes:
                drawn = len(update.episodes)
                option, height = charts.curve_option(rl.learning_curve(update.episodes), title, x_label)
                chart.echarts_chart(option, height=height)
        if not alive:
            break
        time.sleep(REDRAW_SECONDS)
    del st.session_state[_key(name)]
    for slot in (stop, bar, chart):
        slot.empty()
    if job.error is not None:
        raise job.error
    return job.result
