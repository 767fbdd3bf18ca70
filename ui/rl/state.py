"""The agents this person trained, kept in their session only (never shared, never on disk)."""

from __future__ import annotations

import streamlit as st

from dl_core.training import TrainedModel

_KEY = "rl::agents"
MAX_AGENTS = 8  # oldest dropped first: an agent is small, but sessions live long


def remember(trained: TrainedModel) -> None:
    """Keep a finished (or stopped) training's agent under its name, newest last."""
    if trained is None or trained.model is None:
        return
    kept: dict[str, TrainedModel] = st.session_state.setdefault(_KEY, {})
    kept.pop(trained.model.name, None)
    kept[trained.model.name] = trained
    while len(kept) > MAX_AGENTS:
        kept.pop(next(iter(kept)))


def collect_finished(*runs: str) -> None:
    """Agents whose training (live jobs `runs`) ended while their tab was closed: kept as that tab's
    result and among this session's agents, so the tab calling this lists them at once."""
    from ui import actions

    from . import live

    for run in runs:
        trained = live.collect(run)
        if trained is not None:
            actions.keep(run, trained)
            remember(trained)


def agents(env_id: str | None = None) -> dict[str, TrainedModel]:
    """This session's agents (newest last), optionally only those trained on `env_id`."""
    kept: dict[str, TrainedModel] = st.session_state.get(_KEY, {})
    return {name: t for name, t in kept.items() if env_id is None or t.model.env_id == env_id}
