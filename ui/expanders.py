"""Settings expanders whose widgets are drawn only while the expander is open.

Why: a collapsed `st.expander` still sends and draws everything inside it, and the browser pays for
each element on every open and every rerun of the page (issue 13). Time series' "Network and training"
(eight widgets, closed by default) cost a new browser tab 0.24 s of CPU on 2 cores. With
`on_change="rerun"` the script knows whether the expander is open; while it is closed the widgets are not
drawn, and their values (the person's, or the defaults) are read from the session:

    box = expanders.settings("Network and training", "ts_net", DEFAULTS, icon=":material/tune:")
    if box is None:
        chosen = expanders.values(DEFAULTS)
    else:
        with box:
            ...the widgets, keyed as in DEFAULTS, with DEFAULTS' values as their defaults...

Streamlit forgets the value of a widget that is not drawn in a run, so while closed the values are kept
as plain session-state entries (`tabs.keep`); a widget drawn again takes the value under its key.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from . import tabs


def settings(label: str, key: str, defaults: Mapping[str, Any], icon: str | None = None) -> DeltaGenerator | None:
    """The open expander to draw the widgets into, or None while it is closed (their values kept)."""
    box = st.expander(label, key=key, on_change="rerun", icon=icon)
    if box.open:
        return box
    tabs.keep(defaults)
    return None


def values(defaults: Mapping[str, Any]) -> dict[str, Any]:
    """The settings' values while their expander is closed: the person's last choice, else the default."""
    return {k: st.session_state.get(k, v) for k, v in defaults.items()}
