"""Every page in a real browser: it draws and shows no exception box."""

import pytest

from tests.conftest import ROOT
from tests.e2e.conftest import exception_texts, goto

PAGES = [""] + sorted(p.stem for p in (ROOT / "pages").glob("*.py") if p.stem != "home")


@pytest.mark.parametrize("path", PAGES, ids=lambda p: p or "home")
def test_page_opens_without_exception(page, app_url, path):
    goto(page, app_url, path, seconds=240)
    assert page.locator("[data-testid='stApp']").count() == 1
    assert exception_texts(page) == []
    assert page.locator("h1").count() >= 1  # every page has a title


def test_home_links_and_device_badge(page, app_url):
    goto(page, app_url, "")
    assert page.get_by_text("Computing on").count() >= 1
    assert page.get_by_text("Models on this machine").count() == 1
    # The models table is Markdown drawn as an HTML table (no grid script for a first visitor): a row per model.
    from dl_core import registry

    table = page.locator("[data-testid='stMarkdownContainer'] table").filter(has_text="efficientnet-lite0")
    assert table.locator("tbody tr").count() == len(registry.specs())
    assert table.locator("th").all_inner_texts() == ["model", "what it does", "source", "ready now", "licence",
                                                     "size (MB)"]
    assert page.locator("[data-testid='stDataFrame']").count() == 0
