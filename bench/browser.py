"""Shared pieces of the browser benchmarks: start the app on a free port, open pages in headless
Chromium (Debian's), wait until Streamlit has settled, find exception boxes, read the server's memory.

Used by bench_pages.py (first impressions) and bench_load.py (many sessions at once).
"""

from __future__ import annotations

import contextlib
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
from ui.tabs import OPTIONS_IN_BROWSER as TABS  # noqa: E402, F401  (a page's tabs)
from ui.tabs import in_browser as tab  # noqa: E402, F401  (the tab of that name)
from ui.warmup import DONE as WARMED_UP  # noqa: E402, F401  (the server's log line once its models are loaded)

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
# Every page of the app, by URL path, in menu order.
PAGES = ["", "experiments", "vision", "nlp", "generative", "clustering", "timeseries", "fraud", "recommend",
         "speech", "rl"]
BUSY = "[data-testid='stStatusWidget'], [data-testid='stSkeleton'], [data-testid='stSpinner']"
ERRORS = "[data-testid='stException']"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def app_server(script: str = "app.py", data_dir: str | None = None, env: dict | None = None,
               ready_text: str | None = None, launcher: str = "ui.serve") -> Iterator[tuple[str, int]]:
    """`streamlit run` on a free port (app.py through `make run`'s launcher, ui.serve, or another module
    that wraps it); yields (url, server pid). A fresh data folder unless given. With `ready_text` (e.g.
    WARMED_UP), also waits (up to 5 minutes) until the server's log says it."""
    port = free_port()
    data_dir = data_dir or tempfile.mkdtemp(prefix="dlx-bench-")
    # app.py starts as `make run` starts it: ui.serve also loads the shared models at once (ui/warmup.py).
    launch = [sys.executable, "-m", launcher] if script == "app.py" else [
        sys.executable, "-m", "streamlit", "run", script]
    cmd = [*launch, "--server.headless", "true", "--server.address", "127.0.0.1", "--server.port", str(port)]
    full_env = {**os.environ, "DLX_DATA_DIR": data_dir, "HF_HUB_OFFLINE": "1", **(env or {})}
    log = open(Path(data_dir) / "server.log", "w")  # noqa: SIM115 (closed below)
    proc = subprocess.Popen(cmd, cwd=ROOT, env=full_env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                with urllib.request.urlopen(url + "/_stcore/health", timeout=2):
                    break
            except OSError:
                time.sleep(0.3)
        else:
            raise SystemExit(f"the app did not start; see {log.name}")
        deadline = time.time() + 300
        while ready_text and ready_text not in Path(log.name).read_text() and time.time() < deadline:
            time.sleep(0.3)
        yield url, proc.pid
    finally:
        proc.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(10)
        proc.kill()
        log.close()


def rss_mb(pid: int) -> tuple[float, float]:
    """(current, peak) resident memory of a process in MB, from /proc."""
    fields = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            key, _, rest = line.partition(":")
            fields[key] = rest
    return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024


async def settle(page, timeout: float = 120.0) -> float:
    """Wait until the app stops running (no status widget, skeleton or spinner for 0.4 s); returns
    the `time.perf_counter()` moment the quiet began."""
    return (await settle_paused(page, timeout))[0]


async def run_action(page, key: str, timeout: float = 600.0) -> None:
    """Click the button with widget key `key` (a page's main action: a training, an analysis) and wait
    until the page is quiet again (a training: until it ends)."""
    await page.locator(f".st-key-{key} button").click()
    await page.wait_for_timeout(500)  # let the run start before waiting for the quiet after it
    await settle(page, timeout)


WATCH_CHANGES = """() => {
  if (window.__dlxChange) return;
  window.__dlxChange = {t: performance.now()};
  new MutationObserver(() => { window.__dlxChange.t = performance.now(); })
    .observe(document.querySelector("[data-testid='stMain']"),
             {subtree: true, childList: true, characterData: true, attributes: true});
}"""


async def settle_paused(page, timeout: float = 120.0, paused_by: str | None = None,
                        ceiling: float = 3600.0) -> tuple[float, float]:
    """`settle` for a page that may be busy for long, as a person would judge it: with `paused_by` (a
    training queue's "waiting for a slot" text) the page counts as stuck only after `timeout` seconds in
    which it neither changed (a live curve, a progress bar moving) nor showed that text, and `ceiling`
    bounds the whole wait. Returns (the moment the quiet began, seconds spent showing `paused_by`)."""
    t0 = time.perf_counter()
    await page.locator("[data-testid='stApp']").wait_for(timeout=timeout * 1000)
    if paused_by is None:
        # A first visit may not have started its script run yet (no busy indicator either, which read as
        # "settled" after ~1 s on a cold server): wait until the app says its script is not running and
        # the page holds at least one element. (With `paused_by`, a page already shown is awaited.)
        await page.wait_for_function(
            "() => { const app = document.querySelector(\"[data-testid='stApp']\");"
            " return app && app.getAttribute('data-test-script-state') === 'notRunning'"
            " && document.querySelector(\"[data-testid='stMain'] [data-testid='stElementContainer']\"); }",
            timeout=timeout * 1000)
    else:
        await page.evaluate(WATCH_CHANGES)
    await page.wait_for_timeout(250)
    quiet_since, paused, stuck, last = None, 0.0, 0.0, time.perf_counter()
    while (now := time.perf_counter()) - t0 < ceiling:
        if paused_by is None:
            stuck = now - t0
        else:
            waiting = await page.get_by_text(paused_by).count()
            unchanged = await page.evaluate("() => (performance.now() - window.__dlxChange.t) / 1000")
            if waiting:
                paused += now - last
            stuck = 0.0 if waiting else min(unchanged, stuck + (now - last))
        last = now
        if stuck >= timeout:
            break
        busy = await page.locator(BUSY).count()
        if busy:
            quiet_since = None
        elif quiet_since is None:
            quiet_since = time.perf_counter()
        elif time.perf_counter() - quiet_since >= 0.4:
            return quiet_since, paused
        await page.wait_for_timeout(50 if paused_by is None else 200)
    what = "did not settle" if paused_by is None else "showed no change"
    raise TimeoutError(f"the page {what} within {timeout:.0f} s" if stuck >= timeout
                       else f"the page was still busy after {ceiling:.0f} s")


async def exceptions(page) -> list[str]:
    texts = await page.locator(ERRORS).all_inner_texts()
    incidents = await page.get_by_text("Something went wrong on our side").all_inner_texts()
    return [t[:200] for t in texts + incidents]


def percentile(values: list[float], q: float) -> float:
    import numpy as np

    return float(np.percentile(values, q)) if values else float("nan")


WATCH_RUNS = """() => {
  const app = document.querySelector("[data-testid='stApp']");
  window.__dlxRuns = [];
  window.__dlxWs = [];
  window.__dlxInput = null;
  if (!window.__dlxObserver) {
    // A run's end, then the browser's first idle moment after it: Plotly draws a changed chart after the
    // run has ended (asynchronously), so the end alone left out most of that chart's drawing.
    // One callback can bring several changes (a quick run: running, then notRunning): each record's old
    // value is the state its change ended, so a run is seen even when it is over by the callback.
    window.__dlxObserver = new MutationObserver((records) => {
      const now = performance.now();
      for (const r of records.slice(1)) window.__dlxRuns.push([r.oldValue, now]);
      const state = app.getAttribute("data-test-script-state");
      window.__dlxRuns.push([state, now]);
      if (state !== "running") {
        const runs = window.__dlxRuns;
        requestIdleCallback(() => runs.push(["idle", performance.now()]));
      }
    });
    window.__dlxObserver.observe(app, {attributes: true, attributeOldValue: true,
                                       attributeFilter: ["data-test-script-state"]});
    // The app's own messages: a run's request goes out on its WebSocket and the run comes back on it.
    // A quick run's messages often arrive in one task and React draws them in one commit, so the state
    // attribute above never shows "running" (7 of 10 steps of a bare fragment page): the messages do.
    // The socket is found at its first send (the page had opened it before this was installed).
    const send = WebSocket.prototype.send;
    WebSocket.prototype.send = function (data) {
      window.__dlxWs.push(["out", performance.now()]);
      if (!this.__dlxWatched) {
        this.__dlxWatched = true;
        this.addEventListener("message", () => {
          const log = window.__dlxWs;
          log.push(["in", performance.now()]);
          requestIdleCallback(() => log.push(["idle", performance.now()]));
          // A run that changes nothing on screen asks for no frame, and headless Chromium then reported
          // no idle moment for over a minute (steps "not timed" after a training): ask for one.
          requestAnimationFrame(() => {});
        });
      }
      return send.call(this, data);
    };
    for (const kind of ["keydown", "pointerdown"]) {
      document.addEventListener(kind, () => { if (window.__dlxInput === null) window.__dlxInput = performance.now(); },
                                {capture: true});
    }
  }
}"""

QUIET_MS = 300  # a run is over once the app says so and no message has come for this long
# How often the harness asks the page (times are read from the page's own events, so this sets only how
# soon the harness notices; every frame, as Playwright polls by default, took CPU from the run it timed).
POLL_MS = 50

# The moment the browser was idle after the last message of the run (and after the state attribute's end,
# when it showed one), or null while the run may go on.
RUN_END = """(quiet) => {
  const app = document.querySelector("[data-testid='stApp']");
  if (app.getAttribute("data-test-script-state") === "running") return null;
  const ws = window.__dlxWs, runs = window.__dlxRuns;
  let last = -1;
  for (let i = 0; i < ws.length; i++) if (ws[i][0] === "in") last = i;
  if (last < 0 || performance.now() - ws[last][1] < quiet) return null;
  const idle = ws.slice(last).find((e) => e[0] === "idle");
  if (!idle) return null;
  if (runs.length && runs.slice(-1)[0][0] !== "idle") return null;
  return Math.max(idle[1], runs.length ? runs.slice(-1)[0][1] : 0);
}"""


# What the page saw of the last step (ms after the input): the state attribute's changes, the messages'
# kinds (the last 12) and the app's state now.
STEP_LOGS = """() => {
  const t0 = window.__dlxInput || 0, at = (e) => [e[0], Math.round(e[1] - t0)];
  return {runs: window.__dlxRuns.map(at), ws: window.__dlxWs.slice(-12).map(at), messages: window.__dlxWs.length,
          state: document.querySelector("[data-testid='stApp']").getAttribute("data-test-script-state")};
}"""


async def run_started(page, within: float) -> bool:
    """Whether a script run started (since the last `WATCH_RUNS`) within `within` seconds: the app showed
    it as running, or answered a message it sent."""
    from playwright.async_api import TimeoutError as PlaywrightTimeout

    try:
        await page.wait_for_function(
            "() => window.__dlxRuns.some(r => r[0] === 'running') || "
            "(window.__dlxWs.some(e => e[0] === 'out') && window.__dlxWs.some(e => e[0] === 'in'))",
            timeout=within * 1000, polling=POLL_MS)
    except PlaywrightTimeout:
        return False
    return True


async def timed_rerun(page, action, timeout: float = 60.0, start_within: float = 10.0) -> float | None:
    """Seconds from the input event `await action()` caused (a key press, a click, as the page saw it)
    until the script run it started has finished and the browser is idle after it (requestIdleCallback:
    what the run changed is drawn, charts included), both read in the browser, so the harness's own
    command latency is not counted; None when the action started no run within `start_within` seconds (a
    slider already at its end). A run is seen by the app's WebSocket messages (a request out, the run
    back) as well as by its `data-test-script-state` attribute, which a quick run never changes; its end
    is the first idle moment after its last message once none has come for `QUIET_MS` (the wait is not
    counted)."""
    await page.evaluate(WATCH_RUNS)
    before = await page.evaluate("() => performance.now()")
    await action()
    if not await run_started(page, start_within):
        return None
    end = await page.wait_for_function(RUN_END, arg=QUIET_MS, timeout=timeout * 1000, polling=POLL_MS)
    start = await page.evaluate("() => window.__dlxInput")
    return (await end.json_value() - (start if start is not None else before)) / 1000


async def slider_reruns(page, slider, repeats: int, timeout: float = 60.0) -> tuple[list[float], int]:
    """(seconds of each rerun, runs missed) for `repeats` one-step moves of `slider`, right then left (or
    left then right when the first step right starts no run: a slider at its maximum), each timed by
    `timed_rerun`. A step that started no run within 10 s, or whose run's end was not seen within
    `timeout`, is counted as missed and left out.
    (Before `WATCH_RUNS` read the app's messages, the quickest runs were missed this way: the state
    attribute never showed them, so the medians left out the fastest steps.)"""
    from playwright.async_api import TimeoutError as PlaywrightTimeout

    async def step(key: str) -> float | None:
        try:
            return await timed_rerun(page, lambda: page.keyboard.press(key), timeout)
        except PlaywrightTimeout:  # said apart from "no run started", which is also counted as missed
            logs = await page.evaluate(STEP_LOGS)
            print(f"  (a step's run started but its end was not seen within {timeout:.0f} s: {logs})", file=sys.stderr)
            return None

    times, missed, keys = [], 0, ("ArrowRight", "ArrowLeft")
    for i in range(repeats):
        await slider.focus()
        seconds = await step(keys[i % 2])
        if seconds is None and i == 0:
            keys = keys[::-1]
            seconds = await step(keys[0])
        if seconds is None:
            missed += 1
        else:
            times.append(seconds)
        await settle(page, max(timeout, 120))
    return times, missed


async def median_rerun(page, slider, repeats: int) -> tuple[float, int]:
    """(median seconds, runs missed) of `slider_reruns`."""
    times, missed = await slider_reruns(page, slider, repeats, 15)
    return (statistics.median(times) if times else float("nan")), missed


BARE = """import streamlit as st
st.title("bare")
st.slider("one", 0, 10, 5, key="one")
@st.fragment
def part():
    st.slider("two", 0, 10, 5, key="two")
part()
"""


def bare_script() -> str:
    path = Path(tempfile.mkdtemp(prefix="dlx-bare-")) / "bare.py"
    path.write_text(BARE)
    return str(path)


async def bare_timings(url: str, repeats: int) -> dict:
    """A bare Streamlit page's slider rerun (whole page, and in a fragment), timed the same way in the
    same run: what Streamlit itself costs on this machine now."""
    from playwright.async_api import async_playwright

    out = {}
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        page = await (await browser.new_context(viewport={"width": 1400, "height": 1000})).new_page()
        await page.goto(url, wait_until="domcontentloaded")
        await settle(page, 120)
        for name, index in (("whole_page", 0), ("fragment", 1)):
            out[name], missed = await median_rerun(page, page.get_by_role("slider").nth(index), repeats)
            out["missed"] = out.get("missed", 0) + missed
        await browser.close()
    return out


def bare_now(repeats: int = 9) -> dict:
    """`bare_timings` on a server of its own: what Streamlit alone costs on this machine at this moment.
    The sweeps print it before and after themselves: the same code's medians moved 20-70 ms between hours
    (issue 13), and this says whether the hour, rather than the code, was slow."""
    import asyncio

    with app_server(script=bare_script()) as (url, _):
        return asyncio.run(bare_timings(url, repeats))
