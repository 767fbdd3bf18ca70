"""Reinforcement learning: agents that learn to act from rewards (the /rl page and `rl` commands).

Public API (what pages, ui/rl and the CLI import):

- environments: `ENVS`, `EnvSpec`, `env_spec`, `env_names`, `grid_names`, `make_env`, `describe_env`
- deep agents (stable-baselines3 PPO/A2C/DQN): `AgentConfig`, `train_agent` -> TrainedModel, `Agent`
- tabular: `QLearningConfig`, `train_q_learning` -> TrainedModel, `TabularAgent`, `value_iteration`,
  `grid_layout`, `greedy_arrows`
- baselines and evaluation: `random_policy`, `heuristics`, `baseline_policies`, `evaluate`,
  `compare`, `evaluation_seeds`
- live progress: `TrainingUpdate`, `EpisodeRecord`, `learning_curve`
- watching: `play`, `animation`

Importing this package is cheap: gymnasium, torch and stable-baselines3 load inside the calls.
"""

from .agents import (
    ALGO_NOTES,
    ALGOS,
    DEFAULT_LEARNING_RATE,
    FIRST_UPDATE,
    Agent,
    AgentConfig,
    agent_device,
    planned_timesteps,
    train_agent,
)
from .baselines import Heuristic, Policy, heuristics, random_policy
from .envs import ENVS, EnvSpec, grid_names
from .envs import describe as describe_env
from .envs import make as make_env
from .envs import names as env_names
from .envs import spec as env_spec
from .evaluate import ComparisonRow, Evaluation, baseline_policies, compare, evaluate, evaluation_seeds
from .progress import EpisodeRecord, PrintProgress, TrainingUpdate, learning_curve
from .tabular import (
                      QLearningConfig,
                      TabularAgent,
                      ValueIteration,
                      greedy_arrows,
                      grid_layout,
                      train_q_learning,
                      value_iteration,
)
from .watch import PlayedEpisode, animation, play

ALGORITHMS = (*ALGOS, "q-learning")  # what `rl train --algo` takes

__all__ = [
    "ALGORITHMS", "ALGOS", "ALGO_NOTES", "DEFAULT_LEARNING_RATE", "ENVS", "FIRST_UPDATE", "Agent", "AgentConfig",
    "ComparisonRow", "EnvSpec", "EpisodeRecord", "Evaluation", "Heuristic", "PlayedEpisode", "Policy",
    "PrintProgress", "QLearningConfig", "TabularAgent", "TrainingUpdate", "ValueIteration", "agent_device",
    "animation", "baseline_policies", "compare", "describe_env", "env_names", "env_spec", "evaluate",
    "evaluation_seeds", "greedy_arrows", "grid_layout", "grid_names", "heuristics", "learning_curve",
    "make_env", "planned_timesteps", "play", "random_policy", "train_agent", "train_q_learning", "value_iteration",
]
