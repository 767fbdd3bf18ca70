"""Vision in Chromium: upload a photo, read the top label, move the opacity slider."""

from __future__ import annotations

import pytest

from dl_core import vision
from tests.e2e.conftest import exception_texts, goto, settle

CATS = ("cat", "mau", "tabby", "tiger", "lynx")


@pytest.mark.slow
def test_upload_photo_and_read_top_label(page, app_url, tmp_path) -> None:
    photo = tmp_path / "my_cat.jpg"
    vision.example_photo("chelsea").save(photo)
    goto(page, app_url, "vision", seconds=240)
    assert not exception_texts(page)
    page.get_by_text("Upload my own").click()
    settle(page)
    page.locator("input[type=file]").first.set_input_files(str(photo))
    settle(page, 240)
    top = page.locator("[data-testid='stMarkdownContainer']", has_text="Top class:").first.inner_text()
    assert any(w in top.lower() for w in CATS), top
    slider = page.get_by_role("slider").last  # the heatmap opacity
    slider.focus()
    slider.press("ArrowRight")
    settle(page, 120)
    assert not exception_texts(page)
    assert page.locator("[data-testid='stAlertContentError']").count() == 0
