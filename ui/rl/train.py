"""Tab "Train an agent": PPO, A2C or DQN (stable-baselines3) learns live on a Gymnasium task; then
its evaluation beside the random policy and the hand-written rule, and its weights as safetensors.

Engine call: `rl.train_agent(env_id, AgentConfig, callbacks, cancel, caller="app")`, followed live
by ui/rl/live.py."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dl_core import rl
from dl_core.training import TrainedModel
from ui import actions, echarts, errors, fragments

from . import charts, live, state

RUN = "rl_deep"  # the live job's name and the ui.actions key of this tab's result
LEARNING_RATES = [1e-5, 3e-5, 1e-4, 3e-4, 7e-4, 1e-3, 3e-3, 1e-2]
TIMESTEPS = [1_000, 2_000, 5_000, 10_000, 20_000, 50_000, 100_000, 200_000]


def env_picker(key: str, names: list[str] | None = None, default: str | None = None) -> str:
    names = names or rl.env_names()
    index = names.index(default) if default in names else 0
    return st.selectbox("Environment", names, index=index, key=key, format_func=lambda n: rl.env_spec(n).title)


def environment_card(env_id: str) -> None:
    s = rl.env_spec(env_id)
    actions_text = (f"{s.n_actions} discrete actions ({', '.join(s.action_names)})" if s.actions == "discrete"
                    else "a continuous action (a torque between -2 and 2)")
    solved = f" · counted as solved at {s.solved_at:g}" if s.solved_at is not None else ""
    st.caption(f"**Sees** {s.observation} · **does** {actions_text} · **reward** {s.goal} · "
               f"episodes end after {s.max_steps} steps{solved}")


def _config() -> tuple[str, rl.AgentConfig]:
    """The settings (a fragment section: moving one redraws only them, issue 13); the full run that a Train
    click starts gets them as the return value."""
    left, right = st.columns([1, 2])
    with left:
        env_id = env_picker("rl_env")
        environment_card(env_id)
        algo = st.radio("Algorithm", list(rl.ALGOS), key="rl_algo", horizontal=True,
                        format_func=lambda a: rl.ALGOS[a])
        st.caption(rl.ALGO_NOTES[algo])
        slippery = st.checkbox("Slippery", value=bool(rl.env_spec(env_id).slippery_default), key="rl_slippery",
                               disabled=not rl.env_spec(env_id).is_grid,
                               help="Grid worlds only: a move may slide to a side.")
    with right:
        # Each a fragment of its own (fragments.own): only the Train click reads them.
        c1, c2, c3 = st.columns(3)
        timesteps = fragments.own(lambda: st.select_slider(
            "Timesteps", TIMESTEPS, 50_000, key="rl_timesteps", format_func="{:,}".format,
            help="Environment steps to learn from. PPO needs ~50,000 for CartPole."), c1)
        lr = fragments.own(lambda: st.select_slider(
            "Learning rate", LEARNING_RATES, rl.DEFAULT_LEARNING_RATE[algo], key=f"rl_lr_{algo}",
            format_func=lambda v: f"{v:g}", help="Default: stable-baselines3's for this algorithm."), c2)
        gamma = fragments.own(lambda: st.slider(
            "Discount γ", 0.80, 0.999, 0.99, 0.001, key="rl_gamma", format="%.3f",
            help="How much a reward one step later is worth; near 1 = plan far ahead."), c3)
        width = fragments.own(lambda: st.select_slider(
            "Network width", [16, 32, 64, 128, 256], 64, key="rl_width",
            help="Units per hidden layer (policy and value networks)."), c1)
        depth = fragments.own(lambda: st.slider("Hidden layers", 1, 3, 2, key="rl_depth"), c2)
        seed = fragments.own(lambda: st.number_input("Seed", 0, 1_000_000, 0, key="rl_seed"), c3)
        dqn = algo == "dqn"
        frac = fragments.own(lambda: st.slider(
            "DQN: exploration fraction", 0.05, 1.0, 0.1, 0.05, key="rl_expl_frac", disabled=not dqn,
            help="Share of the run over which ε (the chance of a random action) falls from 1."), c1)
        final = fragments.own(lambda: st.slider(
            "DQN: final ε", 0.0, 0.5, 0.05, 0.01, key="rl_final_eps", disabled=not dqn), c2)
        episodes = fragments.own(lambda: st.slider(
            "Evaluation episodes", 5, 100, 10, 5, key="rl_eval_episodes",
            help="Episodes with seeds of their own (never seen in training)."), c3)
    config = rl.AgentConfig(algo=algo, timesteps=int(timesteps), learning_rate=float(lr), gamma=float(gamma),
                            net_width=int(width), net_depth=int(depth), exploration_fraction=float(frac),
                            exploration_final_eps=float(final), seed=int(seed), eval_episodes=int(episodes),
                            slippery=bool(slippery) if rl.env_spec(env_id).is_grid else None)
    return env_id, config


def baseline_table(trained: TrainedModel) -> pd.DataFrame:
    """The agent and the baselines, evaluated on the same episodes: one row each."""
    rows = [{"policy": f"{trained.model.name} (trained)", **trained.metrics}]
    rows += [{"policy": name, **m} for name, m in trained.details.get("baselines", {}).items()]
    table = pd.DataFrame(rows)
    table["return (mean ± std)"] = [f"{m:.2f} ± {s:.2f}" for m, s in zip(table["mean_reward"], table["std_reward"],
                                                                         strict=True)]
    if "success_rate" in table:
        table["success rate"] = [f"{x:.1%}" for x in table["success_rate"]]
    return table[["policy", "return (mean ± std)"] + (["success rate"] if "success_rate" in table else [])]


def stopped_note(trained: TrainedModel) -> str | None:
    """What a Stop click left: how far training got, and whether the agent had learned anything yet."""
    if trained.fit is None or not trained.fit.cancelled:
        return None
    m, cfg = trained.metrics, trained.details.get("config")
    steps = int(m.get("timesteps", 0))
    if isinstance(cfg, rl.QLearningConfig):
        return (f"Training was stopped after {m.get('episodes', 0):,.0f} of {cfg.episodes:,} episodes "
                f"({steps:,} timesteps); the Q-table as it was then is evaluated below.")
    note = (f"Training was stopped after {steps:,} of {rl.planned_timesteps(cfg):,} timesteps; the agent as it "
            "was then is evaluated below, and you can watch it play in the next tab.")
    first = rl.FIRST_UPDATE.get(cfg.algo, 0)
    if steps <= first:  # at `first` exactly, Stop came before (or, PPO, during) the first update
        note += (f" {rl.ALGOS[cfg.algo]} had not finished its first update yet (the first comes after {first:,} "
                 "steps), so this agent still acts with its random initial weights.")
    return note


def show_result(trained: TrainedModel, key: str, x_label: str = "timesteps") -> None:
    """Curve, evaluation beside the baselines, download: shared by the deep and tabular tabs."""
    m = trained.metrics
    note = stopped_note(trained)
    if note:
        st.warning(note, icon=":material/stop_circle:")
    c1, c2, c3 = st.columns(3)
    c1.metric("Evaluation return", f"{m['mean_reward']:.2f}", help=f"mean over {m['eval_episodes']:.0f} episodes")
    c2.metric("± standard deviation", f"{m['std_reward']:.2f}")
    if "success_rate" in m:
        c3.metric("Success rate", f"{m['success_rate']:.1%}")
    else:
        c3.metric("Training time", f"{m['seconds']:.0f} s", help=f"{m['timesteps']:,.0f} timesteps")
    episodes = trained.details.get("episodes", ())
    if episodes:
        option, height = charts.curve_option(rl.learning_curve(episodes), trained.model.name, x_label)
        echarts.show(option, key=f"{key}_curve", height=height)
    st.markdown("**Against the baselines** (the same evaluation episodes, seeds never used in training)")
    st.dataframe(baseline_table(trained), hide_index=True, key=f"{key}_table")
    st.download_button("Download the policy (safetensors)", trained.model.to_safetensors(),
                       file_name=f"{trained.model.name.replace(' ', '_')}.safetensors",
                       mime="application/octet-stream", key=f"{key}_download", icon=":material/download:",
                       help="Weights only (no code, nothing to unpickle). Agent files are never loaded here.")
    if trained.run_id:
        st.caption(f"Logged to MLflow (run `{trained.run_id[:8]}`): see the Experiments page.")


def _device_note() -> None:
    with errors.guard(stop=False):
        device = rl.agent_device()
        st.caption(f":material/memory: Trains on the **{device.upper()}** in a process of its own. These "
                   "networks are tiny (two layers of 64) and see one observation at a time, so the CPU is "
                   "the right place for them (stable-baselines3 recommends it for PPO and A2C); set "
                   "`DLX_DEVICE=cuda` to try a GPU anyway.")


def view() -> None:
    st.markdown(
        "An **agent** sees an observation, picks an action, and gets a **reward**; it learns which actions "
        "lead to high total reward over an episode (the **return**). Nobody tells it the right action. "
        "Early on it acts almost at random; watch the return climb as it learns.")
    env_id, config = fragments.alone(_config, shown_below=lambda: False)
    _device_note()
    if st.button("Train the agent", type="primary", key="rl_train", icon=":material/play_arrow:"):
        with errors.guard(stop=False):
            config.check(env_id)  # a bad combination says so at once, before any process starts
            live.start(RUN, lambda callbacks, cancel: rl.train_agent(
                env_id, config, callbacks=callbacks, cancel=cancel, caller="app"))
    if live.running(RUN):
        title = f"{rl.ALGOS[config.algo]} on {env_id}"
        trained = actions.run(RUN, True, lambda: live.follow(RUN, title))
        state.remember(trained)
    trained = actions.kept(RUN)
    if trained is None:
        st.info("Press **Train the agent**. PPO on CartPole with 50,000 timesteps takes about a minute "
                "(longer when the server is busy); Stop keeps what it learned so far.", icon=":material/info:")
        return
    if trained.model is None:
        if trained.details.get("stopped_before_start"):
            st.warning("Stopped before the training process had started learning, so there is no agent to "
                       "evaluate or watch. Press **Train the agent** to start again.", icon=":material/stop_circle:")
        else:
            st.info("Cancelled while waiting for a training slot; nothing was trained.", icon=":material/info:")
        return
    show_result(trained, "rl_deep")
