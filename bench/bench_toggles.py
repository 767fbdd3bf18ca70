"""The app's slowest toggles against bare Streamlit pages that draw the same elements: what is left to
gain in the app, and what Streamlit itself costs on this machine.

    .venv/bin/python bench/bench_toggles.py --data-dir <a folder `python -m dl_core prepare` filled> [--repeats 8]

"Everyone's runs" (Experiments) draws the runs' tabs, a table of every run, a caption and a download
button when switched on; "Show the direction sliders" (Generative, Faces) draws six sliders and two
images. Each is clicked on and off in headless Chromium (`bench_reruns`: timed from the input event until
the run has ended and the browser is idle), in the app (warm server) and on a bare page holding the same
kinds and numbers of elements, each bare page twice: with everything, and without its heaviest element
(what that element alone costs). Prints each one's median rerun switching on and switching off, and the
app against the bare page. Issue 13: the rerun sweeps found these two over 150 ms one way only (on).
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
from pathlib import Path

from bench_reruns import TOGGLES, each_way, measure, toggle_reruns, way_medians
from browser import CHROMIUM, CHROMIUM_ARGS, WARMED_UP, app_server, settle

RUNS = '''import numpy as np, pandas as pd, streamlit as st
st.title("Experiments")
st.markdown("Every model trained in this app is logged to **MLflow**: its settings and curves. " * 2)
st.caption("This store is shared by everyone who uses this server.")

@st.cache_data
def frame():
    rng = np.random.default_rng(0)
    return pd.DataFrame({"experiment": rng.choice(["vision", "nlp", "fraud"], 330),
                         "run_id": [f"{i:032x}" for i in range(330)], "status": "FINISHED",
                         "started": pd.Timestamp("2026-11-27"), "source": "app", "device": "cpu", "parent_run_id": ""})

@st.fragment
def runs():
    c1, c2, c3, c4 = st.columns([1.2, 2, 1, 1.5])
    on = c1.toggle("Everyone's runs", key="t")
    c2.selectbox("Experiment", ["all"])
    c3.selectbox("Source", ["all"])
    c4.selectbox("Sweep", ["all"])
    if not on:
        st.info("No runs match.")
        return
    # The app's tabs (ui/tabs.py): a segmented control, the open tab's view below it.
    st.segmented_control("View", ["Runs", "Compare runs", "Seeds", "Sweeps"], default="Runs", required=True,
                         key="tabs", label_visibility="collapsed")
    if TABLE:
        st.dataframe(frame(), hide_index=True, width="stretch")
    st.caption("330 run(s) shown")
    st.download_button("Download these runs (CSV)", "x", "runs.csv")

runs()
'''

DIRECTIONS = '''import numpy as np, streamlit as st
st.title("Faces")
image = np.random.default_rng(0).integers(0, 255, (256, 256, 3), dtype=np.uint8)

@st.fragment
def directions():
    if not st.toggle("Show the direction sliders", key="t"):
        return
    st.slider("Face from the grid", 1, 16, 1)
    for i, col in enumerate(st.columns(5)):
        col.slider(f"direction {i}", -3.0, 3.0, 0.0, 0.25)
    if IMAGES:
        left, right = st.columns(2)
        left.image(image, caption="original")
        right.image(image, caption="moved")

directions()
'''

# (the app's page, the toggle's label, the bare page, the name of its heaviest element)
CASES = [("experiments", "Everyone's runs", RUNS, "TABLE", "the runs table"),
         ("generative", "Show the direction sliders", DIRECTIONS, "IMAGES", "the two images")]


async def _bare(url: str, repeats: int) -> tuple[float, float]:
    from playwright.async_api import async_playwright

    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        page = await (await browser.new_context(viewport={"width": 1400, "height": 1000})).new_page()
        await page.goto(url, wait_until="domcontentloaded")
        await settle(page, 120)
        ways = each_way(await toggle_reruns(page, page.locator(TOGGLES).first, repeats))
        await browser.close()
    return way_medians(ways)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data-dir", help="a data folder `python -m dl_core prepare` filled (else a fresh one)")
    ap.add_argument("--repeats", type=int, default=8, help="clicks per toggle and page (half of them on)")
    args = ap.parse_args()
    with app_server(data_dir=args.data_dir, ready_text=WARMED_UP) as (url, _):
        rows = asyncio.run(measure(url, [c[0] for c in CASES], args.repeats, tuple(c[1] for c in CASES), ("toggle",)))
    app = {row[1].removeprefix("toggle: "): way_medians(row[4]) for row in rows}
    folder = Path(tempfile.mkdtemp(prefix="dlx-toggles-"))
    print(f"\n{'toggle':28} {'':36} {'on (s)':>7} {'off (s)':>7}  on, app / bare page")
    for path, label, script, heaviest, what in CASES:
        bare = {}
        for name, with_it in (("all", True), ("without", False)):
            file = folder / f"{path}_{name}.py"
            file.write_text(f"{heaviest} = {with_it}\n{script}")
            with app_server(script=str(file)) as (bare_url, _):
                bare[name] = asyncio.run(_bare(bare_url, args.repeats))
        if label in app:
            on, off = app[label]
            print(f"{label:28} {'the app':36} {on:7.3f} {off:7.3f}  {on / bare['all'][0]:.2f}")
        else:  # e.g. a fresh data folder: no runs yet, so no "Everyone's runs"
            print(f"{label:28} not on the app's page (give --data-dir a folder with runs and prepared models)")
        print(f"{'':28} {'a bare page, the same elements':36} {bare['all'][0]:7.3f} {bare['all'][1]:7.3f}")
        print(f"{'':28} {'the bare page without ' + what:36} {bare['without'][0]:7.3f} {bare['without'][1]:7.3f}")


if __name__ == "__main__":
    main()
