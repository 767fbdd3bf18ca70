"""Tabular methods on the grid worlds: Q-learning (learns from experience) and value iteration
(plans with the known model). Both written here: they are the teaching point, and a few lines each.

Q-learning keeps a table Q[state, action] ≈ "the return I expect if I take this action here and act
well afterwards". After every step it nudges one entry toward what it just saw:

    Q[s, a] += α · (r + γ · max_a' Q[s', a'] − Q[s, a])        (no max term when s' ends the episode)

and it explores: with probability ε it tries a random action instead of the best one; ε falls from
`epsilon_start` to `epsilon_end` over `decay_fraction` of the episodes.

Value iteration does not explore at all: it reads the environment's transition table (Gymnasium's
`env.unwrapped.P`, which a real robot would not have) and repeats V(s) ← max_a Σ p·(r + γ·V(s'))
until nothing changes. Its greedy policy is the optimum Q-learning should approach.

    result = tabular.train_q_learning("FrozenLake-v1", QLearningConfig(episodes=5000, seed=0))
    result.metrics["success_rate"], result.details["optimal"]["success_rate"]
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import InputError
from . import envs
from .progress import AgentCallback, EpisodeRecord, TrainingUpdate

if TYPE_CHECKING:
    from ..training import CancelToken, TrainedModel

MAX_EPISODES = 50_000  # a pure-Python loop holds the GIL: ~20-60 s at most on a slow machine
REPORT_SECONDS = 0.25


@dataclass
class QLearningConfig:
    episodes: int = 5_000
    # α 0.05: at 0.1 the noisy updates on slippery ice flipped the greedy action in a state or two on
    # some seeds (success 0.54 on seed 0); at 0.05 seeds 0-4 reached 0.73-0.74 of the 0.74 optimum.
    alpha: float = 0.05  # learning rate α: how far each step moves Q toward what it saw
    gamma: float = 0.99  # discount γ
    epsilon_start: float = 1.0  # exploration ε at the first episode (1 = always random)
    epsilon_end: float = 0.05
    decay_fraction: float = 1.0  # share of the episodes over which ε falls linearly to epsilon_end
    slippery: bool | None = None  # None = the environment's default (FrozenLake: slippery)
    seed: int = 0
    eval_episodes: int = 1_000  # success rates need many episodes: ±1.5% at 1,000

    def check(self, env_id: str) -> None:
        from .agents import ALGOS, MAX_SEED
        from .evaluate import check_episodes

        spec = envs.spec(env_id)
        if not spec.is_grid:
            why = ("continuous actions and continuous observations" if spec.actions == "continuous"
                   else "continuous observations")
            raise InputError(f"tabular Q-learning needs a grid world with a table of states, and {env_id} "
                             f"has {why}; use one of {', '.join(envs.grid_names())}, or a deep agent "
                             f"({', '.join(ALGOS)}).")
        envs.check_slippery(env_id, self.slippery)
        if not 1 <= self.episodes <= MAX_EPISODES:
            raise InputError(f"episodes must be between 1 and {MAX_EPISODES:,}, got {self.episodes}.")
        for name, value in (("α (learning rate)", self.alpha), ("discount γ", self.gamma)):
            if not (0 < value <= 1):
                raise InputError(f"{name} must be in (0, 1], got {value}.")
        for name, value in (("ε start", self.epsilon_start), ("ε end", self.epsilon_end)):
            if not (0 <= value <= 1):
                raise InputError(f"{name} must be in [0, 1], got {value}.")
        if self.epsilon_end > self.epsilon_start:
            raise InputError(f"ε end ({self.epsilon_end}) must not be above ε start ({self.epsilon_start}): "
                             "exploration falls over training.")
        if not (0 < self.decay_fraction <= 1):
            raise InputError(f"ε decay fraction must be in (0, 1], got {self.decay_fraction}.")
        if not 0 <= self.seed <= MAX_SEED:
            raise InputError(f"seed must be between 0 and {MAX_SEED:,}, got {self.seed}.")
        check_episodes(self.eval_episodes)

    def epsilon(self, episode: int) -> float:
        """ε for episode `episode` (0-based): linear from start to end, then flat."""
        span = max(1.0, self.decay_fraction * self.episodes)
        return self.epsilon_start + (self.epsilon_end - self.epsilon_start) * min(1.0, episode / span)


@dataclass
class TabularAgent:
    """A greedy policy over a Q-table (or over value iteration's action values)."""

    env_id: str
    q: np.ndarray  # (states, actions)
    slippery: bool | None = None
    method: str = "Q-learning"

    @property
    def name(self) -> str:
        return f"{self.method} on {envs.describe(self.env_id, self.slippery)}"

    @property
    def values(self) -> np.ndarray:
        """(states,) the value of each state under the greedy policy: max over actions."""
        return self.q.max(axis=1)

    @property
    def policy(self) -> np.ndarray:
        """(states,) the greedy action of each state (the first best one on ties)."""
        return self.q.argmax(axis=1)

    def act(self, obs: Any) -> int:
        return int(np.argmax(self.q[int(obs)]))

    def to_safetensors(self) -> bytes:
        from safetensors.numpy import save

        return save({"q": np.ascontiguousarray(self.q, dtype=np.float32)},
                    metadata={"method": self.method, "env": self.env_id, "slippery": str(self.slippery)})


@dataclass
class Model:
    """A grid world's dynamics as arrays, read from Gymnasium's `env.unwrapped.P`."""

    reward: np.ndarray  # (S, A) expected immediate reward
    going_on: np.ndarray  # (S, A, S) probability of moving to s' without the episode ending
    goal: np.ndarray  # (S, A) probability that this step ends the episode on the goal
    start: int
    max_steps: int


def known_model(env_id: str, slippery: bool | None = None) -> Model:
    from .evaluate import reached_goal

    env = envs.make(env_id, slippery=slippery)
    start, _ = env.reset(seed=0)
    table = env.unwrapped.P
    n_s, n_a = env.observation_space.n, env.action_space.n
    env.close()
    reward, going_on, goal = np.zeros((n_s, n_a)), np.zeros((n_s, n_a, n_s)), np.zeros((n_s, n_a))
    for s in range(n_s):
        for a in range(n_a):
            for p, s2, r, terminated in table[s][a]:
                reward[s, a] += p * r
                if terminated:
                    goal[s, a] += p * reached_goal(env_id, True, r)
                else:
                    going_on[s, a, s2] += p
    return Model(reward, going_on, goal, int(start), envs.spec(env_id).max_steps)


@dataclass
class ValueIteration:
    values: np.ndarray  # (S,) optimal state values V*
    q: np.ndarray  # (S, A) optimal action values Q*
    iterations: int
    success_probability: float  # of its greedy policy from the start, within the time limit
    agent: TabularAgent = field(repr=False, default=None)  # type: ignore[assignment]


def value_iteration(env_id: str, *, slippery: bool | None = None, gamma: float = 0.99,
                    tol: float = 1e-10, max_iterations: int = 100_000) -> ValueIteration:
    """Bellman optimality backups on the known model until the values move less than `tol`."""
    QLearningConfig(gamma=gamma, slippery=slippery).check(env_id)
    m = known_model(env_id, slippery)
    values = np.zeros(m.reward.shape[0])
    iterations = 0
    for iterations in range(1, max_iterations + 1):  # noqa: B007 (reported below)
        q = m.reward + gamma * m.going_on @ values  # (S, A)
        new = q.max(axis=1)
        delta = float(np.abs(new - values).max())
        values = new
        if delta < tol:
            break
    agent = TabularAgent(env_id, q, slippery, method="value iteration")
    return ValueIteration(values, q, iterations, success_probability(m, agent.policy), agent)


def success_probability(model: Model, policy: np.ndarray) -> float:
    """Exact chance that `policy` reaches the goal from the start within the time limit."""
    states = np.arange(len(policy))
    goal = model.goal[states, policy]  # (S,)
    going_on = model.going_on[states, policy]  # (S, S)
    p = np.zeros(len(policy))
    for _ in range(model.max_steps):  # p_t(s) = goal(s) + Σ going_on(s, s') p_{t-1}(s')
        p = goal + going_on @ p
    return float(p[model.start])


def grid_layout(env_id: str) -> list[str]:
    """The map, one string per row: S start, F/. safe, H hole, C cliff, G goal."""
    spec = envs.spec(env_id)
    if spec.grid is None:
        raise InputError(f"{env_id} is not a grid world; grids: {', '.join(envs.grid_names())}.")
    if env_id.startswith("CliffWalking"):
        rows, cols = spec.grid
        return ["." * cols] * (rows - 1) + ["S" + "C" * (cols - 2) + "G"]
    env = envs.make(env_id)
    desc = [b"".join(row).decode() for row in env.unwrapped.desc]
    env.close()
    return desc


def _notify(callbacks: Sequence[AgentCallback], update: TrainingUpdate) -> None:
    for cb in callbacks:
        cb.on_update(update)


def q_learning(env_id: str, cfg: QLearningConfig, *, callbacks: Sequence[AgentCallback] = (),
               cancel: "CancelToken | None" = None,
               records: list[EpisodeRecord] | None = None) -> tuple[np.ndarray, int]:
    """The learning loop alone (no logging, no evaluation): returns the Q-table and the steps taken.
    Every random draw comes from `np.random.default_rng(cfg.seed)` and the environment's own
    generator, seeded once at the first reset."""
    from .evaluate import reached_goal

    env = envs.make(env_id, slippery=cfg.slippery)
    n_s, n_a = env.observation_space.n, env.action_space.n
    max_steps = envs.spec(env_id).max_steps
    # Python lists, not numpy: for 4 numbers a row, numpy's per-call overhead was 5-50x the work.
    q = [[0.0] * n_a for _ in range(n_s)]
    rng = np.random.default_rng(cfg.seed)
    records = records if records is not None else []
    steps, started, last = 0, time.perf_counter(), 0.0
    try:
        for episode in range(cfg.episodes):
            if cancel is not None and cancel.cancelled:
                break
            eps = cfg.epsilon(episode)
            # Uniform draws for the whole episode at once: explore?, which random action, tie-break.
            draws = rng.random((max_steps, 3)).tolist()
            s, _ = env.reset(seed=cfg.seed if episode == 0 else None)
            total, length, done, terminated, r = 0.0, 0, False, False, 0.0
            while not done:
                explore, pick, tie = draws[length]
                row = q[s]
                if explore < eps:
                    a = int(pick * n_a)
                else:  # the best action, ties broken at random (every row is all zeros at first)
                    best = max(row)
                    ties = [i for i, v in enumerate(row) if v == best]
                    a = ties[int(tie * len(ties))]
                s2, r, terminated, truncated, _ = env.step(a)
                target = r if terminated else r + cfg.gamma * max(q[s2])
                row[a] += cfg.alpha * (target - row[a])
                s, total, length = s2, total + r, length + 1
                done = terminated or truncated
            steps += length
            records.append(EpisodeRecord(episode + 1, steps, total, length,
                                         reached_goal(env_id, terminated, float(r))))
            now = time.perf_counter() - started
            if now - last >= REPORT_SECONDS:
                last = now
                _notify(callbacks, TrainingUpdate(episode + 1, cfg.episodes, "episodes", tuple(records), now, eps))
    finally:
        env.close()
    _notify(callbacks, TrainingUpdate(len(records), cfg.episodes, "episodes", tuple(records),
                                      time.perf_counter() - started, cfg.epsilon(max(len(records) - 1, 0))))
    return np.array(q), steps


def train_q_learning(env_id: str, config: QLearningConfig | None = None, *,
                     callbacks: Sequence[AgentCallback] = (), cancel: "CancelToken | None" = None,
                     caller: str = "app") -> "TrainedModel":
    """Q-learning on a grid world, evaluated greedily on episodes of their own, beside the random
    policy (and the hand-written rule, where one exists) and value iteration's optimum; logged to
    MLflow (experiment `rl/q-learning`).

    `metrics`: mean_reward, std_reward, success_rate (share of evaluation episodes that reach the
    goal), eval_episodes, episodes, timesteps, seconds. `details`: env, slippery, config, episodes
    (EpisodeRecords), baselines, optimal ({mean_reward, std_reward, success_rate} of value
    iteration's policy on the same episodes, plus its exact success_probability), value_iteration.
    """
    from .. import tracking, training_queue
    from ..training import CancelToken, FitResult, TrainedModel
    from .agents import _notify_wait, log_curve, slug
    from .evaluate import baseline_policies, evaluate

    cfg = config or QLearningConfig()
    cfg.check(env_id)
    cancel = cancel or CancelToken()
    records: list[EpisodeRecord] = []
    details: dict[str, Any] = {"env": env_id, "slippery": cfg.slippery, "algo": "q-learning", "config": cfg,
                               "episodes": ()}
    try:
        with training_queue.slot(on_wait=_notify_wait(callbacks), cancel=cancel), \
                tracking.training_run("rl/q-learning", cfg, caller=caller, extra_params={"env": env_id}) as run:
            started = time.perf_counter()
            try:
                q, steps = q_learning(env_id, cfg, callbacks=callbacks, cancel=cancel, records=records)
            finally:
                log_curve(run, records, step_of="episode")
            seconds = time.perf_counter() - started
            agent = TabularAgent(env_id, q, cfg.slippery)
            same = {"slippery": cfg.slippery, "episodes": cfg.eval_episodes, "seed": cfg.seed}
            ev = evaluate(agent.act, env_id, **same)
            vi = value_iteration(env_id, slippery=cfg.slippery, gamma=cfg.gamma)
            optimal = {**evaluate(vi.agent.act, env_id, **same).summary(),
                       "success_probability": vi.success_probability}
            baselines = {name: evaluate(p, env_id, **same).summary()
                         for name, p in baseline_policies(env_id, cfg.seed).items()}
            metrics = {**ev.summary(), "eval_episodes": cfg.eval_episodes, "episodes": len(records),
                       "timesteps": steps, "seconds": seconds}
            run.log_metrics({**{f"final_baseline_{slug(k)}_mean_reward": v["mean_reward"]
                                for k, v in baselines.items()},
                             "final_optimal_success_rate": optimal["success_rate"],
                             "final_optimal_mean_reward": optimal["mean_reward"]})
            run.log_final(metrics)
            tracking.client().log_dict(run.run_id, {"env": env_id, "q": q.tolist()}, "q_table.json")
    except training_queue.CancelledWhileWaiting:
        return TrainedModel(model=None, history=[], metrics={}, fit=FitResult([], None, False, True, 0.0),
                            details=details)
    details.update(episodes=tuple(records), baselines=baselines, evaluation=ev, optimal=optimal,
                   value_iteration=vi)
    return TrainedModel(model=agent, history=[], metrics=metrics, run_id=run.run_id,
                        fit=FitResult([], None, False, cancel.cancelled, seconds), details=details)


def greedy_arrows(env_id: str, policy: np.ndarray) -> list[str]:
    """One arrow per state for the greedy action (row-major, like the grid)."""
    names = envs.spec(env_id).action_names
    glyph = {"left": "←", "down": "↓", "right": "→", "up": "↑"}
    return [glyph[names[int(a)]] for a in policy]

