"""A fresh server whose first visitor opens a page by URL still gets app.py's shell."""

import os
import subprocess
import sys

from tests.conftest import ROOT
from tests.e2e.conftest import _free_port, exception_texts, settle


def test_first_visit_to_a_page_url_uses_the_app_shell(browser, tmp_path):
    import time
    import urllib.request

    port = _free_port()
    env = {**os.environ, "DLX_DATA_DIR": str(tmp_path)}
    proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"), "--server.port",
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
        assert "Home" in nav and "Start" in nav, nav  # app.py's grouped menu, not raw script names
        assert "experiments\n" not in nav.lower().replace("experiments\n\n", "")  # no v1 'experiments' entry
        assert exception_texts(page) == []
        page.close()
    finally:
        proc.terminate()
        proc.wait(timeout=20)
