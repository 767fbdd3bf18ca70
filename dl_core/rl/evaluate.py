"""Evaluation on episodes of their own, and policies side by side on the same episodes.

Training resets its environment once with the run's seed (0 … 1,000,000) and lets it run on from
there; evaluation resets every episode with a seed from `evaluation_seeds` (≥ 10⁹), so no evaluation
episode is a training episode, and every policy in a comparison meets the same start states (and,
in the slippery grid worlds, the same ice).

    table = evaluate.compare("CartPole-v1", {"random": random_policy(...), "PPO": agent.act},
                             episodes=20, seed=0)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..errors import InputError
from . import baselines, envs
from .baselines import Policy

EVAL_SEED_BASE = 10**9  # above every training seed (the configs cap seeds at 1,000,000)
MAX_EVAL_EPISODES = 1000


def evaluation_seeds(seed: int, episodes: int) -> list[int]:
    """The reset seeds of evaluation episodes for a run seeded `seed`: never a training seed."""
    return [EVAL_SEED_BASE + seed * MAX_EVAL_EPISODES + i for i in range(episodes)]


def check_episodes(episodes: int, what: str = "evaluation episodes") -> None:
    if not 1 <= episodes <= MAX_EVAL_EPISODES:
        raise InputError(f"{what} must be between 1 and {MAX_EVAL_EPISODES:,}, got {episodes}.")


@dataclass
class Evaluation:
    returns: np.ndarray  # (episodes,) undiscounted return of each episode
    lengths: np.ndarray  # (episodes,)
    successes: np.ndarray | None = None  # (episodes,) bool; grid worlds only
    seeds: list[int] = field(default_factory=list)

    @property
    def mean(self) -> float:
        return float(np.mean(self.returns))

    @property
    def std(self) -> float:
        return float(np.std(self.returns))

    @property
    def success_rate(self) -> float | None:
        return None if self.successes is None else float(np.mean(self.successes))

    def summary(self) -> dict[str, float]:
        out = {"mean_reward": self.mean, "std_reward": self.std}
        if self.successes is not None:
            out["success_rate"] = self.success_rate
        return out


def reached_goal(env_id: str, terminated: bool, reward: float) -> bool:
    """Grid worlds: an episode that ends on the goal (FrozenLake also ends in a hole, with 0)."""
    return bool(terminated and (reward > 0 or env_id.startswith("CliffWalking")))


def evaluate(policy: Policy, env_id: str, *, slippery: bool | None = None, episodes: int = 10,
             seed: int = 0) -> Evaluation:
    """Run `policy` on `episodes` evaluation episodes (seeds from `evaluation_seeds(seed, ...)`)."""
    check_episodes(episodes)
    spec = envs.spec(env_id)
    env = envs.make(env_id, slippery=slippery)
    seeds = evaluation_seeds(seed, episodes)
    returns, lengths, successes = [], [], []
    try:
        for s in seeds:
            obs, _ = env.reset(seed=s)
            total, steps, done, terminated, reward = 0.0, 0, False, False, 0.0
            while not done:
                obs, reward, terminated, truncated, _ = env.step(policy(obs))
                total += float(reward)
                steps += 1
                done = terminated or truncated
            returns.append(total)
            lengths.append(steps)
            successes.append(reached_goal(env_id, terminated, float(reward)))
    finally:
        env.close()
    return Evaluation(np.array(returns), np.array(lengths),
                      np.array(successes) if spec.is_grid else None, seeds)


def baseline_policies(env_id: str, seed: int, *, all_rules: bool = True) -> dict[str, Policy]:
    """'random' and the environment's hand-written rules (only the first with all_rules=False)."""
    rules = baselines.heuristics(env_id)
    out: dict[str, Policy] = {"random": baselines.random_policy(env_id, seed)}
    for h in rules if all_rules else rules[:1]:
        out[h.name] = h.policy
    return out


@dataclass
class ComparisonRow:
    policy: str
    mean_reward: float
    std_reward: float
    episodes: int
    success_rate: float | None = None

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def compare(env_id: str, policies: Mapping[str, Policy], *, slippery: bool | None = None,
            episodes: int = 20, seed: int = 0) -> list[ComparisonRow]:
    """Every policy on the same evaluation episodes: mean ± std of the return (and success rate)."""
    if not policies:
        raise InputError("nothing to compare: give at least one policy.")
    rows = []
    for name, policy in policies.items():
        ev = evaluate(policy, env_id, slippery=slippery, episodes=episodes, seed=seed)
        rows.append(ComparisonRow(name, ev.mean, ev.std, episodes, ev.success_rate))
    return rows
