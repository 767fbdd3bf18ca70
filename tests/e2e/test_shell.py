"""A fresh server whose first visitor opens a page by URL still gets app.py's shell."""

import os
import subprocess
import sys

import pytest

from tests.conftest import ROOT
from tests.e2e.conftest import _free_port, exception_texts, settle

# `streamlit run app.py`, and `make run`'s launcher, which imports ui (and so its guard) before the
# server starts; its warm-up is off here (it would only add load), the early import is what matters.
LAUNCHERS = {"streamlit run": ["-m", "streamlit", "run", str(ROOT / "app.py")], "ui.serve": ["-m", "ui.serve"]}


@pytest.mark.parametrize("launcher", LAUNCHERS)
def test_first_visit_to_a_page_url_uses_the_app_shell(browser, tmp_path, launcher):
    import time
    import urllib.request

    port = _free_port()
    env = {**os.environ, "DLX_DATA_DIR": str(tmp_path), "DLX_WARMUP": "0"}
    proc = subprocess.Popen([sys.executable, *LAUNCHERS[launcher], "--server.port",
                             str(port), "--server.address", "127.0.0.1", "--server.headless", "true"],
                            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        url = f"http://127.0.0.1:{port}"
        for _ in range(200):
            try:
                urllib.request.urlopen(url + "/_stcore/health", timeout=2)
                break
            except OSError:
                time.sleep(0.3)
        page = browser.new_page()
        page.goto(url + "/experiments")  # the very first session of this server
        settle(page)
        page.get_by_role("heading", name="Experiments").first.wait_for()
        nav = " ".join(page.locator("[data-testid='stSidebarNav']").all_inner_texts())
        entries = [line.strip() for line in nav.splitlines() if line.strip()]
        assert "Home" in entries and "Start" in entries, entries  # app.py's grouped menu...
        assert "app" not in entries, entries  # ...not Streamlit's list of script names ("app", "experiments", ...)
        assert exception_texts(page) == []
        page.close()
    finally:
        proc.terminate()
        proc.wait(timeout=20)
