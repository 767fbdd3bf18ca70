"""The Tune section on a page: a small sweep shows its trials, and "Use the best settings" loads the
best trial's values into the page's own controls."""

import pytest

from tests.conftest import exceptions, open_page


@pytest.mark.slow
def test_vision_digits_sweep_shows_trials_and_applies_the_best_settings():
    at = open_page("pages/vision.py", timeout=600)
    at.session_state["vision_tab"] = "Train a CNN on digits"
    at.run()
    at.number_input(key="tune_trials::digits").set_value(2)
    at.button(key="tune_start::digits").click().run()
    assert not exceptions(at)
    result = at.session_state["tuning::digits"]
    assert len(result.trials) == 2 and result.best_value is not None
    assert any("finished" in m.value for m in at.markdown)
    at.button(key="tune_apply::digits").click().run()
    assert not exceptions(at)
    best = result.best_params
    assert at.slider(key="dg_conv").value == best["conv_layers"]
    assert at.select_slider(key="dg_filters").value == best["filters"]
    assert at.select_slider(key="dg_lr").value == best["lr"]
    assert any("best settings are now in the controls" in s.value for s in at.success)
