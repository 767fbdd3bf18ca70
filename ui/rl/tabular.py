"""Tab "Q-learning (grid worlds)": tabular Q-learning learns live on FrozenLake or CliffWalking; its
state values and greedy policy beside value iteration's optimum, and the success rates.

Engine calls: `rl.train_q_learning(env_id, QLearningConfig, ...)` (followed by ui/rl/live.py) and
`rl.value_iteration(...)`."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

import numpy as np
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from dl_core import rl
from dl_core.errors import InputError
from ui import actions, echarts, errors, fragments

from . import charts, live, state
from .train import env_picker, environment_card, show_result

RUN = "rl_tabular"
SAID = "rl::tabular_said"  # session: set in a full run whose Train click (or followed training) drew a message
EPISODES = [200, 500, 1_000, 2_000, 5_000, 10_000, 20_000]
OPTIMUM = "Value iteration (knows the model): V*(s)"
OPTIMUM_SAME = "Value iteration on the same problem: V*(s)"
LEARNED = "Q-learning: max Q(s, a) and the greedy action"


@st.cache_data(show_spinner=False, max_entries=16)
def _value_iteration(env_id: str, slippery: bool, gamma: float) -> rl.ValueIteration:
    return rl.value_iteration(env_id, slippery=slippery, gamma=gamma)


@st.cache_data(show_spinner=False, max_entries=32)
def _optimum_option(env_id: str, slippery: bool, gamma: float, zrange: tuple[float, float] | None,
                    title: str) -> tuple[dict, int]:
    """Value iteration's grid (the chart's option and height), cached on the problem: a γ move redraws
    from here."""
    vi = _value_iteration(env_id, slippery, gamma)
    return charts.grid_option(vi.values, rl.greedy_arrows(env_id, vi.agent.policy), rl.grid_layout(env_id),
                              title, zrange)


def _config() -> tuple[str, rl.QLearningConfig]:
    """The settings and, beside them, value iteration's optimum for the problem they set (environment,
    slippery ice, discount γ). Nothing else on the tab reads them (a trained agent's results show the
    problem it was trained on), so they redraw alone while nothing of a training is on the tab
    (ui/fragments.py): a γ step redraws γ and its optimum, not the other settings nor the results below."""
    return fragments.alone(_settings, _training_shown)


def _settings() -> tuple[str, rl.QLearningConfig]:
    left, right = st.columns([1, 2])
    with left:
        env_id = env_picker("rl_q_env", rl.grid_names())
        environment_card(env_id)
        slippery = st.checkbox("Slippery", value=bool(rl.env_spec(env_id).slippery_default), key=f"rl_q_slip_{env_id}",
                               help="FrozenLake's ice: a move goes where you meant only one time in three; "
                                    "otherwise it slides to a side.")
    with right:
        c1, c2, c3 = st.columns(3)
        # Each a fragment of its own (fragments.own): only the Train click reads them.
        alpha = fragments.own(lambda: st.slider("Learning rate α", 0.01, 1.0, 0.05, 0.01, key="rl_q_alpha",
                                                help="How far each update moves Q toward what was just seen."), c1)
        eps_start = fragments.own(lambda: st.slider("ε at the start", 0.0, 1.0, 1.0, 0.05, key="rl_q_eps_start",
                                                    help="Chance of a random action: exploring."), c2)
        seed = fragments.own(lambda: st.number_input("Seed", 0, 1_000_000, 0, key="rl_q_seed"), c3)
        episodes = fragments.own(lambda: st.select_slider("Episodes", EPISODES, 5_000, key="rl_q_episodes",
                                                          format_func="{:,}".format), c1)
        eps_end = fragments.own(lambda: st.slider("ε at the end", 0.0, 1.0, 0.05, 0.01, key="rl_q_eps_end",
                                                  help="ε falls linearly over the episodes to this."), c2)

    def config(gamma: float) -> rl.QLearningConfig:
        return rl.QLearningConfig(episodes=int(episodes), alpha=float(alpha), gamma=float(gamma),
                                  epsilon_start=float(eps_start), epsilon_end=float(eps_end),
                                  slippery=bool(slippery), seed=int(seed))

    # γ and the optimum it gives redraw alone in turn (a section inside this one): a γ step leaves the
    # eight controls above be.
    gamma = fragments.alone(partial(_optimum, env_id, config), _training_shown)
    return env_id, config(gamma)


def _optimum(env_id: str, config: Callable[[float], rl.QLearningConfig]) -> float:
    """Discount γ beside value iteration's optimum for the problem set (environment, ice, γ); returns γ."""
    chart, beside = st.columns(2)
    with beside:
        gamma = st.slider("Discount γ", 0.50, 1.0, 0.99, 0.01, key="rl_q_gamma",
                          help="How much a reward one step later is worth, to Q-learning and to value iteration "
                               "beside this.")
    with errors.guard(stop=False):
        _preview(env_id, config(gamma), chart, beside)
    return gamma


