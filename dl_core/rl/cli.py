"""`python -m dl_core rl envs|train`: the environments, and training an agent from the command line.

    python -m dl_core rl envs --json
    python -m dl_core rl train --env CartPole-v1 --algo ppo --timesteps 50000 --seed 0 --json
    python -m dl_core rl train --env FrozenLake-v1 --algo q-learning --episodes 5000 --seed 0 --json

Both trainings are the engine calls the page makes (`train_agent`, `train_q_learning`), logged to
MLflow with caller "cli". Names are checked by the engine, not by argparse, so a bad --env or --algo
is one line listing the valid ones (exit status 2).
"""

from __future__ import annotations

import argparse
from typing import Any


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("rl", help="reinforcement learning: list environments, train an agent")
    sub = p.add_subparsers(dest="action", required=True, metavar="ACTION")

    envs = sub.add_parser("envs", help="the environments, with their action type")
    envs.add_argument("--json", action="store_true", help="machine-readable output")
    envs.set_defaults(func=_envs)

    train = sub.add_parser("train", help="train an agent (PPO, A2C, DQN or tabular Q-learning)")
    train.add_argument("--env", default="CartPole-v1", help="an id from `rl envs` (default CartPole-v1)")
    train.add_argument("--algo", default="ppo", help="ppo, a2c, dqn (stable-baselines3) or q-learning (grid worlds)")
    train.add_argument("--timesteps", type=int, default=None, help="deep agents: environment steps (default 50000)")
    train.add_argument("--episodes", type=int, default=None, help="q-learning: training episodes (default 5000)")
    train.add_argument("--seed", type=int, default=0)
    train.add_argument("--gamma", type=float, default=None, help="discount γ in (0, 1] (default 0.99)")
    train.add_argument("--lr", type=float, default=None,
                       help="deep agents: learning rate (default: SB3's, 3e-4 PPO, 7e-4 A2C, 1e-4 DQN)")
    train.add_argument("--width", type=int, default=None, help="deep agents: units per hidden layer (default 64)")
    train.add_argument("--depth", type=int, default=None, help="deep agents: hidden layers (default 2)")
    train.add_argument("--exploration-fraction", type=float, default=None,
                       help="DQN: share of the run over which ε falls from 1 (default 0.1)")
    train.add_argument("--final-eps", type=float, default=None, help="DQN: ε after that (default 0.05)")
    train.add_argument("--alpha", type=float, default=None, help="q-learning: learning rate α (default 0.05)")
    train.add_argument("--epsilon-start", type=float, default=None, help="q-learning: first ε (default 1)")
    train.add_argument("--epsilon-end", type=float, default=None, help="q-learning: last ε (default 0.05)")
    train.add_argument("--slippery", action=argparse.BooleanOptionalAction, default=None,
                       help="grid worlds: slippery ice/steps (default: FrozenLake yes, CliffWalking no)")
    train.add_argument("--eval-episodes", type=int, default=None,
                       help="evaluation episodes (default 10 for deep agents, 1000 for q-learning)")
    train.add_argument("--device", default=None, help="deep agents: cpu (default), cuda or mps")
    train.add_argument("--json", action="store_true", help="machine-readable output")
    train.set_defaults(func=_train)


def _envs(args: argparse.Namespace) -> int:
    from ..cli import emit
    from . import ENVS

    rows = [s.as_dict() for s in ENVS.values()]
    if args.json:
        emit(rows, True)
        return 0
    for r in rows:
        print(f"{r['id']:<18} {r['actions']:<11} {r['title']}")
    return 0


def _given(args: argparse.Namespace, **names: str) -> dict[str, Any]:
    """{config field: value} for the options given on the command line."""
    return {field: getattr(args, opt) for field, opt in names.items() if getattr(args, opt) is not None}


def _refuse(args: argparse.Namespace, algo: str, options: tuple[str, ...], use: str) -> None:
    from ..errors import InputError

    for opt in options:
        if getattr(args, opt) is not None:
            raise InputError(f"--{opt.replace('_', '-')} does not apply to {algo}; {use}.")


def _train(args: argparse.Namespace) -> int:
    from ..cli import emit
    from ..errors import InputError
    from . import ALGORITHMS, AgentConfig, PrintProgress, QLearningConfig, train_agent, train_q_learning

    algo = args.algo.strip().lower()
    if algo not in ALGORITHMS:
        raise InputError(f"unknown algorithm {args.algo!r}; choose one of: {', '.join(ALGORITHMS)}.")
    progress = PrintProgress(f"{algo} on {args.env}")
    if algo == "q-learning":
        _refuse(args, algo, ("timesteps", "lr", "width", "depth", "exploration_fraction", "final_eps", "device"),
                "q-learning takes --episodes, --alpha, --gamma, --epsilon-start, --epsilon-end")
        config = QLearningConfig(seed=args.seed, slippery=args.slippery, **_given(
            args, episodes="episodes", alpha="alpha", gamma="gamma", epsilon_start="epsilon_start",
            epsilon_end="epsilon_end", eval_episodes="eval_episodes"))
        result = train_q_learning(args.env, config, callbacks=[progress], caller="cli")
    else:
        _refuse(args, algo, ("episodes", "alpha", "epsilon_start", "epsilon_end"),
                f"{algo} takes --timesteps, --lr, --gamma, --width, --depth")
        config = AgentConfig(algo=algo, seed=args.seed, slippery=args.slippery, device=args.device, **_given(
            args, timesteps="timesteps", learning_rate="lr", gamma="gamma", net_width="width",
            net_depth="depth", exploration_fraction="exploration_fraction",
            exploration_final_eps="final_eps", eval_episodes="eval_episodes"))
        result = train_agent(args.env, config, callbacks=[progress], caller="cli")
    progress.close()
    m = result.metrics
    payload: dict[str, Any] = {
        "env": args.env, "algo": algo,
        "timesteps": config.timesteps if algo != "q-learning" else int(m["timesteps"]),
        "seed": args.seed, "mean_reward": m["mean_reward"], "std_reward": m["std_reward"],
        "eval_episodes": int(m["eval_episodes"]), "seconds": round(m["seconds"], 2),
        "baselines": {name: {"mean_reward": b["mean_reward"], "std_reward": b["std_reward"]}
                      for name, b in result.details["baselines"].items() if name in ("random", "heuristic")},
    }
    if "success_rate" in m:
        payload["success_rate"] = m["success_rate"]
    if args.json:
        emit(payload, True)
        return 0
    print(f"{algo} on {args.env}: mean return {m['mean_reward']:.2f} ± {m['std_reward']:.2f} over "
          f"{payload['eval_episodes']} evaluation episodes ({payload['seconds']:.1f} s of training)")
    if "success_rate" in m:
        print(f"  success rate {m['success_rate']:.3f}")
    for name, b in payload["baselines"].items():
        print(f"  {name:<10} {b['mean_reward']:.2f} ± {b['std_reward']:.2f}")
    return 0
