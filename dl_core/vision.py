"""Vision: classify photos with a pretrained CNN and explain it, and teach it new classes.

- `classify` / `classify_image`: top-k ImageNet classes for one or many images (batched);
- `explain`: a Grad-CAM or integrated-gradients heatmap over the 224x224 crop the network saw;
- transfer learning: frozen EfficientNet-Lite0 features (`embed`) + a small `TransferHead` trained
  with `train_head`, saved as safetensors with its labels (`head_to_bytes` / `head_from_bytes`).
The digits CNN (training, baselines, drawn digits, semi-supervised) lives in `vision_digits.py`;
its registry loader is re-exported here as `load_digits_cnn`.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from .errors import InputError
from .vision_digits import (  # noqa: F401  (re-exported: the registry names dl_core.vision:load_digits_cnn)
    DigitsCNNConfig,
    ensure_digits_cnn,
    load_digits_cnn,
    train_digits_cnn,
)

if TYPE_CHECKING:
    import torch
    from PIL import Image
    from torch import nn

    from .pretrained import ImageNetClassifier
    from .training import Callback, CancelToken, FitResult

MAX_TOP_K = 20
EXAMPLE_PHOTOS = {  # scikit-image's bundled sample photos (no download needed)
    "cat (chelsea)": "chelsea",
    "coffee cup": "coffee",
    "astronaut": "astronaut",
    "rocket": "rocket",
}
IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".webp", ".bmp", ".gif"}


@dataclass
class Prediction:
    label: str
    score: float  # probability in [0, 1]


def example_photo(name: str) -> "Image.Image":
    """One of scikit-image's bundled sample photos, by its display name or skimage name."""
    from PIL import Image
    from skimage import data

    key = EXAMPLE_PHOTOS.get(name, name)
    if key not in EXAMPLE_PHOTOS.values():
        raise InputError(f"Unknown example photo {name!r}; choose one of {', '.join(EXAMPLE_PHOTOS)}.")
    return Image.fromarray(getattr(data, key)()).convert("RGB")


# ---- classification ------------------------------------------------------------------------------

def _check_top_k(top_k: int) -> None:
    if not 1 <= int(top_k) <= MAX_TOP_K:
        raise InputError(f"top-k must be between 1 and {MAX_TOP_K}, got {top_k}.")


def is_pipeline(classifier: Any) -> bool:
    """Optional hub models are transformers pipelines (which have their own `preprocess`)."""
    from .pretrained import ImageNetClassifier

    return not isinstance(classifier, ImageNetClassifier)


def classify(images: Sequence["Image.Image"], classifier: "ImageNetClassifier | Any", top_k: int = 5,
             batch_size: int = 16) -> list[list[Prediction]]:
    """Top-k predictions (best first) for each image; works with the bundled CNN or a hub pipeline."""
    import torch

    _check_top_k(top_k)
    if not images:
        raise InputError("No images to classify; upload at least one.")
    if is_pipeline(classifier):
        out = classifier(list(images), top_k=top_k)
        out = [out] if out and isinstance(out[0], dict) else out
        return [[Prediction(str(p["label"]), float(p["score"])) for p in preds] for preds in out]
    results: list[list[Prediction]] = []
    for i in range(0, len(images), batch_size):
        x = torch.stack([classifier.preprocess(im) for im in images[i: i + batch_size]])  # (B, 3, 224, 224)
        probs = predict_proba(classifier, x)
        scores, idx = probs.topk(top_k, dim=1)
        for s_row, i_row in zip(scores.tolist(), idx.tolist()):
            results.append([Prediction(classifier.labels[j], float(s)) for s, j in zip(s_row, i_row)])
    return results


