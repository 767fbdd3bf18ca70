"""Teach your own classifier: the pretrained CNN as a frozen feature extractor + a small head trained here.

    files = classes_from_zip(zip_bytes)                       # LabelledFiles: checked, not decoded yet
    data = labelled_features(files, clf)                      # (N, 1280) features, decoded in small batches
    result = train_head(data, HeadConfig(epochs=30), caller="cli")   # training.TrainedModel
    result.metrics["val_accuracy"], result.details["confusion"]

Uploads are decoded at the network's input size and turned into 1,280 numbers each right away, a batch
at a time, so 1,000 phone photos cost a few MB of features instead of tens of GB of pixels. The head
(dropout + one linear layer) is saved as safetensors with its labels (`head_to_bytes` / `head_from_bytes`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import InputError
from .photos import IMAGE_SUFFIXES, Prediction, read_photo

if TYPE_CHECKING:
    from PIL import Image
    from torch import nn

    from ..pretrained import ImageNetClassifier
    from ..tracking import Caller
    from ..training import Callback, CancelToken, TrainedModel

MIN_PER_CLASS = 3  # so that each class has examples on both sides of the validation split
MAX_CLASSES = 20
MAX_IMAGES = 1000
FEATURES = 1280  # EfficientNet-Lite0's pooled last conv layer
EXPERIMENT = "vision/transfer-head"


@dataclass
class LabelledFiles:
    """Uploaded image files grouped by class (checked names and counts; decoded later, in batches)."""

    files: list[tuple[str, bytes]]  # (name shown in messages, raw bytes)
    labels: list[int]
    classes: list[str]
    notices: list[str] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return {c: self.labels.count(i) for i, c in enumerate(self.classes)}


@dataclass
class LabelledFeatures:
    """What the head trains on: (N, 1280) frozen features, their class indices and the class names."""

    features: np.ndarray
    labels: list[int]
    classes: list[str]

    def check(self) -> None:
        x = np.asarray(self.features)
        if x.ndim != 2 or x.shape[0] != len(self.labels):
            raise InputError(f"features must be (N, F) with one label per row; got {x.shape} and "
                             f"{len(self.labels)} labels.")
        if not 2 <= len(self.classes) <= MAX_CLASSES:
            raise InputError(f"a classifier needs 2 to {MAX_CLASSES} classes, got {len(self.classes)}.")
        if any(not 0 <= y < len(self.classes) for y in self.labels):
            raise InputError(f"labels must be class indices between 0 and {len(self.classes) - 1}.")
        if len(set(self.labels)) < 2:
            raise InputError("Training needs examples of at least two classes.")
        if not np.isfinite(x).all():
            raise InputError("features contain NaN or infinite values.")


def collect_classes(groups: Mapping[str, Sequence[tuple[str, bytes]]], notices: Sequence[str] = ()) -> LabelledFiles:
    """Check the classes: ≥ 2, each named once, none empty, ≥ MIN_PER_CLASS images each, ≤ MAX_IMAGES in all."""
    named: dict[str, Sequence[tuple[str, bytes]]] = {}
    for raw, files in groups.items():
        name = str(raw).strip()
        if not name:
            raise InputError("A class has no name; type a name for every class.")
        if name in named:
            raise InputError(f"Two classes are both called {name!r}; give every class its own name.")
        named[name] = files
    if len(named) < 2:
        raise InputError(f"A classifier needs at least two classes; found {len(named)}. Add another class.")
    if len(named) > MAX_CLASSES:
        raise InputError(f"{len(named)} classes is more than the limit of {MAX_CLASSES}.")
    empty = [n for n, files in named.items() if not files]
    if empty:
        raise InputError(f"Class {', '.join(map(repr, empty))} has no images; upload some or remove it.")
    few = {n: len(f) for n, f in named.items() if len(f) < MIN_PER_CLASS}
    if few:
        what = ", ".join(f"{n!r} has {k}" for n, k in few.items())
        raise InputError(f"Too few images: {what}. Give every class at least {MIN_PER_CLASS} images.")
    total = sum(len(f) for f in named.values())
    if total > MAX_IMAGES:
        raise InputError(f"{total} images is more than the limit of {MAX_IMAGES}; use fewer per class.")
    out = LabelledFiles(files=[], labels=[], classes=list(named), notices=list(notices))
    for i, (cls, files) in enumerate(named.items()):
        for fname, data in files:
            out.files.append((f"{fname} (class {cls!r})", data))
            out.labels.append(i)
    return out


def classes_from_zip(data: bytes, name: str = "the zip") -> LabelledFiles:
    """A zip with one folder per class (optionally inside one top folder) → checked labelled files."""
    from .. import inputs

    members = inputs.read_zip(data, name=name)
    skipped = [str(m.path) for m in members if m.path.suffix.lower() not in IMAGE_SUFFIXES]
    members = [m for m in members if m.path.suffix.lower() in IMAGE_SUFFIXES]
    paths = [m.path for m in members]
    # A zip of a folder "animals/" holding "cats/", "dogs/": drop the common top folder.
    while paths and all(len(p.parts) > 2 for p in paths) and len({p.parts[0] for p in paths}) == 1:
        paths = [PurePosixPath(*p.parts[1:]) for p in paths]
    groups: dict[str, list[tuple[str, bytes]]] = {}
    loose = []
    for path, m in zip(paths, members):
        if len(path.parts) < 2:
            loose.append(str(m.path))
            continue
        groups.setdefault(path.parts[0], []).append((str(m.path), m.data))
    if loose and not groups:
        raise InputError(f"{name} has images but no class folders; put each class's images in a folder "
                         "named after the class (e.g. cats/1.jpg, dogs/1.jpg) and zip those folders.")
    notices = []
    if loose:
        notices.append(f"{len(loose)} image(s) outside any class folder were ignored (e.g. {loose[0]}).")
    if skipped:
        notices.append(f"{len(skipped)} file(s) that are not images were ignored (e.g. {skipped[0]}).")
    if not groups:
        raise InputError(f"{name} holds no images (.jpg, .png, .webp, .bmp, .gif) in class folders.")
    return collect_classes(groups, notices)


def embed(images: Sequence["Image.Image"], classifier: "ImageNetClassifier", batch_size: int = 32) -> np.ndarray:
    """(N, 1280) features of the frozen CNN: pooled output of its last conv layer, before the classifier."""
    import torch

    from .. import device as devices

    net = classifier.model
    feats = []
    for i in range(0, len(images), batch_size):
        x = torch.stack([classifier.preprocess(im) for im in images[i: i + batch_size]]).to(classifier.device)
        with torch.inference_mode(), devices.autocast(classifier.device):
            f = net.extract_features(x)  # (B, 1280, 7, 7)
        feats.append(f.float().mean((2, 3)).cpu().numpy())
    return np.concatenate(feats) if feats else np.zeros((0, FEATURES), np.float32)


def image_features(files: Sequence[tuple[str, bytes]], classifier: "ImageNetClassifier", batch_size: int = 32,
                   on_progress: Callable[[int, int], None] | None = None) -> np.ndarray:
    """(N, 1280) features of uploaded files, decoded a batch at a time at the network's input size.

    Memory stays at one batch of small images whatever N is; a file that is not a readable image
    raises InputError naming it (and its class, with `collect_classes`' names).
    """
    feats = []
    for i in range(0, len(files), batch_size):
        images = [read_photo(data, name=name) for name, data in files[i: i + batch_size]]
        feats.append(embed(images, classifier, batch_size))
        if on_progress is not None:
            on_progress(min(i + batch_size, len(files)), len(files))
    return np.concatenate(feats) if feats else np.zeros((0, FEATURES), np.float32)


def labelled_features(data: LabelledFiles, classifier: "ImageNetClassifier") -> LabelledFeatures:
    return LabelledFeatures(image_features(data.files, classifier), list(data.labels), list(data.classes))


# ---- the head ------------------------------------------------------------------------------------

@dataclass
class HeadConfig:
    epochs: int = 30
    lr: float = 3e-3
    val_fraction: float = 0.25  # stratified: every class keeps at least one image on each side
    dropout: float = 0.2
    batch_size: int = 32
    seed: int = 0

    def check(self) -> None:
        if not 1 <= self.epochs <= 1000:
            raise InputError(f"epochs must be between 1 and 1,000, got {self.epochs}.")
        if not 0 < self.lr <= 1:
            raise InputError(f"learning rate must be in (0, 1], got {self.lr}.")
        if not 0.1 <= self.val_fraction <= 0.5:
            raise InputError(f"validation share must be between 0.1 and 0.5, got {self.val_fraction}.")
        if not 0 <= self.dropout < 1:
            raise InputError(f"dropout must be in [0, 1), got {self.dropout}.")
        if not 1 <= self.batch_size <= 1024:
            raise InputError(f"batch size must be between 1 and 1,024, got {self.batch_size}.")
        if not 0 <= self.seed < 2**32:
            raise InputError(f"seed must be between 0 and 2**32 - 1, got {self.seed}.")


def build_head(n_features: int, n_classes: int, dropout: float = 0.2) -> "nn.Module":
    from torch import nn

    return nn.Sequential(nn.Dropout(dropout), nn.Linear(n_features, n_classes))  # (B, 1280) -> (B, K)


def split_indices(labels: Sequence[int], val_fraction: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Stratified: every class keeps at least one example on each side."""
    rng = np.random.default_rng(seed)
    y = np.asarray(labels)
    train, val = [], []
    for c in np.unique(y):
        idx = rng.permutation(np.flatnonzero(y == c))
        k = min(max(1, round(len(idx) * val_fraction)), len(idx) - 1)
        val += idx[:k].tolist()
        train += idx[k:].tolist()
    return np.array(sorted(train)), np.array(sorted(val))


def _baselines(x_tr: np.ndarray, y_tr: np.ndarray, x_va: np.ndarray, y_va: np.ndarray) -> list[dict[str, Any]]:
    """What the head must beat on the same validation images: guessing the commonest class, and the
    nearest class centre of the same frozen features (no training at all)."""
    majority = np.bincount(y_tr).argmax()
    classes = np.unique(y_tr)
    centres = np.stack([x_tr[y_tr == c].mean(0) for c in classes])
    unit = lambda a: a / np.maximum(np.linalg.norm(a, axis=1, keepdims=True), 1e-12)  # noqa: E731
    nearest = classes[(unit(x_va) @ unit(centres).T).argmax(1)]
    return [{"name": "majority class", "val_accuracy": float((y_va == majority).mean())},
            {"name": "nearest class centre (same features)", "val_accuracy": float((nearest == y_va).mean())}]


def train_head(data: LabelledFeatures, config: HeadConfig | None = None, *, callbacks: Sequence["Callback"] = (),
               cancel: "CancelToken | None" = None, caller: "Caller" = "app") -> "TrainedModel":
    """Train, evaluate and log a classifier head on frozen features (the page and the CLI call this).

    `metrics` and `details` are `evaluate_head`'s, on a stratified validation split.
    """
    import torch
    import torch.nn.functional as F

    from .. import tracking, training

    config = config or HeadConfig()
    config.check()
    data.check()
    y = np.asarray(data.labels, dtype=np.int64)
    tr, va = split_indices(y, config.val_fraction, config.seed)
    x = torch.from_numpy(np.asarray(data.features, dtype=np.float32))
    yt = torch.from_numpy(y)

    def evaluate(model, loader) -> dict[str, float]:
        xs, ys = next(iter(loader))
        logits = model(xs)
        return {"val_loss": F.cross_entropy(logits, ys).item(),
                "val_accuracy": (logits.argmax(1) == ys).float().mean().item()}

    tc = training.TrainConfig(epochs=config.epochs, lr=config.lr, batch_size=config.batch_size, seed=config.seed,
                              monitor="val_loss", monitor_mode="min",
                              device="cpu")  # a linear layer on 1280 features: the CPU is fastest
    tc.check()
    # One validation batch holds the whole split (fit uses batches of ≥ 256; MAX_IMAGES keeps it small).
    val_loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(x[va], yt[va]), batch_size=len(va))
    with tracking.training_run(EXPERIMENT, config, caller=caller,
                               extra_params={"images": len(y), "n_classes": len(data.classes)}) as run:
        with training.seeded(config.seed):
            head = build_head(x.shape[1], len(data.classes), config.dropout)
        result = training.fit(head, (x[tr], yt[tr]), val_loader, config=tc, evaluate=evaluate,
                              callbacks=[*callbacks, run.callback], cancel=cancel)
        metrics, details = evaluate_head(head, data, config)
        run.log_final(metrics, model=head, extra={"classes": list(data.classes)})
    return training.TrainedModel(model=head, history=result.history, metrics=metrics, run_id=run.run_id,
                                 fit=result, details=details)


