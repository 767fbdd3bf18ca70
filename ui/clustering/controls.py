"""Widgets more than one clustering tab uses."""

from __future__ import annotations

import streamlit as st

from dl_core import clustering as cl


def number_type(p) -> type:
    """int for a parameter with whole steps and default (a slider of ints), else float."""
    return int if float(p.step).is_integer() and float(p.default).is_integer() else float


def algorithm_sliders(prefix: str, algorithm: str) -> dict[str, float]:
    """Sliders for one algorithm's key parameters (`cl.PARAMS`); returns {name: value}."""
    values = {}
    for p in cl.PARAMS[algorithm]:
        cast = number_type(p)
        values[p.name] = st.slider(p.label, cast(p.low), cast(p.high), cast(p.default), cast(p.step),
                                   help=p.help, key=f"{prefix}_{algorithm}_{p.name}")
    return values
