"""A small CNN on scikit-learn's 8x8 handwritten digits: data, model, training, evaluation,
shallow baselines, hand-drawn digits, and semi-supervised learning with few labels.

Everything here runs on CPU in seconds; heavy libraries (torch, sklearn) are imported inside functions.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from .errors import InputError

if TYPE_CHECKING:
    import torch
    from PIL import Image
    from torch import nn

    from .registry import ModelSpec
    from .training import Callback, CancelToken, FitResult

DIGITS_FILE = "digits_cnn.safetensors"  # the registry's `digits-cnn` local model
PIXEL_MAX = 16.0  # sklearn digits hold ink counts 0..16 per 4x4 block of a 32x32 bitmap


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

    conv_layers: int = 2  # 1-3; 8x8 inputs are pooled to 4x4 then 2x2, so more adds little
    filters: int = 16  # channels of the first conv layer; doubled at each further layer
    kernel_size: int = 3  # 3 or 5 ("same" padding keeps the 8x8 grid)
    dropout: float = 0.25
    lr: float = 3e-3
    batch_size: int = 64
    epochs: int = 15
    train_fraction: float = 0.7
    augment: bool = True  # random 1-pixel shifts: cheap, and drawn digits are rarely centred
    seed: int = 0

    def check(self) -> None:
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

    def train_config(self) -> Any:
        from .training import TrainConfig

        return TrainConfig(epochs=self.epochs, lr=self.lr, batch_size=self.batch_size, seed=self.seed)


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


@dataclass
class DigitsRun:
    model: "nn.Module"
    config: DigitsCNNConfig
    data: DigitsData
    fit: "FitResult"
    test_accuracy: float
    seconds: float
    device: str


def train_digits_cnn(config: DigitsCNNConfig | None = None, callbacks: Sequence["Callback"] = (),
                     cancel: "CancelToken | None" = None, data: DigitsData | None = None,
                     device: "torch.device | str | None" = None) -> DigitsRun:
    """Build and train a digits CNN with `config`; returns the model (best epoch) and its test accuracy."""
    import torch

    from . import device as devices
    from .training import fit

    config = config or DigitsCNNConfig()
    config.check()
    data = data or load_digits_data(config.train_fraction, config.seed)
    dev = torch.device(device) if device is not None else devices.get()
    tc = config.train_config()
    tc.device = str(dev)
    from .training import seed_everything

    seed_everything(config.seed)  # the weights' initialisation depends on the seed too
    model = build_digits_cnn(config)
    started = time.perf_counter()
    train = (torch.from_numpy(data.x_train), torch.from_numpy(data.y_train))
    val = (torch.from_numpy(data.x_val), torch.from_numpy(data.y_val))
    result = fit(model, train, val, config=tc, batch_loss=_batch_loss(config.augment, config.seed),
                 evaluate=_evaluate, callbacks=list(callbacks), cancel=cancel)
    seconds = time.perf_counter() - started
    acc = float((predict_digits(model, data.x_test).argmax(1) == data.y_test).mean())
    return DigitsRun(model=model, config=config, data=data, fit=result, test_accuracy=acc,
                     seconds=seconds, device=dev.type)


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
    """Logistic regression and a one-hidden-layer MLP on the 64 raw pixels, same train/test split."""
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
    """Write the weights (safetensors) with the config needed to rebuild the network."""
    from . import store

    return store.save(file_name, model.state_dict(), {"config": asdict(config), **(metrics or {})})


def load_digits_cnn(spec: "ModelSpec", device: "torch.device") -> "nn.Module":
    """Registry loader for `digits-cnn`: rebuild the architecture from the saved config, load weights."""
    from . import store

    state, meta = store.load(spec.local_file or DIGITS_FILE)
    config = DigitsCNNConfig(**meta.get("config", {}))
    model = build_digits_cnn(config)
    model.load_state_dict(state)
    return model.eval().to(device)


def ensure_digits_cnn() -> bool:
    """Train and save the default digits CNN once if it is missing (~2-5 s on CPU). True if trained now."""
    from . import registry

    if registry.available("digits-cnn"):
        return False
    run = train_digits_cnn(DigitsCNNConfig())
    save_digits_cnn(run.model, run.config, {"test_accuracy": run.test_accuracy})
    return True


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


# ---- semi-supervised -----------------------------------------------------------------------------

SemiMethod = Literal["label spreading", "self-training"]


@dataclass
class SemiSupervisedResult:
    n_labels: list[int]
    supervised: list[float]  # logistic regression on the labelled examples only
    semi: dict[str, list[float]] = field(default_factory=dict)  # method -> accuracies
    n_unlabelled: int = 0
    n_test: int = 0


def semi_supervised_curve(n_labels: Sequence[int], methods: Sequence[SemiMethod] = ("label spreading",),
                          seed: int = 0, n_components: int = 30) -> SemiSupervisedResult:
    """Accuracy against the number of labels: supervised-only vs semi-supervised, on digit embeddings.

    Embeddings are PCA on all training pixels (unsupervised, so the unlabelled data may shape them).
    For each N, N training digits keep their labels (at least one per class), the rest are unlabelled;
    every model is scored on the same held-out test set.
    """
    from sklearn.datasets import load_digits
    from sklearn.decomposition import PCA
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import train_test_split
    from sklearn.semi_supervised import LabelSpreading, SelfTrainingClassifier

    digits = load_digits()
    x_tr, x_te, y_tr, y_te = train_test_split(digits.data / PIXEL_MAX, digits.target, test_size=0.25,
                                              stratify=digits.target, random_state=seed)
    ns = sorted({int(n) for n in n_labels})
    if not ns or ns[0] < 10 or ns[-1] > len(y_tr):
        raise InputError(f"numbers of labels must be between 10 (one per digit) and {len(y_tr)}, got {ns}.")
    for m in methods:
        if m not in ("label spreading", "self-training"):
            raise InputError(f"unknown semi-supervised method {m!r}; use 'label spreading' or 'self-training'.")
    pca = PCA(n_components=n_components, random_state=seed).fit(x_tr)
    z_tr, z_te = pca.transform(x_tr), pca.transform(x_te)
    rng = np.random.default_rng(seed)
    order = _label_order(y_tr, rng)
    result = SemiSupervisedResult(n_labels=ns, supervised=[], semi={m: [] for m in methods},
                                  n_unlabelled=len(y_tr), n_test=len(y_te))
    for n in ns:
        labelled = order[:n]
        sup = LogisticRegression(max_iter=2000).fit(z_tr[labelled], y_tr[labelled])
        result.supervised.append(float(sup.score(z_te, y_te)))
        y_partial = np.full_like(y_tr, -1)
        y_partial[labelled] = y_tr[labelled]
        for m in methods:
            if m == "label spreading":
                model = LabelSpreading(kernel="knn", n_neighbors=7, alpha=0.2, max_iter=100)
            else:
                # a few rounds of pseudo-labelling capture most of the gain, at a fraction of the cost
                model = SelfTrainingClassifier(LogisticRegression(max_iter=2000), threshold=0.9, max_iter=5)
            with warnings.catch_warnings():
                # label spreading divides by zero for points without labelled neighbours; they stay unlabelled
                warnings.simplefilter("ignore", RuntimeWarning)
                model.fit(z_tr, y_partial)
                result.semi[m].append(float(model.score(z_te, y_te)))
    return result


def _label_order(y: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A random order of training indices whose first 10 cover every digit once (so N ≥ 10 sees all)."""
    first = np.array([rng.choice(np.flatnonzero(y == d)) for d in range(10)])
    rest = rng.permutation(np.setdiff1d(np.arange(len(y)), first))
    return np.concatenate([first, rest])
