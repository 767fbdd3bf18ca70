"""A small CNN on scikit-learn's 8x8 handwritten digits: data, model, the one training call, evaluation,
shallow baselines, the app's default model, and a person's own drawn digit.

    result = train_digits_cnn(None, DigitsCNNConfig(epochs=5), caller="cli")   # training.TrainedModel
    result.metrics["test_accuracy"], result.details["report"].confusion, result.details["baselines"]

Everything here runs on CPU in seconds; heavy libraries (torch, sklearn) are imported inside functions.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import InputError

if TYPE_CHECKING:
    import torch
    from PIL import Image
    from torch import nn

    from ..registry import ModelSpec
    from ..tracking import Caller
    from ..training import Callback, CancelToken, TrainConfig, TrainedModel

DIGITS_FILE = "digits_cnn.safetensors"  # the registry's `digits-cnn` local model
PIXEL_MAX = 16.0  # sklearn digits hold ink counts 0..16 per 4x4 block of a 32x32 bitmap
EXPERIMENT = "vision/digits-cnn"


# ---- data ----------------------------------------------------------------------------------------

@dataclass
class DigitsData:
    """Stratified train/validation/test splits; X is (N, 1, 8, 8) float32 in [0, 1], y is (N,) int64."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray

    @property
    def sizes(self) -> dict[str, int]:
        return {"train": len(self.y_train), "validation": len(self.y_val), "test": len(self.y_test)}


def load_digits_data(train_fraction: float = 0.7, seed: int = 0) -> DigitsData:
    """Split the 1,797 digits: `train_fraction` for training, the rest half validation, half test."""
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    if not 0.1 <= train_fraction <= 0.9:
        raise InputError(f"train fraction must be between 0.1 and 0.9, got {train_fraction}.")
    digits = load_digits()
    x = (digits.images / PIXEL_MAX).astype(np.float32)[:, None]  # (N, 1, 8, 8)
    y = digits.target.astype(np.int64)
    x_tr, x_rest, y_tr, y_rest = train_test_split(x, y, train_size=train_fraction, stratify=y,
                                                  random_state=seed)
    x_val, x_te, y_val, y_te = train_test_split(x_rest, y_rest, test_size=0.5, stratify=y_rest,
                                                random_state=seed)
    return DigitsData(x_tr, y_tr, x_val, y_val, x_te, y_te)


# ---- model ---------------------------------------------------------------------------------------

@dataclass
class DigitsCNNConfig:
    """Every knob the page exposes, with defaults that reach ~98% test accuracy in a few seconds."""

    conv_layers: int = 2  # 1-4; 8x8 inputs are pooled to 4x4 then 2x2, so more adds little
    filters: int = 16  # channels of the first conv layer; doubled at each further layer
    kernel_size: int = 3  # 1, 3, 5 or 7 ("same" padding keeps the 8x8 grid)
    dropout: float = 0.25
    lr: float = 3e-3
    batch_size: int = 64
    epochs: int = 15
    train_fraction: float = 0.7  # the rest is split half validation, half test
    augment: bool = True  # random 1-pixel shifts: cheap, and drawn digits are rarely centred
    seed: int = 0
    device: str | None = field(default=None, metadata={"log": False})  # None = dl_core.device.get()

    def check(self) -> None:
        """Every value at once, before any work: errors name the value and the valid range."""
        if not 1 <= self.conv_layers <= 4:
            raise InputError(f"conv layers must be between 1 and 4, got {self.conv_layers}.")
        if not 1 <= self.filters <= 256:
            raise InputError(f"filters must be between 1 and 256, got {self.filters}.")
        if self.kernel_size not in (1, 3, 5, 7):
            raise InputError(f"kernel size must be 1, 3, 5 or 7, got {self.kernel_size}.")
        if not 0 <= self.dropout < 1:
            raise InputError(f"dropout must be in [0, 1), got {self.dropout}.")
        if not 0.1 <= self.train_fraction <= 0.9:
            raise InputError(f"train fraction must be between 0.1 and 0.9, got {self.train_fraction}.")
        if not 1 <= self.epochs <= 500:
            raise InputError(f"epochs must be between 1 and 500, got {self.epochs}.")
        if not 0 < self.lr <= 1:
            raise InputError(f"learning rate must be in (0, 1], got {self.lr}.")
        if not 1 <= self.batch_size <= 4096:
            raise InputError(f"batch size must be between 1 and 4,096, got {self.batch_size}.")
        if not 0 <= self.seed < 2**32:
            raise InputError(f"seed must be between 0 and 2**32 - 1, got {self.seed}.")

    def train_config(self) -> "TrainConfig":
        from ..training import TrainConfig

        # The best epoch is the one with the lowest validation loss (restored at the end).
        return TrainConfig(epochs=self.epochs, lr=self.lr, batch_size=self.batch_size, seed=self.seed,
                           monitor="val_loss", monitor_mode="min", device=self.device)


