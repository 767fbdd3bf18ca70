"""ui.training.show_history: a finished run's curves are built once and drawn again from the session on
later reruns (issue 13: rebuilding the figure cost every rerun of the page ~18 ms), and a new training's
state brings its own curves."""

from __future__ import annotations

import json

APP = '''
import streamlit as st
from ui import training

st.slider("unrelated", 0, 10, 1, key="x")
training.show_history("demo")
'''


def _log(epoch: int, loss: float):
    from dl_core.training import EpochLog

    return EpochLog(epoch=epoch, epochs=3, train_loss=loss, val_loss=loss + 0.1, metrics={"val_accuracy": 1 - loss},
                    seconds=0.1)


def _curves(at) -> list[float]:
    [chart] = at.get("plotly_chart")
    return next(t["y"] for t in json.loads(chart.proto.spec)["data"] if t.get("y"))


def test_history_figure_is_built_once_per_training(monkeypatch):
    from streamlit.testing.v1 import AppTest

    import ui.training
    from ui.training import TrainingState

    built = []
    real = ui.training.history_figure
    monkeypatch.setattr(ui.training, "history_figure", lambda *a, **k: built.append(1) or real(*a, **k))

    at = AppTest.from_string(APP, default_timeout=60)
    at.session_state["training::demo"] = TrainingState(history=[_log(1, 0.9), _log(2, 0.5)], complete=True)
    at.run()
    first = _curves(at)
    at.slider(key="x").set_value(5).run()
    at.slider(key="x").set_value(6).run()
    assert not at.exception and len(built) == 1  # three reruns, one figure
    assert _curves(at) == first  # the same curves drawn each time

    # A new training (each epoch stores a new state) shows its own curves, not the kept figure.
    at.session_state["training::demo"] = TrainingState(history=[_log(1, 2.0), _log(2, 1.5), _log(3, 1.2)])
    at.run()
    assert len(built) == 2 and _curves(at) != first and len(_curves(at)) == 3
    assert any("stopped after epoch 3" in w.value for w in at.warning)


def test_history_figure_ticks_whole_epochs():
    from ui.charts import history_figure

    for epochs, step in [(2, 1), (10, 1), (60, 6)]:
        fig = history_figure([_log(e, 1 / e) for e in range(1, epochs + 1)])
        ticks = {(a.tick0, a.dtick) for a in fig.select_xaxes()}
        assert ticks == {(1, step)}, (epochs, ticks)
