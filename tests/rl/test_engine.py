"""RL engine: seeded runs reproduce, evaluation episodes are not training episodes, the heuristic
beats random, Q-learning learns, value iteration gives the known optimum, Stop keeps the agent."""

from __future__ import annotations

import numpy as np
import pytest
from safetensors.numpy import load

from dl_core import rl
from dl_core.errors import InputError
from dl_core.training import CancelToken

TINY = rl.AgentConfig(algo="a2c", timesteps=200, seed=3, eval_episodes=3)  # A2C: 5-step rollouts


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory):
    # The training process gets its own temporary folder, to see what it leaves there.
    tmp = tmp_path_factory.mktemp("rl-tmp")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("TMPDIR", str(tmp))
        run = rl.train_agent("CartPole-v1", TINY, caller="app")
    run.details["tmp_left"] = sorted(p.name for p in tmp.iterdir())
    return run


@pytest.mark.slow
def test_seeded_sb3_runs_reproduce(tiny_run):
    again = rl.train_agent("CartPole-v1", TINY, caller="app")
    assert tiny_run.model.weights.keys() == again.model.weights.keys()
    for name, w in tiny_run.model.weights.items():
        np.testing.assert_array_equal(w, again.model.weights[name])
    assert again.metrics["mean_reward"] == tiny_run.metrics["mean_reward"]
    assert [e.reward for e in again.details["episodes"]] == [e.reward for e in tiny_run.details["episodes"]]


def test_training_leaves_no_log_folders_in_tmp(tiny_run):
    # SB3's default logger made an empty SB3-<time> folder per run (torch's own caches may appear there)
    assert not [name for name in tiny_run.details["tmp_left"] if name.startswith("SB3-")]


def test_trained_model_contract(tiny_run):
    m = tiny_run.metrics
    assert m["timesteps"] == 200 and m["eval_episodes"] == 3 and m["seconds"] >= m["learn_seconds"] > 0
    assert tiny_run.run_id and tiny_run.history == [] and not tiny_run.fit.cancelled
    assert {"random", "heuristic", "heuristic (lean + spin)"} <= set(tiny_run.details["baselines"])
    episodes = tiny_run.details["episodes"]
    assert episodes and episodes[-1].step <= 200 and sum(e.length for e in episodes) <= 200
    curve = rl.learning_curve(episodes)
    assert list(curve["episode"]) == list(range(1, len(episodes) + 1))
    assert curve["rolling_reward"].iloc[0] == episodes[0].reward
    # The policy downloads as safetensors (weights only), with what it is in the metadata.
    data = tiny_run.model.to_safetensors()
    assert load(data).keys() == tiny_run.model.weights.keys()
    assert data[8:].startswith(b'{"__metadata__":{') and b'"algo":"a2c"' in data[:2000]


def test_evaluation_episodes_are_not_training_episodes():
    seeds = rl.evaluation_seeds(0, 50)
    assert min(seeds) > 1_000_000 >= TINY.seed  # training seeds are capped at 1,000,000
    assert len(set(seeds)) == 50 and set(seeds).isdisjoint(rl.evaluation_seeds(1, 50))
    env = rl.make_env("CartPole-v1")
    train_start = env.reset(seed=0)[0]
    eval_starts = [env.reset(seed=s)[0] for s in seeds[:10]]
    assert not any(np.allclose(train_start, s) for s in eval_starts)
    # Every policy in a comparison meets the same episodes.
    a = rl.evaluate(rl.heuristics("CartPole-v1")[0].policy, "CartPole-v1", episodes=5, seed=0)
    b = rl.evaluate(rl.random_policy("CartPole-v1", 0), "CartPole-v1", episodes=5, seed=0)
    assert a.seeds == b.seeds == seeds[:5]


