"""Sections whose controls redraw only themselves, unless something below them reads their values.

A full rerun redraws every element of a page; on 2 cores each costs the browser a few milliseconds, so a
page of settings, a table and charts took 150-250 ms per slider step (issue 13), and twice that once a
training's charts and tables were below. A fragment (`st.fragment`) reruns only its own function and
redraws only its own elements. That is right for settings that nothing else on the page reads (data or
model settings read only by a Train button, which starts a full run and gets them then). A training's
results do not read them either: they show the settings they were trained with. A "settings changed since
training" notice belongs inside the section (it follows the settings there). Only what shows the current
values below the section (a "Repeat with 3 seeds" table's own notice, what the last click said about
them) needs the section drawn as a plain part of the page, so that moving a setting redraws it too:

    config = fragments.alone(_settings, shown_below=lambda: repeat.kept(KEY) is not None)

A fragment's widget moved while a full run is under way (a training) queues its rerun until that run ends;
it does not stop the training (only a full rerun would: the Stop button).

A section that stops the page (a bad upload, "choose a label column") calls `stop()`, not `st.stop()`: in a
fragment rerun `st.stop()` stops only the fragment, and the rest of the page, drawn for the old values,
would stay below the error. `stop()` starts a full run instead, which meets the same problem and stops
the whole page; the next rerun of the section that gets through starts a full run again, so the rest of
the page comes back.

Inside a fragment section, a widget that nothing else in the section reads (a setting read only by the
Train click's full run) can be a fragment of its own, so that moving it redraws only itself: `own`.
A fragment rerun sends every element of the fragment again, and on 2 cores each widget sent again costs
the browser a few milliseconds: RL's nine training settings in one fragment reran in 123 ms on a bare
copy of that page, each in a fragment of its own in 79 ms (24 steps each). A widget whose value changes
what the section shows (another widget's range or state, a parameter count) stays in the section. One
whose value changes a single element can still be `own` if it redraws that element itself: time series'
network settings each rewrite the "changed since training" notice, an `st.empty` made outside every
fragment (`into`; ui/timeseries/model.py): 0.165 -> 0.137 s a step after a training, against the whole
section redrawn for it.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from typing import NoReturn, TypeVar

import streamlit as st
from streamlit.delta_generator import DeltaGenerator
from streamlit.errors import StreamlitInvalidLayoutContextError
from streamlit.runtime.scriptrunner import get_script_run_ctx

T = TypeVar("T")
STOPPED = "fragments::stopped"  # session key: the last full run stopped inside an `alone` section
_drawing = threading.local()  # Streamlit runs each session's script on its own thread


def alone(draw: Callable[[], T], shown_below: Callable[[], bool]) -> T:
    """`draw()`'s value (it draws the section). While `shown_below()` is False the section is a fragment:
    its widgets rerun only `draw`. A fragment rerun that finds `shown_below()` True (results appeared
    since the section was drawn) starts a full rerun, so what is below follows the new values."""
    if shown_below():
        outer, _drawing.section = getattr(_drawing, "section", False), False
        try:
            return draw()  # plainly, its `own` widgets too: what is below reads them
        finally:
            _drawing.section = outer
    return _fragment(draw, shown_below)


def own(draw: Callable[[], T], where: DeltaGenerator | None = None) -> T:
    """`draw()`'s value (it draws one widget, or a few that only read each other, with what only they
    change), drawn in `where` (a column; default: where the section draws). Inside an `alone` section
    that is a fragment, `draw` is a fragment of its own: moving its widget reruns only `draw`. Elsewhere
    (the section is drawn plainly, because what is below reads its values) it is drawn plainly.

        conv = fragments.own(lambda: st.slider("Conv layers", 1, 3, 2, key="dg_conv"), columns[0])
    """
    with where if where is not None else contextlib.nullcontext():
        shown_below = getattr(_drawing, "shown_below", None)
        if not getattr(_drawing, "section", False) or shown_below is None:
            return draw()
        return _widget(draw, shown_below)


def into(slot: DeltaGenerator, draw: Callable[[], None]) -> None:
    """`draw()` into `slot`, a container made outside every fragment, from an `own` widget's fragment too
    (Streamlit >= 1.59 lets a fragment draw into a container outside it; made inside a parent fragment, such
    a slot broke once the parent reran, Streamlit 1.67). A fragment may draw there only if the last full run
    saw it do so: one drawn for the first time in a rerun of its section alone (its expander just opened)
    asks for one full run instead."""
    try:
        with slot:
            draw()
    except StreamlitInvalidLayoutContextError:
        st.rerun(scope="app")


def stop() -> NoReturn:
    """`st.stop()` that stops the whole page when called from an `alone` section's fragment rerun."""
    if getattr(_drawing, "section", False):
        st.session_state[STOPPED] = True
        if _fragment_rerun():
            st.rerun()  # the full run meets the same problem and stops there
    st.stop()


def _fragment_rerun() -> bool:
    ctx = get_script_run_ctx()
    return bool(ctx and ctx.fragment_ids_this_run)


@st.fragment
def _fragment(draw: Callable[[], T], shown_below: Callable[[], bool]) -> T:
    return _section(draw, shown_below)


@st.fragment
def _widget(draw: Callable[[], T], shown_below: Callable[[], bool]) -> T:
    return _section(draw, shown_below)  # the same, apart so that tests can tell sections from `own` widgets


def _section(draw: Callable[[], T], shown_below: Callable[[], bool]) -> T:
    outer = getattr(_drawing, "section", False), getattr(_drawing, "shown_below", None)
    _drawing.section, _drawing.shown_below = True, shown_below
    try:
        value = draw()
    finally:
        _drawing.section, _drawing.shown_below = outer  # a section may hold another
    stopped = st.session_state.pop(STOPPED, False)
    # In a fragment rerun: results appeared since the section was drawn (a full run that found them drew
    # `draw` plainly), or the last full run stopped here, so nothing below was drawn.
    if _fragment_rerun() and (stopped or shown_below()):
        st.rerun()
    return value
