"""Watch a policy play: one episode rendered frame by frame, and the return step by step.

    ep = watch.play(agent.act, "CartPole-v1", seed=3)
    gif = watch.animation(ep.frames, fps=ep.fps)     # bytes of an animated GIF

Two policies played with the same `seed` start from the same state, so the trained agent and the
random agent can be shown side by side from one start.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass, field

import numpy as np

from ..errors import InputError
from . import envs
from .baselines import Policy

MAX_FRAMES = 120  # frames kept per episode (a long episode keeps every k-th): bounds render time and GIF size
GIF_WIDTH = 360


@dataclass
class PlayedEpisode:
    rewards: np.ndarray  # (steps,) reward of each step
    actions: list  # the action at each step
    frames: list[np.ndarray] = field(repr=False, default_factory=list)  # (H, W, 3) uint8, every `stride`-th step
    stride: int = 1
    fps: float = 30.0  # playback rate for real time
    terminated: bool = False  # ended by the task (fell, reached the goal) rather than the time limit

    @property
    def returns(self) -> np.ndarray:
        """(steps,) the return so far after each step."""
        return np.cumsum(self.rewards)

    @property
    def total(self) -> float:
        return float(self.rewards.sum())

    @property
    def steps(self) -> int:
        return len(self.rewards)


def play(policy: Policy, env_id: str, *, slippery: bool | None = None, seed: int = 0,
         max_frames: int = MAX_FRAMES) -> PlayedEpisode:
    """One episode of `policy` from the start state of reset(seed=seed), with its frames."""
    if not 2 <= max_frames <= 1000:
        raise InputError(f"max_frames must be between 2 and 1,000, got {max_frames}.")
    spec = envs.spec(env_id)
    env = envs.make(env_id, slippery=slippery, render_mode="rgb_array")
    stride = max(1, math.ceil((spec.max_steps + 1) / max_frames))
    fps = float(env.metadata.get("render_fps") or 30) / stride
    if spec.is_grid:
        fps = min(fps, 4.0)  # a grid world moves one cell per step: slow enough to follow
    rewards, actions, frames = [], [], []
    try:
        obs, _ = env.reset(seed=seed)
        frames.append(env.render())
        done, terminated = False, False
        while not done:
            action = policy(obs)
            obs, reward, terminated, truncated, _ = env.step(action)
            rewards.append(float(reward))
            actions.append(action.tolist() if isinstance(action, np.ndarray) else action)
            done = terminated or truncated
            if len(rewards) % stride == 0 or done:
                frames.append(env.render())
    finally:
        env.close()
    return PlayedEpisode(np.array(rewards), actions, frames, stride, fps, bool(terminated))


def animation(frames: list[np.ndarray], fps: float = 30.0, width: int = GIF_WIDTH) -> bytes:
    """An animated GIF (looping) of the frames, scaled to `width` pixels."""
    from PIL import Image

    if not frames:
        raise InputError("there are no frames to animate.")
    h, w = frames[0].shape[:2]
    size = (width, max(1, round(h * width / w)))
    images = [Image.fromarray(f).resize(size, Image.Resampling.BILINEAR) for f in frames]
    # One palette for every frame keeps the colours steady (an adaptive one per frame flickers).
    palette = images[len(images) // 2].quantize(colors=64, method=Image.Quantize.MEDIANCUT)
    quantized = [im.quantize(palette=palette, dither=Image.Dither.NONE) for im in images]
    out = io.BytesIO()
    duration = max(20, round(1000 / fps))
    durations = [duration] * (len(quantized) - 1) + [1500]  # hold the last frame before looping
    quantized[0].save(out, format="GIF", save_all=True, append_images=quantized[1:], duration=durations,
                      loop=0, optimize=False)
    return out.getvalue()
