"""Views of the reinforcement-learning page (pages/rl.py): one module per tab, plus the live
training view (live.py), the figures (charts.py) and this session's agents (state.py)."""
