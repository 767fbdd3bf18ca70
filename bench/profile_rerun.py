"""Where a control's rerun goes: the server's script run against the browser's work, per rerun.

    .venv/bin/python bench/profile_rerun.py --data-dir DIR "nlp;Epochs;expanders" "generative;Truncation"
    .venv/bin/python bench/profile_rerun.py --data-dir DIR "vision?vision_tab=Train+a+CNN+on+digits;Augment"
    .venv/bin/python bench/profile_rerun.py --data-dir DIR "speech;Beam;tab=Transcribe;click=speech_go;expanders"

Each argument is "PATH;LABEL[;expanders][;tab=NAME][;click=KEY]": the page (URL path, query allowed), the
start of a slider's or toggle's label, and what to do before timing: click a tab open, click a button (by
widget key, as bench_results.py does: the controls after a training), open every expander (in that order). The
app runs as `make run` starts it, with each script run's duration logged (bench/timed_serve.py). In headless
Chromium the control is moved `--repeats` times (the first move is left out: caches), each rerun timed from
the input event until its run has ended and the browser is idle (`browser.timed_rerun`, as bench_reruns.py
does) and traced: the renderer's main thread split into React rendering (the scheduler's MessagePort tasks),
input handling, style and layout, paint and garbage collection. Prints medians (ms) per control. Why:
bench_reruns.py says which controls are slow; this says whether the server or the browser is, and how many
times the browser renders the page for one rerun. `--scripts` also samples the page's JavaScript (the
DevTools CPU profiler, 0.2 ms) over the timed reruns and prints the busiest script files per rerun: which of
React, its styling (emotion), a chart library or a Streamlit element takes the browser's time.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import tempfile
from collections import Counter
from pathlib import Path

from bench_reruns import LABEL, _open_expanders, open_tab
from browser import CHROMIUM, CHROMIUM_ARGS, WARMED_UP, app_server, run_action, settle, timed_rerun

PARTS = {  # trace events of the renderer's main thread, by what they are
    "react": ("MessagePort::Accept",),  # React's scheduler runs each render in a MessageChannel task
    "input": ("EventDispatch",),
    "style+layout": ("UpdateLayoutTree", "Layout"),
    "paint": ("PrePaint", "Paint", "Layerize", "Commit"),
    "gc": ("MinorGC", "MajorGC"),
}
RENDER_MS = 5  # a React task this long is a render of the page, not a small update


async def _control(page, label: str):
    """(the control, whether it is a slider) whose label starts with `label`, or (None, False)."""
    for selector, slider in (("role=slider", True),
                             ("[data-testid='stCheckbox']:has(input[role='switch']) label", False)):
        found = page.locator(selector)
        for i in range(await found.count()):
            control = found.nth(i)
            if await control.is_visible() and (await control.evaluate(LABEL)).startswith(label):
                return control, slider
    return None, False


def _main_thread(events: list[dict]) -> tuple[Counter, list[float]]:
    """(ms per part, durations of React tasks) of the renderer's main thread in one trace."""
    main = {(e["pid"], e["tid"]) for e in events
            if e.get("name") == "thread_name" and e.get("args", {}).get("name") == "CrRendererMain"}
    parts, react = Counter(), []
    for e in events:
        if (e.get("pid"), e.get("tid")) not in main or e.get("ph") != "X" or "dur" not in e:
            continue
        for part, names in PARTS.items():
            if e["name"] in names:
                parts[part] += e["dur"] / 1000
        if e["name"] in PARTS["react"]:
            react.append(e["dur"] / 1000)
    return parts, react


def _by_script(profile: dict) -> Counter:
    """Milliseconds of JavaScript per script file (the bundle's file name; "(program)" is the browser's own
    work, "(idle)" left out) in one CPU profile."""
    nodes = {n["id"]: n["callFrame"] for n in profile["nodes"]}
    out: Counter = Counter()
    for sample, delta in zip(profile["samples"], [*profile["timeDeltas"][1:], 0], strict=True):
        frame = nodes[sample]
        name = frame["url"].rsplit("/", 1)[-1] or frame["functionName"] or "(native)"
        if name != "(idle)":
            out[name] += delta / 1000
    return out


