"""The RL page in AppTest: every tab draws, bad settings give messages, a tiny Q-learning run and an
episode to watch go through the page; no traceback anywhere."""

from __future__ import annotations

import json

import pytest

from tests.conftest import exceptions, open_page
from tests.ui.helpers import fragments_drawn, tab_labels

TAB = "rl_tab"  # the page's lazy tabs (ui/tabs.py): only the open one runs
TRAIN, WATCH, BASELINES, GRID = "Train an agent", "Watch it play", "Baselines", "Q-learning (grid worlds)"


@pytest.fixture(scope="module")
def at():
    return open_page("pages/rl.py", timeout=300)


def tab(at, label: str):
    """Open a tab as a click does (a rerun with that tab open)."""
    at.session_state[TAB] = label
    at.run()
    assert not exceptions(at), exceptions(at)
    return at


def test_all_tabs_draw(at):
    assert not exceptions(at)
    assert tab_labels(at, TAB) == [TRAIN, WATCH, BASELINES, GRID]
    # Issue 13: the hidden tabs do not run, so no Plotly chart is drawn (nor its 4.7 MB script loaded).
    assert not at.get("plotly_chart")
    assert {b.label for b in at.button} == {"Train the agent"}
    assert tab(at, WATCH).button(key="button::rl_watch").label == "Play an episode"
    assert tab(at, BASELINES).button(key="button::rl_baselines").label == "Evaluate"
    assert tab(at, GRID).button(key="rl_q_train").label == "Train Q-learning"
    # Value iteration's optimum is on the grid tab before any training.
    assert any("0.740" in c.value for c in at.caption)


def test_settings_survive_a_visit_to_another_tab(at):
    """Issue 13: lazy tabs draw the open tab only; what was set in the others is kept (ui/tabs.py)."""
    tab(at, TRAIN)
    at.radio(key="rl_algo").set_value("a2c")
    at.select_slider(key="rl_timesteps").set_value(2_000)
    at.run()
    tab(at, GRID)
    at.slider(key="rl_q_alpha").set_value(0.2)
    at.run()
    tab(at, WATCH)
    assert tab(at, TRAIN).radio(key="rl_algo").value == "a2c" and at.select_slider(key="rl_timesteps").value == 2_000
    assert tab(at, GRID).slider(key="rl_q_alpha").value == 0.2
    at.slider(key="rl_q_alpha").set_value(0.05)
    at.run()
    tab(at, TRAIN).radio(key="rl_algo").set_value("ppo")
    at.select_slider(key="rl_timesteps").set_value(50_000)
    at.run()


def test_every_setting_of_each_tab_is_kept_while_another_is_open(at):
    """Guards the page's key prefixes: a new widget with a key outside its tab's prefixes fails here."""
    from tests.ui.helpers import assert_each_tab_keeps_its_settings

    assert_each_tab_keeps_its_settings(at, TAB, [TRAIN, WATCH, BASELINES, GRID])


def test_dqn_on_continuous_actions_says_so(at):
    tab(at, TRAIN)
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
    tab(at, GRID)
    at.slider(key="rl_q_eps_start").set_value(0.3)
    at.slider(key="rl_q_eps_end").set_value(0.6)
    at.run()
    at.button(key="rl_q_train").click()
    at.run()
    assert any("must not be above ε start" in e.value for e in at.error)
    assert not exceptions(at)


def test_q_learning_through_the_page(at):
    tab(at, GRID)
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
    # The learning curve: the success rate's line runs over the 500 episodes, within [0, 1], and ends higher
    # than it starts (ε falls from 1 to 0.05 on a lake without ice).
    [curve] = [json.loads(c.proto.spec) for c in at.get("echarts_chart")
               if json.loads(c.proto.spec)["series"][0]["type"] == "line"]
    success = next(s["data"] for s in curve["series"] if s["name"] == "success rate")
    assert success[0][0] == 1 and success[-1][0] == 500
    assert all(0 <= y <= 1 for _, y in success) and success[-1][1] > success[0][1]


