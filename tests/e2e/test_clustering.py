"""Clustering page in Chromium: upload a CSV of three groups, see the clusters and their scores."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from tests.e2e.conftest import exception_texts, goto, settle, tab


def _metric(page, label: str) -> str:
    box = page.locator("[data-testid='stMetric']").filter(has_text=label).first
    return box.locator("[data-testid='stMetricValue']").inner_text().strip()


@pytest.mark.slow
def test_upload_csv_and_see_clusters(page, app_url, tmp_path):
    rng = np.random.default_rng(1)
    centres = np.array([[0, 0, 0], [8, 8, 0], [0, 8, 8]])
    X = np.concatenate([c + rng.normal(0, 0.7, (40, 3)) for c in centres])
    frame = pd.DataFrame(X, columns=["height", "width", "depth"])
    frame["kind"] = np.repeat(["a", "b", "c"], 40)
    path = tmp_path / "shapes.csv"
    frame.to_csv(path, index=False)

    goto(page, app_url, "clustering", seconds=240)  # the first visit on a data folder fits the default grid
    # The grid: one picture of the 72 panels.
    grid = page.locator("[data-testid='stImage'] img").first
    grid.wait_for(timeout=180_000)
    assert grid.evaluate("img => img.decode().then(() => img.naturalWidth)") > 1400  # sent as drawn, not resized
    # Tabs are lazy (only the open one runs, ui/tabs.py): a setting made in one survives the others' reruns,
    # fragment reruns of the table tab included.
    _open_tab(page, "Deep clustering (digits)")
    epochs = page.get_by_role("slider", name="epochs")
    epochs.focus()
    page.keyboard.press("ArrowRight")
    settle(page)
    assert epochs.input_value() == "45"
    _open_tab(page, "Your table (CSV)")
    page.locator("input[type=file]").first.set_input_files(str(path))
    settle(page)
    page.get_by_text("shapes.csv").first.wait_for()
    settle(page)
    assert _metric(page, "clusters found") == "3"
    # No label column chosen yet on a new file: pick "kind" to score against it.
    assert _metric(page, "ARI vs label") == "–"
    page.get_by_label("label column (optional: scores ARI/NMI, never used as a feature)").click()
    page.get_by_role("option", name="kind").click()
    settle(page)
    assert float(_metric(page, "ARI vs label")) > 0.95
    k = page.get_by_role("slider", name="k (clusters)")
    k.focus()
    page.keyboard.press("ArrowRight")
    settle(page)
    assert _metric(page, "clusters found") == "4"
    scores = _metric(page, "ARI vs label"), _metric(page, "NMI vs label")
    assert page.get_by_role("button", name="Download the CSV with a cluster column").is_visible()
    assert not exception_texts(page)

    _open_tab(page, "Deep clustering (digits)")
    assert page.get_by_role("slider", name="epochs").input_value() == "45"
    _open_tab(page, "Your table (CSV)")  # the upload is kept (an uploader cannot be refilled), with its settings
    assert page.get_by_role("button", name=re.compile("Using shapes.csv")).is_visible()
    assert _metric(page, "clusters found") == "4"
    assert (_metric(page, "ARI vs label"), _metric(page, "NMI vs label")) == scores  # label column "kind" too
    assert not exception_texts(page)


def _open_tab(page, name: str) -> None:
    tab(page, name).click()
    settle(page)
