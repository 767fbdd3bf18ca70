""""Repeat with 3 seeds" (ui/repeat.py): the same settings trained with seeds s, s+1, s+2 through the
page's engine call, each run's final metric and the mean ± std, Stop keeps the finished seeds, and the
Experiments page's seed groups see the three runs as one setting."""

from __future__ import annotations

import statistics

import pytest
from streamlit.testing.v1 import AppTest

from dl_core import comparison, tracking
from tests.conftest import exceptions, open_page


def _fake_page():
    """A page whose "engine call" returns seed/10 at once, and is stopped part-way on the 2nd seed."""
    import streamlit as st

    from dl_core.training import EpochLog, FitResult, TrainedModel
    from ui import repeat

    def train(seed, callbacks, cancel):
        stop = seed == st.session_state.get("stop_at")
        log = EpochLog(1, 2, 1.0, 0.9, {})
        for cb in callbacks:
            cb.on_epoch_end(log, [log], None)
        if stop:
            cancel.cancel()
        fit = FitResult(history=[log], best_epoch=1, stopped_early=False, cancelled=stop, seconds=0.01)
        return TrainedModel(model=None, history=[log], metrics={"score": seed / 10}, run_id=f"run{seed}", fit=fit)

    again = repeat.button("fake")
    repeat.section("fake", again, seed=4, train=train, metric="score", label="score", epochs=2, settings="same")


def test_three_seeds_give_each_value_and_the_mean_and_sample_std():
    at = AppTest.from_function(_fake_page, default_timeout=30)
    at.run()
    at.button(key="repeat_go::fake").click().run()
    assert not exceptions(at)
    rep = at.session_state["repeat::fake"]
    assert rep.seeds == (4, 5, 6) and rep.complete and rep.values == [0.4, 0.5, 0.6]
    assert rep.mean == pytest.approx(0.5) and rep.std == pytest.approx(statistics.stdev([0.4, 0.5, 0.6]))
    shown = [m for m in at.metric if "mean ± std over 3 seeds" in m.label]
    assert shown and shown[0].value == "0.500 ± 0.100"
    assert at.dataframe[0].value["seed"].tolist() == [4, 5, 6]
    assert not at.warning and "note" not in at.dataframe[0].value.columns


def test_a_stop_keeps_the_seeds_that_finished():
    at = AppTest.from_function(_fake_page, default_timeout=30)
    at.session_state["stop_at"] = 5
    at.run()
    at.button(key="repeat_go::fake").click().run()
    assert not exceptions(at)
    rep = at.session_state["repeat::fake"]
    assert not rep.complete and [r.seed for r in rep.runs] == [4, 5] and rep.runs[1].stopped
    assert rep.values == [0.4] and rep.std is None  # the stopped seed is shown, not counted
    assert any("Stopped: 1 of 3 seeds" in w.value for w in at.warning)
    assert at.dataframe[0].value["note"].tolist() == ["", "stopped part-way (not counted)"]
    assert any(m.label == "score, seed 4 only" and m.value == "0.400" for m in at.metric)


@pytest.mark.slow  # the Vision page's first run loads the photo model; 3 seeds x 1 epoch are a few seconds
def test_digits_page_repeats_through_the_engine_and_experiments_groups_the_seeds():
    at = open_page("pages/vision.py", timeout=120)
    at.session_state["vision_tab"] = "Train a CNN on digits"
    at.run()
    at.slider(key="dg_epochs").set_value(1)
    at.select_slider(key="dg_batch").set_value(256)
    at.number_input(key="dg_seed").set_value(7)
    at.run()
    at.button(key="repeat_go::digits").click().run()
    assert not exceptions(at)
    rep = at.session_state["repeat::digits"]
    assert rep.complete and rep.seeds == (7, 8, 9) and len(rep.values) == 3
    assert all(0 <= v <= 1 for v in rep.values)
    assert any("mean ± std over 3 seeds" in m.label for m in at.metric)
    # each seed is a normal MLflow run of the digits CNN; the Experiments page's grouping sees 3 seeds
    runs = tracking.runs("vision/digits-cnn")
    ours = runs[runs["run_id"].isin([r.run_id for r in rep.runs])]
    assert sorted(ours["param.seed"].astype(int)) == [7, 8, 9]
    groups = comparison.seed_groups(ours)
    assert len(groups) == 1 and groups.iloc[0]["seeds"] == 3
    assert groups.iloc[0]["test_accuracy mean"] == pytest.approx(rep.mean)
    assert groups.iloc[0]["test_accuracy std"] == pytest.approx(rep.std)
