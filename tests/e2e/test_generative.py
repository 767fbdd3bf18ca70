"""The generative page in Chromium: faces appear, a new seed draws new faces, no exception box."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import exception_texts, goto, settle


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
