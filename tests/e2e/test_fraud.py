"""Fraud page in Chromium: upload a labelled CSV, train, move the threshold, read the confusion counts."""

from __future__ import annotations

import re

import pytest

from dl_core import fraud
from tests.e2e.conftest import exception_texts, goto, settle


def _metric(page, label: str) -> int:
    box = page.locator("[data-testid='stMetric']").filter(has_text=label).first
    return int(box.locator("[data-testid='stMetricValue']").inner_text().replace(",", ""))


@pytest.mark.slow
def test_upload_train_and_move_threshold(page, app_url, tmp_path):
    csv = tmp_path / "transactions.csv"
    fraud.generate(fraud.GeneratorConfig(rows=2_500, fraud_rate=0.04, difficulty=0.3, seed=5)).to_csv(csv, index=False)
    goto(page, app_url, "fraud")
    page.get_by_text("My labelled CSV").click()
    settle(page)
    page.locator("input[type=file]").first.set_input_files(str(csv))
    settle(page)
    assert page.get_by_text("Label column detected: 'is_fraud'").count()
    assert page.get_by_text("up to 50 MB").count()  # the server's real upload limit
    page.get_by_role("button", name=re.compile("Train models")).click()
    settle(page, 240)
    assert not exception_texts(page)
    page.get_by_role("tab", name="Threshold and cost").click()
    before = _metric(page, "False alarms") + _metric(page, "Caught")
    slider = page.locator("[data-testid='stSlider']").filter(has_text="Threshold").get_by_role("slider")
    slider.focus()
    for _ in range(3):
        slider.press("PageDown")  # lower threshold -> more transactions flagged
    settle(page)
    after = _metric(page, "False alarms") + _metric(page, "Caught")
    assert after >= before
    caught, missed = _metric(page, "Caught"), _metric(page, "Missed")
    assert caught + missed == 20  # 500 test rows at 4 % fraud
    assert not exception_texts(page)