def predict_proba(classifier: "ImageNetClassifier", x: "torch.Tensor") -> "torch.Tensor":
    """Softmax probabilities (B, 1000) for a preprocessed batch (B, 3, 224, 224), on the CPU."""
    import torch

    from . import device as devices

    with torch.inference_mode(), devices.autocast(classifier.device):
        logits = classifier.model(x.to(classifier.device))
    return torch.softmax(logits.float(), dim=1).cpu()


def classify_image(image: "Image.Image", classifier: "ImageNetClassifier | Any", top_k: int = 5) -> list[Prediction]:
    return classify([image], classifier, top_k)[0]


def preprocessed_view(classifier: "ImageNetClassifier", image: "Image.Image") -> np.ndarray:
    """The 224x224 crop the network actually sees, as uint8 RGB (normalisation undone)."""
    x = classifier.preprocess(image)  # (3, 224, 224) in [-1, 1]
    return ((x.permute(1, 2, 0).numpy() * 0.5 + 0.5).clip(0, 1) * 255).astype(np.uint8)


ExplainMethod = Literal["grad-cam", "integrated-gradients"]


def explain(classifier: "ImageNetClassifier", image: "Image.Image", target: int | str | None = None,
            method: ExplainMethod = "grad-cam", n_steps: int = 24) -> np.ndarray:
    """(224, 224) heatmap in [0, 1] over the preprocessed crop: where the evidence for `target` is.

    Grad-CAM weights the last conv feature maps (7x7) by their gradients: coarse but clear.
    Integrated gradients attribute to every pixel along a path from a grey image: finer, noisier.
    """
    import torch

    from . import explain as attributions

    x = classifier.preprocess(image).unsqueeze(0).to(classifier.device)  # (1, 3, 224, 224)
    if target is None:
        target = int(predict_proba(classifier, x).argmax())
    elif isinstance(target, str):
        if target not in classifier.labels:
            raise InputError(f"{target!r} is not one of the model's classes.")
        target = classifier.labels.index(target)
    model = classifier.model
    if method == "grad-cam":
        # _bn1: the last conv block's output before the shared swish module (hooking that would fire twice)
        layer = getattr(model, "_bn1", None)
        if layer is None:
            raise InputError("Grad-CAM needs the bundled EfficientNet; use integrated gradients instead.")
        with torch.enable_grad():
            return attributions.grad_cam(model, layer, x, target)
    if method == "integrated-gradients":
        with torch.enable_grad():
            attr = attributions.integrated_gradients(model, x, target=target, baseline=0.0, n_steps=n_steps)
        heat = np.abs(attr[0]).sum(0)  # (224, 224)
        heat = _blur(heat, 5)
        hi = np.percentile(heat, 99.5)  # a few extreme pixels would otherwise wash out the map
        return np.clip(heat / hi, 0, 1).astype(np.float32) if hi > 0 else np.zeros_like(heat)
    raise InputError(f"Unknown explanation method {method!r}; use 'grad-cam' or 'integrated-gradients'.")


