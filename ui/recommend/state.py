"""What the tabs of the Recommendations page share in this person's session: the chosen data and
the models trained on it (never shared between people: st.session_state only)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import streamlit as st

from dl_core import recommend

DATA = "rec_data"  # session key: the Chosen data
RESULTS = "rec_results"  # session key: {data key: {model name: TrainedModel}}


@dataclass
class Chosen:
    key: str  # changes when the data or its columns change: models trained on other data are set aside
    data: recommend.Interactions
    bundled: bool
    notices: list[str] = field(default_factory=list)


@st.cache_data(show_spinner="Loading MovieLens…", max_entries=2)
def movielens(max_users: int | None = None) -> recommend.Interactions:
    return recommend.load_movielens(max_users)


def chosen() -> Chosen:
    """The data the person picked on the Data tab; the bundled MovieLens until they pick another."""
    current = st.session_state.get(DATA)
    if current is None:
        current = Chosen("movielens", movielens(), bundled=True)
        st.session_state[DATA] = current
    return current


def choose(value: Chosen) -> None:
    st.session_state[DATA] = value


def results() -> dict[str, Any]:
    """{model name: TrainedModel} trained in this session on the chosen data, in training order."""
    return st.session_state.setdefault(RESULTS, {}).setdefault(chosen().key, {})


def keep_result(name: str, result: Any, data_key: str | None = None) -> None:
    """Keep `result` among the models of the chosen data (or of the data `data_key` names)."""
    table = results() if data_key is None else st.session_state.setdefault(RESULTS, {}).setdefault(data_key, {})
    table.pop(name, None)
    table[name] = result  # the latest training of a model replaces its previous one

