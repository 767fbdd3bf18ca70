"""GAN lab: a generator and a discriminator fighting over a 2-D point cloud, small enough to watch.

The generator G maps noise (size `noise`) to a 2-D point; the discriminator D maps a point to the
probability that it is real. Each epoch runs `steps` rounds; a round trains D for `d_steps` batches
(real points -> 1, G's points -> 0) then G for `g_steps` batches (make D say 1 for G's points, the
"non-saturating" loss). After every epoch a `Snapshot` holds the generated points, D's decision
surface on a grid and both losses, so a page can draw the fight epoch by epoch.

    trained = train_gan("ring", GANConfig(epochs=30), caller="cli")   # or real points (n, 2)
    trained.metrics["coverage"]                                       # 1 = no part of the data missed
    trained.details["snapshots"][-1].generated                        # (500, 2) points from G
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import InputError
from .checks import check_seed

if TYPE_CHECKING:
    import pandas as pd
    from torch import nn

    from ..tracking import Caller
    from ..training import CancelToken, TrainedModel

EXPERIMENT = "generative/gan-lab"

SHAPES: tuple[str, ...] = ("ring", "spiral", "two moons")
MIN_POINTS, MAX_POINTS = 20, 5000
POINTS_MAX_BYTES = 5 * 1024 * 1024  # ~250,000 points: far more than the 5,000 a lab trains on
SURFACE_GRID = 40  # decision surface resolution
SHOWN = 500  # generated (and real) points drawn each epoch
SPAN = 2.6  # the plane shown, in standardised units


def toy_points(shape: str, n: int = 1000, seed: int = 0, noise: float = 0.05) -> np.ndarray:
    """(n, 2) points of a named toy distribution, standardised (mean 0, std 1 per axis)."""
    if shape not in SHAPES:
        raise InputError(f"Unknown shape {shape!r}; choose one of {', '.join(SHAPES)}.")
    if not MIN_POINTS <= n <= MAX_POINTS:
        raise InputError(f"Number of points must be between {MIN_POINTS} and {MAX_POINTS:,}, got {n}.")
    rng = np.random.default_rng(seed)
    if shape == "ring":
        angle = rng.uniform(0, 2 * np.pi, n)
        pts = np.c_[np.cos(angle), np.sin(angle)] + rng.normal(0, noise, (n, 2))
    elif shape == "spiral":
        t = np.sqrt(rng.uniform(0.05, 1, n)) * 3 * np.pi
        pts = np.c_[t * np.cos(t), t * np.sin(t)] / (3 * np.pi) + rng.normal(0, noise, (n, 2))
    else:
        from sklearn.datasets import make_moons

        pts, _ = make_moons(n, noise=noise * 2, random_state=seed)
    return standardise(pts)


def standardise(points: np.ndarray) -> np.ndarray:
    points = np.asarray(points, dtype=np.float64)
    std = points.std(0)
    return ((points - points.mean(0)) / np.where(std > 0, std, 1)).astype(np.float32)


def points_from_frame(frame: "pd.DataFrame", seed: int = 0) -> tuple[np.ndarray, list[str]]:
    """A parsed table -> standardised (n, 2) points and notices. Exactly two numeric columns; more
    than MAX_POINTS rows are subsampled (with `seed`), fewer than MIN_POINTS refused."""
    from ..inputs import numeric_matrix

    if frame.shape[1] != 2:
        raise InputError(
            f"The CSV has {frame.shape[1]} column(s) ({', '.join(map(str, frame.columns[:6]))}); a point "
            "cloud needs exactly 2 numeric columns, x and y. Remove the other columns and upload again.")
    values, notices, _ = numeric_matrix(frame, nan_policy="drop")
    if len(values) < MIN_POINTS:
        raise InputError(f"The CSV has {len(values)} usable point(s); upload at least {MIN_POINTS}.")
    if len(values) > MAX_POINTS:
        idx = np.random.default_rng(seed).choice(len(values), MAX_POINTS, replace=False)
        values = values[idx]
        notices.append(f"The CSV has more than {MAX_POINTS:,} points; a random {MAX_POINTS:,} were used.")
    if np.any(values.std(0) == 0):
        raise InputError("One of the columns has the same value in every row; the points must spread "
                         "in both directions.")
    notices.append("The points were standardised (mean 0, standard deviation 1 on each axis).")
    return standardise(values), notices


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def read_points(source: Any, name: str | None = None, seed: int = 0) -> tuple[np.ndarray, list[str]]:
    """An uploaded CSV of points (header optional) -> standardised (n, 2) points and notices.

    Read through `dl_core.inputs` like every upload: a size cap (POINTS_MAX_BYTES), encoding
    detection (UTF-8/16/32 with a BOM, else Windows-1252), delimiter sniffing, binary files refused,
    and messages that say what to fix. A file without a header row has its first point read as
    column names; it is then read again with a header line of our own, so no point is lost.
    """
    from .. import inputs

    label = name or getattr(source, "name", None) or "the CSV"
    data = inputs.read_bytes(source, POINTS_MAX_BYTES, label)
    table = inputs.read_csv(data, name=label, max_bytes=POINTS_MAX_BYTES)
    frame = table.frame
    if all(_is_number(str(c)) for c in frame.columns):
        text, _, _ = inputs.decode_text(data, label)
        header = table.delimiter.join(f"column {i + 1}" for i in range(frame.shape[1]))
        frame = inputs.read_csv(f"{header}\n{text}".encode(), name=label,
                                max_bytes=POINTS_MAX_BYTES + len(header) + 1).frame
    points, notices = points_from_frame(frame, seed)
    return points, table.notices + notices


@dataclass
class GANConfig:
    lr_g: float = 1e-3
    lr_d: float = 1e-3
    d_steps: int = 1  # discriminator batches per round
    g_steps: int = 1  # generator batches per round
    layers: int = 3  # hidden layers in each network
    hidden: int = 64
    noise: int = 8  # size of G's input noise
    epochs: int = 30
    steps: int = 50  # rounds per epoch
    batch_size: int = 128
    seed: int = 0

    def check(self) -> None:
        for name, value in (("generator learning rate", self.lr_g), ("discriminator learning rate", self.lr_d)):
            if not 1e-5 <= value <= 0.1:
                raise InputError(f"The {name} must be between 0.00001 and 0.1, got {value}.")
        for name, value, lo, hi in (("discriminator steps", self.d_steps, 1, 10),
                                    ("generator steps", self.g_steps, 1, 10), ("layers", self.layers, 1, 6),
                                    ("hidden units", self.hidden, 4, 512), ("noise size", self.noise, 1, 64),
                                    ("epochs", self.epochs, 1, 500), ("steps per epoch", self.steps, 1, 1000),
                                    ("batch size", self.batch_size, 8, 2048)):
            if not lo <= value <= hi:
                raise InputError(f"The number of {name} must be between {lo} and {hi}, got {value}.")
        check_seed(self.seed, "seed")


def _mlp(inputs: int, outputs: int, layers: int, hidden: int) -> "nn.Module":
    from torch import nn

    mods: list[nn.Module] = []
    width = inputs
    for _ in range(layers):
        mods += [nn.Linear(width, hidden), nn.LeakyReLU(0.2)]
        width = hidden
    mods.append(nn.Linear(width, outputs))
    return nn.Sequential(*mods)


@dataclass
class Snapshot:
    epoch: int
    generated: np.ndarray  # (k, 2) points from G
    surface: np.ndarray  # (SURFACE_GRID, SURFACE_GRID) D's probability "real" on the plane, rows = y from -SPAN up
    d_loss: float
    g_loss: float
    d_real: float  # mean D(real): 1 = D is sure real points are real
    d_fake: float  # mean D(G(z)): 0.5 is where a perfect generator leaves D


def surface_axis() -> np.ndarray:
    """The coordinates (on both axes) where D's surface is measured."""
    return np.linspace(-SPAN, SPAN, SURFACE_GRID)


