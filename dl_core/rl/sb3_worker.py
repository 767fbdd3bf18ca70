"""The stable-baselines3 training itself, run in a child process of its own (see agents.train_agent):
`python -m dl_core.rl.sb3_worker` reads one job (JSON) from stdin.

Why a process: SB3 seeds Python's, numpy's and torch's *global* generators (`seed=`), and draws
actions, minibatch orders and replay samples from them while it learns. In the app's process those
generators are shared by every session's thread, so two people training at once would change each
other's results. A child has its own, so a seed reproduces a run exactly; it also keeps SB3's
Python-heavy loop off the app's GIL (the page stays responsive while an agent learns).
Why not multiprocessing: its "spawn" re-runs the parent's `__main__` in the child, and under
Streamlit that is the page script (Streamlit installs it as `__main__`).

Protocol. stdin: the job as one JSON line, then optionally the line "stop" (end early; the policy
so far is still saved: after the current step, or, while PPO updates on a rollout (seconds, with no
callback in between), at once with the policy it had when that rollout ended). stdout: one JSON
message per line,
  {"progress": num_timesteps, "episodes": [[reward, length, success, step], ...]}   at most every 0.25 s
  {"done": num_timesteps, "seconds": time inside model.learn}   after writing job["weights_path"]
  {"error": traceback_text}
Anything else the libraries print goes to stderr.
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time
import traceback
from collections.abc import Callable
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


class Snapshot:
    """PPO's policy as its latest rollout ended, kept while the update on that rollout runs: PPO then
    makes 10 passes over 2,048 steps (seconds; much longer on a busy machine) without calling back, so
    a Stop in that time ends the process here with these weights instead of waiting for the update."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.weights: dict[str, Any] | None = None
        self.steps = 0
        self.updating = False
        self.started = time.perf_counter()  # reset when learning starts

    def take(self, policy: Any, steps: int) -> None:
        weights = {k: v.detach().cpu().numpy().copy() for k, v in policy.state_dict().items()}
        with self.lock:
            self.weights, self.steps, self.updating = weights, steps, True

    def updated(self) -> None:
        with self.lock:  # waits while `exit_if_updating` saves: the process then ends in there
            self.updating = False

    def exit_if_updating(self, job: dict[str, Any], send: Callable[[dict], None]) -> None:
        with self.lock:
            if not self.updating:
                return
            try:
                save_weights(self.weights, job["weights_path"])
                send({"done": self.steps, "seconds": time.perf_counter() - self.started})
            finally:
                os._exit(0)


def save_weights(weights: dict[str, Any], path: str) -> None:
    from safetensors.numpy import save_file

    save_file(weights, path)


def train(job: dict[str, Any], send: Callable[[dict], None], stop: threading.Event,
          snapshot: Snapshot | None = None) -> None:
    """Train, reporting through `send`, until done or `stop` is set; save the weights as safetensors.
    PPO keeps its policy in `snapshot` at each rollout's end (see Snapshot)."""
    import torch

    torch.set_num_threads(job["threads"])
    from stable_baselines3 import A2C, DQN, PPO
    from stable_baselines3.common.callbacks import BaseCallback
    from stable_baselines3.common.env_util import make_vec_env
    from stable_baselines3.common.logger import Logger

    from . import envs
    from .evaluate import reached_goal

    algo_cls = {"ppo": PPO, "a2c": A2C, "dqn": DQN}[job["algo"]]
    env_id, slippery = job["env_id"], job["slippery"]
    # Monitor (added by make_vec_env) puts each finished episode's return in info["episode"];
    # the first reset uses the run's seed, later resets continue that environment's generator.
    vec_env = make_vec_env(lambda: envs.make(env_id, slippery=slippery), n_envs=1, seed=job["seed"])
    model = algo_cls("MlpPolicy", vec_env, seed=job["seed"], device=job["device"], verbose=0,
                     policy_kwargs=policy_kwargs(job), **algorithm_kwargs(job))
    # Our own logger with no outputs: SB3's default makes an empty SB3-<time> folder in /tmp for every
    # training, which on a class server piles up by the hundred.
    model.set_logger(Logger(folder=None, output_formats=[]))

    class Reporter(BaseCallback):
        def __init__(self) -> None:
            super().__init__()
            self.pending: list[list] = []
            self.last = time.perf_counter()

        def _flush(self) -> None:
            send({"progress": int(self.num_timesteps), "episodes": self.pending})
            self.pending = []
            self.last = time.perf_counter()

        def _on_step(self) -> bool:
            for info, reward in zip(self.locals["infos"], self.locals["rewards"], strict=False):
                episode = info.get("episode")
                if episode is not None:
                    terminated = not info.get("TimeLimit.truncated", False)
                    self.pending.append([float(episode["r"]), int(episode["l"]),
                                         reached_goal(env_id, terminated, float(reward)), int(self.num_timesteps)])
            if time.perf_counter() - self.last >= REPORT_SECONDS:
                self._flush()
            return not stop.is_set()

        def _on_rollout_end(self) -> None:
            if snapshot is not None and job["algo"] == "ppo" and not stop.is_set():
                snapshot.take(model.policy, int(self.num_timesteps))
                self._flush()  # the curve up to the snapshot (after it: a Stop answering this finds it)

        def _on_rollout_start(self) -> None:
            if snapshot is not None:
                snapshot.updated()

        def _on_training_end(self) -> None:
            self._flush()

    started = time.perf_counter()
    if snapshot is not None:
        snapshot.started = started
    model.learn(total_timesteps=job["timesteps"], callback=Reporter(), progress_bar=False)
    if snapshot is not None:
        snapshot.updated()  # the last update is done: a Stop from now on waits for the save below
    seconds = time.perf_counter() - started
    weights = {k: v.detach().cpu().numpy() for k, v in model.policy.state_dict().items()}
    save_weights(weights, job["weights_path"])
    send({"done": int(model.num_timesteps), "seconds": seconds})


def main() -> None:
    # Messages go to the real stdout; everything else printed here (C libraries too) goes to stderr.
    out = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    lock = threading.Lock()

    def send(message: dict) -> None:
        with lock:
            out.write(json.dumps(message) + "\n")
            out.flush()

    stop = threading.Event()
    snapshot = Snapshot()
    job = json.loads(sys.stdin.readline())

    def listen() -> None:  # "stop", or the parent going away (end of stdin), ends training early
        for line in sys.stdin:
            if line.strip() == "stop":
                break
        stop.set()
        snapshot.exit_if_updating(job, send)

    threading.Thread(target=listen, daemon=True).start()
    try:
        train(job, send, stop, snapshot)
    except BaseException:  # noqa: BLE001 (the parent raises it as a bug, with this traceback)
        send({"error": traceback.format_exc()})


if __name__ == "__main__":
    main()
