"""Every slider and toggle of the app, moved in a real browser: the median rerun of each (issue 13's
"median rerun <= 150 ms for every slider or toggle that does not retrain", on 2 cores).

    .venv/bin/python bench/bench_reruns.py --data-dir <a folder `python -m dl_core prepare` filled> [--repeats 5]
    .venv/bin/python bench/bench_reruns.py --data-dir DIR --page vision --page nlp

Starts the app (warm: after the server's warm-up) and, in headless Chromium, opens each page, each of
its tabs in turn, moves every visible slider one step right then left (`repeats` times; each a rerun)
and clicks every visible toggle twice, then opens every expander (settings often sit in one; open
expanders also make the later reruns draw their content) and does the same for the controls in them,
timing each rerun in the browser from the input event until the run has ended and the browser is idle
(`browser.timed_rerun`: Plotly draws a changed chart after the run's end).
Before any training: results tabs that appear only after one are not reached; Experiments is swept with
everyone's runs shown (`SWITCHED_ON`: the new session has none of its own, so no tabs otherwise). A control whose first
move starts model work (the clustering grid's points re-fit the grid once, then come from a cache) has
that move in its list; the median is the figure. A toggle's line also gives the median of the clicks that
switched it on and of those that switched it off (the two can differ a lot). Prints one line per control and
a summary, with a bare Streamlit page's slider timed before and after the sweep (the machine's pace). `--kind select`
picks options of select boxes instead (the option after the chosen one, then back; the pick is timed, not
the click that opens the list); `--only` times the controls whose label starts so.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics

from browser import (
    CHROMIUM,
    CHROMIUM_ARGS,
    PAGES,
    TABS,
    WARMED_UP,
    app_server,
    bare_now,
    settle,
    slider_reruns,
    tab,
    timed_rerun,
)

TARGET = 0.150
ALL_KINDS = ("slider", "toggle", "select")
KINDS = ("slider", "toggle")  # timed by default (issue 13's "every slider or toggle")
TOGGLES = "[data-testid='stCheckbox']:has(input[role='switch']) label"  # what a click on switches
LABEL = ("e => { const w = e.closest('[data-testid=stSlider], [data-testid=stCheckbox], [data-testid=stSelectbox]');"
         " return (w ? w.innerText : e.getAttribute('aria-label') || '').split('\\n')[0].trim(); }")


async def _open_expanders(page) -> None:
    """Open every collapsed expander in view (each click may rerun the page: lazy expanders)."""
    for _ in range(20):
        closed = page.locator("[data-testid='stExpander'] details:not([open]) > summary")
        if not await closed.count():
            return
        await closed.first.click()
        await settle(page)


async def toggle_reruns(page, toggle, repeats: int) -> list[tuple[float, bool]]:
    """(seconds, whether the click switched it on) of each timed click: the two ways often differ (switching
    "Everyone's runs" on draws a table, off takes it away), and the median of all the clicks lies between."""
    clicks = []
    was_on = await toggle.locator("input").is_checked()
    for i in range(2 * ((repeats + 1) // 2)):  # an even number of clicks: the toggle ends as it began
        seconds = await timed_rerun(page, lambda: toggle.click(), 60)
        if seconds is not None:
            clicks.append((seconds, (i % 2 == 0) != was_on))  # from off, the even clicks switch it on
        await settle(page)
    return clicks


def each_way(clicks: list[tuple[float, bool]]) -> tuple[list[float], list[float]]:
    """The seconds of a toggle's clicks that switched it on, and of those that switched it off."""
    return [t for t, on in clicks if on], [t for t, on in clicks if not on]


async def _controls(page, where: str, repeats: int, seen: set[tuple[str, str]], rows: list[tuple],
                    only: tuple[str, ...] = (), seen_as: str | None = None, kinds: tuple[str, ...] = KINDS) -> None:
    """The controls in view as the tab opens, then (with every expander open) the ones inside expanders.
    `only`: label starts to time (default all); a control is timed once per `seen_as` (default `where`);
    `kinds`: of `ALL_KINDS`."""
    for opened in (False, True):
        if opened:
            await _open_expanders(page)
        await _visible_controls(page, where, repeats, seen, rows, only, seen_as or where, kinds)


