"""First impressions, measured in a real browser: how fast each page settles and reruns.

    .venv/bin/python bench/bench_pages.py [--repeats 7] [--opens 5] [--data-dir DIR]

Starts the app on a free port and, in headless Chromium, measures for each page:
- settle on first open with a cold server (the first visitor after a start), and with a warm server
  three ways: a new browser (empty cache: every script chunk fetched and compiled), a returning
  browser (a new tab in a browser that has opened the page before: chunks from its HTTP cache), and
  in the app (clicking the page in the sidebar, how a person moves between pages);
- the same new-browser open of a bare Streamlit page holding as many elements of the same kinds
  (charts, tables, images, widgets): Streamlit's own cost for such a page on this machine;
- the median rerun time of one control that does not train (the page's first slider, moved one
  step right then left, each a rerun, timed in the browser from the key press until the run has ended and
  the browser is idle),
  side by side with the bare page's (the ratio says what the page adds to Streamlit's own cost).
Give `--data-dir` a folder that `python -m dl_core prepare` filled to measure a prepared machine.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path

from browser import (
    CHROMIUM,
    CHROMIUM_ARGS,
    PAGES,
    WARMED_UP,
    WATCH_RUNS,
    app_server,
    run_started,
    settle,
    slider_reruns,
)

WIDGETS = {"stSlider": "slider", "stSelectbox": "selectbox", "stButton": "button", "stRadio": "radio",
           "stCheckbox": "checkbox", "stNumberInput": "number_input", "stTextInput": "text_input",
           "stTextArea": "text_area", "stMultiSelect": "multiselect", "stToggle": "toggle"}
# Other elements a page shows, as a bare page draws one of each kind.
ELEMENTS = {"stPlotlyChart": "st.plotly_chart(go.Figure(go.Scatter(y=np.arange(50) ** 0.5)), key='p{i}')",
            "stEChartsChart": "st.echarts_chart({{'xAxis': {{'type': 'value'}}, 'yAxis': {{'type': 'value'}}, "
                              "'series': [{{'type': 'line', 'data': [[x, x ** 0.5] for x in range(50)]}}]}}, "
                              "key='e{i}')",
            "stDataFrame": "st.dataframe(pd.DataFrame(np.arange(50).reshape(10, 5)))",
            "stImage": "st.image(np.full((64, 64, 3), 128, np.uint8))",
            "stMetric": "st.metric('metric {i}', {i})",
            "stAlert": "st.info('note {i}')",
            "stExpander": "st.expander('more {i}').write('text')",
            "stTabs": "st.tabs(['a {i}', 'b {i}'])[0].write('text')",
            "stAudio": "st.audio(np.zeros(8000), sample_rate=8000)"}


async def count_widgets(page) -> dict[str, int]:
    return {kind: await page.locator(f"[data-testid='{kind}']").count() for kind in {**WIDGETS, **ELEMENTS}}


async def rerun_times(page, repeats: int, timeout: float) -> list[float]:
    """The seconds of each rerun of `repeats` one-step moves of the page's first slider ([] without one)."""
    slider = page.get_by_role("slider").first
    return (await slider_reruns(page, slider, repeats, timeout))[0] if await slider.count() else []


def bare_page(counts: dict[str, int]) -> str:
    lines = ["import numpy as np", "import pandas as pd", "import plotly.graph_objects as go",
             "import streamlit as st", "st.title('bare')"]
    for kind, n in counts.items():
        if kind in ELEMENTS:
            lines += [ELEMENTS[kind].format(i=i) for i in range(n)]
            continue
        fn = WIDGETS[kind]
        for i in range(n):
            args = {"slider": "0, 10, 5", "selectbox": "[1, 2, 3]", "radio": "[1, 2]",
                    "multiselect": "[1, 2]"}.get(fn, "")
            label = f"'{fn} {i}'"
            lines.append(f"st.{fn}({label}{', ' + args if args else ''}, key='{fn}{i}')")
    return "\n".join(lines) + "\n"


async def measure(url: str, paths: list[str], repeats: int, timeout: float, cold: bool) -> dict:
    from playwright.async_api import async_playwright

    out = {}
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        for path in paths:
            context = await browser.new_context(viewport={"width": 1400, "height": 1000})
            page = await context.new_page()
            t0 = time.perf_counter()
            await page.goto(f"{url}/{path}", wait_until="domcontentloaded")
            row = {"first_open": await settle(page, timeout) - t0}
            if not cold:
                row["widgets"] = await count_widgets(page)
                row["reruns"] = await rerun_times(page, repeats, timeout)
                again = await context.new_page()  # a returning visitor: same browser, its cache, a new tab
                t0 = time.perf_counter()
                await again.goto(f"{url}/{path}", wait_until="domcontentloaded")
                row["returning_open"] = await settle(again, timeout) - t0
            out[path] = row
            await context.close()
        await browser.close()
    return out


