"""What one element of each kind costs a page opened in a new browser, on this machine.

    .venv/bin/python bench/bench_elements.py [--repeats 3]

Each kind gets a bare Streamlit page (a title, a slider, one element of that kind, its data following
the slider) on its own server. In headless Chromium it measures the new-browser open (empty cache: the
element's script chunk fetched and compiled), a returning open (same browser, new tab) and the slider's
rerun, as in bench_pages.py, and prints each against the page without the element. This is why the
charts a page draws before any click are ECharts (ui/echarts.py), not Plotly.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
from pathlib import Path

from bench_pages import measure
from browser import app_server

HEAD = "import streamlit as st\nst.title('bare')\nv = st.slider('s', 0, 10, 5, key='s')\n"
KINDS = {
    "none": "",
    "plotly": "import plotly.graph_objects as go\n"
              "st.plotly_chart(go.Figure(go.Scatter(y=[i * v for i in range(50)])))\n",
    "echarts": "st.echarts_chart({'xAxis': {'type': 'value'}, 'yAxis': {'type': 'value'}, "
               "'series': [{'type': 'line', 'data': [[i, i * v] for i in range(50)]}]})\n",
    "vega (st.line_chart)": "import pandas as pd\nst.line_chart(pd.DataFrame({'a': [i * v for i in range(50)]}))\n",
    "dataframe": "import pandas as pd\nst.dataframe(pd.DataFrame({'a': [i * v for i in range(50)]}))\n",
    "image": "import numpy as np\nst.image(np.full((64, 64, 3), 10 * v, np.uint8))\n",
}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--repeats", type=int, default=3, help="new-browser opens per kind (each with 5 reruns)")
    args = ap.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="dlx-elements-"))
    rows = {}
    for kind, code in KINDS.items():
        script = folder / f"{kind.split()[0]}.py"
        script.write_text(HEAD + code)
        with app_server(script=str(script)) as (url, _):
            asyncio.run(measure(url, [""], 0, 120, True))  # the server's imports done once
            runs = [asyncio.run(measure(url, [""], 5, 120, False))[""] for _ in range(args.repeats)]
        rows[kind] = [statistics.median(r["first_open"] for r in runs),
                      statistics.median(r["returning_open"] for r in runs),
                      statistics.median(t for r in runs for t in r["reruns"])]
    base = rows["none"]
    print(f"{'element':<22} {'new':>6} {'+ vs none':>9} {'return':>7} {'rerun p50':>9}")
    for kind, (new, back, rerun) in rows.items():
        print(f"{kind:<22} {new:6.2f} {new - base[0]:+9.2f} {back:7.2f} {rerun:9.3f}")
    print(f"seconds, medians of {args.repeats} new-browser opens and their reruns (one slider step each); "
          "'+ vs none': what the one element adds to a new browser's open")


if __name__ == "__main__":
    main()
