"""Reinforcement learning: agents that learn to act from rewards.

Tabs -> views in ui/rl/ (train, watch, baselines, tabular) -> engine calls in dl_core/rl/
(train_agent, play, compare, train_q_learning, value_iteration).
"""

import streamlit as st

import ui  # noqa: F401  (the app-shell guard in ui/__init__.py)
from ui.rl import baselines, tabular, train, watch

st.title("Reinforcement learning: learning to act from rewards")
st.markdown(
    "The fourth way machines learn. No labelled examples here: an **agent** tries actions in an "
    "**environment** and is told only how well it did (the **reward**). Train one below and watch "
    "it go from flailing to balancing a pole; compare it with random play and a hand-written rule; "
    "then see the idea in its simplest form, a table of values on a frozen lake. Everything runs "
    "offline (Gymnasium environments, stable-baselines3 algorithms)."
)

t_train, t_watch, t_base, t_tabular = st.tabs(
    ["Train an agent", "Watch it play", "Baselines", "Q-learning (grid worlds)"])
with t_train:
    train.view()
with t_watch:
    watch.view()
with t_base:
    baselines.view()
with t_tabular:
    tabular.view()
