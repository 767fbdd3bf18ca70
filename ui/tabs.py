"""Lazy tabs that remember: only the open tab's view runs, and what a person set in the other tabs stays.

Why lazy: plain `st.tabs` runs and draws every tab, hidden ones included, so a page pays for all its
tabs' work and charts on its first open (one hidden Plotly chart makes the browser load Plotly's 4.7 MB
script: 1.5-2 s of CPU on 2 cores). Only the open tab's view runs here.

Why a segmented control (one choice, bound to the URL) and not `st.tabs(on_change="rerun")`: an `st.tabs`
anywhere on a page makes the browser draw the whole page once more on every fragment rerun (a bare page's
slider in a fragment: React 17 -> 30-42 ms, two page renders -> three; issue 13), and the app's settings
are fragments. Measured on the app, the code before and after alternating (`bench/ab_reruns.py`, 2 rounds,
16-18 steps each): digits' Augment 0.128 -> 0.110 s, RL's Timesteps 0.120 -> 0.098 s, the clustering
table's k 0.228 -> 0.199 s, the faces' ψ 0.170 -> 0.132 s. For a screen reader it is a radio group
named by `label` whose options are the tabs.

Why keep: Streamlit forgets the value of every widget that is not drawn in a run, so a person who set
sliders in tab B, looked at tab A and came back would find B reset. Each run, the closed tabs' widget
values become plain session-state entries under the same keys (`del`, then set again): a widget takes
the value under its key when it is drawn again. A plain re-assignment (`st.session_state[k] =
st.session_state[k]`) is not enough: the value stays tied to the gone widget, and the next rerun of a
fragment in the open tab drops it (seen in Chromium; a plain entry survives).

    tabs.show("clustering_tab", [tabs.Tab("Compare algorithms", grid.view, ("cl_grid_",)), ...])

Each tab names the prefixes of its widget keys; a key belongs to the tab whose prefix is the longest
that matches (so "rl_" and "rl_q_" can be two tabs). A file upload cannot be put back into its
uploader: a view that reads one keeps what it parsed in the session itself (ui/clustering/table.py).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import streamlit as st
from streamlit.errors import StreamlitAPIException

from . import errors

# Values a widget can be given back through st.session_state: what sliders, inputs, choices and toggles
# hold. Anything else (a chart's or table's selection, a data editor's edits, uploaded files) is left
# to Streamlit, which would refuse it or ignore it.
PLAIN = (type(None), bool, int, float, str, dt.date, dt.time, dt.timedelta)  # dt.datetime is a dt.date

# The tabs as a browser test finds them: the options of `show`'s segmented control, whose element carries the
# class st-key-<key>; every page's key ends in "_tab". One selector for the e2e tests and the benches.
OPTIONS_IN_BROWSER = "[data-testid='stMain'] [class*='st-key-'][class*='_tab'] [role='radio']"


def in_browser(page: Any, name: str) -> Any:
    """The tab of that name on a page in a browser (a Playwright locator, sync or async API alike)."""
    return page.locator(OPTIONS_IN_BROWSER).filter(has_text=re.compile(f"^{re.escape(name)}$"))


@dataclass(frozen=True)
class Tab:
    label: str
    view: Callable[[], Any]
    keys: tuple[str, ...] = ()  # prefixes of the keys of the widgets `view` draws


def show(key: str, tabs: Sequence[Tab], label: str = "View") -> str:
    """Draw the choice of `tabs` (the open one is in the URL as ?<key>=<label>, so it can be linked), keep
    the closed tabs' widget values, run the open tab's view inside an error boundary below the choice;
    returns the open label. `label` names the choice for screen readers (it is not shown)."""
    labels = [t.label for t in tabs]
    opened = pick(label, labels, key, bind="query-params")
    keep_closed(tabs, opened, skip=key)
    with errors.guard(stop=False):
        tabs[labels.index(opened)].view()
    return opened


def pick(label: str, labels: Sequence[str], key: str, **options: Any) -> str:
    """One of `labels`, chosen with a segmented control (`label` for screen readers, not shown): the first by
    default, and whenever the remembered or linked choice is no longer offered. `options` go to the control."""
    picked = st.segmented_control(label, labels, default=labels[0], required=True, key=key,
                                  label_visibility="collapsed", **options)
    return picked if picked in labels else labels[0]


def owner(key: str, tabs: Sequence[Tab]) -> Tab | None:
    """The tab whose key prefix is the longest that `key` starts with, or None."""
    best, length = None, -1
    for tab in tabs:
        for prefix in tab.keys:
            if key.startswith(prefix) and len(prefix) > length:
                best, length = tab, len(prefix)
    return best


def keep_closed(tabs: Sequence[Tab], opened: str, skip: str = "") -> list[str]:
    """Turn the widget values of every tab but `opened` into plain session-state entries (see the module
    docstring); returns the keys kept. Call it before the open tab's view runs."""
    closed = []
    for k in list(st.session_state.keys()):
        tab = owner(k, tabs) if isinstance(k, str) and k != skip else None
        if tab is not None and tab.label != opened:
            closed.append(k)
    return keep(closed)


def keep(keys: Iterable[str]) -> list[str]:
    """Turn the values of the widgets under `keys` (not drawn in this run) into plain session-state entries,
    so they are there when the widgets are drawn again; returns the keys kept. Keys not in the session, and
    values Streamlit will not take back (events, files, selections), are skipped."""
    kept = []
    for k in keys:
        if k not in st.session_state:
            continue
        value = st.session_state[k]
        if not is_plain(value) or _event_or_file(k):
            continue
        try:
            st.session_state[k] = value  # Streamlit refuses a widget drawn in this run
        except StreamlitAPIException:
            continue
        del st.session_state[k]  # forgets the widget behind the key: the value becomes a plain entry
        st.session_state[k] = value
        kept.append(k)
    return kept


def is_plain(value: Any) -> bool:
    """A value of PLAIN type, or a list or tuple of them (multiselect choices, a slider's range)."""
    if isinstance(value, list | tuple):
        return all(isinstance(v, PLAIN) for v in value)
    return isinstance(value, PLAIN)


def _event_or_file(key: str) -> bool:
    """Buttons hold an event (True in the run of the click only) and uploaders files: Streamlit forbids
    setting either through st.session_state. Both are plain-looking (False, None), so ask Streamlit
    what the widget behind `key` holds. If that cannot be read, keep nothing (the old behaviour)."""
    try:
        from streamlit.runtime.state.session_state_proxy import get_session_state

        state = get_session_state()._state  # noqa: SLF001 (no public way to ask a widget's kind)
        widget_id = state.get_widget_id_from_key(key)
        meta = state.get_widget_metadata(widget_id) if widget_id is not None else None
    except Exception:  # noqa: BLE001 (a Streamlit that moved these: safe side, keep nothing)
        return True
    kind = getattr(meta, "value_type", None) or ""  # None: no widget behind the key, a plain entry
    return kind.endswith("trigger_value") or kind == "file_uploader_state_value"
