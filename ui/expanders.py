"""Settings expanders whose widgets are drawn only while the expander is open.

Why: a collapsed `st.expander` still sends and draws everything inside it, and the browser pays for
each element on every open and every rerun of the page (issue 13). Time series' "Network and training"
(eight widgets, closed by default) cost a new browser tab 0.24 s of CPU on 2 cores. With
`on_change="rerun"` the script knows whether the expander is open; while it is closed the widgets are not
drawn, and their values (the person's, or the defaults) are read from the session either way:

    chosen = expanders.settings("Network and training", "ts_net", DEFAULTS, _draw, icon=":material/tune:")

`_draw()` draws the widgets (keyed as in DEFAULTS, with DEFAULTS' values as their defaults) into the open
expander; `chosen` maps each key of DEFAULTS to its value in this run.

Streamlit forgets the value of a widget that is not drawn in a run, so while closed the values are kept
as plain session-state entries (`tabs.keep`); a widget drawn again takes the value under its key.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

import streamlit as st

from . import tabs


def settings(label: str, key: str, defaults: Mapping[str, Any], draw: Callable[[], object],
             icon: str | None = None) -> dict[str, Any]:
    """Each setting's value in this run; `draw()` draws their widgets into the expander while it is open."""
    box = lazy(label, key, defaults, icon=icon)
    if box is not None:
        with box:
            draw()  # a drawn widget's value is in the session under its key from here on
    return values(defaults)


def lazy(label: str, key: str, kept: Iterable[str], icon: str | None = None):
    """The expander to draw into while it is open, else None: closed, the values of the widgets keyed
    `kept` stay in the session for when it opens again."""
    box = st.expander(label, key=key, on_change="rerun", icon=icon)
    if box.open:
        return box
    tabs.keep(kept)
    return None


def values(defaults: Mapping[str, Any]) -> dict[str, Any]:
    """The settings' values: the person's last choice, else the default."""
    return {k: st.session_state.get(k, v) for k, v in defaults.items()}
