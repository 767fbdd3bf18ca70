"""Tab "Watch it play": one episode of a trained agent (or a hand-written rule) rendered as an
animation, beside the random agent from the same start, and the return step by step.

Engine calls: `rl.play(policy, env_id, seed=...)` for each player, `rl.animation(frames)`."""

from __future__ import annotations

import zlib

import streamlit as st

from dl_core import rl
from ui import actions

from . import charts, state, tabular, train
from .train import env_picker

KEY = "rl_watch"


def _players(env_id: str) -> dict[str, rl.Policy]:
    """Who can play this environment: this session's agents on it, then its hand-written rules."""
    players: dict[str, rl.Policy] = {}
    for name, trained in reversed(state.agents(env_id).items()):
        players[f"{name} (trained)"] = trained.model.act
    for h in rl.heuristics(env_id):
        players[f"{h.name}: {h.rule}"] = h.policy
    return players


def _play(env_id: str, slippery: bool | None, player: str, policy: rl.Policy, seed: int) -> dict:
    """Both episodes from the same start, kept light: GIF bytes and returns, no raw frames."""
    out = {"env": env_id, "seed": seed, "players": {}}
    for name, pol in ((player, policy), ("random agent", rl.random_policy(env_id, seed))):
        episode = rl.play(pol, env_id, slippery=slippery, seed=seed)
        out["players"][name] = {"gif": rl.animation(episode.frames, episode.fps), "returns": episode.returns,
                                "total": episode.total, "steps": episode.steps, "terminated": episode.terminated}
    return out


def view() -> None:
    st.markdown("The same start for both players (the same reset seed), so any difference is the policy's.")
    state.collect_finished(train.RUN, tabular.RUN)  # agents whose training ended while this tab was open
    latest = list(state.agents())
    default = state.agents()[latest[-1]].model.env_id if latest else "CartPole-v1"
    c1, c2, c3 = st.columns([1, 2, 1])
    with c1:
        env_id = env_picker("rl_watch_env", default=default)
    players = _players(env_id)
    if not players:
        c2.info("No agent for this environment yet (and no hand-written rule): train one in the first tabs. "
                "You can still watch the random agent.", icon=":material/info:")
        players = {"random agent (again)": rl.random_policy(env_id, 1)}
    # Keyed by who can play: a newly trained agent becomes the default choice.
    player = c2.selectbox("Player", list(players), key=f"rl_watch_player_{zlib.crc32('|'.join(players).encode())}")
    seed = c3.number_input("Start (reset seed)", 0, 1_000_000, 7, key="rl_watch_seed")
    trained = next((t for n, t in state.agents(env_id).items() if player.startswith(n)), None)
    slippery = trained.model.slippery if trained is not None else None
    shown = actions.on_click("Play an episode", KEY, lambda: _play(env_id, slippery, player, players[player],
                                                                   int(seed)), icon=":material/play_circle:")
    if shown is None:
        st.info("Press **Play an episode** to render it frame by frame (a few seconds).", icon=":material/movie:")
        return
    cols = st.columns(len(shown["players"]))
    for col, (name, p) in zip(cols, shown["players"].items(), strict=True):
        end = "ended by the task" if p["terminated"] else "reached the time limit"
        col.image(p["gif"], width="stretch", caption=f"{name}: return {p['total']:.1f} in {p['steps']} steps ({end})")
    st.plotly_chart(charts.returns_figure({n: p["returns"] for n, p in shown["players"].items()}),
                    key="rl_watch_returns")
    st.caption(f"{shown['env']}, start seed {shown['seed']}. Long episodes show every few steps.")
