"""Sections whose controls redraw only themselves, until something below them depends on their values.

A full rerun redraws every element of a page; on 2 cores each costs the browser a few milliseconds, so a
page of settings, a table and charts took 150-250 ms per slider step (issue 13). A fragment
(`st.fragment`) reruns only its own function and redraws only its own elements. That is right for
settings that nothing else on the page shows yet (data or model settings read only by a Train button,
which starts a full run and gets them then). Once results of those settings are on the page, moving one
must redraw the results too (or their "settings changed since training" notice), so the section is then
drawn as a plain part of the page.

    config = fragments.alone(_settings, shown_below=lambda: actions.kept(RUN) is not None)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import streamlit as st

T = TypeVar("T")


def alone(draw: Callable[[], T], shown_below: Callable[[], bool]) -> T:
    """`draw()`'s value (it draws the section). While `shown_below()` is False the section is a fragment:
    its widgets rerun only `draw`. A fragment rerun that finds `shown_below()` True (results appeared
    since the section was drawn) starts a full rerun, so what is below follows the new values."""
    if shown_below():
        return draw()
    return _fragment(draw, shown_below)


@st.fragment
def _fragment(draw: Callable[[], T], shown_below: Callable[[], bool]) -> T:
    value = draw()
    if shown_below():  # only in a fragment rerun: a full run that found results drew `draw` plainly
        st.rerun()
    return value
