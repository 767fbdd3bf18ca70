"""RL benchmarks: PPO on CartPole-v1 with SB3's defaults over seeds (evaluation return on 20 episodes
of their own, seconds), beside the random policy and the heuristics on the same episodes; tabular
Q-learning on FrozenLake 4×4 slippery with the page's defaults beside value iteration's optimum.
Optionally the same PPO runs on a GPU, to say where these tiny networks belong.

    OMP_NUM_THREADS=1 .venv/bin/python bench/bench_rl.py                 # 5 PPO seeds x 50,000 steps
    OMP_NUM_THREADS=1 .venv/bin/python bench/bench_rl.py --seeds 1 --q-seeds 2   # a quick look
    ... --devices cpu,cuda --parallel 5 --json                            # CPU vs GPU on a big machine

Seconds are the learning only (`rl.agents.learn_agent`: the worker process that `train_agent`
runs, without MLflow), wall time with the process start and inside SB3's `learn`. With
--parallel N, N runs go at once, each pinned to --cores-per-run cores (Linux), so a 16-core
machine measures five "2-core" runs side by side.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DLX_DATA_DIR", tempfile.mkdtemp(prefix="dlx-bench-rl-"))
os.environ.setdefault("OMP_NUM_THREADS", "1")

from dl_core import rl  # noqa: E402
from dl_core.rl import agents  # noqa: E402

EVAL_EPISODES = 20


def ppo_run(seed: int, timesteps: int, device: str, cores: list[int] | None) -> dict:
    """One PPO run (defaults) and its evaluation beside the baselines on the same episodes."""
    if cores is not None:  # children inherit the affinity of the thread that starts them
        os.sched_setaffinity(0, cores)
    cfg = rl.AgentConfig(algo="ppo", timesteps=timesteps, seed=seed, eval_episodes=EVAL_EPISODES, device=device)
    learned = agents.learn_agent("CartPole-v1", cfg)
    ev = rl.evaluate(learned.agent.act, "CartPole-v1", episodes=EVAL_EPISODES, seed=seed)
    return {"seed": seed, "device": device, "mean_reward": ev.mean, "std_reward": ev.std,
            "seconds": learned.seconds, "learn_seconds": learned.learn_seconds,
            "episodes": len(learned.episodes), "timesteps": learned.agent.timesteps}


def ppo(seeds: int, timesteps: int, devices: list[str], parallel: int, cores_per_run: int) -> list[dict]:
    jobs = [(seed, device) for device in devices for seed in range(seeds)]
    n_cores = os.cpu_count() or 1
    pin = parallel > 1 and hasattr(os, "sched_setaffinity")

    def one(i_job):
        i, (seed, device) = i_job
        cores = [(i % parallel * cores_per_run + c) % n_cores for c in range(cores_per_run)] if pin else None
        row = ppo_run(seed, timesteps, device, cores)
        print(f"  PPO seed {seed} on {device}: return {row['mean_reward']:.1f} ± {row['std_reward']:.1f}, "
              f"{row['seconds']:.1f} s ({row['learn_seconds']:.1f} s learning)", file=sys.stderr)
        return row

    rows = []
    for device in devices:  # the devices one after the other, so they do not share the CPU
        batch = [(i, j) for i, j in enumerate(jobs) if j[1] == device]
        with ThreadPoolExecutor(max_workers=max(1, parallel)) as pool:
            rows += list(pool.map(one, batch))
    return rows


def baselines() -> dict:
    out = {}
    for name, policy in rl.baseline_policies("CartPole-v1", 0).items():
        ev = rl.evaluate(policy, "CartPole-v1", episodes=EVAL_EPISODES, seed=0)
        out[name] = {"mean_reward": ev.mean, "std_reward": ev.std}
    return out


def q_learning(seeds: int, episodes: int) -> dict:
    rows = []
    for seed in range(seeds):
        cfg = rl.QLearningConfig(episodes=episodes, seed=seed)
        t0 = time.perf_counter()
        q, steps = rl.tabular.q_learning("FrozenLake-v1", cfg)
        seconds = time.perf_counter() - t0
        ev = rl.evaluate(rl.TabularAgent("FrozenLake-v1", q).act, "FrozenLake-v1", episodes=cfg.eval_episodes,
                         seed=seed)
        rows.append({"seed": seed, "success_rate": ev.success_rate, "seconds": seconds, "steps": steps})
        print(f"  Q-learning seed {seed}: success {ev.success_rate:.3f} in {seconds:.1f} s", file=sys.stderr)
    vi = rl.value_iteration("FrozenLake-v1", gamma=rl.QLearningConfig().gamma)
    optimal = rl.evaluate(vi.agent.act, "FrozenLake-v1", episodes=rl.QLearningConfig().eval_episodes, seed=0)
    return {"runs": rows, "value_iteration": {"success_probability": vi.success_probability,
                                              "success_rate_seed0_episodes": optimal.success_rate,
                                              "sweeps": vi.iterations}}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seeds", type=int, default=5, help="PPO seeds (0..N-1)")
    ap.add_argument("--timesteps", type=int, default=50_000)
    ap.add_argument("--devices", default="cpu", help="comma-separated: cpu, cuda")
    ap.add_argument("--parallel", type=int, default=1, help="PPO runs at once (each pinned to its own cores)")
    ap.add_argument("--cores-per-run", type=int, default=2)
    ap.add_argument("--q-seeds", type=int, default=5)
    ap.add_argument("--episodes", type=int, default=rl.QLearningConfig().episodes)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()

    started = time.time()
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    devices = [d.strip() for d in args.devices.split(",") if d.strip()]
    result = {"machine": {"cpus": os.cpu_count(), "load_1min_at_start": load, "threads": os.environ["OMP_NUM_THREADS"]},
              "ppo": ppo(args.seeds, args.timesteps, devices, args.parallel, args.cores_per_run) if args.seeds else [],
              "baselines": baselines(),
              "q_learning": q_learning(args.q_seeds, args.episodes) if args.q_seeds else None}
    result["machine"]["load_1min_at_end"] = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    result["seconds"] = time.time() - started
    if args.json:
        print(json.dumps(result, indent=1))
        return 0
    print(f"\nPPO on CartPole-v1, {args.timesteps:,} timesteps, SB3 defaults, {EVAL_EPISODES} evaluation episodes")
    print(f"{'seed':>4} {'device':>6} {'return':>14} {'wall s':>8} {'learn s':>8}")
    for r in result["ppo"]:
        print(f"{r['seed']:>4} {r['device']:>6} {r['mean_reward']:>8.1f} ± {r['std_reward']:<5.1f}"
              f"{r['seconds']:>8.1f} {r['learn_seconds']:>8.1f}")
    for device in devices:
        rows = [r for r in result["ppo"] if r["device"] == device]
        if rows:
            solved = sum(r["mean_reward"] >= 475 for r in rows)
            print(f"{device}: mean return ≥ 475 on {solved} of {len(rows)} seeds; median wall "
                  f"{statistics.median(r['seconds'] for r in rows):.1f} s, median learning "
                  f"{statistics.median(r['learn_seconds'] for r in rows):.1f} s")
    if len(devices) > 1 and result["ppo"]:
        base = statistics.median(r["learn_seconds"] for r in result["ppo"] if r["device"] == devices[0])
        for device in devices[1:]:
            other = statistics.median(r["learn_seconds"] for r in result["ppo"] if r["device"] == device)
            print(f"learning time {device} / {devices[0]}: {other / base:.2f}x")
    print("baselines, same evaluation episodes: " + ", ".join(
        f"{n} {b['mean_reward']:.1f} ± {b['std_reward']:.1f}" for n, b in result["baselines"].items()))
    q = result["q_learning"]
    if q:
        rates = [r["success_rate"] for r in q["runs"]]
        vi = q["value_iteration"]
        print(f"\nQ-learning on FrozenLake 4x4 slippery, {args.episodes:,} episodes, defaults: success rate "
              + ", ".join(f"{x:.3f}" for x in rates)
              + f" (≥ 0.7 on {sum(x >= 0.7 for x in rates)} of {len(rates)}); value iteration's optimum "
                f"{vi['success_probability']:.3f} exactly ({vi['success_rate_seed0_episodes']:.3f} on seed 0's "
                f"episodes); Q-learning / optimum {statistics.median(rates) / vi['success_probability']:.2f}")
    print(f"\nload average {load} at start, {result['machine']['load_1min_at_end']} at end; "
          f"{result['seconds']:.0f} s in all")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
