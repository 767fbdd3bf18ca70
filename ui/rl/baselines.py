"""Tab "Baselines": the random policy, the hand-written rules and this session's agents on the same
evaluation episodes: mean ± standard deviation of the return. Engine call: `rl.compare(...)`."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dl_core import rl
from ui import actions, fragments

from . import charts, state, tabular, train
from .train import env_picker

KEY = "rl_baselines"
SAID = "rl::baselines_said"  # session: set in a full run whose Evaluate click drew its table or a message


def _compare(env_id: str, slippery: bool | None, episodes: int, seed: int) -> pd.DataFrame:
    policies = dict(rl.baseline_policies(env_id, seed))
    for name, trained in state.agents(env_id).items():
        policies[f"{name} (trained)"] = trained.model.act
    rows = rl.compare(env_id, policies, slippery=slippery, episodes=episodes, seed=seed)
    table = pd.DataFrame([r.as_dict() for r in rows])
    table.attrs.update(env=rl.describe_env(env_id, slippery), episodes=episodes, seed=seed, env_id=env_id)
    return table


def _settings() -> tuple[str, bool | None, int, int]:
    """The environment and the evaluation episodes: read only by the Evaluate button."""
    latest = list(state.agents())
    default = state.agents()[latest[-1]].model.env_id if latest else "CartPole-v1"
    c1, c2, c3 = st.columns(3)
    with c1:
        env_id = env_picker("rl_base_env", default=default)
        spec = rl.env_spec(env_id)
        slippery = (st.checkbox("Slippery", bool(spec.slippery_default), key=f"rl_base_slip_{env_id}")
                    if spec.is_grid else None)
    # Each a fragment of its own (fragments.own): only the Evaluate click reads them.
    episodes = fragments.own(lambda: st.slider("Evaluation episodes", 5, 200, 20, 5, key="rl_base_episodes"), c2)
    seed = fragments.own(lambda: st.number_input("Seed of the evaluation episodes", 0, 1_000_000, 0,
                                                 key="rl_base_seed"), c3)
    return env_id, slippery, int(episodes), int(seed)


def _said_shown() -> bool:
    """Whether the tab shows what the last Evaluate click said (its table or an error): a settings move then
    reruns the tab, which clears the message. A kept table does not read the settings (it names the
    environment, episodes and seed it was evaluated with), so it leaves them alone."""
    return bool(st.session_state.get(SAID))


def _evaluate(env_id: str, slippery: bool | None, episodes: int, seed: int) -> pd.DataFrame:
    st.session_state[SAID] = True  # a click: its table, or its error message, follows on the page
    return _compare(env_id, slippery, episodes, seed)


def view() -> None:
    st.markdown(
        "Is the agent any good? Compare it with doing nothing clever (**random** actions) and with a "
        "rule a person writes in a minute (**heuristic**). Every policy meets the same evaluation "
        "episodes (the same start states, the same slippery ice), none of them seen in training.")
    state.collect_finished(train.RUN, tabular.RUN)  # agents whose training ended while this tab was open
    st.session_state.pop(SAID, None)  # a full run: what the last click said is no longer on the page
    # The settings redraw alone unless the last click's message is shown (ui/fragments.py); Evaluate is a full
    # run, which reads them.
    env_id, slippery, episodes, seed = fragments.alone(_settings, _said_shown)
    table = actions.on_click("Evaluate", KEY, lambda: _evaluate(env_id, slippery, episodes, seed),
                             icon=":material/leaderboard:")
    if table is None:
        st.info("Press **Evaluate**. Trained agents of this session join the table automatically.",
                icon=":material/info:")
        return
    st.caption(f"{table.attrs['env']}: {table.attrs['episodes']} evaluation episodes, seed {table.attrs['seed']}.")
    shown = table.assign(**{"return (mean ± std)": [f"{m:.2f} ± {s:.2f}" for m, s in
                                                    zip(table["mean_reward"], table["std_reward"], strict=True)]})
    cols = ["policy", "return (mean ± std)"]
    if shown["success_rate"].notna().any():
        shown["success rate"] = [f"{x:.1%}" for x in shown["success_rate"]]
        cols.append("success rate")
    st.dataframe(shown[cols], hide_index=True, key="rl_base_table")
    st.plotly_chart(charts.comparison_figure(table), key="rl_base_chart")
    rules = rl.heuristics(table.attrs["env_id"])
    if rules:
        st.markdown("\n".join(f"- **{h.name}**: {h.rule}" for h in rules))