def _grid_charts(at) -> dict[str, dict]:
    """The grid tab's ECharts heatmaps by title: {title: {(row, col): (value, label)}}."""
    charts = {}
    for chart in at.get("echarts_chart"):
        spec = json.loads(chart.proto.spec)
        if spec["series"][0]["type"] != "heatmap":  # the learning curve
            continue
        cells = spec["series"][0]["data"]
        cells = [cell["value"] if isinstance(cell, dict) else cell for cell in cells]  # words: a smaller font
        charts[spec["title"]["text"]] = {(r, c): (v, label) for c, r, v, label in cells}
    return charts


def test_the_grids_show_values_and_the_greedy_policy():
    """Value iteration's optimum beside the settings (an arrow per safe cell, holes and the goal named),
    following γ; after a Q-learning run its own grid beside the optimum of the problem it was trained on,
    which a γ moved after that leaves be."""
    from ui.rl.tabular import LEARNED, OPTIMUM, OPTIMUM_SAME

    at = open_page("pages/rl.py", timeout=300)
    tab(at, GRID)
    grids = _grid_charts(at)
    assert list(grids) == [OPTIMUM]
    cells = grids[OPTIMUM]
    assert len(cells) == 16 and cells[(3, 3)][1] == "goal" and cells[(1, 1)][1] == "hole"
    assert cells[(0, 0)][1] in "←↓→↑" and 0 < cells[(0, 0)][0] < cells[(3, 2)][0] <= 1
    at.slider(key="rl_q_gamma").set_value(0.5).run()
    at_half = _grid_charts(at)[OPTIMUM]
    assert at_half[(0, 0)][0] < cells[(0, 0)][0] / 10  # the goal counts for little at γ = 0.5
    at.checkbox(key="rl_q_slip_FrozenLake-v1").uncheck()
    at.select_slider(key="rl_q_episodes").set_value(500)
    at.slider(key="rl_q_gamma").set_value(0.99).run()
    no_ice = _grid_charts(at)[OPTIMUM]
    at.button(key="rl_q_train").click().run()
    assert not exceptions(at) and not at.error
    grids = _grid_charts(at)
    assert set(grids) == {LEARNED, OPTIMUM_SAME, OPTIMUM}
    assert grids[LEARNED][(3, 3)][1] == "goal" and grids[LEARNED][(0, 0)][0] > 0
    assert grids[OPTIMUM_SAME] == grids[OPTIMUM] == no_ice
    assert any("when its training ends" in c.value for c in at.caption)  # drawn before the training
    at.run()
    assert any("trained on this problem" in c.value for c in at.caption) and not at.info
    at.slider(key="rl_q_gamma").set_value(0.5).run()
    grids = _grid_charts(at)
    assert set(grids) == {LEARNED, OPTIMUM_SAME, OPTIMUM}
    assert grids[OPTIMUM_SAME] == no_ice and grids[OPTIMUM][(0, 0)][0] < no_ice[(0, 0)][0] / 10
    [said] = [i.value for i in at.info if "not of the problem" in i.value]
    assert "γ = 0.5 (the agent's: γ = 0.99)." in said and "slippery" not in said  # only what differs


def test_watch_and_baselines(at):
    tab(at, WATCH)
    at.selectbox(key="rl_watch_env").set_value("CartPole-v1")
    at.run()
    at.button(key="button::rl_watch").click()
    at.run()
    assert not exceptions(at)
    assert any("start seed 7" in c.value for c in at.caption)
    captions = [c for image in at.get("image") for c in image.captions]
    assert len(captions) == 2 and captions[1].startswith("random agent: return")
    tab(at, BASELINES)
    at.selectbox(key="rl_base_env").set_value("FrozenLake-v1")
    at.run()
    at.checkbox(key="rl_base_slip_FrozenLake-v1").uncheck()
    at.button(key="button::rl_baselines").click()
    at.run()
    table = at.dataframe[-1].value
    assert set(table["policy"]) == {"random", "Q-learning on FrozenLake-v1 (not slippery) (trained)"}
    assert not exceptions(at)
    tab(at, GRID)  # the trained agent is still there
    assert {m.label: m.value for m in at.metric}["Success rate"] == "100.0%"


