"""In Chromium: upload a CSV on the time-series page, train, and read the backtest metrics table."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from tests.e2e.conftest import exception_texts, goto, settle

ECHARTS, PLOTLY = "[data-testid='stEChartsChart']", "[data-testid='stPlotlyChart']"


@pytest.mark.slow
def test_upload_csv_train_and_read_metrics(page, app_url, tmp_path):
    t = np.arange(96)
    y = 50 + 0.3 * t + 8 * np.sin(2 * np.pi * t / 12) + np.random.default_rng(0).normal(0, 0.5, 96)
    frame = pd.DataFrame({"date": pd.date_range("2016-01-01", periods=96, freq="MS").strftime("%Y-%m-%d"),
                          "visitors": y.round(2)})
    frame = frame.sample(frac=1, random_state=1)  # unsorted rows: the page sorts them and says so
    path = tmp_path / "visitors.csv"
    frame.to_csv(path, index=False)

    goto(page, app_url, "timeseries")
    # Issue 13: the first open draws the series with ECharts; no Plotly chart (its 4.7 MB script) before a click.
    assert page.locator(ECHARTS).count() == 1 and page.locator(PLOTLY).count() == 0
    # ECharts describes the chart (its title, the first points) in the element's aria-label.
    assert "Monthly airline passengers" in page.locator(ECHARTS).get_attribute("aria-label")
    page.get_by_text("Upload a CSV").click()
    settle(page)
    page.locator("input[type=file]").set_input_files(str(path))
    settle(page)
    assert page.get_by_text("sorted by time").count() >= 1
    assert '"visitors.csv: 96 points"' in page.locator(ECHARTS).get_attribute("aria-label")  # redrawn with the file
    page.get_by_role("button", name="Train and backtest").click()
    settle(page, 240)
    table = page.locator("[data-testid='stTable']").first
    table.wait_for()
    text = table.inner_text()
    for name in ("lstm", "seasonal_naive", "naive", "linear_ar", "ets"):
        assert name in text
    assert "mase" in text.lower()
    assert not exception_texts(page)


@pytest.mark.slow
def test_the_notice_follows_a_network_setting_that_reruns_alone(page, app_url):
    """Issue 13: after a training each "Network and training" widget reruns alone (a fragment of its own) and
    rewrites the one notice above the results (an st.empty outside its fragment): a step away from the trained
    value says the results are of earlier settings, the step back says they are of these; never two notices."""
    goto(page, app_url, "timeseries")
    page.get_by_role("button", name="Train and backtest").click()
    settle(page, 240)
    page.get_by_text("Network and training").click()
    settle(page)
    same, changed = "results below are of these data and settings", "changed since training"

    def notices() -> list[str]:
        alerts = page.locator("[data-testid='stAlert']")
        return alerts.filter(has_text=re.compile(f"{same}|{changed}")).all_inner_texts()

    assert len(notices()) == 1 and same in notices()[0]
    slider = page.get_by_role("slider", name="Hidden size")
    for key, expected in (("ArrowRight", changed), ("ArrowLeft", same), ("ArrowLeft", changed)):
        slider.focus()
        page.keyboard.press(key)
        settle(page)
        assert len(notices()) == 1 and expected in notices()[0], (key, notices())
    assert not exception_texts(page)
