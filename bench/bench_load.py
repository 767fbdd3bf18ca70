"""Many people, one server: N concurrent Chromium sessions go through every page's default action.

    .venv/bin/python bench/bench_load.py                 # 8 sessions
    .venv/bin/python bench/bench_load.py --sessions 30   # a class

Starts the app on a free port with a fresh data folder, runs the scenario once with 1 session (the
baseline) and then with N sessions at the same moment, and prints per page the p50/p95 time from
opening the page to its result (page settled, main button clicked, settled again) for N sessions
against 1 session, the errors seen (exception boxes, incident messages, or a page that got stuck
(see below): must be 0), and the server's peak resident memory. Trainings started by the sessions
go through the training queue: time a page spends saying it waits for a training slot is part of its
time to result, and is printed on its own (queue p95). After the click, a page is stuck (an error) when
for --timeout seconds it neither changed (live curves, progress bars) nor said it waits for a slot;
--ceiling bounds a visit's whole wait.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import threading
import time
import urllib.request
from dataclasses import dataclass, field

from browser import (
    CHROMIUM,
    CHROMIUM_ARGS,
    PAGES,
    WARMED_UP,
    app_server,
    exceptions,
    percentile,
    rss_mb,
    settle,
    settle_paused,
    tab,
)

# The page's main action: (the tab it is on, or None for the first; the label of the button a
# first-time visitor would press), or None where the page shows its answer on opening (vision
# classifies an example photo, clustering draws its grid). Pages not listed click the first visible
# primary button.
ACTIONS: dict[str, tuple[str | None, str] | None] = {
    "": None, "experiments": None, "vision": None, "clustering": None,
    "generative": ("Diffusion on digits", "Generate digits"), "recommend": ("Train & compare", "Train"),
    "speech": ("Transcribe", "Transcribe")}
WAITING = "Waiting for a free training slot"  # ui.training.waiting_text, shown while queued
# Where a page shows its answer piece by piece: what appears first (speech: Whisper's transcript, drawn
# while pocketsphinx still listens). "answer 1" is the click until one more of these is on the page.
FIRST_ANSWER = {"speech": "[data-testid='stMain'] blockquote",
                "nlp": "[data-testid='stMain'] [data-testid='stMetric']"}


@dataclass
class Visit:
    path: str
    seconds: float | None = None  # opening the page until its main action's result (None: failed)
    opened: float | None = None  # opening the page until the browser has its HTML (domcontentloaded)
    click: float | None = None  # the main button's click until its result (queue wait included)
    answer: float | None = None  # the click until the first part of the result (FIRST_ANSWER)
    queued: float = 0.0  # of which waiting for a training slot
    button: str = ""
    errors: list[str] = field(default_factory=list)


async def visit(browser, url: str, path: str, timeout: float, ceiling: float) -> Visit:
    out = Visit(path)
    context = await browser.new_context(viewport={"width": 1400, "height": 1000})
    page = await context.new_page()
    t0 = time.perf_counter()
    try:
        # The same patience as for a page that is busy (--timeout), not Playwright's 30 s: how long opening
        # took is printed (open p95), so a slow open is seen without ending the visit as an error.
        await page.goto(f"{url}/{path}", wait_until="domcontentloaded", timeout=timeout * 1000)
        out.opened = time.perf_counter() - t0
        await settle(page, timeout)
        action = ACTIONS.get(path, (None, ""))
        tab_name, label = action if action else (None, "")
        if tab_name:
            await tab(page, tab_name).click()
            await page.wait_for_timeout(300)
            await settle(page, timeout)
        # A button's accessible name starts with its icon's name ("play_arrow Train"): match the end.
        button = (page.get_by_role("button", name=re.compile(rf"(^|\s){re.escape(label)}$")).first if label
                  else page.locator("[data-testid='stBaseButton-primary']:visible").first)
        if action is not None and await button.count():
            out.button = label or (await button.inner_text()).strip().splitlines()[-1]
            first = page.locator(FIRST_ANSWER.get(path, ":not(*)"))
            before = await first.count()
            clicked = time.perf_counter()
            await button.click()
            if path in FIRST_ANSWER:
                while await first.count() <= before and time.perf_counter() - clicked < ceiling:
                    await page.wait_for_timeout(50)
                out.answer = time.perf_counter() - clicked
            await page.wait_for_timeout(300)
            quiet, out.queued = await settle_paused(page, timeout, paused_by=WAITING, ceiling=ceiling)
            out.click = quiet - clicked
        out.seconds = time.perf_counter() - t0
        out.errors += await exceptions(page)
    except Exception as exc:  # a timeout is an error of the app under load, not of the bench
        out.errors.append(f"{type(exc).__name__}: {exc}"[:200])
    finally:
        await context.close()
    return out


async def scenario(url: str, pages: list[str], sessions: int, timeout: float, ceiling: float) -> list[Visit]:
    from playwright.async_api import async_playwright

    visits: list[Visit] = []
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)

        async def one_session(i: int) -> None:
            order = pages[i % len(pages):] + pages[: i % len(pages)]  # not all on the same page at once
            for path in order:
                visits.append(await visit(browser, url, path, timeout, ceiling))

        await asyncio.gather(*(one_session(i) for i in range(sessions)))
        await browser.close()
    return visits


class Probe(threading.Thread):
    """Fetches the app's HTML every second while the sessions run: how long the server itself takes to answer
    (its event loop, shared with every session's messages and the script threads' GIL). A slow page open with
    a quick probe is the browsers' side of the bench (8 renderers on the same cores), not the server."""

    def __init__(self, url: str) -> None:
        super().__init__(daemon=True)
        self.url, self.stop, self.seconds = url, threading.Event(), []

    def run(self) -> None:
        while not self.stop.wait(1.0):
            t0 = time.perf_counter()
            try:
                with urllib.request.urlopen(self.url + "/", timeout=300) as response:
                    response.read()
            except OSError:
                continue
            self.seconds.append(time.perf_counter() - t0)


