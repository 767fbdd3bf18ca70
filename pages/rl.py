"""Reinforcement learning: agents that learn to act from rewards.

Tabs -> views in ui/rl/ (train, watch, baselines, tabular) -> engine calls in dl_core/rl/
(train_agent, play, compare, train_q_learning, value_iteration).
"""

import streamlit as st

from ui import tabs
from ui.rl import baselines, tabular, train, watch

st.title("Reinforcement learning: learning to act from rewards")
st.markdown(
    "The fourth way machines learn. No labelled examples here: an **agent** tries actions in an "
    "**environment** and is told only how well it did (the **reward**). Train one below and watch "
    "it go from flailing to balancing a pole; compare it with random play and a hand-written rule; "
    "then see the idea in its simplest form, a table of values on a frozen lake. Everything runs "
    "offline (Gymnasium environments, stable-baselines3 algorithms)."
)

# Only the open tab runs (?rl_tab=... in the URL); what was set in the others is kept (ui/tabs.py).
# A key belongs to the longest prefix it starts with: "rl_q_alpha" to the grid tab, "rl_env" to training.
tabs.show("rl_tab", [
    tabs.Tab("Train an agent", train.view, ("rl_",)),
    tabs.Tab("Watch it play", watch.view, ("rl_watch_",)),
    tabs.Tab("Baselines", baselines.view, ("rl_base_",)),
    tabs.Tab("Q-learning (grid worlds)", tabular.view, ("rl_q_", "rl_tabular_")),
])