def _training_shown() -> bool:
    """Whether the tab shows a training under way or what the last Train click said (a refused setting, an
    engine error): a move of a setting then reruns the tab. A kept agent's results do not read them (they
    are of the settings it was trained with)."""
    return live.running(RUN) or bool(st.session_state.get(SAID))


def _differences(was: tuple[str, bool, float], now: tuple[str, bool, float]) -> str:
    """What differs between the settings' problem and the agent's (environment, ice, γ): "X (the agent's: Y)"."""
    words = [lambda env: rl.env_spec(env).title.split(":")[0], lambda ice: "slippery" if ice else "not slippery",
             lambda gamma: f"γ = {gamma:g}"]
    return "; ".join(f"{say(a)} (the agent's: {say(b)})" for say, a, b in zip(words, now, was, strict=True) if a != b)


def _preview(env_id: str, config: rl.QLearningConfig, left: DeltaGenerator, right: DeltaGenerator) -> None:
    """Value iteration's optimum for the problem set (in column `left`, what it says in `right`). Always
    drawn, also when the results below show the same optimum beside Q-learning's grid: a γ step then updates
    this chart instead of mounting it or taking it away, which would move the Train button and the results
    up and down the page."""
    trained = actions.kept(RUN)
    vi = _value_iteration(env_id, bool(config.slippery), config.gamma)
    with left:
        option, height = _optimum_option(env_id, bool(config.slippery), config.gamma, None, OPTIMUM)
        echarts.show(option, key="rl_q_grid_preview", height=height)
    with right:
        _optimum_caption(env_id, vi)
        if live.running(RUN) or (st.session_state.get("rl_q_train") and _accepted(env_id, config)):
            st.caption("Q-learning's values and greedy policy are drawn below, beside this optimum, when its "
                       "training ends.")  # this section is drawn before the training that this run follows
            return
        if trained is None or trained.model is None:
            st.info("Train Q-learning to see its values and greedy policy beside value iteration's.",
                    icon=":material/grid_on:")
            return
        cfg = trained.details["config"]
        was, now = (trained.model.env_id, bool(cfg.slippery), cfg.gamma), (env_id, bool(config.slippery), config.gamma)
        if was == now:
            st.caption("The Q-learning agent below was trained on this problem: its grid is there, beside this "
                       "optimum.")
        else:
            st.info(f"This optimum is of the settings above, not of the problem the Q-learning agent below was "
                    f"trained on: {_differences(was, now)}. Train again to compare Q-learning with it.",
                    icon=":material/info:")


def _accepted(env_id: str, config: rl.QLearningConfig) -> bool:
    """Whether a Train click with these settings starts a training (else it says what to fix)."""
    try:
        config.check(env_id)
    except InputError:
        return False
    return True


def _optimum_caption(env_id: str, vi: rl.ValueIteration) -> None:
    st.caption(f"Converged in {vi.iterations} sweeps. Its policy reaches the goal with probability "
               f"**{vi.success_probability:.3f}** within {rl.env_spec(env_id).max_steps} steps "
               "(computed exactly from the model): the best any agent can do here.")


def _grids(trained) -> None:
    """Q-learning's values and arrows beside value iteration's optimum for the same problem and γ, on one
    colour scale."""
    agent, cfg = trained.model, trained.details["config"]
    env_id, slippery = agent.env_id, bool(cfg.slippery)
    vi = _value_iteration(env_id, slippery, cfg.gamma)
    both = np.concatenate([vi.values, agent.values])
    zrange = (float(both.min()), float(both.max()))
    left, right = st.columns(2)
    with left:
        option, height = charts.grid_option(agent.values, rl.greedy_arrows(env_id, agent.policy),
                                            rl.grid_layout(env_id), LEARNED, zrange)
        echarts.show(option, key="rl_q_grid_learned", height=height)
    with right:
        option, height = _optimum_option(env_id, slippery, cfg.gamma, zrange, OPTIMUM_SAME)
        echarts.show(option, key="rl_q_grid_optimal", height=height)
        _optimum_caption(env_id, vi)


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
    if trained is None or trained.model is None:
        return
    with errors.guard(stop=False):
        _grids(trained)
    opt = trained.details["optimal"]
    st.markdown(f"**{trained.model.name}**: success rate **{trained.metrics['success_rate']:.1%}** on "
                f"{trained.metrics['eval_episodes']:.0f} evaluation episodes; value iteration's policy "
                f"{opt['success_rate']:.1%} on the same episodes (exactly {opt['success_probability']:.1%}).")
    show_result(trained, "rl_tabular", x_label="episodes")
