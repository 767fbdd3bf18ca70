"""Policies that need no learning: the random agent, and hand-written rules where a simple one exists.

A policy here is any callable `policy(observation) -> action`. The random policy draws from its own
`np.random.default_rng(seed)`, never the global generator, so evaluating it is reproducible whatever
else the process does.

The rules are what a person who knows the physics would write in a few minutes. They matter: an
agent that learns for a minute and does no better than three lines of domain knowledge has not
earned its keep yet.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from . import envs

Policy = Callable[[Any], Any]


def random_policy(env_id: str, seed: int) -> Policy:
    """Uniformly random actions from a generator of its own (seeded per evaluation episode)."""
    s = envs.spec(env_id)
    rng = np.random.default_rng(seed)
    if s.actions == "discrete":
        n = s.n_actions or 2
        return lambda obs: int(rng.integers(n))
    # Pendulum's only continuous task here: torque in [-2, 2].
    return lambda obs: rng.uniform(-2.0, 2.0, size=(1,)).astype(np.float32)


def cartpole_lean(obs) -> int:
    """Push toward the side the pole leans (the rule the issue asks for): 1 = push right."""
    return int(obs[2] > 0)


def cartpole_lean_and_spin(obs) -> int:
    """Push toward where the pole is heading: its angle plus half its angular speed."""
    return int(obs[2] + 0.5 * obs[3] > 0)


def mountaincar_follow_speed(obs) -> int:
    """Push the way the car already moves: each swing climbs higher."""
    return 2 if obs[1] >= 0 else 0


def acrobot_follow_swing(obs) -> int:
    """Torque the lower link the way it already swings (pumping energy in, like on a swing)."""
    return 2 if obs[5] > 0 else 0


def pendulum_pump_then_hold(obs) -> np.ndarray:
    """Near the top, a PD controller holds it up; elsewhere, pump energy by pushing with the swing."""
    cos, sin, speed = (float(v) for v in obs)
    angle = float(np.arctan2(sin, cos))  # 0 = upright
    if cos > 0.9:
        torque = -(10.0 * angle + 2.0 * speed)
    else:
        energy = 0.5 * speed**2 + 10.0 * (cos - 1.0)  # below 0: not enough to reach the top
        torque = 2.0 * np.sign(speed or 1.0) * (1.0 if energy < 0 else -1.0)
    return np.array([np.clip(torque, -2.0, 2.0)], dtype=np.float32)


def cliff_safe_path(obs) -> int:
    """Up one row, right along it, down at the goal column: the long but safe way round."""
    row, col = divmod(int(obs), 12)
    if row == 3 and col == 0:
        return 0  # up
    if col < 11:
        return 1  # right
    return 2  # down


@dataclass(frozen=True)
class Heuristic:
    name: str  # short, used as a table row and a CLI key
    rule: str  # in words
    policy: Policy


# The first rule of an environment is its "heuristic" in the CLI's JSON; the page shows them all.
HEURISTICS: dict[str, tuple[Heuristic, ...]] = {
    "CartPole-v1": (Heuristic("heuristic", "push toward the side the pole leans", cartpole_lean),
                    Heuristic("heuristic (lean + spin)", "push toward where the pole is heading "
                              "(angle + ½·angular speed)", cartpole_lean_and_spin)),
    "MountainCar-v0": (Heuristic("heuristic", "push the way the car already moves",
                                 mountaincar_follow_speed),),
    "Acrobot-v1": (Heuristic("heuristic", "torque the lower link the way it swings", acrobot_follow_swing),),
    "Pendulum-v1": (Heuristic("heuristic", "pump energy with the swing, hold with a PD controller near "
                              "the top", pendulum_pump_then_hold),),
    "CliffWalking-v1": (Heuristic("heuristic", "go up one row, walk right, come down at the goal",
                                  cliff_safe_path),),
}


def heuristics(env_id: str) -> tuple[Heuristic, ...]:
    """The hand-written rules for this environment (none for FrozenLake: its ice is random)."""
    envs.spec(env_id)
    return HEURISTICS.get(env_id, ())
