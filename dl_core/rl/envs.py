"""The environments the page and the command line offer: Gymnasium's classic control tasks and
two grid worlds, all offline.

    spec = envs.spec("CartPole-v1")            # what it is, its actions, when it counts as solved
    env = envs.make("FrozenLake-v1", slippery=False, render_mode="rgb_array")

`make` is the one place that builds an environment, so training, evaluation, baselines and the
"watch it" animation all see the same task (the same time limit, the same slipperiness).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from ..errors import InputError

if TYPE_CHECKING:
    import gymnasium as gym

ActionKind = Literal["discrete", "continuous"]


@dataclass(frozen=True)
class EnvSpec:
    id: str  # Gymnasium's id, also what the CLI's --env takes
    title: str
    actions: ActionKind
    n_actions: int | None  # None for continuous actions
    observation: str  # what the agent sees, in words
    goal: str  # what earns reward, in words
    max_steps: int  # episodes are cut here (Gymnasium's TimeLimit)
    solved_at: float | None = None  # Gymnasium's reward threshold, where it has one
    grid: tuple[int, int] | None = None  # rows, cols of a grid world (tabular methods need one)
    slippery_default: bool | None = None  # None: the option does not exist for this environment
    action_names: tuple[str, ...] = ()

    @property
    def is_grid(self) -> bool:
        return self.grid is not None

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "title": self.title, "actions": self.actions, "n_actions": self.n_actions,
                "observation": self.observation, "goal": self.goal, "max_steps": self.max_steps,
                "solved_at": self.solved_at, "grid": list(self.grid) if self.grid else None,
                "slippery": self.slippery_default}


_GRID_MOVES = ("left", "down", "right", "up")  # FrozenLake's action order
_CLIFF_MOVES = ("up", "right", "down", "left")  # CliffWalking's action order

ENVS: dict[str, EnvSpec] = {s.id: s for s in (
    EnvSpec("CartPole-v1", "CartPole: balance a pole on a cart", "discrete", 2,
            "4 numbers: cart position and speed, pole angle and angular speed",
            "+1 for every step the pole stays up (at most 500)", 500, 475.0,
            action_names=("push left", "push right")),
    EnvSpec("Acrobot-v1", "Acrobot: swing a two-link arm above a line", "discrete", 3,
            "6 numbers: cos/sin of both joint angles and both angular speeds",
            "-1 per step until the tip is high enough (so: get there fast)", 500, -100.0,
            action_names=("torque -1", "no torque", "torque +1")),
    EnvSpec("MountainCar-v0", "MountainCar: rock a weak car up a hill", "discrete", 3,
            "2 numbers: position and speed",
            "-1 per step until the car reaches the flag (a hard exploration problem)", 200, -110.0,
            action_names=("push left", "no push", "push right")),
    EnvSpec("Pendulum-v1", "Pendulum: swing up and hold (continuous torque)", "continuous", None,
            "3 numbers: cos and sin of the angle, angular speed",
            "minus (angle² + a little speed and torque) each step: 0 is perfect", 200, None),
    EnvSpec("FrozenLake-v1", "FrozenLake 4×4: cross the ice without falling in", "discrete", 4,
            "the cell you stand on (16 cells)", "1 for reaching the goal, 0 otherwise", 100, 0.7,
            grid=(4, 4), slippery_default=True, action_names=_GRID_MOVES),
    EnvSpec("FrozenLake8x8-v1", "FrozenLake 8×8: a bigger lake", "discrete", 4,
            "the cell you stand on (64 cells)", "1 for reaching the goal, 0 otherwise", 200, 0.85,
            grid=(8, 8), slippery_default=True, action_names=_GRID_MOVES),
    # Gymnasium gives CliffWalking no time limit: a random walker could wander for thousands of steps.
    EnvSpec("CliffWalking-v1", "CliffWalking: walk along a cliff edge", "discrete", 4,
            "the cell you stand on (48 cells)",
            "-1 per step, -100 for stepping off the cliff (back to the start)", 100, -13.0,
            grid=(4, 12), slippery_default=False, action_names=_CLIFF_MOVES),
)}


def names() -> list[str]:
    return list(ENVS)


def grid_names() -> list[str]:
    return [k for k, s in ENVS.items() if s.is_grid]


def spec(env_id: str) -> EnvSpec:
    """The catalogue entry, or an InputError listing the valid ids."""
    try:
        return ENVS[env_id]
    except KeyError:
        raise InputError(f"unknown environment {env_id!r}; choose one of: {', '.join(ENVS)}.") from None


def check_slippery(env_id: str, slippery: bool | None) -> None:
    s = spec(env_id)
    if slippery is not None and s.slippery_default is None:
        raise InputError(f"'slippery' applies to the grid worlds only ({', '.join(grid_names())}), "
                         f"not to {env_id}; leave it unset.")


def _quiet_pygame() -> None:
    # Rendering uses pygame; without a display or a sound card it must use its dummy drivers.
    os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
    os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
    os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")


def make(env_id: str, *, slippery: bool | None = None, render_mode: str | None = None) -> "gym.Env":
    """A fresh environment (not reset): the catalogue's time limit, slipperiness where it applies."""
    import gymnasium as gym

    s = spec(env_id)
    check_slippery(env_id, slippery)
    kwargs: dict[str, Any] = {}
    if s.slippery_default is not None:
        kwargs["is_slippery"] = s.slippery_default if slippery is None else bool(slippery)
    if render_mode is not None:
        _quiet_pygame()
        kwargs["render_mode"] = render_mode
    return gym.make(env_id, max_episode_steps=s.max_steps, **kwargs)


def is_slippery(env_id: str, slippery: bool | None) -> bool | None:
    """The slipperiness actually used (the default where `slippery` is None); None where n/a."""
    s = spec(env_id)
    if s.slippery_default is None:
        return None
    return s.slippery_default if slippery is None else bool(slippery)


def describe(env_id: str, slippery: bool | None = None) -> str:
    """'FrozenLake-v1 (slippery)': the name runs and agents are shown under."""
    slip = is_slippery(env_id, slippery)
    if slip is None:
        return env_id
    return f"{env_id} ({'slippery' if slip else 'not slippery'})"
