"""The RL page in AppTest: every tab draws, bad settings give messages, a tiny Q-learning run and an
episode to watch go through the page; no traceback anywhere."""

from __future__ import annotations

import pytest

from tests.conftest import exceptions, open_page


@pytest.fixture(scope="module")
def at():
    return open_page("pages/rl.py", timeout=300)


def test_all_tabs_draw(at):
    assert not exceptions(at)
    assert [t.label for t in at.tabs] == ["Train an agent", "Watch it play", "Baselines", "Q-learning (grid worlds)"]
    labels = {b.label for b in at.button}
    assert {"Train the agent", "Play an episode", "Evaluate", "Train Q-learning"} <= labels
    # Value iteration's optimum is on the grid tab before any training.
    assert any("0.740" in c.value for c in at.caption)


def test_dqn_on_continuous_actions_says_so(at):
    at.selectbox(key="rl_env").set_value("Pendulum-v1")
    at.radio(key="rl_algo").set_value("dqn")
    at.run()
    at.button(key="rl_train").click()
    at.run()
    assert any("continuous actions" in e.value and "PPO or A2C" in e.value for e in at.error)
    assert not exceptions(at)
    at.selectbox(key="rl_env").set_value("CartPole-v1")
    at.radio(key="rl_algo").set_value("ppo")
    at.run()


def test_epsilon_going_up_is_refused(at):
    at.slider(key="rl_q_eps_start").set_value(0.3)
    at.slider(key="rl_q_eps_end").set_value(0.6)
    at.run()
    at.button(key="rl_q_train").click()
    at.run()
    assert any("must not be above ε start" in e.value for e in at.error)
    assert not exceptions(at)


def test_q_learning_through_the_page(at):
    at.slider(key="rl_q_eps_start").set_value(1.0)
    at.slider(key="rl_q_eps_end").set_value(0.05)
    at.checkbox(key="rl_q_slip_FrozenLake-v1").uncheck()
    at.select_slider(key="rl_q_episodes").set_value(500)
    at.run()
    at.button(key="rl_q_train").click()
    at.run()
    assert not exceptions(at) and not at.error
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Success rate"] == "100.0%"
    assert any("Q-learning on FrozenLake-v1 (not slippery)" in m.value for m in at.markdown)


def test_watch_and_baselines(at):
    at.selectbox(key="rl_watch_env").set_value("CartPole-v1")
    at.run()
    at.button(key="button::rl_watch").click()
    at.run()
    assert not exceptions(at)
    assert any("start seed 7" in c.value for c in at.caption)
    captions = [c for image in at.get("image") for c in image.captions]
    assert len(captions) == 2 and captions[1].startswith("random agent: return")
    at.selectbox(key="rl_base_env").set_value("FrozenLake-v1")
    at.run()
    at.checkbox(key="rl_base_slip_FrozenLake-v1").uncheck()
    at.button(key="button::rl_baselines").click()
    at.run()
    table = at.dataframe[-1].value
    assert set(table["policy"]) == {"random", "Q-learning on FrozenLake-v1 (not slippery) (trained)"}
    assert not exceptions(at)


def test_the_stopped_note_says_how_far_training_got_and_whether_the_agent_learned():
    from dl_core import rl
    from dl_core.training import FitResult, TrainedModel
    from ui.rl.train import stopped_note

    def stopped(config, **metrics):
        return TrainedModel(model=None, history=[], metrics=metrics, fit=FitResult([], None, False, True, 1.0),
                            details={"config": config})

    ppo = rl.AgentConfig(timesteps=50_000).resolved()
    assert stopped_note(stopped(ppo, timesteps=6_145)) == (
        "Training was stopped after 6,145 of 51,200 timesteps; the agent as it was then is evaluated below, "
        "and you can watch it play in the next tab.")
    assert "had not finished its first update yet (the first comes after 2,048 steps)" in stopped_note(
        stopped(ppo, timesteps=2_048))
    q = rl.QLearningConfig(episodes=5_000)
    assert stopped_note(stopped(q, episodes=1_200, timesteps=9_000)) == (
        "Training was stopped after 1,200 of 5,000 episodes (9,000 timesteps); the Q-table as it was then is "
        "evaluated below.")
    finished = stopped(ppo, timesteps=51_200)
    finished.fit.cancelled = False
    assert stopped_note(finished) is None