def test_heuristic_beats_random_on_cartpole():
    rows = {r.policy: r for r in rl.compare("CartPole-v1", rl.baseline_policies("CartPole-v1", 0), episodes=20)}
    assert rows["heuristic"].mean_reward > rows["random"].mean_reward + 10
    assert rows["heuristic (lean + spin)"].mean_reward >= 475  # a rule that also reads the spin solves it
    # The random policy is reproducible: its own generator, not the global one.
    again = rl.evaluate(rl.random_policy("CartPole-v1", 0), "CartPole-v1", episodes=20)
    assert again.mean == rows["random"].mean_reward


def test_q_learning_learns_frozenlake_without_slipping():
    cfg = rl.QLearningConfig(episodes=300, slippery=False, seed=1, eval_episodes=20)
    result = rl.train_q_learning("FrozenLake-v1", cfg, caller="app")
    assert result.metrics["success_rate"] == 1.0 and result.details["baselines"]["random"]["mean_reward"] < 0.2
    assert result.details["optimal"]["success_probability"] == pytest.approx(1.0)
    agent = result.model
    assert agent.q.shape == (16, 4) and agent.values[15] == 0.0  # the goal ends episodes: no value after
    curve = rl.learning_curve(result.details["episodes"])
    assert curve["rolling_success"].iloc[-1] > curve["rolling_success"].iloc[0]
    # Seeded: the same Q-table again; another seed explores differently.
    q_again, _ = rl.tabular.q_learning("FrozenLake-v1", cfg)
    np.testing.assert_array_equal(q_again, agent.q)
    q_other, _ = rl.tabular.q_learning("FrozenLake-v1", rl.QLearningConfig(episodes=300, slippery=False, seed=2))
    assert not np.array_equal(q_other, agent.q)


def test_value_iteration_known_values():
    gamma = 0.99
    flat = rl.value_iteration("FrozenLake-v1", slippery=False, gamma=gamma)
    assert flat.values[0] == pytest.approx(gamma**5)  # six steps to the goal, reward 1 on the sixth
    assert flat.success_probability == pytest.approx(1.0)
    slippery = rl.value_iteration("FrozenLake-v1", slippery=True, gamma=gamma)
    assert slippery.success_probability == pytest.approx(0.740, abs=0.005)  # the known optimum
    cliff = rl.value_iteration("CliffWalking-v1", gamma=gamma)
    assert cliff.values[36] == pytest.approx(-(1 - gamma**13) / (1 - gamma))  # 13 steps of -1
    assert rl.greedy_arrows("CliffWalking-v1", cliff.agent.policy)[36] == "↑"
    assert rl.grid_layout("FrozenLake-v1") == ["SFFF", "FHFH", "FFFH", "HFFG"]


@pytest.mark.slow
def test_stop_keeps_the_agent_so_far():
    cancel = CancelToken()

    class StopAtFirstUpdate:
        def on_update(self, update):
            cancel.cancel()

        def on_status(self, text):
            statuses.append(text)

    statuses = []
    cfg = rl.AgentConfig(algo="a2c", timesteps=200_000, eval_episodes=2)
    result = rl.train_agent("CartPole-v1", cfg, callbacks=[StopAtFirstUpdate()], cancel=cancel, caller="app")
    assert result.fit.cancelled and 0 < result.metrics["timesteps"] < 200_000
    assert result.model is not None and result.metrics["eval_episodes"] == 2
    assert statuses == [f"Training stopped after {result.metrics['timesteps']:,.0f} timesteps; evaluating the agent "
                        "and the baselines on 2 episodes…"]


