"""The digits classifier that judges generated digits: which share looks like the digit asked for.

Trained here on the real 16x16 digits (a few seconds) on first use, then kept in the models folder;
the first session (or `prepare`) builds it under the shared build lock, others wait for that file.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import InputError
from .digits import digits_16

if TYPE_CHECKING:
    import torch
    from torch import nn

CLASSIFIER_FILE = "generative_digits_classifier.safetensors"
NUM_CLASSES = 10
CONFIDENCE = 0.7  # a sample counts as recognised when the classifier gives the asked digit >= this


def build_classifier() -> "nn.Module":
    from torch import nn

    # The digits are really 8x8: judging at that resolution is 4x cheaper and just as accurate.
    return nn.Sequential(  # (B, 1, 16, 16) -> (B, 10) logits
        nn.AvgPool2d(2),  # (B, 1, 8, 8)
        nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),  # (B, 32, 4, 4)
        nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),  # (B, 64, 2, 2)
        nn.Flatten(), nn.Dropout(0.25), nn.Linear(64 * 4, 64), nn.ReLU(), nn.Linear(64, NUM_CLASSES),
    )


@dataclass
class DigitJudge:
    """The classifier used only to measure samples; `accuracy` is on the held-out real digits."""

    model: "nn.Module"
    accuracy: float
    device: "torch.device"

    def probabilities(self, images: "torch.Tensor") -> np.ndarray:
        """images (N, 1, 16, 16) in [-1, 1] -> (N, 10) class probabilities."""
        import torch

        with torch.inference_mode():
            logits = self.model(images.to(self.device).float())
        return torch.softmax(logits, -1).cpu().numpy()


def on_model_device(evaluate: Callable) -> Callable:
    """An `evaluate(model, loader)` for `training.fit` that first moves each validation batch to the
    model's device: fit hands `evaluate` the loader as it is (tensors on the CPU), which fails on a
    GPU under autocast ("Input type (float) and bias type (BFloat16) should be the same")."""

    def run(model: "nn.Module", loader: Any) -> dict[str, float]:
        dev = next(model.parameters()).device
        return evaluate(model, [tuple(t.to(dev) for t in batch) for batch in loader])

    return run


def _device() -> "torch.device":
    from .. import device

    return device.get()


def train_classifier(epochs: int = 20, seed: int = 0, device: "torch.device | None" = None) -> DigitJudge:
    """Train the judge on the real 16x16 digits (a few seconds on CPU)."""
    import torch

    from .. import training

    dev = device or _device()
    x_tr, y_tr, x_te, y_te = digits_16()
    # Half-pixel shifts (one pixel at 16x16), so a digit drawn slightly off-centre is still judged fairly.
    x_aug = torch.cat([x_tr, torch.roll(x_tr, 1, dims=3), torch.roll(x_tr, -1, dims=3)])
    y_aug = y_tr.repeat(3)
    with training.seeded(seed):
        model = build_classifier()
    cfg = training.TrainConfig(epochs=epochs, lr=2e-3, batch_size=128, seed=seed, device=str(dev),
                               monitor="val_loss", monitor_mode="min")
    training.fit(model, (x_aug, y_aug), (x_te, y_te), config=cfg,
                 evaluate=on_model_device(training.classification_metrics))
    judge = DigitJudge(model=model.eval(), accuracy=0.0, device=dev)
    judge.accuracy = float((judge.probabilities(x_te).argmax(1) == y_te.numpy()).mean())
    return judge


def digit_judge(device: "torch.device | None" = None, on_wait: Callable[[], None] | None = None) -> DigitJudge:
    """The judge from the models folder, trained and saved there on first use (once per machine)."""
    from .. import store

    dev = device or _device()
    judge = _load_judge(dev)
    if judge is None:
        def build() -> None:
            trained = train_classifier(device=dev)
            store.save(CLASSIFIER_FILE, trained.model.state_dict(), {"accuracy": trained.accuracy})

        store.build_once("generative-digits-judge", exists=lambda: _load_judge(dev) is not None,
                         build=build, on_wait=on_wait)
        judge = _load_judge(dev)
    return judge


def _load_judge(dev: "torch.device") -> DigitJudge | None:
    from .. import store

    try:
        state, meta = store.load(CLASSIFIER_FILE)
        model = build_classifier()
        model.load_state_dict(state)
    except (FileNotFoundError, InputError, RuntimeError):  # missing, not safetensors, wrong shapes
        return None
    return DigitJudge(model=model.eval().to(dev), accuracy=float(meta.get("accuracy", 0.0)), device=dev)


@dataclass
class Quality:
    recognised_share: float  # share of samples recognised, with confidence, as the digit asked for
    distinct_digits: int  # how many different digits were recognised at least once
    per_digit: dict[int, float]  # recognised share for each asked digit
    predicted: list[int]  # the judge's digit for each sample
    confidence: list[float]  # the judge's probability of the asked digit, for each sample


def judge_samples(judge: DigitJudge, images: "torch.Tensor", asked: Sequence[int]) -> Quality:
    """How many samples look like the digit that was asked for (images in [-1, 1])."""
    probs = judge.probabilities(images)
    asked_arr = np.asarray(asked)
    predicted = probs.argmax(1)
    p_asked = probs[np.arange(len(asked_arr)), asked_arr]
    ok = (predicted == asked_arr) & (p_asked >= CONFIDENCE)
    per_digit = {int(d): float(ok[asked_arr == d].mean()) for d in np.unique(asked_arr)}
    return Quality(recognised_share=float(ok.mean()) if len(ok) else 0.0,
                   distinct_digits=len(set(predicted[ok].tolist())), per_digit=per_digit,
                   predicted=predicted.tolist(), confidence=p_asked.round(4).tolist())
