"""Models loaded once per server process and shared by every browser session.

`st.cache_resource` objects are shared across users: pages must never train or mutate them; a
person's own trained models live in `st.session_state` instead.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from dl_core import registry


@st.cache_resource(show_spinner="Loading the model (once per server)…", max_entries=16)
def _load(name: str, device: str | None) -> Any:
    return registry.load(name, device)


def model(name: str, device: str | None = None) -> Any:
    """The loaded registry model `name` (raises UnknownModelError / ModelUnavailableError)."""
    return _load(name, device)


def forget(name: str, device: str | None = None) -> None:
    """Drop a cached model, e.g. after a `local` model was retrained and saved again."""
    _load.clear(name, device)