def train_gan(data: "np.ndarray | str", config: GANConfig | None = None, *, callbacks: Sequence[Any] = (),
              cancel: "CancelToken | None" = None, caller: "Caller" = "app") -> "TrainedModel":
    """Train the pair on `data` (a shape name from SHAPES, or real points (n, 2)), measure how much of
    the data the generator covers, and log the run to MLflow: the one engine call for the GAN lab
    (page and CLI).

    The 2-D GAN keeps its own two-optimizer loop: two networks with two optimisers taking turns
    (`d_steps` discriminator batches, then `g_steps` generator batches) do not fit `training.fit`'s
    one-loss-per-batch shape. It follows the same rules: weights built under `training.seeded`, every
    other draw from a local `torch.Generator(config.seed)`, a `CancelToken` checked every round.

    Callbacks get what `fit`'s do, `on_epoch_end(log, history, generator)` (an `EpochLog` whose
    train_loss is G's loss, with metrics d_loss, g_loss, d_real, d_fake), and, if they have it,
    `on_snapshot(snapshot, snapshots)` with the generated points and D's surface to draw.
    Returns a `TrainedModel`: `model` is G, `metrics` {"coverage", "d_loss", "g_loss"} of the last
    epoch, `details` {"snapshots", "real", "discriminator", "data", "config"}.
    """
    import torch
    import torch.nn.functional as F

    from .. import tracking, training

    config = config or GANConfig()
    config.check()
    real, label = _check_data(data)
    # On CPU this is tiny work: keep it there even when a GPU exists (transfers would dominate).
    with training.seeded(config.seed):  # weight init draws from torch's global generator
        G = _mlp(config.noise, 2, config.layers, config.hidden)
        D = _mlp(2, 1, config.layers, config.hidden)
    opt_g = torch.optim.Adam(G.parameters(), lr=config.lr_g, betas=(0.5, 0.999))
    opt_d = torch.optim.Adam(D.parameters(), lr=config.lr_d, betas=(0.5, 0.999))
    points = torch.from_numpy(real)
    gen = torch.Generator().manual_seed(config.seed)
    fixed_z = torch.randn(SHOWN, config.noise, generator=gen)  # the same noise every epoch: points move
    ax = torch.from_numpy(surface_axis().astype(np.float32))
    plane = torch.stack(torch.meshgrid(ax, ax, indexing="xy"), -1).reshape(-1, 2)  # (GRID*GRID, 2)
    snapshots: list[Snapshot] = []
    history: list[training.EpochLog] = []
    ones = torch.ones(config.batch_size, 1)
    zeros = torch.zeros(config.batch_size, 1)

    def cancelled() -> bool:
        return cancel is not None and cancel.cancelled

    started = time.perf_counter()
    with tracking.training_run(EXPERIMENT, config, caller=caller, extra_params={"data": label}) as run:
        listeners = [*callbacks, run.callback]
        for epoch in range(1, config.epochs + 1):
            t0 = time.perf_counter()
            d_losses, g_losses = [], []
            for _ in range(config.steps):
                if cancelled():
                    break
                for _ in range(config.d_steps):
                    batch = points[torch.randint(0, len(points), (config.batch_size,), generator=gen)]
                    fake = G(torch.randn(config.batch_size, config.noise, generator=gen)).detach()
                    loss_d = (F.binary_cross_entropy_with_logits(D(batch), ones)
                              + F.binary_cross_entropy_with_logits(D(fake), zeros))
                    opt_d.zero_grad()
                    loss_d.backward()
                    opt_d.step()
                    d_losses.append(loss_d.item())
                for _ in range(config.g_steps):
                    fake = G(torch.randn(config.batch_size, config.noise, generator=gen))
                    loss_g = F.binary_cross_entropy_with_logits(D(fake), ones)  # non-saturating
                    opt_g.zero_grad()
                    loss_g.backward()
                    opt_g.step()
                    g_losses.append(loss_g.item())
            if not d_losses:
                break
            with torch.no_grad():
                shown = G(fixed_z)
                surface = torch.sigmoid(D(plane)).reshape(SURFACE_GRID, SURFACE_GRID).numpy()
                d_real = torch.sigmoid(D(points[:SHOWN])).mean().item()
                d_fake = torch.sigmoid(D(shown)).mean().item()
            snap = Snapshot(epoch, shown.numpy(), surface, float(np.mean(d_losses)), float(np.mean(g_losses)),
                            d_real, d_fake)
            snapshots.append(snap)
            history.append(training.EpochLog(
                epoch=epoch, epochs=config.epochs, train_loss=snap.g_loss, seconds=time.perf_counter() - t0,
                metrics={"d_loss": snap.d_loss, "g_loss": snap.g_loss, "d_real": d_real, "d_fake": d_fake},
                lr=config.lr_g))
            for cb in listeners:
                if hasattr(cb, "on_snapshot"):
                    cb.on_snapshot(snap, snapshots)
                if hasattr(cb, "on_epoch_end"):
                    cb.on_epoch_end(history[-1], history, G)
            if cancelled():
                break
        metrics: dict[str, float] = {}
        if snapshots:
            last = snapshots[-1]
            metrics = {"coverage": coverage(real, last.generated), "d_loss": last.d_loss, "g_loss": last.g_loss}
        run.log_final(metrics)
    fit = training.FitResult(history=history, best_epoch=None, stopped_early=False, cancelled=cancelled(),
                             seconds=time.perf_counter() - started)
    return training.TrainedModel(model=G.eval(), history=history, metrics=metrics, run_id=run.run_id, fit=fit,
                                 details={"snapshots": snapshots, "real": real, "discriminator": D.eval(),
                                          "data": label, "config": config})