async def in_app_opens(url: str, paths: list[str], timeout: float) -> dict[str, float]:
    """One tab, opened at home: click each page in the sidebar in turn (home last); seconds from the
    click until the page settled."""
    from playwright.async_api import async_playwright

    out = {}
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        page = await (await browser.new_context(viewport={"width": 1400, "height": 1000})).new_page()
        await page.goto(url, wait_until="domcontentloaded")
        await settle(page, timeout)
        for path in [p for p in paths if p] + [p for p in paths if not p]:
            await page.evaluate(WATCH_RUNS)
            t0 = time.perf_counter()
            await page.locator(f"[data-testid='stSidebarNavLink'][href$='/{path}']").first.click()
            # a click that started no run gives no figure rather than a guess
            out[path] = await settle(page, timeout) - t0 if await run_started(page, 30) else float("nan")
        await browser.close()
    return out


def _add_opens(rows: dict, more: dict) -> None:
    """Append another round's open times to `rows` (page -> row) as lists under "<name>s"."""
    for path, row in more.items():
        for name in ("first_open", "returning_open"):
            rows[path].setdefault(name + "s", [rows[path][name]]).append(row[name])


def _median(row: dict, name: str) -> float:
    return statistics.median(row.get(name + "s", [row[name]]))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--repeats", type=int, default=7)
    ap.add_argument("--opens", type=int, default=5,
                    help="new-browser and returning opens per page (warm server, and the bare page): the median")
    ap.add_argument("--timeout", type=float, default=300)
    ap.add_argument("--data-dir", default=None, help="a data folder (e.g. one `prepare` filled)")
    ap.add_argument("--page", action="append", default=[], help="only these pages (URL paths)")
    ap.add_argument("--after-warmup", action="store_true",
                    help="cold: open the page once the server's start-up warm-up is done (ui/warmup.py); "
                         "default: as soon as the server answers, while the warm-up still loads models")
    args = ap.parse_args()
    paths = args.page or PAGES
    data_dir = args.data_dir or tempfile.mkdtemp(prefix="dlx-pages-")
    rows = {}
    ready = WARMED_UP if args.after_warmup else None
    for path in paths:  # cold: a fresh server per page, its first visitor
        with app_server(data_dir=data_dir, ready_text=ready) as (url, _):
            rows[path] = {"cold": asyncio.run(measure(url, [path], args.repeats, args.timeout, True))[path]}
    with app_server(data_dir=data_dir, ready_text=WARMED_UP) as (url, _):
        asyncio.run(measure(url, paths, 1, args.timeout, True))  # warm every page once
        warm = asyncio.run(measure(url, paths, args.repeats, args.timeout, False))
        for _ in range(args.opens - 1):  # one open is a single sample: ±0.3-0.5 s between runs on 2 cores
            _add_opens(warm, asyncio.run(measure(url, paths, 0, args.timeout, False)))
        in_app = asyncio.run(in_app_opens(url, paths, args.timeout))
    bare_dir = Path(tempfile.mkdtemp(prefix="dlx-bare-"))
    print(f"{'page':<12} {'cold':>6} {'new':>6} {'return':>6} {'in app':>6} {'bare':>6} "
          f"{'rerun p50':>9} {'bare p50':>8} {'ratio':>6}")
    for path in paths:
        w = warm[path]
        script = bare_dir / f"bare_{path or 'home'}.py"
        script.write_text(bare_page(w["widgets"]))
        with app_server(script=str(script)) as (url, _):
            asyncio.run(measure(url, [""], 0, args.timeout, True))  # warm: its imports done once
            b = asyncio.run(measure(url, [""], args.repeats if w["reruns"] else 0, args.timeout, False))
            for _ in range(args.opens - 1):
                _add_opens(b, asyncio.run(measure(url, [""], 0, args.timeout, False)))
            b = b[""]
        rerun = statistics.median(w["reruns"]) if w["reruns"] else float("nan")
        bare = statistics.median(b["reruns"]) if b["reruns"] and w["reruns"] else float("nan")
        print(f"{path or 'home':<12} {rows[path]['cold']['first_open']:6.2f} {_median(w, 'first_open'):6.2f} "
              f"{_median(w, 'returning_open'):6.2f} {in_app.get(path, float('nan')):6.2f} "
              f"{_median(b, 'first_open'):6.2f} "
              f"{rerun:9.3f} {bare:8.3f} {rerun / bare if bare == bare and bare else float('nan'):6.1f}")
    n = args.opens
    print("seconds until the page settled (no running indicator, skeleton or spinner for 0.4 s). cold: a fresh "
          f"server's first visitor; new: warm server, new browser (median of {n}); return: a new tab of a browser "
          f"that opened the page before (median of {n}); in app: a sidebar click from the page above; bare: a bare "
          f"Streamlit page with as many elements of the same kinds, new browser (median of {n}). rerun: one step "
          "of the page's first slider, from the key press until its run has ended and the browser is idle, median")


if __name__ == "__main__":
    main()
