"""Deep agents from stable-baselines3 (PPO, A2C, DQN): one engine call trains, evaluates and logs one.

    result = agents.train_agent("CartPole-v1", AgentConfig(algo="ppo", timesteps=50_000, seed=0))
    result.metrics            # {"mean_reward": 500.0, "std_reward": 0.0, ...} on evaluation episodes
    result.model.act(obs)     # the trained policy (deterministic), an `Agent`
    result.details["episodes"], result.details["baselines"]

The algorithms are SB3's, not written here; SB3's defaults stay the defaults (PPO's learning rate
3e-4, A2C's 7e-4, DQN's 1e-4; two hidden layers of 64). Training runs in a spawned child process
(see sb3_worker.py for why); the agent comes back as plain weights and lives in the caller's memory
only. It can be saved as safetensors; an SB3 .zip is never loaded here (loading one unpickles).

Device: CPU unless `config.device` or $DLX_DEVICE says otherwise. These policies are two layers of
64 units fed one observation at a time, so a GPU spends more time copying than computing; SB3's own
documentation recommends the CPU for PPO and A2C with MLP policies (bench/bench_rl.py measures it).
"""

from __future__ import annotations

import contextlib
import os
import queue as queue_lib
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from ..errors import InputError
from . import envs
from .progress import AgentCallback, EpisodeRecord, TrainingUpdate

if TYPE_CHECKING:
    from torch import nn

    from ..training import CancelToken, TrainedModel

Algo = Literal["ppo", "a2c", "dqn"]
ALGOS: dict[str, str] = {"ppo": "PPO", "a2c": "A2C", "dqn": "DQN"}
ALGO_NOTES = {
    "ppo": "Proximal Policy Optimization: learns a policy and a value estimate from batches of its "
           "own recent experience, in small careful steps. A robust default.",
    "a2c": "Advantage Actor-Critic: like PPO but updates after every few steps; faster per step, "
           "noisier.",
    "dqn": "Deep Q-Network: learns the value of each action from a replay memory and picks the best "
           "one, exploring at random with probability ε (discrete actions only).",
}
DEFAULT_LEARNING_RATE = {"ppo": 3e-4, "a2c": 7e-4, "dqn": 1e-4}  # SB3's defaults
TABULAR = ("q-learning",)  # tabular methods, in tabular.py; listed in the errors here
MAX_TIMESTEPS = 1_000_000
MAX_SEED = 1_000_000
_DEVICES = ("cpu", "cuda", "mps")


@dataclass
class AgentConfig:
    algo: Algo = "ppo"
    timesteps: int = 50_000  # environment steps to learn from
    learning_rate: float | None = None  # None: the algorithm's SB3 default (DEFAULT_LEARNING_RATE)
    gamma: float = 0.99  # discount: how much a reward one step later is worth
    net_width: int = 64  # units per hidden layer (SB3's default 64)
    net_depth: int = 2  # hidden layers (SB3's default 2)
    exploration_fraction: float = 0.1  # DQN: share of the run over which ε falls from 1
    exploration_final_eps: float = 0.05  # DQN: ε after that
    slippery: bool | None = None  # grid worlds only; None = the environment's default
    seed: int = 0
    eval_episodes: int = 10  # evaluation episodes (seeds of their own) for the final metrics
    device: str | None = field(default=None, metadata={"log": False})  # None: $DLX_DEVICE, else cpu

    def check(self, env_id: str) -> None:
        """Raise InputError naming the bad value and its valid range (or the valid choices)."""
        from .evaluate import check_episodes

        if self.algo not in ALGOS:
            raise InputError(f"unknown algorithm {self.algo!r}; choose one of: {', '.join([*ALGOS, *TABULAR])} "
                             "(q-learning is tabular, for the grid worlds).")
        spec = envs.spec(env_id)
        if self.algo == "dqn" and spec.actions == "continuous":
            raise InputError(f"DQN picks one of a few actions, but {env_id} has continuous actions "
                             "(a torque); use PPO or A2C for it.")
        envs.check_slippery(env_id, self.slippery)
        if not 100 <= self.timesteps <= MAX_TIMESTEPS:
            raise InputError(f"timesteps must be between 100 and {MAX_TIMESTEPS:,}, got {self.timesteps}.")
        lr = self.learning_rate
        if lr is not None and not (0 < lr <= 1):  # also refuses NaN
            raise InputError(f"learning rate must be in (0, 1], got {lr}.")
        if not (0 < self.gamma <= 1):
            raise InputError(f"discount γ must be in (0, 1], got {self.gamma}.")
        if not 4 <= self.net_width <= 512:
            raise InputError(f"network width must be between 4 and 512 units, got {self.net_width}.")
        if not 1 <= self.net_depth <= 4:
            raise InputError(f"network depth must be between 1 and 4 hidden layers, got {self.net_depth}.")
        if not (0 < self.exploration_fraction <= 1):
            raise InputError(f"exploration fraction must be in (0, 1], got {self.exploration_fraction}.")
        if not (0 <= self.exploration_final_eps <= 1):
            raise InputError(f"final exploration ε must be in [0, 1], got {self.exploration_final_eps}.")
        if not 0 <= self.seed <= MAX_SEED:
            raise InputError(f"seed must be between 0 and {MAX_SEED:,}, got {self.seed}.")
        check_episodes(self.eval_episodes)
        if self.device is not None and self.device not in _DEVICES:
            raise InputError(f"device must be one of {', '.join(_DEVICES)}, got {self.device!r}.")

    def resolved(self) -> "AgentConfig":
        """A copy with the defaults spelled out (what is logged is what ran)."""
        return replace(self, learning_rate=self.learning_rate or DEFAULT_LEARNING_RATE[self.algo])

    @property
    def net_arch(self) -> tuple[int, ...]:
        return (self.net_width,) * self.net_depth