def evaluate_head(head: "nn.Module", data: LabelledFeatures, config: HeadConfig) -> tuple[dict[str, float],
                                                                                         dict[str, Any]]:
    """The head on the validation split that `config` defines (also for a partly trained head).

    metrics: val_accuracy, val_macro_precision, val_macro_recall.
    details: classes, confusion (rows = true class), per_class (precision, recall, support), baselines
    (majority class, nearest class centre of the same features), n_train, n_val, val_index,
    val_predicted, config.
    """
    from sklearn.metrics import confusion_matrix, precision_recall_fscore_support

    y = np.asarray(data.labels, dtype=np.int64)
    x = np.asarray(data.features, dtype=np.float32)
    tr, va = split_indices(y, config.val_fraction, config.seed)
    k = len(data.classes)
    pred = predict_head(head, x[va]).argmax(1)
    p, r, _, s = precision_recall_fscore_support(y[va], pred, labels=range(k), zero_division=0)
    metrics = {"val_accuracy": float((pred == y[va]).mean()), "val_macro_precision": float(p.mean()),
               "val_macro_recall": float(r.mean())}
    per_class = [{"class": c, "precision": float(p[i]), "recall": float(r[i]), "support": int(s[i])}
                 for i, c in enumerate(data.classes)]
    details = {"classes": list(data.classes), "confusion": confusion_matrix(y[va], pred, labels=range(k)),
               "per_class": per_class, "baselines": _baselines(x[tr], y[tr], x[va], y[va]),
               "n_train": len(tr), "n_val": len(va), "val_index": va, "val_predicted": pred, "config": config}
    return metrics, details


