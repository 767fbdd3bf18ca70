"""One fit loop for every torch model in the app.

The trainer draws nothing: it reports through callbacks (`on_batch_end`, `on_epoch_end`) that receive
an `EpochLog`, and it stops early, or when a `CancelToken` is set, keeping the best weights. Pages draw
live curves through one callback, the command line prints a progress bar through another, the
tracking module logs to MLflow through a third.
"""

from __future__ import annotations

import contextlib
import copy
import math
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any, Literal, Protocol

import numpy as np

from . import training_queue
from .errors import InputError

if TYPE_CHECKING:
    import torch
    from torch import nn
    from torch.utils.data import DataLoader, Dataset


@dataclass
class TrainConfig:
    epochs: int = 20
    lr: float = 1e-3
    batch_size: int = 64
    weight_decay: float = 1e-4  # AdamW's decoupled decay; small, as models here are small
    seed: int = 0
    patience: int | None = None  # epochs without val improvement before stopping; None = never
    min_delta: float = 0.0  # an improvement smaller than this does not reset patience
    monitor: str = "val_loss"  # what early stopping and "best weights" watch: val_loss or a metric's name
    monitor_mode: Literal["min", "max"] = "min"  # "max" for accuracies, PR-AUC; "min" for losses, errors
    grad_clip: float | None = 1.0  # RNNs and GANs blow up without it; harmless elsewhere
    mixed_precision: bool = True  # autocast on GPUs only (device.autocast)
    device: str | None = None  # None = dl_core.device.get()

    def check(self) -> None:
        if not 1 <= self.epochs <= 10_000:
            raise InputError(f"epochs must be between 1 and 10,000, got {self.epochs}.")
        if not (0 < self.lr <= 10) or math.isnan(self.lr):
            raise InputError(f"learning rate must be in (0, 10], got {self.lr}.")
        if not 1 <= self.batch_size <= 65_536:
            raise InputError(f"batch size must be between 1 and 65,536, got {self.batch_size}.")
        if self.patience is not None and self.patience < 1:
            raise InputError(f"patience must be at least 1 epoch, got {self.patience}.")
        if self.monitor_mode not in ("min", "max"):
            raise InputError(f"monitor_mode must be 'min' or 'max', got {self.monitor_mode!r}.")
        if self.monitor in ("val_loss", "train_loss") and self.monitor_mode != "min":
            raise InputError(f"{self.monitor} is a loss: monitor it with monitor_mode='min'.")


@dataclass
class EpochLog:
    epoch: int  # 1-based
    epochs: int
    train_loss: float
    val_loss: float | None = None
    metrics: dict[str, float] = field(default_factory=dict)  # e.g. val_accuracy
    seconds: float = 0.0  # wall time of this epoch
    lr: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        row = {k: v for k, v in asdict(self).items() if k != "metrics"}
        row.update(self.metrics)
        return row


@dataclass
class FitResult:
    history: list[EpochLog]
    best_epoch: int | None
    stopped_early: bool
    cancelled: bool
    seconds: float
    diverged: bool = False

    @property
    def last(self) -> EpochLog | None:
        return self.history[-1] if self.history else None

    def frame(self):
        """The history as a pandas DataFrame, one row per epoch."""
        import pandas as pd

        return pd.DataFrame([h.as_dict() for h in self.history])


@dataclass
class TrainedModel:
    """What every trainable model's one engine call returns, whether a page or the CLI called it.

    `metrics` are the final evaluation (on held-out data) with the same names MLflow holds
    (without the `final_` prefix); `details` carries the use case's extras (confusion matrix,
    baselines, class names) that pages draw and the CLI prints.
    """

    model: Any
    history: list[EpochLog]
    metrics: dict[str, float]
    run_id: str | None = None  # the MLflow run; None when tracking was off
    fit: FitResult | None = None  # stopped early / cancelled / diverged, seconds, best epoch
    details: dict[str, Any] = field(default_factory=dict)


class Callback(Protocol):
    def on_batch_end(self, epoch: int, batch: int, batches: int, loss: float) -> None: ...
    def on_epoch_end(self, log: EpochLog, history: list[EpochLog], model: "nn.Module") -> None: ...