async def _profile(browser, url: str, spec: str, repeats: int, times_file: Path, scripts: bool = False) -> None:
    path, label, *flags = spec.split(";")
    context = await browser.new_context(viewport={"width": 1400, "height": 1000})
    page = await context.new_page()
    await page.goto(f"{url}/{path}", wait_until="domcontentloaded")
    await settle(page, 120)
    for name in [f.removeprefix("tab=") for f in flags if f.startswith("tab=")]:
        await open_tab(page, name)  # as a person does (the Transcribe tab needs the clip the first tab chose)
    for key in [f.removeprefix("click=") for f in flags if f.startswith("click=")]:
        await run_action(page, key)  # a main action first (a training: until it ends)
    if "expanders" in flags:
        await _open_expanders(page)
    control, slider = await _control(page, label)
    if control is None:
        print(f"{spec}: no visible slider or toggle labelled {label!r}")
        await context.close()
        return
    rows, per_script = [], Counter()
    cdp = await context.new_cdp_session(page) if scripts else None
    if cdp:
        await cdp.send("Profiler.enable")
        await cdp.send("Profiler.setSamplingInterval", {"interval": 200})
    for i in range(repeats + 1):
        times_file.write_text("")
        await browser.start_tracing(page=page, categories=["devtools.timeline", "blink"])
        if cdp and i:
            await cdp.send("Profiler.start")
        if slider:
            await control.focus()
            seconds = await timed_rerun(page, lambda i=i: page.keyboard.press("ArrowRight" if i % 2 == 0
                                                                              else "ArrowLeft"))
        else:
            seconds = await timed_rerun(page, lambda: control.click())
        await page.wait_for_timeout(150)  # what the browser does right after the run ends counts too
        trace = json.loads(await browser.stop_tracing())
        if cdp and i:
            sampled = _by_script((await cdp.send("Profiler.stop"))["profile"])
            if seconds is not None:
                per_script.update(sampled)
        await settle(page)
        if seconds is None or i == 0:
            continue
        parts, react = _main_thread(trace["traceEvents"] if isinstance(trace, dict) else trace)
        server = sum(float(line.split()[0]) for line in times_file.read_text().splitlines())
        rows.append({"total": seconds * 1000, "server": server * 1000, "renders": sum(r >= RENDER_MS for r in react),
                     **parts})
    await context.close()
    if not rows:
        print(f"{spec}: no rerun could be timed")
        return
    med = {k: statistics.median(r.get(k, 0.0) for r in rows) for k in ("total", "server", "renders", *PARTS)}
    print(f"{spec:<58} total {med['total']:4.0f}  server {med['server']:4.0f}  | browser: "
          + "  ".join(f"{k} {med[k]:3.0f}" for k in PARTS) + f"  | page renders {med['renders']:.0f}", flush=True)
    if per_script:
        print("    JavaScript per rerun (ms, mean): " + ", ".join(
            f"{name} {ms / len(rows):.0f}" for name, ms in per_script.most_common(8)), flush=True)


async def _run(url: str, specs: list[str], repeats: int, times_file: Path, scripts: bool) -> None:
    from playwright.async_api import async_playwright

    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        for spec in specs:
            await _profile(browser, url, spec, repeats, times_file, scripts)
        await browser.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("specs", nargs="+", help='"PATH;LABEL[;expanders][;tab=NAME][;click=KEY]"')
    ap.add_argument("--repeats", type=int, default=6)
    ap.add_argument("--data-dir", default=None, help="a data folder (e.g. one `prepare` filled)")
    ap.add_argument("--scripts", action="store_true", help="also the JavaScript time per script file")
    args = ap.parse_args()
    times_file = Path(tempfile.mkdtemp(prefix="dlx-runs-")) / "runs.txt"
    with app_server(data_dir=args.data_dir, ready_text=WARMED_UP, launcher="bench.timed_serve",
                    env={"DLX_RUN_TIMES": str(times_file)}) as (url, _):
        asyncio.run(_run(url, args.specs, args.repeats, times_file, args.scripts))
    print("milliseconds, medians of the reruns after the first. total: input event until the run has ended and "
          "the browser is idle, in the browser; server: the script run(s) it caused; browser: main-thread time "
          "in React rendering, input handling, style and layout, paint, garbage collection (tasks overlap "
          f"little); page renders: React tasks of >= {RENDER_MS} ms")


if __name__ == "__main__":
    main()