def build_digits_cnn(config: DigitsCNNConfig) -> "nn.Module":
    """conv → BN → ReLU (→ max-pool while the grid is > 2x2), repeated; then dropout and a linear layer."""
    from torch import nn

    config.check()
    layers: list[nn.Module] = []
    channels, size = 1, 8
    for i in range(config.conv_layers):
        out = config.filters * 2**i
        layers += [nn.Conv2d(channels, out, config.kernel_size, padding=config.kernel_size // 2),
                   nn.BatchNorm2d(out), nn.ReLU()]
        if size > 2:
            layers.append(nn.MaxPool2d(2))
            size //= 2
        channels = out
    layers += [nn.Flatten(), nn.Dropout(config.dropout), nn.Linear(channels * size * size, 10)]
    return nn.Sequential(*layers)  # (B, 1, 8, 8) -> (B, 10) logits


def count_parameters(model: "nn.Module") -> int:
    return sum(p.numel() for p in model.parameters())


# ---- training ------------------------------------------------------------------------------------

def _shift(x: "torch.Tensor", generator: "torch.Generator") -> "torch.Tensor":
    """Shift each image by -1, 0 or +1 pixel in each direction, filling with blank paper."""
    import torch

    out = torch.zeros_like(x)
    shifts = torch.randint(-1, 2, (x.shape[0], 2), generator=generator)
    for dy in (-1, 0, 1):
        for dx in (-1, 0, 1):
            idx = ((shifts[:, 0] == dy) & (shifts[:, 1] == dx)).nonzero().flatten()
            if len(idx) == 0:
                continue
            src = x[idx]
            rolled = torch.roll(src, shifts=(dy, dx), dims=(2, 3))
            # zero the wrapped-around row/column
            if dy == 1:
                rolled[:, :, 0, :] = 0
            elif dy == -1:
                rolled[:, :, -1, :] = 0
            if dx == 1:
                rolled[:, :, :, 0] = 0
            elif dx == -1:
                rolled[:, :, :, -1] = 0
            out[idx] = rolled
    return out


def _batch_loss(augment: bool, seed: int):
    import torch
    import torch.nn.functional as F

    gen = torch.Generator().manual_seed(seed)

    def loss(model: "nn.Module", batch: tuple) -> "torch.Tensor":
        x, y = batch
        if augment and model.training:
            x = _shift(x.cpu(), gen).to(x.device)
        return F.cross_entropy(model(x), y)

    return loss


def _evaluate(model: "nn.Module", loader) -> dict[str, float]:
    import torch.nn.functional as F

    losses, correct, n = 0.0, 0, 0
    for x, y in loader:
        x, y = x.to(next(model.parameters()).device), y.to(next(model.parameters()).device)
        logits = model(x)
        losses += F.cross_entropy(logits, y, reduction="sum").item()
        correct += (logits.argmax(1) == y).sum().item()
        n += len(y)
    return {"val_loss": losses / n, "val_accuracy": correct / n}


def train_digits_cnn(data: DigitsData | None = None, config: DigitsCNNConfig | None = None, *,
                     callbacks: Sequence["Callback"] = (), cancel: "CancelToken | None" = None,
                     caller: "Caller" = "app") -> "TrainedModel":
    """Build, train, evaluate and log a digits CNN (the page and the CLI both call this).

    `data` defaults to the split that `config.train_fraction` and `config.seed` define.
    `metrics`: test_accuracy, test_macro_precision, test_macro_recall (the best epoch's weights).
    `details`: report (DigitsReport: per-class scores, confusion, mistakes), baselines (shallow models
    on the same split), data, parameters, device, seconds (training time), config.
    """
    import torch

    from .. import device as devices
    from .. import tracking, training

    config = config or DigitsCNNConfig()
    config.check()
    data = data or load_digits_data(config.train_fraction, config.seed)
    tc = config.train_config()
    dev = torch.device(config.device) if config.device else devices.get()
    tc.device = str(dev)
    tc.check()
    with tracking.training_run(EXPERIMENT, config, caller=caller) as run:
        with training.seeded(config.seed):  # the weights' initialisation depends on the seed too
            model = build_digits_cnn(config)
        train = (torch.from_numpy(data.x_train), torch.from_numpy(data.y_train))
        val = (torch.from_numpy(data.x_val), torch.from_numpy(data.y_val))
        result = training.fit(model, train, val, config=tc, batch_loss=_batch_loss(config.augment, config.seed),
                              evaluate=_evaluate, callbacks=[*callbacks, run.callback], cancel=cancel)
        report = evaluate_digits(model, data)
        metrics = {"test_accuracy": report.accuracy,
                   "test_macro_precision": float(np.mean([c["precision"] for c in report.per_class])),
                   "test_macro_recall": float(np.mean([c["recall"] for c in report.per_class]))}
        run.log_final(metrics, model=model, extra={"config": tracking.params_of(config)})
    details = {"report": report, "baselines": shallow_baselines(data, config.seed), "data": data,
               "parameters": count_parameters(model), "device": dev.type, "seconds": result.seconds,
               "config": config}
    return training.TrainedModel(model=model, history=result.history, metrics=metrics, run_id=run.run_id,
                                 fit=result, details=details)


def predict_digits(model: "nn.Module", x: np.ndarray) -> np.ndarray:
    """(N, 1, 8, 8) or (N, 8, 8) images in [0, 1] → (N, 10) class probabilities."""
    import torch

    x = np.asarray(x, dtype=np.float32)
    if x.ndim == 2:
        x = x[None]
    if x.ndim == 3:
        x = x[:, None]
    if x.shape[1:] != (1, 8, 8):
        raise InputError(f"digit images must be 8x8, got shape {x.shape[1:]}.")
    model.eval()
    dev = next(model.parameters()).device
    with torch.no_grad():
        probs = torch.softmax(model(torch.from_numpy(x).to(dev)), dim=1)
    return probs.float().cpu().numpy()


@dataclass
class DigitsReport:
    """What a learner looks at after training: accuracy, per-class scores, confusions, mistakes."""

    accuracy: float
    per_class: list[dict[str, float]]  # digit, precision, recall, f1, support
    confusion: np.ndarray  # (10, 10), rows = true digit
    mistakes: list[int]  # indices into the test set, most confident mistakes first
    predicted: np.ndarray
    confidence: np.ndarray


def evaluate_digits(model: "nn.Module", data: DigitsData) -> DigitsReport:
    from sklearn.metrics import confusion_matrix, precision_recall_fscore_support

    probs = predict_digits(model, data.x_test)
    pred = probs.argmax(1)
    p, r, f, s = precision_recall_fscore_support(data.y_test, pred, labels=range(10), zero_division=0)
    per_class = [{"digit": d, "precision": float(p[d]), "recall": float(r[d]), "f1": float(f[d]),
                  "support": int(s[d])} for d in range(10)]
    wrong = np.flatnonzero(pred != data.y_test)
    conf = probs.max(1)
    wrong = wrong[np.argsort(-conf[wrong])]
    return DigitsReport(accuracy=float((pred == data.y_test).mean()), per_class=per_class,
                        confusion=confusion_matrix(data.y_test, pred, labels=range(10)),
                        mistakes=wrong.tolist(), predicted=pred, confidence=conf)


@dataclass
class BaselineResult:
    name: str
    test_accuracy: float
    seconds: float
    parameters: int


def shallow_baselines(data: DigitsData, seed: int = 0) -> list[BaselineResult]:
    """Logistic regression and a one-hidden-layer MLP on the 64 raw pixels, same train/test split.

    Deterministic for a split and seed, so results are kept per (split, seed) for this process."""
    digest = hashlib.sha1(str(seed).encode())
    for a in (data.x_train, data.y_train, data.x_test, data.y_test):
        digest.update(a.tobytes())
    key = digest.hexdigest()
    hit = _baseline_cache.get(key)
    if hit is None:
        hit = tuple(_fit_baselines(data, seed))
        with _baseline_lock:
            while len(_baseline_cache) >= 8:
                _baseline_cache.pop(next(iter(_baseline_cache)))
            _baseline_cache[key] = hit
    return list(hit)


_baseline_cache: dict[str, tuple[BaselineResult, ...]] = {}
_baseline_lock = threading.Lock()


def _fit_baselines(data: DigitsData, seed: int) -> list[BaselineResult]:
    from sklearn.linear_model import LogisticRegression
    from sklearn.neural_network import MLPClassifier

    x_tr = data.x_train.reshape(len(data.x_train), -1)
    x_te = data.x_test.reshape(len(data.x_test), -1)
    models = {
        "logistic regression (64 pixels)": LogisticRegression(max_iter=2000, C=1.0),
        "MLP, 1 hidden layer of 64 (64 pixels)": MLPClassifier(hidden_layer_sizes=(64,), max_iter=600,
                                                               random_state=seed),
    }
    results = []
    for name, clf in models.items():
        t0 = time.perf_counter()
        clf.fit(x_tr, data.y_train)
        seconds = time.perf_counter() - t0
        params = clf.coef_.size + clf.intercept_.size if hasattr(clf, "coef_") else sum(
            w.size for w in clf.coefs_) + sum(b.size for b in clf.intercepts_)
        results.append(BaselineResult(name, float(clf.score(x_te, data.y_test)), seconds, int(params)))
    return results


# ---- the registry's `digits-cnn` -----------------------------------------------------------------

def save_digits_cnn(model: "nn.Module", config: DigitsCNNConfig, metrics: dict[str, float] | None = None,
                    file_name: str = DIGITS_FILE) -> Any:
    """Write the weights (safetensors) with the config needed to rebuild the network (atomically)."""
    from .. import store, tracking

    return store.save(file_name, model.state_dict(), {"config": tracking.params_of(config), **(metrics or {})})


def load_digits_cnn(spec: "ModelSpec", device: "torch.device") -> "nn.Module":
    """Registry loader for `digits-cnn`: rebuild the architecture from the saved config, load weights."""
    from .. import store

    state, meta = store.load(spec.local_file or DIGITS_FILE)
    saved = meta.get("config", {})
    config = DigitsCNNConfig(**{k: v for k, v in saved.items() if k in DigitsCNNConfig.__dataclass_fields__})
    model = build_digits_cnn(config)
    model.load_state_dict(state)
    return model.eval().to(device)


def ensure_digits_cnn(on_wait: Callable[[], None] | None = None, callbacks: Sequence["Callback"] = (),
                      caller: "Caller" = "app") -> bool:
    """Train and save the default digits CNN once if it is missing (~2-5 s on CPU). True if trained now.

    Under `store.build_once`: two sessions (or the app and `python -m dl_core prepare`) arriving
    together train it once; the second calls `on_wait()` (to say so) and waits for the first one's
    file, which is written atomically (a unique temporary name, then a rename).
    """
    from .. import registry, store

    def build() -> None:
        result = train_digits_cnn(None, DigitsCNNConfig(), callbacks=callbacks, caller=caller)
        save_digits_cnn(result.model, result.details["config"], {"test_accuracy": result.metrics["test_accuracy"]})

    return store.build_once("digits-cnn", exists=lambda: registry.available("digits-cnn"), build=build,
                            on_wait=on_wait)


# ---- a person's own digit (canvas or upload) -----------------------------------------------------

def digit_from_image(image: "np.ndarray | Image.Image", min_ink: float = 0.02) -> np.ndarray:
    """Turn a drawing or photo of one digit into an 8x8 array in [0, 1] like sklearn's digits.

    Ink is whatever differs from the background (dark-on-light or light-on-dark; an RGBA canvas uses
    its alpha). The ink's bounding box is centred in a square with a small margin, then averaged
    down to 8x8 (sklearn's digits were made by counting ink in 4x4 blocks, which is averaging).
    """
    from PIL import Image

    arr = np.asarray(image)
    if arr.ndim == 3 and arr.shape[2] == 4 and arr[..., 3].max() > 0 and arr[..., 3].min() == 0:
        ink = arr[..., 3].astype(np.float32) / 255.0  # transparent canvas: strokes are opaque
    else:
        rgb = arr[..., :3] if arr.ndim == 3 else arr
        gray = rgb.astype(np.float32).mean(axis=2) if rgb.ndim == 3 else rgb.astype(np.float32)
        gray = gray / 255.0 if gray.max() > 1 else gray
        background = np.median(np.concatenate([gray[0], gray[-1], gray[:, 0], gray[:, -1]]))
        ink = np.abs(gray - background)
    if ink.ndim != 2 or min(ink.shape) < 1:
        raise InputError("The digit image has no pixels; draw or upload a digit.")
    mask = ink > 0.1 * ink.max() if ink.max() > 0 else ink > 1
    if mask.mean() < min_ink / 10 or not mask.any():
        raise InputError("No digit found: the image is blank. Draw a digit (one stroke is enough).")
    rows, cols = np.flatnonzero(mask.any(1)), np.flatnonzero(mask.any(0))
    crop = ink[rows[0]: rows[-1] + 1, cols[0]: cols[-1] + 1]
    side = max(crop.shape)  # sklearn digits fill all 8 rows (and ~6 of 8 columns): no margin
    square = np.zeros((side, side), dtype=np.float32)
    top, left = (side - crop.shape[0]) // 2, (side - crop.shape[1]) // 2
    square[top: top + crop.shape[0], left: left + crop.shape[1]] = crop
    small = Image.fromarray((square / max(square.max(), 1e-6) * 255).astype(np.uint8)).resize(
        (8, 8), Image.BOX)
    out = np.asarray(small, dtype=np.float32) / 255.0
    return np.clip(out / max(out.max(), 1e-6), 0, 1)  # the darkest block = full ink, like the data
