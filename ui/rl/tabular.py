"""Tab "Q-learning (grid worlds)": tabular Q-learning learns live on FrozenLake or CliffWalking; its
state values and greedy policy beside value iteration's optimum, and the success rates.

Engine calls: `rl.train_q_learning(env_id, QLearningConfig, ...)` (followed by ui/rl/live.py) and
`rl.value_iteration(...)`."""

from __future__ import annotations

import numpy as np
import streamlit as st

from dl_core import rl
from ui import actions, echarts, errors, fragments

from . import charts, live, state
from .train import env_picker, environment_card, show_result

RUN = "rl_tabular"
SAID = "rl::tabular_said"  # session: set in a full run whose Train click (or followed training) drew a message
EPISODES = [200, 500, 1_000, 2_000, 5_000, 10_000, 20_000]


@st.cache_data(show_spinner=False, max_entries=16)
def _value_iteration(env_id: str, slippery: bool, gamma: float) -> rl.ValueIteration:
    return rl.value_iteration(env_id, slippery=slippery, gamma=gamma)


@st.cache_data(show_spinner=False, max_entries=32)
def _optimum_option(env_id: str, slippery: bool, gamma: float, zrange: tuple[float, float]) -> tuple[dict, int]:
    """Value iteration's grid (the chart's option and height), cached on the problem: a γ move redraws
    from here."""
    vi = _value_iteration(env_id, slippery, gamma)
    return charts.grid_option(vi.values, rl.greedy_arrows(env_id, vi.agent.policy), rl.grid_layout(env_id),
                              "Value iteration (knows the model): V*(s)", zrange)


def _config() -> tuple[str, rl.QLearningConfig]:
    """The settings. The problem (environment, slippery ice, discount γ) is drawn plainly: value iteration's
    grid below always shows its optimum. How Q-learning learns (α, episodes, ε, seed) is read only by the
    Train button, so it redraws alone while nothing of a training is on the tab (ui/fragments.py)."""
    left, right = st.columns([1, 2])
    with left:
        env_id = env_picker("rl_q_env", rl.grid_names())
        environment_card(env_id)
        slippery = st.checkbox("Slippery", value=bool(rl.env_spec(env_id).slippery_default), key=f"rl_q_slip_{env_id}",
                               help="FrozenLake's ice: a move goes where you meant only one time in three; "
                                    "otherwise it slides to a side.")
        gamma = st.slider("Discount γ", 0.50, 1.0, 0.99, 0.01, key="rl_q_gamma",
                          help="How much a reward one step later is worth; value iteration below uses it too.")
    with right:
        alpha, episodes, eps_start, eps_end, seed = fragments.alone(_learning, _training_shown)
    config = rl.QLearningConfig(episodes=int(episodes), alpha=float(alpha), gamma=float(gamma),
                                epsilon_start=float(eps_start), epsilon_end=float(eps_end),
                                slippery=bool(slippery), seed=int(seed))
    return env_id, config


def _learning() -> tuple[float, int, float, float, int]:
    """α, episodes, ε at the start and at the end, seed: what only the Train button reads."""
    c1, c2, c3 = st.columns(3)
    alpha = c1.slider("Learning rate α", 0.01, 1.0, 0.05, 0.01, key="rl_q_alpha",
                      help="How far each update moves Q toward what was just seen.")
    eps_start = c2.slider("ε at the start", 0.0, 1.0, 1.0, 0.05, key="rl_q_eps_start",
                          help="Chance of a random action: exploring.")
    seed = c3.number_input("Seed", 0, 1_000_000, 0, key="rl_q_seed")
    episodes = c1.select_slider("Episodes", EPISODES, 5_000, key="rl_q_episodes", format_func="{:,}".format)
    eps_end = c2.slider("ε at the end", 0.0, 1.0, 0.05, 0.01, key="rl_q_eps_end",
                        help="ε falls linearly over the episodes to this.")
    return alpha, episodes, eps_start, eps_end, seed


def _training_shown() -> bool:
    """Whether the tab shows a training under way or what the last Train click said (a refused setting, an
    engine error): a move of a learning setting then reruns the tab. A kept agent's results do not read
    them (they are of the settings it was trained with)."""
    return live.running(RUN) or bool(st.session_state.get(SAID))


def _grids(env_id: str, config: rl.QLearningConfig, trained) -> None:
    """Q-learning's values and arrows (once trained) beside value iteration's optimum."""
    vi = _value_iteration(env_id, bool(config.slippery), config.gamma)
    layout = rl.grid_layout(env_id)
    learned = trained is not None and trained.model is not None and trained.model.env_id == env_id
    values = [vi.values] + ([trained.model.values] if learned else [])
    zrange = (float(np.min(np.concatenate(values))), float(np.max(np.concatenate(values))))
    left, right = st.columns(2)
    with left:
        if learned:
            agent = trained.model
            option, height = charts.grid_option(agent.values, rl.greedy_arrows(env_id, agent.policy), layout,
                                                "Q-learning: max Q(s, a) and the greedy action", zrange)
            echarts.show(option, key="rl_q_grid_learned", height=height)
        else:
            st.info("Train Q-learning to see its values and policy here.", icon=":material/grid_on:")
    with right:
        option, height = _optimum_option(env_id, bool(config.slippery), config.gamma, zrange)
        echarts.show(option, key="rl_q_grid_optimal", height=height)
        st.caption(f"Converged in {vi.iterations} sweeps. Its policy reaches the goal with probability "
                   f"**{vi.success_probability:.3f}** within {rl.env_spec(env_id).max_steps} steps "
                   "(computed exactly from the model): the best any agent can do here.")


def view() -> None:
    st.markdown(
        "On a grid there are few enough states to keep a **table** of Q(s, a): the return expected after "
        "action *a* in state *s*. **Q-learning** improves one entry after every step, "
        "Q(s,a) ← Q(s,a) + α·(r + γ·maxₐ′ Q(s′,a′) − Q(s,a)), and explores with probability ε. "
        "**Value iteration** cheats: it reads the lake's transition table and computes the optimum "
        "directly. Q-learning has to find the same thing by falling into holes.")
    st.session_state.pop(SAID, None)  # a full run: what the last click said is no longer on the page
    env_id, config = _config()
    if st.button("Train Q-learning", type="primary", key="rl_q_train", icon=":material/play_arrow:"):
        st.session_state[SAID] = True
        with errors.guard(stop=False):
            config.check(env_id)
            live.start(RUN, lambda callbacks, cancel: rl.train_q_learning(
                env_id, config, callbacks=callbacks, cancel=cancel, caller="app"))
    if live.running(RUN):
        st.session_state[SAID] = True  # the curve, then the result or an error
        trained = actions.run(RUN, True, lambda: live.follow(RUN, f"Q-learning on {env_id}", "episodes"))
        state.remember(trained)
    trained = actions.kept(RUN)
    with errors.guard(stop=False):
        _grids(env_id, config, trained)
    if trained is None or trained.model is None:
        return
    opt = trained.details["optimal"]
    st.markdown(f"**{trained.model.name}**: success rate **{trained.metrics['success_rate']:.1%}** on "
                f"{trained.metrics['eval_episodes']:.0f} evaluation episodes; value iteration's policy "
                f"{opt['success_rate']:.1%} on the same episodes (exactly {opt['success_probability']:.1%}).")
    show_result(trained, "rl_tabular", x_label="episodes")