@pytest.mark.slow
def test_stop_during_a_ppo_update_ends_at_once_with_the_policy_of_the_last_rollout():
    """PPO updates on each 2,048-step rollout for seconds without calling back: a Stop then does not
    wait for the update; the process ends with the policy it had when the rollout ended."""
    import time

    from dl_core.rl.agents import learn_agent

    cancel, stopped_at = CancelToken(), []

    class StopAtRolloutEnd:
        def on_update(self, update):
            if update.done == 2048 and not cancel.cancelled:  # reported as the first rollout ends
                stopped_at.append(time.perf_counter())
                cancel.cancel()

    # 256 units a layer: an update of seconds even on a free core, so the Stop sent as the rollout ends
    # lands in it also when the test process is slow to pass it on (with SB3's 64 units the update could end
    # first on a loaded 2-core machine, and the agent then took step 2,049 before the Stop).
    learned = learn_agent("CartPole-v1", rl.AgentConfig(timesteps=20_000, seed=1, net_width=256),
                          callbacks=[StopAtRolloutEnd()], cancel=cancel)
    waited = time.perf_counter() - stopped_at[0]
    assert learned.agent.timesteps == 2048  # the update under way was not waited for (it would say 2,049)
    assert learned.episodes and learned.episodes[-1].step <= 2048
    assert waited < 5, f"{waited:.1f} s from Stop to the agent"


def test_stop_while_the_training_process_starts_ends_it_at_once_and_says_so():
    """Its start-up (importing torch and stable-baselines3) takes seconds: a Stop then kills it rather
    than waiting for it, and the result says that there is no agent; its MLflow run is KILLED."""
    import time

    from dl_core import tracking

    cancel, statuses = CancelToken(), []

    class Listen:
        def on_update(self, update):
            pass

        def on_status(self, text):
            statuses.append(text)

    cancel.cancel()
    started = time.perf_counter()
    result = rl.train_agent("CartPole-v1", TINY, callbacks=[Listen()], cancel=cancel, caller="app")
    assert time.perf_counter() - started < 10  # the process start alone takes longer on a busy machine
    assert result.model is None and result.fit.cancelled and result.details["stopped_before_start"]
    assert statuses == []  # nothing to evaluate
    assert tracking.client().get_run(result.run_id).info.status == "KILLED"


@pytest.mark.parametrize(("env", "config", "message"), [
    ("Nope-v0", rl.AgentConfig(), "choose one of: CartPole-v1"),
    ("CartPole-v1", rl.AgentConfig(algo="sac"), "choose one of: ppo, a2c, dqn, q-learning"),
    ("Pendulum-v1", rl.AgentConfig(algo="dqn"), "continuous actions"),
    ("CartPole-v1", rl.AgentConfig(gamma=1.5), "γ must be in (0, 1], got 1.5"),
    ("CartPole-v1", rl.AgentConfig(timesteps=10), "between 100 and 1,000,000, got 10"),
    ("CartPole-v1", rl.AgentConfig(slippery=True), "grid worlds only"),
    ("Pendulum-v1", rl.QLearningConfig(), "tabular Q-learning needs a grid world"),
    ("FrozenLake-v1", rl.QLearningConfig(epsilon_start=0.2, epsilon_end=0.5), "must not be above ε start"),
    ("FrozenLake-v1", rl.QLearningConfig(alpha=0), "α (learning rate) must be in (0, 1], got 0"),
])
def test_configs_are_checked_at_entry(env, config, message):
    train = rl.train_q_learning if isinstance(config, rl.QLearningConfig) else rl.train_agent
    with pytest.raises(InputError, match=message.replace("(", r"\(").replace(")", r"\)").replace("[", r"\[")):
        train(env, config)


def test_watch_plays_the_same_start_and_animates():
    rule = rl.heuristics("CartPole-v1")[1].policy
    a = rl.play(rule, "CartPole-v1", seed=4, max_frames=20)
    b = rl.play(rl.random_policy("CartPole-v1", 4), "CartPole-v1", seed=4, max_frames=20)
    np.testing.assert_array_equal(a.frames[0], b.frames[0])  # the same start state, drawn
    assert a.total == 500 and a.steps == 500 and len(a.frames) <= 21 and a.returns[-1] == a.total
    gif = rl.animation(a.frames, a.fps, width=120)
    assert gif[:6] == b"GIF89a" and len(gif) < 200_000
