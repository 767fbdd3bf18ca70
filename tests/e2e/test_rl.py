"""The RL page in Chromium: train a short PPO run, see the reward curve, watch an episode."""

from __future__ import annotations

import re

import pytest

from tests.e2e.conftest import exception_texts, goto, settle


@pytest.mark.slow
def test_train_ppo_see_the_curve_and_watch(page, app_url):
    goto(page, app_url, "rl")
    slider = page.locator("[data-testid='stSlider']").filter(has_text="Timesteps").get_by_role("slider")
    slider.wait_for(timeout=180_000)  # widgets draw late on a busy machine
    slider.focus()
    slider.press("Home")  # the smallest run: 1,000 timesteps (PPO collects one rollout of 2,048)
    settle(page)
    page.get_by_role("button", name=re.compile("Train the agent")).click()
    page.get_by_text("Return per training episode").first.wait_for(timeout=300_000)  # the live curve
    page.locator("[data-testid='stMetric']").filter(has_text="Evaluation return").wait_for(timeout=300_000)
    settle(page, 300)
    assert page.get_by_text("PPO on CartPole-v1").count()
    assert page.get_by_text("Against the baselines").count()
    assert not exception_texts(page)

    page.get_by_role("tab", name="Watch it play").click()
    # The newest agent is the default player (the choice is an input's value, not its text).
    player = page.get_by_role("combobox", name="Player")
    player.wait_for()
    assert "PPO on CartPole-v1 (trained)" in player.evaluate("e => e.value || e.textContent")
    page.get_by_role("button", name=re.compile("Play an episode")).click()
    settle(page, 180)
    images = page.locator("[data-testid='stImage'] img")
    assert images.count() == 2
    assert images.first.get_attribute("src")
    assert page.get_by_text(re.compile("random agent: return")).count()
    assert not exception_texts(page)