class CancelToken:
    """Set from anywhere (a Stop button, Ctrl-C, another thread); the loop stops after the batch."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()


# torch draws weight initialisation, dropout masks and torch.randn from one process-wide generator.
# Streamlit serves every session from a thread of one process, so two people training at once would
# reseed each other. Every draw from it in the engine happens under this lock, right after seeding.
_rng_lock = threading.RLock()


@contextlib.contextmanager
def seeded(seed: int) -> Iterator[None]:
    """Run a block that draws from torch's global generator (building a model: weight init;
    a forward pass with dropout; a library's sampling) reproducibly, whatever other sessions do.

    Keep the block short (it holds a process-wide lock); draw everything else from local
    generators (`torch.Generator`, `np.random.default_rng(seed)`).
    """
    import torch

    with _rng_lock:
        torch.random.manual_seed(seed)  # also seeds every CUDA device's generator
        yield


def _batch_seed(seed: int, epoch: int, batch: int) -> int:
    return (seed * 1_000_003 + epoch * 10_007 + batch) % 2**63


class _IndexBatches:
    """Batches of row indices as tensors, shuffled each epoch by `gen` (or in order): the batches of
    `BatchSampler(RandomSampler(n, generator=gen), batch_size)`, without a Python int per row (a tenth
    of the recommender's training time for its 80k ratings an epoch)."""

    def __init__(self, n: int, batch_size: int, shuffle: bool, gen: "torch.Generator") -> None:
        self.n, self.batch_size, self.shuffle, self.gen = n, batch_size, shuffle, gen

    def __len__(self) -> int:
        return -(-self.n // self.batch_size)

    def __iter__(self) -> Iterator["torch.Tensor"]:
        import torch

        if not self.shuffle:
            yield from torch.arange(self.n).split(self.batch_size)
            return
        order = torch.randperm(self.n, generator=self.gen)
        # RandomSampler also draws a (here empty) remainder permutation each epoch: drawn too, so a seed
        # gives the very batches it gave before.
        torch.randperm(self.n, generator=self.gen)
        yield from order.split(self.batch_size)


def make_loader(data: "Dataset | Sequence[torch.Tensor] | DataLoader", batch_size: int,
                shuffle: bool, seed: int) -> "DataLoader":
    """A DataLoader from a Dataset, a tuple of tensors, or an existing DataLoader (kept as is).

    Tensors are batched by indexing whole batches at once: a plain DataLoader fetches and collates
    rows one by one, which made a 100k-row tabular epoch ~6x slower than the network itself.
    """
    import torch
    from torch.utils.data import DataLoader, Dataset, TensorDataset

    if isinstance(data, DataLoader):
        return data
    tensors = not isinstance(data, Dataset)
    if tensors:
        data = TensorDataset(*data)
    if len(data) == 0:
        raise InputError("There is no data to train on; provide at least one example.")
    gen = torch.Generator().manual_seed(seed)
    if tensors:
        # batch_size=None: the sampler yields index tensors and TensorDataset[tensor] returns whole batches.
        # generator=gen: each epoch's iterator draws a base seed, from torch's global generator otherwise
        # (which would shift another session's dropout masks mid-batch).
        return DataLoader(data, sampler=_IndexBatches(len(data), batch_size, shuffle, gen), batch_size=None,
                          generator=gen)
    # num_workers=0: on small machines worker processes cost more than they save.
    return DataLoader(data, batch_size=batch_size, shuffle=shuffle, generator=gen, num_workers=0)


BatchLoss = Callable[["nn.Module", tuple], "torch.Tensor"]
Evaluate = Callable[["nn.Module", "DataLoader"], dict[str, float]]


def supervised_loss(loss_fn: Callable) -> BatchLoss:
    """(x, y) batches: loss_fn(model(x), y)."""

    def step(model, batch):
        x, y = batch[0], batch[1]
        return loss_fn(model(x), y)

    return step


def classification_metrics(model: "nn.Module", loader: "DataLoader") -> dict[str, float]:
    """Validation loss and accuracy for (x, y) batches of a classifier returning logits."""
    import torch.nn.functional as F

    total, correct, loss_sum = 0, 0, 0.0
    for x, y in loader:
        logits = model(x)
        loss_sum += F.cross_entropy(logits.float(), y, reduction="sum").item()
        correct += (logits.argmax(-1) == y).sum().item()
        total += len(y)
    return {"val_loss": loss_sum / max(total, 1), "val_accuracy": correct / max(total, 1)}


class _OnDevice:
    """A loader whose batches arrive on `device` (evaluate functions need not move them)."""

    def __init__(self, loader: "DataLoader", device: "torch.device") -> None:
        self.loader, self.device = loader, device

    def __iter__(self):
        for batch in self.loader:
            moved = _to(batch, self.device)
            yield moved if isinstance(batch, (list, tuple)) else moved[0]

    def __len__(self) -> int:
        return len(self.loader)


def _to(batch, device):
    if isinstance(batch, (list, tuple)):
        return tuple(b.to(device, non_blocking=True) if hasattr(b, "to") else b for b in batch)
    return (batch.to(device),)


def make_optimizer(model: "torch.nn.Module", lr: float, weight_decay: float,
                   dev: "torch.device") -> "torch.optim.Optimizer":
    """AdamW, fused into one kernel on CPU and CUDA: the per-parameter Python loop of the default
    implementation was 4.6 ms of a 26 ms step for the recommender's embedding tables on one CPU thread
    (fused: 2.0 ms); same update rule, so results differ only by float rounding."""
    import torch

    params = list(model.parameters())
    fused = dev.type in ("cpu", "cuda") and all(p.is_floating_point() for p in params)
    return torch.optim.AdamW(params, lr=lr, weight_decay=weight_decay, fused=fused or None)


def fit(
    model: "nn.Module",
    train: "Dataset | Sequence[torch.Tensor] | DataLoader",
    val: "Dataset | Sequence[torch.Tensor] | DataLoader | None" = None,
    *,
    config: TrainConfig | None = None,
    batch_loss: BatchLoss | None = None,
    evaluate: Evaluate | None = None,
    callbacks: Sequence[Callback] = (),
    cancel: CancelToken | None = None,
    optimizer: "torch.optim.Optimizer | None" = None,
) -> FitResult:
    """Train `model` in place and return its history.

    - `batch_loss(model, batch) -> scalar loss` defines the task (default: cross-entropy on (x, y)).
    - `evaluate(model, val_loader) -> {"val_loss": ..., ...}` runs after each epoch under no_grad;
      default: the mean `batch_loss` on the validation data.
    - With `config.patience`, training stops when `config.monitor` has not improved for that many
      epochs; the best weights (by the monitored value, in `config.monitor_mode`'s direction) are
      restored at the end either way. `val_loss` without validation data watches the train loss;
      any other monitored name must be one of `evaluate`'s metrics, else the first epoch says so.
    - A set `cancel` token stops after the current batch; the model keeps the best weights so far.
    - Training waits for a slot in the process-wide `training_queue` first; callbacks with an
      `on_wait(position, queue_state)` method hear their place in line (a Stop while waiting
      returns a cancelled result with no epochs).
    """
    import torch

    from . import device as devices

    config = config or TrainConfig()
    config.check()
    dev = torch.device(config.device) if config.device else devices.get()
    model.to(dev)
    train_loader = make_loader(train, config.batch_size, shuffle=True, seed=config.seed)
    val_loader = make_loader(val, max(config.batch_size, 256), False, config.seed) if val is not None else None
    batch_loss = batch_loss or supervised_loss(torch.nn.functional.cross_entropy)
    opt = optimizer or make_optimizer(model, config.lr, config.weight_decay, dev)
    cancel = cancel or CancelToken()

    def default_eval(m, loader):
        losses = [batch_loss(m, b).item() for b in loader]
        return {"val_loss": float(np.mean(losses))}

    evaluate = evaluate or default_eval
    started = time.perf_counter()
    history: list[EpochLog] = []
    sign = 1.0 if config.monitor_mode == "min" else -1.0  # compare sign * value: lower is better
    best_value, best_epoch, best_state, bad_epochs = math.inf, None, None, 0
    stopped_early = diverged = False

    def waiting(position: int) -> None:
        for cb in callbacks:
            if hasattr(cb, "on_wait"):
                cb.on_wait(position, training_queue.get().state())

    with contextlib.ExitStack() as stack:
        try:
            stack.enter_context(training_queue.slot(on_wait=waiting, cancel=cancel))
        except training_queue.CancelledWhileWaiting:
            return FitResult(history=[], best_epoch=None, stopped_early=False, cancelled=True,
                             seconds=time.perf_counter() - started)
        for epoch in range(1, config.epochs + 1):
            t0 = time.perf_counter()
            model.train()
            running, count = 0.0, 0
            batches = len(train_loader)
            for i, batch in enumerate(train_loader):
                if cancel.cancelled:
                    break
                batch = _to(batch, dev)
                opt.zero_grad(set_to_none=True)
                # The forward pass draws dropout masks / noise from torch's global generator: seeded per
                # batch under the lock, so a seed gives the same model whoever else is training.
                with seeded(_batch_seed(config.seed, epoch, i)), devices.autocast(dev, config.mixed_precision):
                    loss = batch_loss(model, batch)
                loss.backward()
                if config.grad_clip:
                    torch.nn.utils.clip_grad_norm_(model.parameters(), config.grad_clip)
                opt.step()
                value = loss.item()
                n = len(batch[0])
                running += value * n
                count += n
                for cb in callbacks:
                    cb.on_batch_end(epoch, i + 1, batches, value)
            if count == 0:  # cancelled before the first batch of this epoch
                break
            train_loss = running / count
            log = EpochLog(epoch=epoch, epochs=config.epochs, train_loss=train_loss,
                           lr=opt.param_groups[0]["lr"])
            if val_loader is not None:
                model.eval()
                with torch.no_grad(), seeded(_batch_seed(config.seed, epoch, -1)), \
                        devices.autocast(dev, config.mixed_precision):
                    metrics = dict(evaluate(model, _OnDevice(val_loader, dev)))
                log.val_loss = metrics.pop("val_loss", None)
                log.metrics = metrics
            log.seconds = time.perf_counter() - t0
            history.append(log)
            for cb in callbacks:
                cb.on_epoch_end(log, history, model)

            if not math.isfinite(train_loss):
                diverged = True  # a NaN loss never recovers; say so rather than train on garbage
                break
            watched = _watched(config.monitor, log)
            if watched is None:
                raise InputError(f"cannot monitor {config.monitor!r}: this training reports "
                                 f"{', '.join(['val_loss', 'train_loss', *log.metrics])}.")
            watched = sign * watched
            if watched < best_value - config.min_delta:
                best_value, best_epoch, bad_epochs = watched, epoch, 0
                best_state = copy.deepcopy(model.state_dict())
            else:
                bad_epochs += 1
                if config.patience is not None and bad_epochs >= config.patience:
                    stopped_early = True
                    break
            if cancel.cancelled:
                break


    if best_state is not None and best_epoch != (history[-1].epoch if history else None):
        model.load_state_dict(best_state)
    model.eval()
    return FitResult(history=history, best_epoch=best_epoch, stopped_early=stopped_early,
                     cancelled=cancel.cancelled, seconds=time.perf_counter() - started,
                     diverged=diverged)


def _watched(monitor: str, log: EpochLog) -> float | None:
    if monitor == "train_loss":
        return log.train_loss
    if monitor == "val_loss":
        return log.val_loss if log.val_loss is not None else log.train_loss
    return log.metrics.get(monitor)


class ProgressBar:
    """Command-line callback: a tqdm bar on stderr (stdout stays clean for --json)."""

    def __init__(self, desc: str = "training") -> None:
        self.desc = desc
        self._bar = None

    def on_batch_end(self, epoch: int, batch: int, batches: int, loss: float) -> None:
        pass

    def on_epoch_end(self, log: EpochLog, history: list[EpochLog], model: Any) -> None:
        import sys

        from tqdm import tqdm

        if self._bar is None:
            self._bar = tqdm(total=log.epochs, desc=self.desc, file=sys.stderr, leave=False)
        self._bar.update(1)
        post = {"loss": f"{log.train_loss:.4f}"}
        if log.val_loss is not None:
            post["val_loss"] = f"{log.val_loss:.4f}"
        post.update({k: f"{v:.4f}" for k, v in log.metrics.items()})
        self._bar.set_postfix(post)
        if log.epoch == log.epochs:
            self.close()

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None
