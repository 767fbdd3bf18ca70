"""What a fragment rerun costs the browser, and how it grows with what is outside the fragment.

    .venv/bin/python bench/bench_fragments.py [--repeats 9]

Bare Streamlit pages, each on its own server: one slider in an `st.fragment` (it writes its value), with
nothing, a Plotly chart, 30 text lines and 5 metrics, 8 images, a dataframe, all of those, or 150 text
lines outside it; and two of them with the slider outside any fragment (a full rerun). In headless
Chromium, each slider step is timed from the key press until its run has ended and the browser is idle
(`bench_pages.rerun_times`).
Prints the median per page. Why: `ui/fragments.py` puts settings in fragments (issue 13), and a fragment
rerun still pays for the elements around it.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
from pathlib import Path

from bench_pages import rerun_times
from browser import CHROMIUM, CHROMIUM_ARGS, app_server, settle

HEAD = "import numpy as np\nimport pandas as pd\nimport streamlit as st\n"
FRAGMENT = "@st.fragment\ndef part():\n    v = st.slider('s', 0, 10, 5, key='s')\n    st.write(v)\npart()\n"
PLAIN = "v = st.slider('s', 0, 10, 5, key='s')\nst.write(v)\n"
PLOTLY = ("import plotly.graph_objects as go\n"
          "st.plotly_chart(go.Figure(go.Heatmap(z=np.random.default_rng(0).random((80, 332)))))\n")
TEXT = "for i in range(30):\n    st.markdown(f'line {i} **bold**')\ncs = st.columns(5)\n" \
       "for i in range(5):\n    cs[i].metric(f'm{i}', i)\n"
IMAGES = "for i in range(8):\n    st.image(np.full((64, 64, 3), 10 * i, np.uint8))\n"
TABLE = "st.dataframe(pd.DataFrame(np.random.default_rng(0).random((150, 8))))\n"
MANY = "for i in range(150):\n    st.markdown(f'line {i}')\n"
PAGES = {
    "fragment, nothing else": FRAGMENT,
    "fragment + Plotly chart": FRAGMENT + PLOTLY,
    "fragment + 35 text/metrics": FRAGMENT + TEXT,
    "fragment + 8 images": FRAGMENT + IMAGES,
    "fragment + dataframe": FRAGMENT + TABLE,
    "fragment + all four": FRAGMENT + PLOTLY + TEXT + IMAGES + TABLE,
    "full rerun, all four": PLAIN + PLOTLY + TEXT + IMAGES + TABLE,
    "fragment + 150 text": FRAGMENT + MANY,
    "full rerun, 150 text": PLAIN + MANY,
}


async def _reruns(url: str, repeats: int) -> list[float]:
    from playwright.async_api import async_playwright

    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        page = await browser.new_page()
        await page.goto(url)
        await settle(page)
        times = await rerun_times(page, repeats, 60)
        await browser.close()
    return times


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--repeats", type=int, default=9, help="slider steps per page")
    args = ap.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="dlx-fragments-"))
    print(f"{'page':<28} {'rerun p50':>9}  timed")
    for i, (name, code) in enumerate(PAGES.items()):
        script = folder / f"page{i}.py"
        script.write_text(HEAD + code)
        with app_server(script=str(script)) as (url, _):
            times = asyncio.run(_reruns(url, args.repeats))
        print(f"{name:<28} {statistics.median(times) if times else float('nan'):9.3f}  {len(times)}", flush=True)
    print("seconds from the key press until the run has ended and the browser is idle "
          "(a run too fast to see is not timed)")


if __name__ == "__main__":
    main()
