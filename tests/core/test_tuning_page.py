"""The Tune section on a page: a small sweep shows its trials, and "Use the best settings" loads the
best trial's values into the page's own controls."""

import pytest

from tests.conftest import exceptions, open_page


def _keys(at) -> set[str]:
    """The keys of the widgets drawn in the app's last run."""
    return {w.key for kind in ("number_input", "toggle", "button") for w in at.get(kind)
            if getattr(w, "key", None)}


@pytest.mark.slow  # the page's first run loads the photo model; the sweep itself is a few seconds
def test_vision_digits_sweep_shows_trials_and_applies_the_best_settings():
    at = open_page("pages/vision.py", timeout=600)
    at.session_state["vision_tab"] = "Train a CNN on digits"
    at.run()
    # Closed, the section draws nothing inside it (issue 13: it drew its widgets, and after a sweep its
    # table and Optuna's figures, on every rerun of the tab).
    assert "tune_trials::digits" not in _keys(at)
    at.session_state["tune_open::digits"] = True
    at.run()
    at.slider(key="dg_epochs").set_value(2)  # trials train with the tab's epochs
    at.number_input(key="tune_trials::digits").set_value(2)
    at.button(key="tune_start::digits").click().run()
    assert not exceptions(at)
    result = at.session_state["tuning::digits"]
    assert len(result.trials) == 2 and result.best_value is not None
    assert any("finished" in m.value for m in at.markdown)
    charts = len(at.get("plotly_chart"))
    # Optuna's figures, one drawn at a time: history first, parallel coordinates on the choice's second option
    figures = next(b for b in at.button_group if (b.key or "").startswith("tune_fig_pick::"))
    assert figures.options[:2] == ["Optimisation history", "Parallel coordinates"] and charts >= 1
    figures.set_value("Parallel coordinates").run()
    assert not exceptions(at) and len(at.get("plotly_chart")) == charts
    at.session_state["tune_open::digits"] = False
    at.run()
    assert not exceptions(at)
    assert not {"tune_trials::digits", "tune_prune::digits", "tune_apply::digits"} & _keys(at)
    assert len(at.get("plotly_chart")) == charts - 1
    at.session_state["tune_open::digits"] = True
    at.run()
    assert at.number_input(key="tune_trials::digits").value == 2  # kept while closed
    assert len(at.get("plotly_chart")) == charts
    at.button(key="tune_apply::digits").click().run()
    assert not exceptions(at)
    best = result.best_params
    assert at.slider(key="dg_conv").value == best["conv_layers"]
    assert at.select_slider(key="dg_filters").value == best["filters"]
    assert at.select_slider(key="dg_lr").value == best["lr"]
    assert any("best settings are now in the controls" in s.value for s in at.success)
    assert at.slider(key="dg_epochs").value == 2


@pytest.mark.slow
def test_nlp_sentiment_sweep_on_the_retrain_form_applies_the_best_settings(monkeypatch):
    """The sentiment head's Tune section sweeps on the retrain form's reviews, epochs and seed, and
    "Use the best settings" moves the form's head-size and learning-rate sliders. Tiny: 512 reviews
    (the first embedding chunk, which the NLP tests' small head shares), 2 epochs, 2 trials."""
    from dl_core import nlp

    full = nlp.load_review_set
    monkeypatch.setattr(nlp, "load_review_set", lambda n=None: full(512))
    at = open_page("pages/nlp.py", timeout=600)
    at.session_state["tune_open::nlp"] = True
    at.run()
    at.slider(key="nlp_rt_epochs").set_value(2)
    at.number_input(key="tune_trials::nlp").set_value(2)
    at.button(key="tune_start::nlp").click().run()
    assert not exceptions(at)
    result = at.session_state["tuning::nlp"]
    assert result.model == "nlp-sentiment" and len(result.trials) == 2 and result.best_value is not None
    assert set(result.best_params) == {"hidden", "lr"}
    at.button(key="tune_apply::nlp").click().run()
    assert not exceptions(at)
    assert at.select_slider(key="nlp_rt_hidden").value == result.best_params["hidden"]
    assert at.select_slider(key="nlp_rt_lr").value == result.best_params["lr"]
    assert at.slider(key="nlp_rt_epochs").value == 2  # what the sweep does not search stays as it was
    assert any("best settings are now in the controls" in s.value for s in at.success)
