"""The device badge: which hardware the engine computes on."""

from __future__ import annotations

import streamlit as st


@st.cache_resource(show_spinner=False)
def _describe():
    from dl_core import device

    return device.describe()


def badge(where=st.sidebar) -> None:
    info = _describe()
    icon = ":material/memory:" if info.type == "cpu" else ":material/bolt:"
    where.caption(f"{icon} Computing on **{info.type.upper()}** · {info.name} · {info.precision}"
                  + (f" · {info.threads} thread{'s' if info.threads != 1 else ''}" if info.type == "cpu" else ""))
