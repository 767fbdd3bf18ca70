"""Tuning in Chromium: on the Vision page's digits tab, a small Optuna sweep shows its trials in the
live table as they finish, and "Use the best settings" moves the tab's sliders to the best trial."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import exception_texts, goto, settle

# The search space's parameter -> the label of the slider it came from (ui/vision/digits.py).
SLIDERS = {"conv_layers": "Conv layers", "filters": "Filters (first layer)", "kernel_size": "Kernel size",
           "dropout": "Dropout", "lr": "Learning rate", "batch_size": "Batch size"}
LIVE_ROWS = """() => {
    const running = document.querySelector("[data-testid='stStatusWidget']");
    const grids = document.querySelectorAll("[data-testid='stDataFrame']");
    return running && [...grids].some(g => g.querySelectorAll("[role='row']").length >= 2);
}"""


def _slider(page, label: str):
    return page.locator("[data-testid='stSlider']", has_text=label).first.get_by_role("slider")


def _trials(page) -> list[dict[str, str]]:
    """The trials table as rows of {column: text} (the grid's accessible cells)."""
    grid = page.locator("[data-testid='stDataFrame']").first
    columns = grid.locator("[role='columnheader']").all_inner_texts()
    rows = grid.locator("[role='row']").all()[1:]  # the first row is the header
    return [dict(zip(columns, r.locator("[role='gridcell']").all_inner_texts(), strict=True)) for r in rows]


@pytest.mark.slow
def test_small_sweep_shows_live_trials_and_applies_the_best_settings(page, app_url) -> None:
    goto(page, app_url, "vision?vision_tab=Train+a+CNN+on+digits", seconds=240)
    assert not exception_texts(page)
    epochs = _slider(page, "Epochs")
    epochs.focus()
    epochs.press("Home")  # 1 epoch ...
    epochs.press("ArrowRight")  # ... 2: trials train with the tab's epochs
    settle(page)
    assert epochs.get_attribute("aria-valuetext") == "2"
    page.get_by_text("Tune: let Optuna search the settings").click()
    trials = page.get_by_label("Trials")
    trials.fill("2")
    trials.press("Enter")
    settle(page)
    page.get_by_role("button", name="Start the sweep").click()
    # While the sweep still runs, the live table holds the trials that have finished.
    page.wait_for_function(LIVE_ROWS, timeout=180_000)
    settle(page, 180)
    assert not exception_texts(page)
    page.get_by_text("2 finished").first.wait_for()
    rows = _trials(page)
    assert [r["trial"] for r in rows] == ["0", "1"] and all(r["state"] == "complete" for r in rows)
    best = max(rows, key=lambda r: float(r["val_accuracy"]))
    page.get_by_role("button", name="Use the best settings").click()
    settle(page)
    assert not exception_texts(page)
    page.get_by_text("The best settings are now in the controls").wait_for()
    for param, label in SLIDERS.items():
        shown = _slider(page, label).get_attribute("aria-valuetext")
        assert float(shown) == pytest.approx(float(best[param]), abs=1e-9), (param, shown, best)
    assert epochs.get_attribute("aria-valuetext") == "2"  # not searched: left as it was