def _wanted(label: str, where: str, seen: set[tuple[str, str]], only: tuple[str, ...]) -> bool:
    """Whether to time this control, noting it as seen."""
    if (where, label) in seen or (only and not label.startswith(only)):
        return False
    seen.add((where, label))
    return True


async def _visible_controls(page, where: str, repeats: int, seen: set[tuple[str, str]], rows: list[tuple],
                            only: tuple[str, ...], seen_as: str, kinds: tuple[str, ...]) -> None:
    sliders = page.get_by_role("slider")
    for i in range(await sliders.count() if "slider" in kinds else 0):
        slider = sliders.nth(i)
        if not await slider.is_visible() or await slider.get_attribute("aria-disabled") == "true":
            continue
        label = await slider.evaluate(LABEL)
        if not _wanted(label, seen_as, seen, only):
            continue
        times, missed = await slider_reruns(page, slider, repeats, 60)
        rows.append((where, f"slider: {label}", times, missed, None))
        print(_line(rows[-1]), flush=True)
    toggles = page.locator(TOGGLES)
    for i in range(await toggles.count() if "toggle" in kinds else 0):
        toggle = toggles.nth(i)
        if not await toggle.is_visible() or await toggle.locator("input").is_disabled():
            continue
        label = await toggle.evaluate(LABEL)
        if not _wanted(label, seen_as, seen, only):
            continue
        await toggle.scroll_into_view_if_needed()
        clicks = await toggle_reruns(page, toggle, repeats)
        rows.append((where, f"toggle: {label}", [t for t, _ in clicks], 0, each_way(clicks)))
        print(_line(rows[-1]), flush=True)
    boxes = page.locator("[data-testid='stSelectbox']")
    for i in range(await boxes.count() if "select" in kinds else 0):
        field = boxes.nth(i).get_by_role("combobox")
        if not await field.count() or not await field.is_visible() or await field.is_disabled():
            continue
        label = await field.evaluate(LABEL)
        if not _wanted(label, seen_as, seen, only):
            continue
        rows.append((where, f"select: {label}", await _select_reruns(page, field, repeats), 0, None))
        print(_line(rows[-1]), flush=True)


