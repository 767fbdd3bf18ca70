"""ui/fragments.py in a real server and browser: a section's `own` widget reruns only itself while the section
is a fragment, and reruns the page while what is below reads the section (issue 13).

AppTest runs the whole script on every change, so fragment reruns are seen only here: a small script under
`streamlit run` counts, per browser session, the runs of the page, of the section and of the `own` widget.
"""

from __future__ import annotations

import os
import re
import sys
import tempfile

import pytest

from tests.e2e.conftest import ROOT, exception_texts, serve, settle

SCRIPT = '''
import streamlit as st
from ui import fragments

runs = st.session_state.setdefault("runs", {"page": 0, "section": 0, "own": 0})
runs["page"] += 1
below = st.toggle("Results below read the settings", key="below")


def section():
    runs["section"] += 1
    shared = st.slider("Shared", 0, 10, 1, key="shared")

    def alone():
        runs["own"] += 1
        value = st.slider("Alone", 0, 10, 2, key="alone")
        st.caption("runs: page {page}, section {section}, own {own}".format(**runs))
        return value

    return shared, fragments.own(alone)


shared, alone = fragments.alone(section, shown_below=lambda: below)
st.caption(f"the page read: shared {shared}, alone {alone}")
'''


@pytest.fixture(scope="module")
def script_url(chromium):
    folder = tempfile.mkdtemp(prefix="dlx-fragments-")
    script = os.path.join(folder, "fragments_page.py")
    with open(script, "w") as f:
        f.write(SCRIPT)
    with serve([sys.executable, "-m", "streamlit", "run", script], {**os.environ, "PYTHONPATH": str(ROOT)}) as url:
        yield url


def _runs(page) -> tuple[int, int, int]:
    text = page.get_by_text(re.compile(r"^runs: page")).inner_text()
    page_runs, section, own = map(int, re.findall(r"\d+", text))
    return page_runs, section, own


def _step(page, label: str) -> None:
    slider = page.locator("[data-testid='stSlider']").filter(has_text=label).get_by_role("slider")
    slider.focus()
    slider.press("ArrowRight")
    settle(page)


def test_an_own_widget_reruns_alone_until_something_below_reads_the_section(page, script_url):
    page.goto(script_url)
    settle(page)
    assert _runs(page) == (1, 1, 1)
    _step(page, "Alone")  # its own fragment: neither the section nor the page runs
    assert _runs(page) == (1, 1, 2)
    _step(page, "Shared")  # the section's fragment: it draws its `own` widget again
    assert _runs(page) == (1, 2, 3)
    page.get_by_text("Results below read the settings").click()  # a full run: the section is drawn plainly
    settle(page)
    assert _runs(page) == (2, 3, 4)
    assert page.get_by_text("the page read: shared 2, alone 3").count()  # what the fragment runs set
    _step(page, "Alone")  # plain now: the whole page reruns, so what is below follows
    assert _runs(page) == (3, 4, 5)
    assert page.get_by_text("the page read: shared 2, alone 4").count()
    assert not exception_texts(page)
