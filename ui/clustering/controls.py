"""Widgets more than one clustering tab uses."""

from __future__ import annotations

import streamlit as st

from dl_core import clustering as cl


def algorithm_sliders(prefix: str, algorithm: str) -> dict[str, float]:
    """Sliders for one algorithm's key parameters (`cl.PARAMS`); returns {name: value}."""
    values = {}
    for p in cl.PARAMS[algorithm]:
        is_int = float(p.step).is_integer() and float(p.default).is_integer()
        cast = int if is_int else float
        values[p.name] = st.slider(p.label, cast(p.low), cast(p.high), cast(p.default), cast(p.step),
                                   help=p.help, key=f"{prefix}_{algorithm}_{p.name}")
    return values
