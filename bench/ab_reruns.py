"""A/B of reruns between two versions of the app on this machine: does a change make a control faster?

    git worktree add /tmp/before HEAD~1
    .venv/bin/python bench/ab_reruns.py --data-dir DIR --tree /tmp/before --tree . \
        "clustering?clustering_tab=Your+table+(CSV);k (clusters)" "fraud;Threshold;click=fraud_train"

Each argument is "PATH;LABEL[;click=KEY][;expanders][;tab=NAME]": a page (URL path, query allowed), the
start of a slider's or toggle's label, and what to do first, in this order: click a button (by widget key: a
training, as bench_results.py does), open every expander (as the sweeps do: a control then redraws a heavier
page), open a tab. For each round, each tree in turn gets its own server (`python -m bench.tree_serve`: the app as
`make run` starts it, from that folder), and each control its own new browser tab, where it is moved
`--repeats` times (the first move, which fills caches, is left out; toggles: an even number of clicks),
each step timed as bench_reruns.py times it (`browser.timed_rerun`). Prints the median per tree and
control over all rounds.

Why: one sweep's medians move by 20-40 ms from one run to the next on 2 cores (the same control, the same
code), more than most changes it is asked to judge. Trees that take turns on one machine, several rounds
and all steps pooled say whether a change helped (issue 13).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
from pathlib import Path

from bench_reruns import _open_expanders, each_way, open_tab, toggle_reruns, way_medians
from browser import CHROMIUM, CHROMIUM_ARGS, WARMED_UP, app_server, run_action, settle, slider_reruns
from profile_rerun import _control


async def _steps(url: str, spec: str, repeats: int) -> list[tuple[float, bool | None]]:
    """The timed steps of one control in a new browser (seconds)."""
    from playwright.async_api import async_playwright

    path, label, *rest = spec.split(";")
    click = next((r.removeprefix("click=") for r in rest if r.startswith("click=")), None)
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        page = await (await browser.new_context(viewport={"width": 1400, "height": 1000})).new_page()
        await page.goto(f"{url}/{path}", wait_until="domcontentloaded")
        await settle(page, 180)
        if click:
            await run_action(page, click)
        if "expanders" in rest:  # as bench_reruns.py and bench_results.py time the controls: all open
            await _open_expanders(page)
        for name in [r.removeprefix("tab=") for r in rest if r.startswith("tab=")]:
            await open_tab(page, name)  # then a tab (bench_results.py: a results tab after the first one's controls)
        control, slider = await _control(page, label)
        if control is None:
            raise SystemExit(f"no slider or toggle labelled {label!r}... on {path}")
        if slider:
            times, _ = await slider_reruns(page, control, repeats + 1)
            steps = [(t, None) for t in times[1:]]
        else:
            steps = (await toggle_reruns(page, control, repeats + 1))[1:]
        await browser.close()
    return steps


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("specs", nargs="+", help='"PATH;LABEL[;click=KEY][;expanders][;tab=NAME]"')
    ap.add_argument("--tree", action="append", required=True, help="a checkout of the app (give two or more)")
    ap.add_argument("--data-dir", help="a data folder `python -m dl_core prepare` filled (else a fresh one each)")
    ap.add_argument("--rounds", type=int, default=4)
    ap.add_argument("--repeats", type=int, default=8)
    args = ap.parse_args()
    trees = [str(Path(t).resolve()) for t in args.tree]
    times: dict[tuple[str, str], list[tuple[float, bool | None]]] = {}
    for _ in range(args.rounds):
        for tree in trees:
            with app_server(data_dir=args.data_dir, ready_text=WARMED_UP, launcher="bench.tree_serve",
                            env={"DLX_TREE": tree}) as (url, _):
                for spec in args.specs:
                    times.setdefault((spec, tree), []).extend(asyncio.run(_steps(url, spec, args.repeats)))
    for spec in args.specs:
        print(spec)
        for tree in trees:
            steps = times[(spec, tree)]
            clicks = each_way([s for s in steps if s[1] is not None])  # both empty for a slider
            ways = "  (on {:.3f} s, off {:.3f} s)".format(*way_medians(clicks)) if all(clicks) else ""
            print(f"  {tree:40}  median {statistics.median(t for t, _ in steps):.3f} s  ({len(steps)} steps){ways}")


if __name__ == "__main__":
    main()