# Steps before SB3 first changes the network, with its defaults: PPO and A2C learn from whole rollouts
# (n_steps 2,048 and 5); DQN starts once its replay memory holds `learning_starts` (100) steps. An agent
# stopped earlier acts with its random initial weights.
FIRST_UPDATE = {"ppo": 2048, "a2c": 5, "dqn": 100}


def planned_timesteps(cfg: AgentConfig) -> int:
    """The steps SB3 will take: PPO and A2C learn from whole rollouts (2,048 and 5 steps by
    default), so a run rounds up to a multiple of that."""
    rollout = {"ppo": 2048, "a2c": 5}.get(cfg.algo, 1)
    return -(-cfg.timesteps // rollout) * rollout


def agent_device(wanted: str | None = None) -> str:
    """`wanted`, else $DLX_DEVICE, else "cpu" (see the module docstring); checked to exist."""
    device = (wanted or os.environ.get("DLX_DEVICE", "").strip().lower() or "cpu")
    if device not in _DEVICES:
        raise InputError(f"DLX_DEVICE={device!r} is not a device; use one of {', '.join(_DEVICES)}.")
    if device != "cpu":
        import torch

        if device == "cuda" and not torch.cuda.is_available():
            raise InputError("the CUDA device was asked for, but no CUDA GPU is visible; use the CPU.")
        if device == "mps" and not torch.backends.mps.is_available():
            raise InputError("the MPS device was asked for, but Apple MPS is not available; use the CPU.")
    return device


@dataclass
class Agent:
    """A trained SB3 policy as plain weights, rebuilt on first use; acts deterministically."""

    env_id: str
    algo: Algo
    net_arch: tuple[int, ...]
    weights: dict[str, np.ndarray]
    slippery: bool | None = None
    timesteps: int = 0
    _policy: Any = field(default=None, repr=False, compare=False)
    _lock: Any = field(default_factory=threading.Lock, repr=False, compare=False)

    @property
    def name(self) -> str:
        return f"{ALGOS[self.algo]} on {envs.describe(self.env_id, self.slippery)}"

    def policy_module(self) -> "nn.Module":
        """The SB3 policy network (a torch module) with these weights, on the CPU, in eval mode."""
        with self._lock:
            if self._policy is None:
                import torch
                from stable_baselines3 import DQN, PPO

                from ..training import seeded

                cls = (DQN if self.algo == "dqn" else PPO).policy_aliases["MlpPolicy"]
                env = envs.make(self.env_id, slippery=self.slippery)
                # Building draws initial weights from torch's global generator: under its lock.
                with seeded(0):
                    policy = cls(env.observation_space, env.action_space, lambda _: 0.0,
                                 net_arch=list(self.net_arch))
                env.close()
                policy.load_state_dict({k: torch.from_numpy(np.array(v)) for k, v in self.weights.items()})
                policy.set_training_mode(False)
                self._policy = policy
            return self._policy

    def act(self, obs: Any) -> Any:
        action, _ = self.policy_module().predict(obs, deterministic=True)
        if envs.spec(self.env_id).actions == "discrete":
            return int(action)
        return np.asarray(action, dtype=np.float32).reshape(-1)

    def to_safetensors(self) -> bytes:
        """The policy network's weights as a safetensors file (what it is, in the metadata)."""
        from safetensors.numpy import save

        meta = {"framework": "stable-baselines3", "algo": self.algo, "env": self.env_id,
                "net_arch": ",".join(map(str, self.net_arch)), "timesteps": str(self.timesteps),
                "slippery": str(self.slippery)}
        return save({k: np.ascontiguousarray(v) for k, v in self.weights.items()}, metadata=meta)


def _notify_wait(callbacks: Sequence[Any]):
    from .. import training_queue

    def waiting(position: int) -> None:
        for cb in callbacks:
            if hasattr(cb, "on_wait"):
                cb.on_wait(position, training_queue.get().state())

    return waiting


class StoppedBeforeStart(Exception):
    """Stop came while the training process was still starting (importing its libraries): it is ended
    at once rather than after its start-up, and there is no agent."""


def _status(callbacks: Sequence[Any], text: str) -> None:
    """Tell the callbacks that have `on_status(text)` what happens now (e.g. the evaluation)."""
    for cb in callbacks:
        if hasattr(cb, "on_status"):
            cb.on_status(text)


def _train_in_child(env_id: str, cfg: AgentConfig, device: str, callbacks: Sequence[AgentCallback],
                    cancel: "CancelToken", records: list[EpisodeRecord]
                    ) -> tuple[dict[str, np.ndarray], int, float, float]:
    """Run `python -m dl_core.rl.sb3_worker` (see there why a process); relay its progress to
    `callbacks` and append the finished training episodes to `records` (kept by the caller even if
    this raises). Returns the weights, the steps taken, the wall time (process start included) and
    the time spent in SB3's `learn`. A `cancel` before the process has reported any progress kills
    it (its start-up takes seconds) and raises StoppedBeforeStart; later, it ends after the current
    step (PPO: after the update under way) and the policy so far comes back."""
    import json
    import subprocess
    import sys
    import tempfile
    from pathlib import Path

    from safetensors.numpy import load_file

    from .. import device as devices

    root = Path(__file__).resolve().parents[2]
    grid = envs.spec(env_id).is_grid
    total = planned_timesteps(cfg)
    with tempfile.TemporaryDirectory(prefix="dlx-rl-") as tmp, \
            open(Path(tmp) / "stderr.txt", "w+") as stderr:
        job = {"env_id": env_id, "slippery": cfg.slippery, "algo": cfg.algo, "timesteps": cfg.timesteps,
               "learning_rate": cfg.learning_rate, "gamma": cfg.gamma, "net_arch": list(cfg.net_arch),
               "exploration_fraction": cfg.exploration_fraction,
               "exploration_final_eps": cfg.exploration_final_eps, "seed": cfg.seed, "device": device,
               "threads": devices.cpu_threads(), "weights_path": str(Path(tmp) / "policy.safetensors")}
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(root), os.environ.get("PYTHONPATH")]))}
        started = time.perf_counter()
        proc = subprocess.Popen([sys.executable, "-m", "dl_core.rl.sb3_worker"], cwd=root, env=env, text=True,
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=stderr, bufsize=1)
        lines: queue_lib.Queue[str | None] = queue_lib.Queue()

        def read() -> None:
            for line in proc.stdout:
                lines.put(line)
            lines.put(None)

        threading.Thread(target=read, daemon=True, name="dlx-rl-reader").start()
        stopping = started_learning = False
        try:
            proc.stdin.write(json.dumps(job) + "\n")
            proc.stdin.flush()
            while True:
                if cancel.cancelled and not started_learning:
                    proc.kill()
                    raise StoppedBeforeStart("stopped before the training process had started learning")
                if cancel.cancelled and not stopping:
                    stopping = True
                    with contextlib.suppress(OSError):  # already gone: its output says why
                        proc.stdin.write("stop\n")
                        proc.stdin.flush()
                try:
                    line = lines.get(timeout=0.2)
                except queue_lib.Empty:
                    continue
                if line is None:
                    stderr.seek(0)
                    tail = stderr.read()[-2000:]
                    raise RuntimeError(f"the training process ended without a result (exit code "
                                       f"{proc.wait()}):\n{tail}")
                msg = json.loads(line)
                if "progress" in msg:
                    started_learning = True
                    for reward, length, success, step in msg["episodes"]:
                        records.append(EpisodeRecord(len(records) + 1, step, reward, length,
                                                     success if grid else None))
                    update = TrainingUpdate(msg["progress"], total, "timesteps", tuple(records),
                                            time.perf_counter() - started)
                    for cb in callbacks:
                        cb.on_update(update)
                elif "done" in msg:
                    weights = load_file(job["weights_path"])
                    return weights, msg["done"], time.perf_counter() - started, msg["seconds"]
                else:
                    raise RuntimeError(f"stable-baselines3 training failed in its process:\n{msg['error']}")
        finally:
            if proc.poll() is None:
                try:
                    proc.stdin.close()  # end of stdin: the worker stops
                    proc.wait(timeout=10)
                except (OSError, subprocess.TimeoutExpired):
                    proc.kill()
                    proc.wait()