def column(visits: list[Visit], path: str, attr: str) -> list[float]:
    return [getattr(v, attr) for v in visits if v.path == path and getattr(v, attr) is not None]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sessions", type=int, default=8)
    ap.add_argument("--timeout", type=float, default=300,
                    help="seconds a page may show no change while busy (not counting its wait in the training "
                         "queue) before it counts as stuck: an error")
    ap.add_argument("--ceiling", type=float, default=3600, help="seconds a visit may take in all")
    ap.add_argument("--data-dir", default=None, help="a data folder (e.g. one `prepare` filled)")
    ap.add_argument("--page", action="append", default=[], help="only these pages (URL paths)")
    ap.add_argument("--after-warmup", action="store_true",
                    help="open the first page once the server's start-up warm-up is done (ui/warmup.py), "
                         "as a class arriving after the teacher started the server; default: at once")
    args = ap.parse_args()
    pages = args.page or PAGES
    with app_server(data_dir=args.data_dir, ready_text=WARMED_UP if args.after_warmup else None) as (url, pid):
        base = asyncio.run(scenario(url, pages, 1, args.timeout, args.ceiling))  # also warms the server up
        after_one, _ = rss_mb(pid)
        t0 = time.perf_counter()
        probe = Probe(url)
        probe.start()
        load = asyncio.run(scenario(url, pages, args.sessions, args.timeout, args.ceiling))
        probe.stop.set()
        wall = time.perf_counter() - t0
        _, peak = rss_mb(pid)
    print(f"{args.sessions} concurrent sessions, every page, its main action; wall {wall:.0f} s; "
          f"server RSS after 1 session {after_one:.0f} MB, peak with {args.sessions} {peak:.0f} MB "
          f"(~{(peak - after_one) / args.sessions:.0f} MB a session above the shared models)")
    print(f"{'page':<12} {'answer 1':>8} {'click 1':>7} {'p50 1':>7} {'p95 1':>7} {'p50 N':>7} {'p95 N':>7} {'N/1':>5} "
          f"{'queue p95':>9} {'open p95 N':>10} {'errors':>6}  main button")
    total_errors = 0
    for path in pages:
        b, n = column(base, path, "seconds"), column(load, path, "seconds")
        errs = sum(len(v.errors) for v in base + load if v.path == path)
        total_errors += errs
        ratio = percentile(n, 50) / percentile(b, 50) if b and n else float("nan")
        buttons = {v.button for v in base if v.path == path and v.button}
        print(f"{path or 'home':<12} {percentile(column(base, path, 'answer'), 50):8.1f} "
              f"{percentile(column(base, path, 'click'), 50):7.1f} {percentile(b, 50):7.1f} "
              f"{percentile(b, 95):7.1f} {percentile(n, 50):7.1f} {percentile(n, 95):7.1f} {ratio:5.1f} "
              f"{percentile(column(load, path, 'queued'), 95):9.1f} "
              f"{percentile(column(load, path, 'opened'), 95):10.1f} {errs:6d}  {', '.join(buttons) or '-'}")
    for v in base + load:
        for e in v.errors[:3]:
            print(f"  error on /{v.path}: {e}")
    print("click 1: the main button's click until its result, the first visit of a fresh server (model loading "
          "included); answer 1: until its first part (speech: Whisper's transcript; nan: not split);\n"
          "p50/p95: opening the page until that result, 1 session and N at once (queue included); open p95 N: "
          "opening until the browser had the page's HTML, N at once")
    if probe.seconds:
        p = probe.seconds
        print(f"the server's answer to a request for the page's HTML, every second while the {args.sessions} "
              f"sessions ran: p50 {percentile(p, 50):.2f} s, p95 {percentile(p, 95):.2f} s, max {max(p):.2f} s "
              f"({len(p)} requests)")
    print(f"errors in all: {total_errors}")


if __name__ == "__main__":
    main()
