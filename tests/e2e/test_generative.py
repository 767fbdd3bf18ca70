"""The generative page in Chromium: faces follow the seed; the GAN lab trains on an uploaded CSV and
its replay slider is there as soon as training ends (no Stop button left behind)."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import exception_texts, goto, settle, tab


@pytest.mark.slow
def test_faces_appear_and_follow_the_seed(page, app_url):
    goto(page, app_url, "generative")
    page.get_by_text("16 faces from seed 0").wait_for()
    first = page.locator("[data-testid='stImage'] img").first.get_attribute("src")
    seed = page.get_by_label("Seed", exact=True).first
    seed.fill("7")
    seed.press("Enter")
    settle(page)
    page.get_by_text("16 faces from seed 7").wait_for()
    assert page.locator("[data-testid='stImage'] img").first.get_attribute("src") != first
    assert not exception_texts(page)


@pytest.mark.slow
def test_gan_lab_trains_on_an_upload_and_replays_at_once(page, app_url, tmp_path):
    points = tmp_path / "points.csv"
    points.write_text("x,y\n" + "\n".join(f"{i % 10},{(i * 3) % 11}" for i in range(60)))
    goto(page, app_url, "generative")
    tab(page, "GAN lab (2-D)").click()
    page.locator("[data-testid='stSelectbox']:visible").filter(has_text="Real data").click()
    page.get_by_role("option", name="upload a CSV").click()
    settle(page)
    page.locator("input[type=file]").set_input_files(str(points))  # the page's only uploader
    settle(page)
    epochs = page.locator("[data-testid='stSlider']:visible").filter(has_text="Epochs").get_by_role("slider")
    epochs.focus()
    epochs.press("Home")
    epochs.press("ArrowRight")  # 2 epochs
    settle(page)
    page.get_by_role("button", name="Train the GAN").click()
    page.get_by_text("Coverage:").wait_for(timeout=300_000)
    settle(page)
    assert page.get_by_role("button", name="Stop training").count() == 0  # gone once training ended
    replay = page.locator("[data-testid='stSlider']:visible").filter(has_text="Show epoch")
    assert replay.locator("[data-testid='stSliderThumbValue']").inner_text() == "2"  # there at once, last epoch
    # The replay's chart (ECharts, a canvas) says which epoch it draws in its aria-label.
    page.locator("[data-testid='stEChartsChart'][aria-label*='Epoch 2: ']").wait_for()
    replay = replay.get_by_role("slider")
    replay.focus()
    replay.press("ArrowLeft")
    page.locator("[data-testid='stEChartsChart'][aria-label*='Epoch 1: ']").wait_for()
    assert not exception_texts(page)