def _blur(a: np.ndarray, k: int) -> np.ndarray:
    """Box blur (k x k) so that pixel attributions read as regions."""
    pad = np.pad(a, k // 2, mode="edge")
    c = pad.cumsum(0).cumsum(1)
    c = np.pad(c, ((1, 0), (1, 0)))
    return (c[k:, k:] - c[:-k, k:] - c[k:, :-k] + c[:-k, :-k]) / (k * k)


def overlay(photo: np.ndarray, heat: np.ndarray, opacity: float = 0.5) -> np.ndarray:
    """Blend a [0, 1] heatmap (coloured dark-blue → red → yellow) over an RGB uint8 photo of the same size."""
    if not 0 <= opacity <= 1:
        raise InputError(f"opacity must be between 0 and 1, got {opacity}.")
    if photo.shape[:2] != heat.shape:
        raise InputError(f"heatmap {heat.shape} and photo {photo.shape[:2]} differ in size.")
    anchors = np.array([[0, 0, 60], [120, 0, 160], [230, 40, 40], [255, 200, 0], [255, 255, 200]], float)
    pos = np.clip(heat, 0, 1) * (len(anchors) - 1)
    lo = np.floor(pos).astype(int).clip(0, len(anchors) - 2)
    frac = (pos - lo)[..., None]
    colour = anchors[lo] * (1 - frac) + anchors[lo + 1] * frac
    return (photo.astype(float) * (1 - opacity) + colour * opacity).clip(0, 255).astype(np.uint8)


def results_table(names: Sequence[str], predictions: Sequence[Sequence[Prediction]]) -> list[dict[str, Any]]:
    """One row per image: file, top label and score, and the runners-up, e.g. for a CSV download."""
    rows = []
    for name, preds in zip(names, predictions):
        row: dict[str, Any] = {"file": name, "top label": preds[0].label, "top score": round(preds[0].score, 4)}
        for i, p in enumerate(preds[1:], start=2):
            row[f"label {i}"] = p.label
            row[f"score {i}"] = round(p.score, 4)
        rows.append(row)
    return rows


# ---- transfer learning ---------------------------------------------------------------------------

MIN_PER_CLASS = 3  # so that each class has examples on both sides of the validation split
MAX_CLASSES = 20
MAX_IMAGES = 1000


@dataclass
class LabelledImages:
    """Images grouped by class name, with notes about files that were skipped."""

    images: list["Image.Image"]
    labels: list[int]
    classes: list[str]
    names: list[str] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return {c: self.labels.count(i) for i, c in enumerate(self.classes)}


def collect_classes(groups: Mapping[str, Sequence[tuple[str, bytes]]], notices: Sequence[str] = ()) -> LabelledImages:
    """Read and check images per class: ≥ 2 classes, none empty, ≥ MIN_PER_CLASS images each."""
    from . import inputs

    named = {}
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
    out = LabelledImages(images=[], labels=[], classes=list(named), notices=list(notices))
    for i, (cls, files) in enumerate(named.items()):
        for fname, data in files:
            out.images.append(inputs.read_image(data, name=f"{fname} (class {cls!r})"))
            out.labels.append(i)
            out.names.append(fname)
    return out


def classes_from_zip(data: bytes, name: str = "the zip") -> LabelledImages:
    """A zip with one folder per class (optionally inside one top folder) → checked labelled images."""
    from . import inputs

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

    from . import device as devices

    net = classifier.model
    feats = []
    for i in range(0, len(images), batch_size):
        x = torch.stack([classifier.preprocess(im) for im in images[i: i + batch_size]]).to(classifier.device)
        with torch.inference_mode(), devices.autocast(classifier.device):
            f = net.extract_features(x)  # (B, 1280, 7, 7)
        feats.append(f.float().mean((2, 3)).cpu().numpy())
    return np.concatenate(feats) if feats else np.zeros((0, 1280), np.float32)


@dataclass
class HeadConfig:
    epochs: int = 30
    lr: float = 3e-3
    val_fraction: float = 0.25
    dropout: float = 0.2
    batch_size: int = 32
    seed: int = 0

    def check(self) -> None:
        if not 0.1 <= self.val_fraction <= 0.5:
            raise InputError(f"validation share must be between 0.1 and 0.5, got {self.val_fraction}.")
        if not 0 <= self.dropout < 1:
            raise InputError(f"dropout must be in [0, 1), got {self.dropout}.")


def build_head(n_features: int, n_classes: int, dropout: float = 0.2) -> "nn.Module":
    from torch import nn

    return nn.Sequential(nn.Dropout(dropout), nn.Linear(n_features, n_classes))  # (B, 1280) -> (B, K)


@dataclass
class HeadRun:
    head: "nn.Module"
    classes: list[str]
    fit: "FitResult"
    val_accuracy: float
    confusion: np.ndarray  # validation set, rows = true class
    n_train: int
    n_val: int


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


def train_head(features: np.ndarray, labels: Sequence[int], classes: Sequence[str],
               config: HeadConfig | None = None, callbacks: Sequence["Callback"] = (),
               cancel: "CancelToken | None" = None) -> HeadRun:
    """Train a linear head (with dropout) on frozen features, with a stratified validation split."""
    import torch
    from sklearn.metrics import confusion_matrix

    from .training import TrainConfig, fit, seed_everything

    config = config or HeadConfig()
    config.check()
    y = np.asarray(labels, dtype=np.int64)
    if len(set(y.tolist())) < 2:
        raise InputError("Training needs examples of at least two classes.")
    tr, va = split_indices(y, config.val_fraction, config.seed)
    x = torch.from_numpy(np.asarray(features, dtype=np.float32))
    yt = torch.from_numpy(y)
    seed_everything(config.seed)
    head = build_head(x.shape[1], len(classes), config.dropout)

    def evaluate(model, loader) -> dict[str, float]:
        xs, ys = next(iter(loader))
        logits = model(xs)
        return {"val_loss": torch.nn.functional.cross_entropy(logits, ys).item(),
                "val_accuracy": (logits.argmax(1) == ys).float().mean().item()}

    tc = TrainConfig(epochs=config.epochs, lr=config.lr, batch_size=config.batch_size, seed=config.seed,
                     device="cpu")  # a linear layer on 1280 features: the CPU is fastest
    # One validation batch holds the whole split (fit uses batches of ≥ 256; MAX_IMAGES keeps it small).
    val_loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(x[va], yt[va]), batch_size=len(va))
    result = fit(head, (x[tr], yt[tr]), val_loader, config=tc, evaluate=evaluate, callbacks=list(callbacks),
                 cancel=cancel)
    pred = predict_head(head, x[va].numpy()).argmax(1)
    return HeadRun(head=head, classes=list(classes), fit=result, val_accuracy=float((pred == y[va]).mean()),
                   confusion=confusion_matrix(y[va], pred, labels=range(len(classes))),
                   n_train=len(tr), n_val=len(va))


