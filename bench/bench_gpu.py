"""What a GPU buys for the models trained here, and what `training.fit` costs on it.

    PYTHONPATH=. python bench/bench_gpu.py [--repeats 5]

Side by side on the CPU and, when there is one, the CUDA GPU (medians of interleaved repeats):
1. `training.fit` against a plain PyTorch loop doing the same work (digits MLP, 10 epochs): the ratio
   is our overhead (per-batch seeding under the RNG lock, the training queue, callbacks);
2. the Vision page's default digits CNN trained with the engine's own loss (15 epochs): seconds
   and test accuracy on each device;
3. a bigger batch of work where a GPU should win (an MLP 1024 wide on 100k rows, 5 epochs);
4. PPO on CartPole-v1 (stable-baselines3, 20k steps) on CPU and CUDA, when SB3 is installed: the
   policy is a tiny MLP, so the GPU mostly adds transfer cost.
Needs torch, numpy, scikit-learn; MLflow and Streamlit are not needed.
"""

from __future__ import annotations

import argparse
import statistics
import time

import torch
from torch import nn

from dl_core import training


def _sync(device: str) -> None:
    if device == "cuda":
        torch.cuda.synchronize()


def digits_tensors():
    from sklearn.datasets import load_digits

    d = load_digits()
    x = torch.tensor(d.data, dtype=torch.float32) / 16
    y = torch.tensor(d.target)
    return (x[:1400], y[:1400]), (x[1400:], y[1400:])


def mlp(width: int = 128, n_in: int = 64) -> nn.Module:
    with training.seeded(0):
        return nn.Sequential(nn.Linear(n_in, width), nn.ReLU(), nn.Linear(width, width), nn.ReLU(),
                             nn.Linear(width, 10))


def plain_loop(model, train, val, device: str, epochs: int, batch: int) -> float:
    model = model.to(device)
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=1e-4)
    x, y = train[0].to(device), train[1].to(device)
    vx, vy = val[0].to(device), val[1].to(device)
    g = torch.Generator().manual_seed(0)
    _sync(device)
    t0 = time.perf_counter()
    for _ in range(epochs):
        model.train()
        for idx in torch.randperm(len(x), generator=g).split(batch):
            opt.zero_grad(set_to_none=True)
            loss = nn.functional.cross_entropy(model(x[idx]), y[idx])
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
        model.eval()
        with torch.no_grad():
            logits = model(vx)
            _ = nn.functional.cross_entropy(logits, vy).item(), (logits.argmax(-1) == vy).float().mean().item()
    _sync(device)
    return time.perf_counter() - t0


def with_fit(model, train, val, device: str, epochs: int, batch: int) -> float:
    # mixed_precision off: the plain loop is float32 too, so both do the same arithmetic
    cfg = training.TrainConfig(epochs=epochs, batch_size=batch, lr=1e-3, device=device, mixed_precision=False)
    _sync(device)
    t0 = time.perf_counter()
    training.fit(model, train, val, config=cfg, evaluate=training.classification_metrics)
    _sync(device)
    return time.perf_counter() - t0


def digits_cnn(device: str) -> tuple[float, float]:
    from dl_core import vision
    from dl_core.vision import digits

    cfg = vision.DigitsCNNConfig(device=device)
    data = vision.load_digits_data(cfg.train_fraction, cfg.seed)
    with training.seeded(cfg.seed):
        model = vision.build_digits_cnn(cfg)
    tc = training.TrainConfig(epochs=cfg.epochs, lr=cfg.lr, batch_size=cfg.batch_size, seed=cfg.seed,
                              device=device, monitor="val_accuracy", monitor_mode="max")
    x = lambda a: torch.from_numpy(a).float().reshape(-1, 1, 8, 8)  # noqa: E731
    _sync(device)
    t0 = time.perf_counter()
    training.fit(model, (x(data.x_train), torch.from_numpy(data.y_train).long()),
                 (x(data.x_val), torch.from_numpy(data.y_val).long()), config=tc,
                 batch_loss=digits._batch_loss(cfg.augment, cfg.seed), evaluate=digits._evaluate)
    _sync(device)
    seconds = time.perf_counter() - t0
    with torch.no_grad():
        pred = model(x(data.x_test).to(device)).argmax(1).cpu()
    return seconds, float((pred == torch.from_numpy(data.y_test)).float().mean())


def ppo_seconds(device: str, steps: int) -> tuple[float, float] | None:
    try:
        import gymnasium as gym
        from stable_baselines3 import PPO
        from stable_baselines3.common.evaluation import evaluate_policy
    except ImportError:
        return None
    env = gym.make("CartPole-v1")
    t0 = time.perf_counter()
    agent = PPO("MlpPolicy", env, seed=0, device=device, verbose=0).learn(steps)
    seconds = time.perf_counter() - t0
    mean, _ = evaluate_policy(agent, gym.make("CartPole-v1"), n_eval_episodes=10)
    return seconds, float(mean)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--ppo-steps", type=int, default=20_000)
    args = ap.parse_args()
    devices = ["cpu"] + (["cuda"] if torch.cuda.is_available() else [])
    name = torch.cuda.get_device_name() if torch.cuda.is_available() else "no GPU"
    print(f"torch {torch.__version__}, {torch.get_num_threads()} CPU threads, GPU: {name}")

    train, val = digits_tensors()
    print("\n1. fit vs a plain loop, digits MLP, 10 epochs, batch 64 (median seconds)")
    for dev in devices:
        ours, plain = [], []
        for _ in range(args.repeats):
            plain.append(plain_loop(mlp(), train, val, dev, 10, 64))
            ours.append(with_fit(mlp(), train, val, dev, 10, 64))
        print(f"   {dev:<5} plain {statistics.median(plain):6.3f}  fit {statistics.median(ours):6.3f}  "
              f"ratio {statistics.median(ours) / statistics.median(plain):5.2f}")

    print("\n2. the default digits CNN (15 epochs): seconds, test accuracy")
    for dev in devices:
        runs = [digits_cnn(dev) for _ in range(max(1, args.repeats // 2))]
        print(f"   {dev:<5} {statistics.median(r[0] for r in runs):6.2f} s  accuracy {runs[0][1]:.3f}")

    print("\n3. MLP 1024 wide on 100k rows x 256 features, 5 epochs, batch 1024 (median seconds)")
    g = torch.Generator().manual_seed(0)
    big = (torch.randn(100_000, 256, generator=g), torch.randint(0, 10, (100_000,), generator=g))
    bval = (big[0][:5000], big[1][:5000])
    for dev in devices:
        times = [with_fit(mlp(1024, 256), big, bval, dev, 5, 1024) for _ in range(max(1, args.repeats // 2))]
        print(f"   {dev:<5} {statistics.median(times):6.2f} s")

    print(f"\n4. PPO on CartPole-v1, {args.ppo_steps:,} steps: seconds, mean evaluation return")
    for dev in devices:
        out = ppo_seconds(dev, args.ppo_steps)
        print("   stable-baselines3 not installed" if out is None
              else f"   {dev:<5} {out[0]:6.1f} s  return {out[1]:.0f}")


if __name__ == "__main__":
    main()
