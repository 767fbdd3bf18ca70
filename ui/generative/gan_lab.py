"""GAN lab tab: a generator and a discriminator fight over a 2-D point cloud; replay it epoch by epoch."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import streamlit as st

from dl_core import generative

from .. import actions, echarts, fragments
from .gan_chart import lab_option

GAN_KEY = "gen_gan"  # ui.actions key of the finished training (a TrainedModel)
REPLAY_KEY = "gen_gan_run"  # session_state: what the replay draws, kept after every epoch (Stop keeps it)
UPLOAD = "upload a CSV"  # the "Real data" choice that draws an uploader below the settings


@dataclass
class Replay:
    """A person's GAN lab run as the replay view needs it; filled epoch by epoch while training."""

    real: np.ndarray
    epochs: int
    snapshots: list[generative.Snapshot] = field(default_factory=list)
    seconds: float = 0.0
    complete: bool = False
    # The chart of each epoch, built once (while training, or on the first replay of that epoch): moving
    # the replay slider then only sends it again. (ECharts option, height); about 45 KB an epoch.
    figures: dict[int, tuple[dict, int]] = field(default_factory=dict)
    coverages: dict[int, float] = field(default_factory=dict)

    def coverage(self, epoch: int) -> float:
        if epoch not in self.coverages:
            self.coverages[epoch] = generative.coverage(self.real, self.snapshots[epoch - 1].generated)
        return self.coverages[epoch]

    def figure(self, epoch: int) -> tuple[dict, int]:
        if epoch not in self.figures:
            self.figures[epoch] = lab_option(self.real, self.snapshots[epoch - 1], self.snapshots[:epoch])
        return self.figures[epoch]


@st.cache_data(max_entries=8, show_spinner=False)
def _read_points(file_id: str, name: str, _data: bytes) -> tuple[np.ndarray | None, list[str], str | None]:
    """An upload parsed once per file (keyed by its id), errors included: reruns never re-read it."""
    from dl_core.errors import InputError

    try:
        points, notices = generative.read_points(_data, name=name)
    except InputError as exc:
        return None, [], str(exc)
    return points, notices, None


def _data(shape: str) -> np.ndarray | str | None:
    """What the GAN trains on: a toy shape's name, or the points of the person's CSV."""
    if shape != UPLOAD:
        return shape
    upload = st.file_uploader("CSV of points: two numeric columns, x and y (header optional)", type=["csv", "txt"],
                              key="gen_gan_csv")
    if upload is None:
        st.info("Upload a CSV with two numeric columns (at least 20 rows) to train on your own points.",
                icon=":material/upload_file:")
        return None
    points, notices, error = _read_points(upload.file_id, upload.name, upload.getvalue())
    if error is not None:
        st.error(error, icon=":material/error:")
        return None
    for notice in notices:
        st.info(notice, icon=":material/info:")
    return points


class _LiveLab:
    """Draws each epoch while training and keeps it in the session, so a Stop click keeps the epochs so far."""

    def __init__(self, real: np.ndarray, epochs: int) -> None:
        st.button("Stop training", key="gen_gan_stop", icon=":material/stop_circle:")  # a click reruns = stops
        self.bar = st.progress(0.0, text="Starting…")
        self.chart = st.empty()
        self.replay = st.session_state[REPLAY_KEY] = Replay(real=real, epochs=epochs)
        self.started = time.perf_counter()

    def on_snapshot(self, snap: generative.Snapshot, snapshots: list[generative.Snapshot]) -> None:
        self.replay.snapshots = list(snapshots)
        self.replay.seconds = time.perf_counter() - self.started
        self.bar.progress(snap.epoch / self.replay.epochs, text=f"Epoch {snap.epoch}/{self.replay.epochs} · "
                                                                f"D loss {snap.d_loss:.3f} · G loss {snap.g_loss:.3f}")
        option, height = self.replay.figure(snap.epoch)
        self.chart.echarts_chart(option, height=height)


def _train(data: np.ndarray | str, config: generative.GANConfig) -> Any:
    slot = st.empty()
    with slot.container():
        real = generative.toy_points(data, 1000) if isinstance(data, str) else data
        live = _LiveLab(real, config.epochs)
        trained = generative.train_gan(data, config, callbacks=[live])
    slot.empty()  # the Stop button, bar and live chart go: the replay below takes over at once
    st.session_state.pop("gen_gan_show", None)  # a new run's replay starts at its last epoch
    st.session_state[REPLAY_KEY] = Replay(real=trained.details["real"], epochs=config.epochs,
                                          snapshots=trained.details["snapshots"], seconds=trained.fit.seconds,
                                          complete=not trained.fit.cancelled, figures=live.replay.figures)
    return trained


