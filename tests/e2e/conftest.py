"""End-to-end fixtures: one `streamlit run` server per test session, driven by headless Chromium.

Chromium is Debian's (/usr/bin/chromium; never `playwright install`). Without it these tests are
skipped with a reason, except in CI (`CI` set), where a missing browser is a failure.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from ui.tabs import in_browser as tab  # noqa: F401  (the tab of that name, for the tests)

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def chromium() -> str:
    if not (Path(CHROMIUM).exists() or shutil.which("chromium")):
        if os.environ.get("CI"):
            pytest.fail(f"Chromium not found at {CHROMIUM}; CI must install it (apt-get install chromium)")
        pytest.skip(f"Chromium not found at {CHROMIUM}: apt-get install -y chromium to run browser tests")
    return CHROMIUM if Path(CHROMIUM).exists() else shutil.which("chromium")


@contextlib.contextmanager
def serve(cmd: list[str], env: dict[str, str]) -> Iterator[str]:
    """Run a Streamlit server command from the project root; yields its URL once healthy, stops it after."""
    port = _free_port()
    cmd = [*cmd, "--server.port", str(port), "--server.address", "127.0.0.1", "--server.headless", "true",
           "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"]
    log = tempfile.NamedTemporaryFile(prefix="streamlit-e2e-", suffix=".log", delete=False)  # noqa: SIM115 (kept open for the server)
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(url + "/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    break
        except OSError:
            if proc.poll() is not None:
                raise RuntimeError(f"streamlit exited early; see {log.name}") from None
            time.sleep(0.3)
    else:
        proc.kill()
        raise RuntimeError(f"streamlit did not start within 60 s; see {log.name}")
    try:
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.fixture(scope="session")
def app_url(chromium) -> str:
    env = {**os.environ, "DLX_DATA_DIR": os.environ.get("DLX_DATA_DIR") or tempfile.mkdtemp(),
           "HF_HUB_OFFLINE": "1", "OMP_NUM_THREADS": "1"}
    # As `make run` starts it: ui.serve is `streamlit run app.py` plus the server-start warm-up.
    with serve([sys.executable, "-m", "ui.serve"], env) as url:
        yield url


@pytest.fixture(scope="session")
def browser(chromium):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    pg = context.new_page()
    pg.set_default_timeout(60_000)
    yield pg
    context.close()


def settle(page, seconds: float = 120) -> None:
    """Wait until the app has finished running (no 'Running…' status widget, no skeleton)."""
    page.locator("[data-testid='stApp']").wait_for(timeout=seconds * 1000)
    # On a busy machine the first run may not have started yet (no status widget either): wait until
    # the app says its script is not running and the page holds at least one element.
    page.wait_for_function(
        "() => { const app = document.querySelector(\"[data-testid='stApp']\");"
        " return app && app.getAttribute('data-test-script-state') === 'notRunning'"
        " && document.querySelector(\"[data-testid='stMain'] [data-testid='stElementContainer']\"); }",
        timeout=seconds * 1000)
    page.wait_for_timeout(400)
    deadline = time.time() + seconds
    while time.time() < deadline:
        busy = page.locator("[data-testid='stStatusWidget']").count() or page.locator(
            "[data-testid='stSkeleton']").count()
        if not busy:
            page.wait_for_timeout(400)
            if not page.locator("[data-testid='stStatusWidget']").count():
                return
        page.wait_for_timeout(250)
    raise TimeoutError(f"the app was still running after {seconds:.0f} s")


def goto(page, app_url: str, path: str = "", seconds: float = 120) -> None:
    """Open a page of the app ('' = home, 'vision', 'nlp', ...) and wait until it has drawn."""
    page.goto(f"{app_url}/{path}")
    settle(page, seconds)


def exception_texts(page) -> list[str]:
    return page.locator("[data-testid='stException']").all_inner_texts()