def log_curve(run: Any, records: Sequence[EpisodeRecord], *, step_of: str = "step",
              max_points: int = 500) -> None:
    """The training curve in MLflow: return per episode and its rolling mean (and success rate),
    at most `max_points` episodes, in one batch (one SQLite write per point took seconds)."""
    from mlflow.entities import Metric

    from .. import tracking
    from .progress import learning_curve

    if not records:
        return
    curve = learning_curve(records)
    picks = np.unique(np.linspace(0, len(curve) - 1, min(max_points, len(curve))).astype(int))
    names = {"reward": "episode_reward", "rolling_reward": "rolling_reward", "rolling_success": "rolling_success"}
    now = int(time.time() * 1000)
    items = [Metric(name, float(curve[col].iloc[i]), now, int(curve[step_of].iloc[i]))
             for i in picks for col, name in names.items() if col in curve]
    for start in range(0, len(items), 1000):  # MLflow's limit per batch
        tracking.client().log_batch(run.run_id, metrics=items[start:start + 1000])


@dataclass
class Learned:
    agent: Agent
    episodes: tuple[EpisodeRecord, ...]
    seconds: float  # wall time, the process start included
    learn_seconds: float  # inside SB3's learn


def learn_agent(env_id: str, config: AgentConfig | None = None, *, callbacks: Sequence[AgentCallback] = (),
                cancel: "CancelToken | None" = None) -> Learned:
    """The learning alone: no evaluation, no MLflow, no training-queue slot. `train_agent` is what
    pages and the CLI call; bench/bench_rl.py times this (also where MLflow is not installed)."""
    from ..training import CancelToken

    cfg = config or AgentConfig()
    cfg.check(env_id)
    cfg = cfg.resolved()
    records: list[EpisodeRecord] = []
    weights, steps, seconds, learn_seconds = _train_in_child(env_id, cfg, agent_device(cfg.device), callbacks,
                                                             cancel or CancelToken(), records)
    return Learned(Agent(env_id, cfg.algo, cfg.net_arch, weights, cfg.slippery, steps), tuple(records),
                   seconds, learn_seconds)


