"""`python -m dl_core rl envs|train`: the JSON contracts of the issue; bad input is one line, exit 2;
the CLI and the page's engine call give the same metrics and logged params."""

from __future__ import annotations

import json

import pytest

from dl_core import rl, tracking
from dl_core.cli import main


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(["rl", *args])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_envs_json_lists_action_types(capsys):
    code, out, _ = run(capsys, "envs", "--json")
    envs = {e["id"]: e for e in json.loads(out)}
    assert code == 0 and set(envs) == set(rl.env_names())
    assert envs["CartPole-v1"]["actions"] == "discrete" and envs["Pendulum-v1"]["actions"] == "continuous"
    assert envs["FrozenLake-v1"]["grid"] == [4, 4] and envs["FrozenLake-v1"]["slippery"] is True


@pytest.mark.parametrize(("args", "message"), [
    (("--env", "Nope-v0"), "unknown environment 'Nope-v0'; choose one of: CartPole-v1"),
    (("--algo", "sac"), "unknown algorithm 'sac'; choose one of: ppo, a2c, dqn, q-learning"),
    (("--env", "Pendulum-v1", "--algo", "dqn"), "continuous actions"),
    (("--env", "Pendulum-v1", "--algo", "q-learning"), "needs a grid world"),
    (("--env", "FrozenLake-v1", "--algo", "q-learning", "--timesteps", "5"), "--timesteps does not apply"),
    (("--timesteps", "5"), "timesteps must be between 100"),
])
def test_bad_input_is_one_line_and_exit_2(capsys, args, message):
    code, out, err = run(capsys, "train", *args, "--json")
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith("error: ") and message in err


def _params(run_id: str) -> dict[str, str]:
    return dict(tracking.client().get_run(run_id).data.params)


def test_q_learning_json_matches_the_page_call(capsys):
    code, out, _ = run(capsys, "train", "--env", "FrozenLake-v1", "--algo", "q-learning", "--episodes", "300",
                       "--seed", "2", "--no-slippery", "--eval-episodes", "20", "--json")
    payload = json.loads(out)
    assert code == 0
    assert set(payload) == {"env", "algo", "timesteps", "seed", "mean_reward", "std_reward", "eval_episodes",
                            "seconds", "baselines", "success_rate"}
    assert set(payload["baselines"]) == {"random"}  # FrozenLake has no hand-written rule
    assert set(payload["baselines"]["random"]) == {"mean_reward", "std_reward"}
    cli_run = tracking.runs("rl/q-learning").iloc[0]
    page = rl.train_q_learning("FrozenLake-v1", rl.QLearningConfig(episodes=300, seed=2, slippery=False,
                                                                    eval_episodes=20), caller="app")
    for key in ("mean_reward", "std_reward", "success_rate"):
        assert payload[key] == page.metrics[key]
    assert payload["timesteps"] == page.metrics["timesteps"]
    assert _params(cli_run["run_id"]) == _params(page.run_id)
    tags = tracking.client().get_run(cli_run["run_id"]).data.tags
    assert tags["dlx.source"] == "cli" and tracking.client().get_run(page.run_id).data.tags["dlx.source"] == "app"


@pytest.mark.slow
def test_deep_agent_json_matches_the_page_call(capsys):
    config = rl.AgentConfig(algo="a2c", timesteps=200, seed=5, eval_episodes=3)
    code, out, _ = run(capsys, "train", "--env", "CartPole-v1", "--algo", "a2c", "--timesteps", "200", "--seed", "5",
                       "--eval-episodes", "3", "--json")
    payload = json.loads(out)
    assert code == 0
    assert set(payload) == {"env", "algo", "timesteps", "seed", "mean_reward", "std_reward", "eval_episodes",
                            "seconds", "baselines"}
    assert payload["timesteps"] == 200 and payload["env"] == "CartPole-v1" and payload["algo"] == "a2c"
    assert set(payload["baselines"]) == {"random", "heuristic"}
    cli_run_id = tracking.runs("rl/a2c").iloc[0]["run_id"]
    page = rl.train_agent("CartPole-v1", config, caller="app")
    assert (payload["mean_reward"], payload["std_reward"]) == (page.metrics["mean_reward"], page.metrics["std_reward"])
    assert payload["baselines"]["heuristic"] == {k: page.details["baselines"]["heuristic"][k]
                                                 for k in ("mean_reward", "std_reward")}
    assert _params(cli_run_id) == _params(page.run_id)