def gan_lab_tab() -> None:
    st.markdown(
        "Two small networks play a game on a flat 2-D point cloud. The **generator** turns random noise "
        "into points; the **discriminator** scores each point of the plane: real (blue) or fake (red). "
        "The generator learns to push its points where the discriminator still says *real*. When it "
        "wins, D can only guess, and its map turns a uniform 0.5.")
    # The settings redraw alone (ui/fragments.py): a replay below is of the settings it was trained with, and
    # the Train click is a full run, which reads them. What is drawn below them depends on whether the real
    # data is an upload (the uploader, and no Train button before a good file): a change of that reruns the
    # whole tab.
    uploading = _asks_upload()  # what this run draws below the settings
    shape, config = fragments.alone(_settings, lambda: _asks_upload() != uploading)
    data = _data(shape)
    if data is None:
        return
    clicked = st.button("Train the GAN", key="gen_gan_train", type="primary", icon=":material/play_arrow:")
    actions.run(GAN_KEY, clicked, lambda: _train(data, config))
    if not _replay_shown():
        st.info("Press **Train the GAN** to watch it learn, epoch by epoch.", icon=":material/info:")
        return
    _replay_view()


def _settings() -> tuple[str, generative.GANConfig]:
    c1, c2, c3, c4 = st.columns(4)
    shape = c1.selectbox("Real data", [*generative.SHAPES, UPLOAD], key="gen_gan_shape")
    # The others are each a fragment of their own (fragments.own): only the Train click reads them.
    lr_g = fragments.own(lambda: st.select_slider("G learning rate", [1e-4, 3e-4, 1e-3, 3e-3, 1e-2], 1e-3,
                                                  key="gen_gan_lr_g"), c2)
    lr_d = fragments.own(lambda: st.select_slider("D learning rate", [1e-4, 3e-4, 1e-3, 3e-3, 1e-2], 1e-3,
                                                  key="gen_gan_lr_d"), c3)
    epochs = fragments.own(lambda: st.slider("Epochs", 1, 100, 30, key="gen_gan_epochs",
                                             help="50 rounds of updates each"), c4)
    c1, c2, c3, c4 = st.columns(4)
    d_steps = fragments.own(lambda: st.slider("D steps per round", 1, 5, 1, key="gen_gan_d_steps"), c1)
    g_steps = fragments.own(lambda: st.slider("G steps per round", 1, 5, 1, key="gen_gan_g_steps"), c2)
    layers = fragments.own(lambda: st.slider("Hidden layers", 1, 5, 3, key="gen_gan_layers"), c3)
    noise = fragments.own(lambda: st.slider("Noise size", 1, 32, 8, key="gen_gan_noise"), c4)
    return shape, generative.GANConfig(lr_g=float(lr_g), lr_d=float(lr_d), d_steps=int(d_steps),
                                       g_steps=int(g_steps), layers=int(layers), noise=int(noise), epochs=int(epochs))


def _asks_upload() -> bool:
    """Whether "Real data" is set to an upload (read from the session: the selectbox's value now, its
    default, the first shape, before it is first drawn)."""
    return st.session_state.get("gen_gan_shape", generative.SHAPES[0]) == UPLOAD


def _replay_shown() -> bool:
    """Whether a run's replay (finished or stopped) is on the page."""
    replay = st.session_state.get(REPLAY_KEY)
    return replay is not None and bool(replay.snapshots)


@st.fragment
def _replay_view() -> None:
    """A fragment: moving 'Show epoch' redraws this figure only, from the epochs kept in the session."""
    replay: Replay = st.session_state[REPLAY_KEY]
    done = len(replay.snapshots)
    if not replay.complete:
        st.warning(f"Training was stopped after epoch {replay.snapshots[-1].epoch}.", icon=":material/stop_circle:")
    pick = st.slider("Show epoch", 1, done, done, key="gen_gan_show") if done > 1 else 1
    option, height = replay.figure(pick)
    echarts.show(option, key="gen_gan_fig", height=height)
    st.caption(f"Coverage: {replay.coverage(pick):.0%} of real points have a generated "
               f"point nearby (a collapsed generator scores low) · {replay.seconds:.1f} s of training")


