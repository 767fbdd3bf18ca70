"""The stable-baselines3 training itself, run in a child process of its own (see agents.train_agent).

Why a process: SB3 seeds Python's, numpy's and torch's *global* generators (`seed=`), and draws
actions, minibatch orders and replay samples from them while it learns. In the app's process those
generators are shared by every session's thread, so two people training at once would change each
other's results. A spawned child has its own, so a seed reproduces a run exactly; it also keeps
SB3's Python-heavy loop off the app's GIL (the page stays responsive while an agent learns).

Messages to the parent, on `queue`:
  ("progress", num_timesteps, [(reward, length, success, step), ...])   at most every 0.25 s
  ("done", weights: {name: np.ndarray}, num_timesteps, seconds inside model.learn)
  ("error", traceback_text)
The parent sets `stop` (a multiprocessing Event) to end training early; the child then still sends
"done" with the policy as it was.
"""

from __future__ import annotations

import time
import traceback
from typing import Any

REPORT_SECONDS = 0.25


def policy_kwargs(job: dict[str, Any]) -> dict[str, Any]:
    return {"net_arch": list(job["net_arch"])}


def algorithm_kwargs(job: dict[str, Any]) -> dict[str, Any]:
    """SB3's defaults, plus the few settings the page exposes."""
    kw: dict[str, Any] = {"learning_rate": job["learning_rate"], "gamma": job["gamma"]}
    if job["algo"] == "dqn":
        kw.update(exploration_fraction=job["exploration_fraction"],
                  exploration_final_eps=job["exploration_final_eps"],
                  # A replay buffer longer than the run only costs memory (SB3's default: 1M steps).
                  buffer_size=max(1_000, min(1_000_000, job["timesteps"])))
    return kw


def train(job: dict[str, Any], queue: Any, stop: Any) -> None:
    """Entry point of the child process."""
    try:
        import torch

        torch.set_num_threads(job["threads"])
        from stable_baselines3 import A2C, DQN, PPO
        from stable_baselines3.common.callbacks import BaseCallback
        from stable_baselines3.common.env_util import make_vec_env

        from . import envs
        from .evaluate import reached_goal

        algo_cls = {"ppo": PPO, "a2c": A2C, "dqn": DQN}[job["algo"]]
        env_id, slippery = job["env_id"], job["slippery"]
        # Monitor (added by make_vec_env) puts each finished episode's return in info["episode"];
        # the first reset uses the run's seed, later resets continue that environment's generator.
        vec_env = make_vec_env(lambda: envs.make(env_id, slippery=slippery), n_envs=1, seed=job["seed"])
        model = algo_cls("MlpPolicy", vec_env, seed=job["seed"], device=job["device"], verbose=0,
                         policy_kwargs=policy_kwargs(job), **algorithm_kwargs(job))

        class Reporter(BaseCallback):
            def __init__(self) -> None:
                super().__init__()
                self.pending: list[tuple] = []
                self.last = time.perf_counter()

            def _flush(self) -> None:
                queue.put(("progress", int(self.num_timesteps), self.pending))
                self.pending = []
                self.last = time.perf_counter()

            def _on_step(self) -> bool:
                for info, reward in zip(self.locals["infos"], self.locals["rewards"], strict=False):
                    episode = info.get("episode")
                    if episode is not None:
                        terminated = not info.get("TimeLimit.truncated", False)
                        self.pending.append((float(episode["r"]), int(episode["l"]),
                                             reached_goal(env_id, terminated, float(reward)),
                                             int(self.num_timesteps)))
                if time.perf_counter() - self.last >= REPORT_SECONDS:
                    self._flush()
                return not stop.is_set()

            def _on_training_end(self) -> None:
                self._flush()

        started = time.perf_counter()
        model.learn(total_timesteps=job["timesteps"], callback=Reporter(), progress_bar=False)
        weights = {k: v.detach().cpu().numpy() for k, v in model.policy.state_dict().items()}
        queue.put(("done", weights, int(model.num_timesteps), time.perf_counter() - started))
    except BaseException:  # noqa: BLE001 (the parent re-raises it as a bug with this traceback)
        queue.put(("error", traceback.format_exc()))
