"""First impressions, measured in a real browser: how fast each page settles and reruns.

    .venv/bin/python bench/bench_pages.py [--repeats 7] [--data-dir DIR]

Starts the app on a free port and, in headless Chromium, measures for each page:
- settle on first open with a cold server (the first visitor after a start) and a warm one;
- the median rerun time of one control that does not train (the page's first slider, moved one
  step right then left, each a rerun), side by side with a bare Streamlit page holding as many
  widgets of the same kinds (the ratio says what the page adds to Streamlit's own cost).
Give `--data-dir` a folder that `python -m dl_core prepare` filled to measure a prepared machine.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path

from browser import CHROMIUM, CHROMIUM_ARGS, PAGES, app_server, settle, timed_rerun

WIDGETS = {"stSlider": "slider", "stSelectbox": "selectbox", "stButton": "button", "stRadio": "radio",
           "stCheckbox": "checkbox", "stNumberInput": "number_input", "stTextInput": "text_input",
           "stTextArea": "text_area", "stMultiSelect": "multiselect", "stToggle": "toggle"}


async def count_widgets(page) -> dict[str, int]:
    return {kind: await page.locator(f"[data-testid='{kind}']").count() for kind in WIDGETS}


async def rerun_times(page, repeats: int, timeout: float) -> list[float]:
    """Move the first slider right then left, `repeats` times in all; the seconds of each rerun."""
    slider = page.get_by_role("slider").first
    if not await slider.count():
        return []
    times, first = [], "ArrowRight"
    for i in range(repeats):
        await slider.focus()
        key = first if i % 2 == 0 else ("ArrowLeft" if first == "ArrowRight" else "ArrowRight")
        seconds = await timed_rerun(page, lambda key=key: page.keyboard.press(key), timeout)
        if seconds is None and i == 0:  # a slider at its right end: start leftwards
            first = key = "ArrowLeft"
            seconds = await timed_rerun(page, lambda key=key: page.keyboard.press(key), timeout)
        if seconds is not None:  # else the run was too quick to be seen "running": left out, not guessed
            times.append(seconds)
        await settle(page, timeout)
    return times


def bare_page(counts: dict[str, int]) -> str:
    lines = ["import streamlit as st", "st.title('bare')"]
    for kind, n in counts.items():
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
            out[path] = row
            await context.close()
        await browser.close()
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--repeats", type=int, default=7)
    ap.add_argument("--timeout", type=float, default=300)
    ap.add_argument("--data-dir", default=None, help="a data folder (e.g. one `prepare` filled)")
    ap.add_argument("--page", action="append", default=[], help="only these pages (URL paths)")
    args = ap.parse_args()
    paths = args.page or PAGES
    data_dir = args.data_dir or tempfile.mkdtemp(prefix="dlx-pages-")
    rows = {}
    for path in paths:  # cold: a fresh server per page, its first visitor
        with app_server(data_dir=data_dir) as (url, _):
            rows[path] = {"cold": asyncio.run(measure(url, [path], args.repeats, args.timeout, True))[path]}
    with app_server(data_dir=data_dir) as (url, _):
        asyncio.run(measure(url, paths, 1, args.timeout, True))  # warm every page once
        warm = asyncio.run(measure(url, paths, args.repeats, args.timeout, False))
    bare_dir = Path(tempfile.mkdtemp(prefix="dlx-bare-"))
    print(f"{'page':<12} {'cold open':>9} {'warm open':>9} {'rerun p50':>9} {'bare p50':>8} {'ratio':>6}")
    for path in paths:
        w = warm[path]
        rerun = statistics.median(w["reruns"]) if w["reruns"] else float("nan")
        bare = float("nan")
        if w["reruns"]:
            script = bare_dir / f"bare_{path or 'home'}.py"
            script.write_text(bare_page(w["widgets"]))
            with app_server(script=str(script)) as (url, _):
                b = asyncio.run(measure(url, [""], args.repeats, args.timeout, False))[""]
            bare = statistics.median(b["reruns"]) if b["reruns"] else float("nan")
        print(f"{path or 'home':<12} {rows[path]['cold']['first_open']:9.2f} {w['first_open']:9.2f} "
              f"{rerun:9.3f} {bare:8.3f} {rerun / bare if bare == bare and bare else float('nan'):6.1f}")
    print("seconds; open = until the page settled (no running indicator, skeleton or spinner for 0.4 s); "
          "rerun = one step of the page's first slider until settled")


if __name__ == "__main__":
    main()
