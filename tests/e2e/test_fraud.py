"""Fraud page in Chromium: upload a labelled CSV, train, move the threshold, read the confusion counts."""

from __future__ import annotations

import re

import pytest

from dl_core import fraud
from tests.e2e.conftest import exception_texts, goto, settle, tab


def _metric(page, label: str) -> int:
    box = page.locator("[data-testid='stMetric']").filter(has_text=label).first
    return int(box.locator("[data-testid='stMetricValue']").inner_text().replace(",", ""))


def _cell(page, name: str) -> int:
    """A count of the threshold tab's confusion matrix (ui/fraud/charts.confusion_html), as drawn."""
    return int(page.locator(f"[data-cell='{name}'] b").inner_text().replace(",", ""))


@pytest.mark.slow
def test_upload_train_and_move_threshold(page, app_url, tmp_path):
    csv = tmp_path / "transactions.csv"
    fraud.generate(fraud.GeneratorConfig(rows=2_500, fraud_rate=0.04, difficulty=0.3, seed=5)).to_csv(csv, index=False)
    goto(page, app_url, "fraud")
    page.get_by_text("My labelled CSV").click()
    settle(page)
    page.locator("input[type=file]").first.set_input_files(str(csv))
    settle(page)
    # The upload reruns step 1 (a fragment), which then reruns the page (step 1 had stopped it): wait for it.
    page.get_by_text("Label column detected: 'is_fraud'").first.wait_for(timeout=60_000)
    assert page.get_by_text("up to 50 MB").count()  # the server's real upload limit
    page.get_by_role("button", name=re.compile("Train models")).click()
    settle(page, 240)
    assert not exception_texts(page)
    tab(page, "Threshold and cost").click()
    settle(page)  # a lazy tab (ui/tabs.py): the click reruns the page
    page.get_by_text("Caught").first.wait_for(timeout=60_000)
    before = _cell(page, "False alarms") + _cell(page, "Caught")
    slider = page.locator("[data-testid='stSlider']").filter(has_text="Threshold").get_by_role("slider")
    slider.focus()
    for _ in range(3):
        slider.press("PageDown")  # lower threshold -> more transactions flagged
    settle(page)
    after = _cell(page, "False alarms") + _cell(page, "Caught")
    assert after >= before
    caught, missed = _cell(page, "Caught"), _cell(page, "Missed")
    assert caught + missed == 20  # 500 test rows at 4 % fraud
    assert not exception_texts(page)


@pytest.mark.slow
def test_data_sliders_redraw_step_one_alone_until_results_depend_on_them(page, app_url):
    """Step 1 is a fragment before any training (ui/fragments.py): a data slider updates its own metrics,
    and a stop in it stops the page; once results are on the page, the same slider reruns the page, so the
    results say they are stale."""
    goto(page, app_url, "fraud")
    train = page.get_by_role("button", name=re.compile("Train models"))
    # A step-1 control that stops the page (no CSV uploaded yet) stops all of it, also from a fragment
    # rerun; the next step-1 change that gets through brings step 2 back (fragments.stop).
    page.get_by_text("My labelled CSV").click()
    settle(page)
    assert page.get_by_text("Upload a CSV with a label column").count() and not train.count()
    page.get_by_text("Synthetic (generated here)").click()
    settle(page)
    train.wait_for(timeout=60_000)  # step 1's fragment rerun, then the full run it starts
    settle(page)
    assert train.count() == 1
    rows = page.locator("[data-testid='stSlider']").filter(has_text="Transactions").get_by_role("slider")
    rows.focus()
    rows.press("Home")  # 2,000 rows: trains in seconds
    settle(page)
    assert _metric(page, "Rows") == 2_000
    train.click()
    settle(page, 240)
    assert not exception_texts(page)
    stale = page.get_by_text("The data settings changed since training")
    assert not stale.count()
    rows.focus()
    rows.press("ArrowRight")
    settle(page)
    assert _metric(page, "Rows") == 3_000 and stale.count() == 1
    assert not exception_texts(page)