def _check_data(data: Any) -> tuple[np.ndarray, str]:
    if isinstance(data, str):
        return toy_points(data, 1000), data
    real = np.asarray(data, dtype=np.float32)
    if real.ndim != 2 or real.shape[1] != 2 or not MIN_POINTS <= len(real) <= MAX_POINTS:
        raise InputError(f"Real points must be an (n, 2) array with {MIN_POINTS}-{MAX_POINTS} rows, "
                         f"got shape {real.shape}.")
    if not np.isfinite(real).all():
        raise InputError("Real points must be finite numbers (no NaN or infinity).")
    return real, "your points"


def coverage(real: np.ndarray, generated: np.ndarray, radius: float = 0.25) -> float:
    """Share of real points with a generated point within `radius`: 1 means no part of the data is
    missed (a collapsed generator, 'mode collapse', scores low)."""
    real = np.asarray(real)[:1000]
    gen = np.asarray(generated)[:1000]
    d2 = ((real[:, None, :] - gen[None, :, :]) ** 2).sum(-1)
    return float((d2.min(1) <= radius**2).mean())


def gan_history(snapshots: Sequence[Snapshot]) -> dict[str, list[float]]:
    return {"epoch": [s.epoch for s in snapshots], "d_loss": [s.d_loss for s in snapshots],
            "g_loss": [s.g_loss for s in snapshots], "d_real": [s.d_real for s in snapshots],
            "d_fake": [s.d_fake for s in snapshots]}
