"""The RL page in Chromium: train a short PPO run, see the reward curve, watch an episode."""

from __future__ import annotations

import re
import time

import pytest

from tests.e2e.conftest import exception_texts, goto, settle, tab


def _watch_the_trained_agent(page):
    """Open "Watch it play", check the newest agent is the default player (the choice is an input's
    value, not its text), play an episode; returns the locator of the shown images."""
    tab(page, "Watch it play").click()
    player = page.get_by_role("combobox", name="Player")
    player.wait_for()
    assert "PPO on CartPole-v1 (trained)" in player.evaluate("e => e.value || e.textContent")
    page.get_by_role("button", name=re.compile("Play an episode")).click()
    settle(page, 180)
    return page.locator("[data-testid='stImage'] img")


@pytest.mark.slow
def test_train_ppo_see_the_curve_and_watch(page, app_url):
    goto(page, app_url, "rl")
    slider = page.locator("[data-testid='stSlider']").filter(has_text="Timesteps").get_by_role("slider")
    slider.wait_for(timeout=180_000)  # widgets draw late on a busy machine
    slider.focus()
    slider.press("Home")  # the smallest run: 1,000 timesteps (PPO collects one rollout of 2,048)
    settle(page)
    page.get_by_role("button", name=re.compile("Train the agent")).click()
    # The live curve (ECharts draws on a canvas: its text is the chart's aria-label)
    curve = page.locator("[data-testid='stEChartsChart'][aria-label*='training episodes']")
    curve.first.wait_for(timeout=300_000)
    page.locator("[data-testid='stMetric']").filter(has_text="Evaluation return").wait_for(timeout=300_000)
    settle(page, 300)
    assert page.get_by_text("PPO on CartPole-v1").count()
    assert re.search(r"^PPO on CartPole-v1: [\d,]+ training episodes; the rolling mean return ends at [\d.]+\.$",
                     curve.first.get_attribute("aria-label"))  # the kept curve
    assert page.get_by_text("Against the baselines").count()
    assert not exception_texts(page)

    images = _watch_the_trained_agent(page)
    assert images.count() == 2
    assert images.first.get_attribute("src")
    assert page.get_by_text(re.compile("random agent: return")).count()
    assert not exception_texts(page)


@pytest.mark.slow
def test_stop_during_ppo_keeps_the_page_usable_and_the_agent_watchable(page, app_url):
    """Stop mid-run: training ends within seconds, the page says after how many timesteps, the agent as it
    was is evaluated beside the baselines and can be watched, and nothing raises."""
    goto(page, app_url, "rl")
    page.get_by_role("button", name=re.compile("Train the agent")).wait_for(timeout=180_000)
    settle(page)
    page.get_by_role("button", name=re.compile("Train the agent")).click()  # PPO, CartPole, 50,000 timesteps
    bar = page.locator("[data-testid='stProgress']")
    # Running: past the first report of the training process (a few hundred of the 51,200 planned steps).
    page.get_by_text(re.compile(r"[1-9][\d,]* / 51,200 timesteps")).first.wait_for(timeout=180_000)
    page.get_by_role("button", name=re.compile("Stop training")).click()
    clicked = time.perf_counter()
    # The training ends within seconds (PPO: after the update under way); the bar then says so while the
    # agent and the baselines are evaluated (which, on a fast machine, may be over before we look).
    stopped = page.locator("[data-testid='stAlert']").filter(has_text=re.compile("stopped after"))
    page.get_by_text(re.compile(r"Training stopped after [\d,]+ timesteps; evaluating")).or_(stopped).first.wait_for(
        timeout=60_000)
    seconds = time.perf_counter() - clicked
    assert seconds < 15, f"the training took {seconds:.1f} s to end after Stop"
    stopped.wait_for(timeout=120_000)
    settle(page)
    text = stopped.inner_text()
    steps = int(re.search(r"stopped after ([\d,]+) of 51,200 timesteps", text).group(1).replace(",", ""))
    assert 0 < steps < 51_200, text
    assert not bar.count() and not page.get_by_role("button", name=re.compile("Stop training")).count()
    assert page.locator("[data-testid='stMetric']").filter(has_text="Evaluation return").count()
    assert page.get_by_text("Against the baselines").count()
    assert not exception_texts(page)

    assert _watch_the_trained_agent(page).count() == 2
    assert not exception_texts(page)

    tab(page, "Train an agent").click()  # the page still trains: a new run starts
    page.get_by_role("button", name=re.compile("Train the agent")).click()
    page.get_by_role("button", name=re.compile("Stop training")).wait_for(timeout=60_000)
    page.get_by_role("button", name=re.compile("Stop training")).click()
    # Stopped while its process starts: ended at once, and the page says there is no agent (or, on a
    # machine fast enough to have started learning, evaluates the agent as before).
    stopped.or_(page.get_by_text("Stopped before the training process had started")).first.wait_for(timeout=60_000)
    settle(page)
    assert not exception_texts(page)


def test_a_link_opens_its_tab_and_a_visit_elsewhere_keeps_its_settings(page, app_url):
    """Tabs are lazy and in the URL (ui/tabs.py): a link opens the grid tab directly; a setting made there
    is still there after a visit to another tab."""
    goto(page, app_url, "rl?rl_tab=Q-learning+%28grid+worlds%29")
    page.get_by_role("button", name=re.compile("Train Q-learning")).wait_for(timeout=180_000)
    assert tab(page, "Q-learning (grid worlds)").get_attribute("aria-checked") == "true"
    alpha = page.get_by_role("slider", name="Learning rate α")
    alpha.focus()
    page.keyboard.press("ArrowRight")
    settle(page)
    assert alpha.input_value() == "0.06"
    tab(page, "Baselines").click()
    settle(page)
    assert "rl_tab=Baselines" in page.url
    tab(page, "Q-learning (grid worlds)").click()
    settle(page)
    assert page.get_by_role("slider", name="Learning rate α").input_value() == "0.06"
    assert not exception_texts(page)