def slug(name: str) -> str:
    """'heuristic (lean + spin)' -> 'heuristic_lean_spin': a policy name as part of a metric name."""
    return "_".join("".join(c if c.isalnum() else " " for c in name).split())


def train_agent(env_id: str, config: AgentConfig | None = None, *, callbacks: Sequence[AgentCallback] = (),
                cancel: "CancelToken | None" = None, caller: str = "app") -> "TrainedModel":
    """Train an SB3 agent on `env_id`, evaluate it and the baselines on the same evaluation episodes,
    and log everything to MLflow (experiment `rl/<algo>`).

    `metrics`: mean_reward, std_reward (over `eval_episodes` episodes of their own seeds),
    eval_episodes, timesteps (taken), seconds (training wall time, the process start included),
    learn_seconds (inside SB3's learn), success_rate on grid worlds.
    `details`: env, slippery, algo, device, config (resolved), episodes (the training curve as
    EpisodeRecords), baselines ({"random": {...}, "heuristic": {...}, ...}: mean_reward, std_reward
    [, success_rate]), evaluation (the agent's Evaluation).
    A set `cancel` ends training early and the agent so far is evaluated (`fit.cancelled`); a cancel
    while waiting for a training slot, or while the training process was still starting
    (`details["stopped_before_start"]`, its MLflow run marked KILLED), returns `model=None`.
    `history` is empty: RL has episodes, not epochs (the curve is `details["episodes"]`).
    Callbacks with `on_status(text)` hear when the evaluation starts.
    """
    from .. import tracking, training_queue
    from ..training import CancelToken, FitResult, TrainedModel
    from .evaluate import baseline_policies, evaluate

    cfg = config or AgentConfig()
    cfg.check(env_id)
    cfg = cfg.resolved()
    device = agent_device(cfg.device)
    cancel = cancel or CancelToken()
    records: list[EpisodeRecord] = []
    details: dict[str, Any] = {"env": env_id, "slippery": cfg.slippery, "algo": cfg.algo, "device": device,
                               "config": cfg, "episodes": ()}
    try:
        with training_queue.slot(on_wait=_notify_wait(callbacks), cancel=cancel), \
                tracking.training_run(f"rl/{cfg.algo}", cfg, caller=caller,
                                      extra_params={"env": env_id, "agent_device": device}) as run:
            try:
                weights, steps, seconds, learn_seconds = _train_in_child(
                    env_id, cfg, device, callbacks, cancel, records)
            finally:
                log_curve(run, records)
            ended = "Training stopped" if cancel.cancelled else "Training done"
            _status(callbacks, f"{ended} after {steps:,} timesteps; evaluating the agent and the baselines on "
                               f"{cfg.eval_episodes} episodes…")
            agent = Agent(env_id, cfg.algo, cfg.net_arch, weights, cfg.slippery, steps)
            same = {"slippery": cfg.slippery, "episodes": cfg.eval_episodes, "seed": cfg.seed}
            ev = evaluate(agent.act, env_id, **same)
            baselines = {name: evaluate(p, env_id, **same).summary()
                         for name, p in baseline_policies(env_id, cfg.seed).items()}
            metrics = {**ev.summary(), "eval_episodes": cfg.eval_episodes, "timesteps": steps,
                       "seconds": seconds, "learn_seconds": learn_seconds}
            run.log_metrics({f"final_baseline_{slug(k)}_mean_reward": v["mean_reward"]
                             for k, v in baselines.items()})
            run.log_final(metrics, model=agent.policy_module(),
                          extra={"env": env_id, "algo": cfg.algo, "net_arch": list(cfg.net_arch),
                                 "slippery": cfg.slippery})
    except training_queue.CancelledWhileWaiting:
        return TrainedModel(model=None, history=[], metrics={}, fit=FitResult([], None, False, True, 0.0),
                            details=details)
    except StoppedBeforeStart:
        details["stopped_before_start"] = True
        return _stopped_before_start(run.run_id, details)
    details.update(episodes=tuple(records), baselines=baselines, evaluation=ev)
    return TrainedModel(model=agent, history=[], metrics=metrics, run_id=run.run_id,
                        fit=FitResult([], None, False, cancel.cancelled, seconds), details=details)


def _stopped_before_start(run_id: str, details: dict[str, Any]) -> "TrainedModel":
    from .. import tracking
    from ..training import FitResult, TrainedModel

    with contextlib.suppress(Exception):  # the run was closed FAILED (an exception left it): the person stopped it
        tracking.client().set_terminated(run_id, status="KILLED")
    return TrainedModel(model=None, history=[], metrics={}, run_id=run_id,
                        fit=FitResult([], None, False, True, 0.0), details=details)
