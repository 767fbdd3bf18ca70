"""What a training reports while it runs, for a live view (the page) or a progress bar (the CLI).

Both trainings here (stable-baselines3 agents and tabular Q-learning) call `on_update(update)` on
each callback every few hundred milliseconds and when they end. An update carries every finished
training episode so far; `learning_curve` turns them into the curve with its rolling mean.
A callback may also have `on_wait(position, queue_state)`: the training waits for a slot in the
process-wide training queue first (see dl_core.training_queue).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal, Protocol

if TYPE_CHECKING:
    import pandas as pd


@dataclass(frozen=True)
class EpisodeRecord:
    """One finished training episode."""

    episode: int  # 1-based
    step: int  # environment steps taken in training when it ended
    reward: float  # its (undiscounted) return
    length: int
    success: bool | None = None  # grid worlds: reached the goal


@dataclass(frozen=True)
class TrainingUpdate:
    done: int  # timesteps (deep agents) or episodes (tabular) so far
    total: int
    unit: Literal["timesteps", "episodes"]
    episodes: tuple[EpisodeRecord, ...]  # every finished training episode so far
    seconds: float
    epsilon: float | None = None  # the exploration rate now, where the method has one

    @property
    def fraction(self) -> float:
        return min(1.0, self.done / max(self.total, 1))

    def text(self) -> str:
        last = ""
        if self.episodes:
            window = self.episodes[-100:]
            mean = sum(e.reward for e in window) / len(window)
            last = f" · mean return of the last {len(window)} episodes {mean:.1f}"
        eps = f" · ε {self.epsilon:.2f}" if self.epsilon is not None else ""
        return f"{self.done:,} / {self.total:,} {self.unit} · {len(self.episodes):,} episodes{last}{eps}"


class AgentCallback(Protocol):
    def on_update(self, update: TrainingUpdate) -> None: ...


def rolling_window(n_episodes: int) -> int:
    """The rolling-mean window: 100 episodes (Gymnasium's 'solved' convention) once there are enough."""
    return max(1, min(100, n_episodes // 5 or 1))


def learning_curve(episodes: tuple[EpisodeRecord, ...] | list[EpisodeRecord],
                   window: int | None = None) -> "pd.DataFrame":
    """One row per training episode: episode, step, reward, length, success, and rolling means."""
    import pandas as pd

    frame = pd.DataFrame([e.__dict__ for e in episodes],
                         columns=["episode", "step", "reward", "length", "success"])
    w = window or rolling_window(len(frame))
    frame["rolling_reward"] = frame["reward"].rolling(w, min_periods=1).mean()
    if frame["success"].notna().any():
        frame["rolling_success"] = frame["success"].astype(float).rolling(w, min_periods=1).mean()
    frame.attrs["window"] = w
    return frame


class PrintProgress:
    """Command-line callback: a tqdm bar on stderr (stdout stays clean for --json)."""

    def __init__(self, desc: str) -> None:
        self.desc = desc
        self._bar = None

    def on_update(self, update: TrainingUpdate) -> None:
        import sys

        from tqdm import tqdm

        if self._bar is None:
            self._bar = tqdm(total=update.total, desc=self.desc, unit=update.unit[:-1], file=sys.stderr,
                             leave=False)
        self._bar.update(update.done - self._bar.n)
        if update.episodes:
            window = update.episodes[-100:]
            self._bar.set_postfix(episodes=len(update.episodes),
                                  mean_return=f"{sum(e.reward for e in window) / len(window):.1f}")

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None