def predict_head(head: "nn.Module", features: np.ndarray) -> np.ndarray:
    """(N, 1280) features → (N, K) class probabilities."""
    import torch

    head.eval()
    with torch.no_grad():
        return torch.softmax(head(torch.from_numpy(np.asarray(features, np.float32))), 1).numpy()


def classify_with_head(images: Sequence["Image.Image"], classifier: "ImageNetClassifier", head: "nn.Module",
                       classes: Sequence[str]) -> list[list[Prediction]]:
    """Each image's classes, best first, by a person's own trained head."""
    probs = predict_head(head, embed(images, classifier))
    return [[Prediction(classes[j], float(row[j])) for j in np.argsort(-row)] for row in probs]


def head_to_bytes(head: "nn.Module", classes: Sequence[str], extra: Mapping[str, Any] | None = None) -> bytes:
    """A downloadable safetensors file with the head's weights and, in its metadata, the labels."""
    from . import store

    meta = {"classes": list(classes), "feature_model": "efficientnet-lite0", "features": "avg-pooled 1280-d",
            **dict(extra or {})}
    return store.to_bytes(head.state_dict(), meta)


def head_from_bytes(data: bytes) -> tuple["nn.Module", list[str]]:
    """Inverse of `head_to_bytes`; refuses files that are not such a head."""
    from . import store

    state, meta = store.from_bytes(data)
    classes = meta.get("classes")
    weight = state.get("1.weight")
    if not classes or weight is None or weight.shape[0] != len(classes):
        raise InputError("This safetensors file is not a classifier head saved by the Vision page.")
    head = build_head(weight.shape[1], len(classes))
    head.load_state_dict(state)
    return head.eval(), list(classes)


def image_bytes(image: "Image.Image", fmt: str = "PNG") -> bytes:
    buf = io.BytesIO()
    image.save(buf, format=fmt)
    return buf.getvalue()