def predict_head(head: "nn.Module", features: np.ndarray) -> np.ndarray:
    """(N, 1280) features → (N, K) class probabilities."""
    import torch

    head.eval()
    with torch.no_grad():
        return torch.softmax(head(torch.from_numpy(np.asarray(features, np.float32))), 1).numpy()


def classify_features(features: np.ndarray, head: "nn.Module", classes: Sequence[str]) -> list[list[Prediction]]:
    """Each row's classes, best first, by a person's own trained head."""
    probs = predict_head(head, features)
    return [[Prediction(classes[j], float(row[j]), int(j)) for j in np.argsort(-row)] for row in probs]


def classify_with_head(images: Sequence["Image.Image"], classifier: "ImageNetClassifier", head: "nn.Module",
                       classes: Sequence[str]) -> list[list[Prediction]]:
    """Each image's classes, best first, by a person's own trained head."""
    return classify_features(embed(images, classifier), head, classes)


def head_to_bytes(head: "nn.Module", classes: Sequence[str], extra: Mapping[str, Any] | None = None) -> bytes:
    """A downloadable safetensors file with the head's weights and, in its metadata, the labels."""
    from .. import store

    meta = {"classes": list(classes), "feature_model": "efficientnet-lite0", "features": "avg-pooled 1280-d",
            **dict(extra or {})}
    return store.to_bytes(head.state_dict(), meta)


def head_from_bytes(data: bytes) -> tuple["nn.Module", list[str]]:
    """Inverse of `head_to_bytes`; refuses files that are not such a head."""
    from .. import store

    state, meta = store.from_bytes(data)
    classes = meta.get("classes")
    weight = state.get("1.weight")
    if not classes or weight is None or weight.shape[0] != len(classes):
        raise InputError("This safetensors file is not a classifier head saved by the Vision page.")
    head = build_head(weight.shape[1], len(classes))
    head.load_state_dict(state)
    return head.eval(), list(classes)