async def _select_reruns(page, field, repeats: int) -> list[float]:
    """Pick the option after the chosen one, then the chosen one again, ... (an even number of picks: the
    box ends as it began). The pick is timed, not the click that opens the list."""
    times, first = [], None
    for i in range(2 * ((repeats + 1) // 2)):
        await field.scroll_into_view_if_needed()
        await field.click()  # opens the list
        options = page.get_by_role("option")
        await options.first.wait_for(timeout=10_000)
        n = await options.count()
        if first is None:
            chosen = [j for j in range(n) if await options.nth(j).get_attribute("aria-selected") == "true"]
            first = chosen[0] if chosen else 0
        if n < 2:
            await page.keyboard.press("Escape")
            return times
        target = options.nth((first + 1) % n if i % 2 == 0 else first)
        seconds = await timed_rerun(page, lambda target=target: target.click(), 60)
        if seconds is not None:
            times.append(seconds)
        await settle(page, 180)
    return times


def _line(row: tuple) -> str:
    """One control: (where, control, times, missed, ways), ways being a toggle's (on, off) times or None."""
    where, control, times, missed, ways = row
    p50 = statistics.median(times) if times else float("nan")
    flag = "" if not times else ("ok " if p50 <= TARGET else "OVER")
    both = "" if not (ways and all(ways)) else " on/off p50 {:.3f}/{:.3f} s".format(*way_medians(ways))
    return (f"{flag:4} {where:42.42} {control:48.48} p50 {p50:6.3f} s{both}  "
            f"({len(times)} timed, {missed} not timed) {[round(t, 3) for t in times]}")


def way_medians(ways: tuple[list[float], list[float]]) -> tuple[float, float]:
    """The medians of a toggle's clicks that switched it on, and of those that switched it off."""
    on, off = ways
    return statistics.median(on), statistics.median(off)


def summary(rows: list[tuple], bare: dict[str, dict] | None = None) -> None:
    """Print how many controls, the spread of their medians and the ones over TARGET; with `bare` ({"before":
    `browser.bare_now()`, "after": ...}), also what a bare Streamlit page's slider took around the sweep."""
    medians = [statistics.median(t) for _, _, t, _, _ in rows if t]
    over = [r for r in rows if r[2] and statistics.median(r[2]) > TARGET]
    one_way = [r for r in rows if r not in over and r[4] and all(r[4]) and max(way_medians(r[4])) > TARGET]
    print(f"\n{len(rows)} controls; medians {min(medians):.3f}-{max(medians):.3f} s, median of medians "
          f"{statistics.median(medians):.3f} s; {len(over)} over {TARGET * 1000:.0f} ms:" if medians else "no controls")
    for row in over:
        print("  " + _line(row))
    if one_way:  # the measure is the median of all the clicks; one way alone can still be slow
        print(f"{len(one_way)} more toggle(s) under {TARGET * 1000:.0f} ms over all their clicks, over it one way:")
        for row in one_way:
            print("  " + _line(row))
    for when, b in (bare or {}).items():
        print(f"A bare Streamlit page {when} the sweep (this machine's pace now): slider p50 {b['whole_page']:.3f} s "
              f"(whole page), {b['fragment']:.3f} s (in a fragment)")


async def tab_names(page) -> list[str]:
    """The names of the page's tabs (in the main area), in order."""
    tabs = page.locator(TABS)
    return [await tabs.nth(i).inner_text() for i in range(await tabs.count())]


async def open_tab(page, name: str) -> None:
    await tab(page, name).click()
    await settle(page, 180)


# Toggles switched on before a page's tabs are looked for: a new browser session has trained nothing, so
# Experiments shows no runs, and so none of its tabs, until everyone's runs are shown.
SWITCHED_ON = {"experiments": ("Everyone's runs",)}


async def _switch_on(page, labels: tuple[str, ...]) -> None:
    for label in labels:
        toggle = page.locator(TOGGLES).filter(has_text=label)
        if not await toggle.locator("input").is_checked():
            await toggle.click()
            await settle(page, 180)


async def measure(url: str, paths: list[str], repeats: int, only: tuple[str, ...] = (),
                  kinds: tuple[str, ...] = KINDS) -> list[tuple]:
    from playwright.async_api import async_playwright

    rows: list[tuple] = []
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        for path in paths:
            page = await (await browser.new_context(viewport={"width": 1400, "height": 1000})).new_page()
            await page.goto(f"{url}/{path}", wait_until="domcontentloaded")
            await settle(page, 180)
            await _switch_on(page, SWITCHED_ON.get(path, ()))
            seen: set[tuple[str, str]] = set()
            for name in await tab_names(page) or [""]:
                if name:
                    await open_tab(page, name)
                await _controls(page, f"{path or 'home'} · {name}" if name else (path or "home"), repeats, seen, rows,
                                only, kinds=kinds)
            await page.context.close()
        await browser.close()
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data-dir", help="a data folder `python -m dl_core prepare` filled (else a fresh one)")
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--page", action="append", help="a page's URL path (repeatable); default: every page")
    ap.add_argument("--only", action="append", default=[], help="time only controls whose label starts so")
    ap.add_argument("--kind", action="append", choices=ALL_KINDS,
                    help="the kinds of control to time (repeatable; default: sliders and toggles)")
    args = ap.parse_args()
    before = bare_now()
    with app_server(data_dir=args.data_dir, ready_text=WARMED_UP) as (url, _):
        rows = asyncio.run(measure(url, args.page or PAGES, args.repeats, tuple(args.only),
                                   tuple(args.kind or KINDS)))
    summary(rows, {"before": before, "after": bare_now()})


if __name__ == "__main__":
    main()
