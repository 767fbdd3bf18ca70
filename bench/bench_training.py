"""Overhead of dl_core.training.fit against a plain PyTorch loop doing the same work.

Same model, data, optimiser, batch size and epochs; both with per-epoch validation. Prints the median
of several repeats of each, interleaved so machine load affects both alike, and their ratio.
Run: PYTHONPATH=. .venv/bin/python bench/bench_training.py (or `make bench` for all)
"""

from __future__ import annotations

import statistics
import time

import torch
from sklearn.datasets import load_digits
from torch import nn

from dl_core import training

EPOCHS, BATCH, REPEATS = 10, 64, 5


def data():
    d = load_digits()
    x = torch.tensor(d.data, dtype=torch.float32) / 16
    y = torch.tensor(d.target)
    return (x[:1400], y[:1400]), (x[1400:], y[1400:])


def model():
    torch.manual_seed(0)
    return nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 10))


def plain(train, val) -> float:
    m = model()
    opt = torch.optim.AdamW(m.parameters(), lr=1e-3, weight_decay=1e-4)
    ds = torch.utils.data.TensorDataset(*train)
    loader = torch.utils.data.DataLoader(ds, batch_size=BATCH, shuffle=True,
                                         generator=torch.Generator().manual_seed(0))
    t0 = time.perf_counter()
    for _ in range(EPOCHS):
        m.train()
        for x, y in loader:
            opt.zero_grad()
            loss = nn.functional.cross_entropy(m(x), y)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(m.parameters(), 1.0)
            opt.step()
        m.eval()
        with torch.no_grad():
            logits = m(val[0])
            _ = nn.functional.cross_entropy(logits, val[1]).item(), (logits.argmax(-1) == val[1]).float().mean()
    return time.perf_counter() - t0


def ours(train, val) -> float:
    cfg = training.TrainConfig(epochs=EPOCHS, batch_size=BATCH, lr=1e-3, device="cpu")
    t0 = time.perf_counter()
    training.fit(model(), train, val, config=cfg, evaluate=training.classification_metrics)
    return time.perf_counter() - t0


def main() -> None:
    torch.set_num_threads(1)
    train, val = data()
    plain(train, val), ours(train, val)  # warm-up
    a, b = [], []
    for _ in range(REPEATS):
        a.append(plain(train, val))
        b.append(ours(train, val))
    pa, pb = statistics.median(a), statistics.median(b)
    print(f"digits MLP, {EPOCHS} epochs, batch {BATCH}, 1 thread, median of {REPEATS}")
    print(f"  plain torch loop : {pa * 1000:8.1f} ms")
    print(f"  training.fit     : {pb * 1000:8.1f} ms")
    print(f"  ratio fit/plain  : {pb / pa:8.2f}")


if __name__ == "__main__":
    main()