def test_an_agent_trained_while_its_tab_was_closed_is_listed_in_the_other_tabs():
    """Only the open tab runs: a training left running in the grid tab ends unfollowed; Watch and
    Baselines collect it (the grid tab would on its next opening) instead of waiting for that tab."""
    from dl_core import rl
    from ui.rl import live

    job = live.Job(lambda callbacks, cancel: rl.train_q_learning(
        "FrozenLake-v1", rl.QLearningConfig(episodes=200, slippery=False), callbacks=callbacks, cancel=cancel))
    job.thread.start()
    job.thread.join(120)
    assert job.error is None and job.result.model is not None
    at = open_page("pages/rl.py", timeout=300)
    at.session_state["rl::job::rl_tabular"] = job  # as the grid tab's Train button leaves it
    tab(at, WATCH)
    at.selectbox(key="rl_watch_env").set_value("FrozenLake-v1")
    at.run()
    assert any(o.startswith("Q-learning on FrozenLake-v1") for o in at.selectbox[-1].options)
    assert "rl::job::rl_tabular" not in at.session_state
    tab(at, GRID)
    assert any("Q-learning on FrozenLake-v1 (not slippery)" in m.value for m in at.markdown)  # its tab shows it


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



# The grid tab's settings redraw alone, and inside them γ with its optimum redraws alone in turn.
TABULAR_SECTIONS = ["tabular._settings", "tabular._optimum"]


def test_settings_redraw_alone_unless_something_below_reads_them(monkeypatch):
    """Issue 13: a settings slider reruns only the settings (a fragment), also once a trained agent or an
    evaluation is shown (they are of the settings they were made with); while the tab shows what the last
    click said, a move reruns the tab, which clears it. On the grid tab value iteration's optimum of the
    settings' problem is part of them (the results show the optimum of the problem they were trained on)."""
    from dl_core.training import TrainedModel
    from ui.rl.tabular import OPTIMUM

    at = open_page("pages/rl.py", timeout=300)
    seen = fragments_drawn(monkeypatch)
    tab(at, GRID)
    assert seen == TABULAR_SECTIONS and at.slider(key="rl_q_alpha") and at.slider(key="rl_q_gamma")
    at.slider(key="rl_q_gamma").set_value(0.9).run()  # the optimum in the section follows γ
    assert not exceptions(at) and any("0.740" not in c.value and "sweeps" in c.value for c in at.caption)
    at.slider(key="rl_q_eps_start").set_value(0.3)
    at.slider(key="rl_q_eps_end").set_value(0.6)
    at.run()
    seen.clear()
    at.button(key="rl_q_train").click().run()  # the values set in the fragment reach the Train button
    assert any("must not be above ε start" in e.value for e in at.error)
    assert list(_grid_charts(at)) == [OPTIMUM]  # a refused click trains nothing: the optimum stays
    assert at.session_state["rl::tabular_said"] is True  # a fragment rerun now reruns the tab: the message goes
    assert seen == TABULAR_SECTIONS
    at.run()
    assert not at.error and "rl::tabular_said" not in at.session_state
    at.session_state["result::rl_tabular"] = TrainedModel(model=None, history=[], metrics={})
    seen.clear()
    at.run()
    assert not exceptions(at) and seen == TABULAR_SECTIONS and at.slider(key="rl_q_alpha").value == 0.05
    del at.session_state["result::rl_tabular"]
    at.slider(key="rl_q_eps_start").set_value(1.0)
    at.slider(key="rl_q_eps_end").set_value(0.05)
    at.run()

    seen.clear()
    tab(at, BASELINES)
    assert seen == ["baselines._settings"]
    at.slider(key="rl_base_episodes").set_value(5)
    at.run()
    at.button(key="button::rl_baselines").click().run()
    assert not exceptions(at) and any("5 evaluation episodes" in c.value for c in at.caption)
    seen.clear()
    at.run()  # the evaluation table is shown; it names the settings it was made with: still alone
    assert not exceptions(at) and seen == ["baselines._settings"] and at.slider(key="rl_base_episodes").value == 5
    del at.session_state["result::rl_baselines"]
    seen.clear()
    at.run()
    assert seen == ["baselines._settings"]
