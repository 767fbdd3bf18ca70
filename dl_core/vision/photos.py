"""Classify photos with a pretrained CNN, and show where it looked.

- `classify` / `classify_image`: top-k ImageNet classes for one or many images (batched), named as
  people say them ("tiger cat"; `Prediction.description` holds the long form for a tooltip);
- `explain`: a Grad-CAM or integrated-gradients heatmap over the 224x224 crop the network saw;
- `read_photo`: an upload decoded at the size the network needs (never the full 12 megapixels).

    clf = registry.load("efficientnet-lite0", "cpu")
    preds = classify([example_photo("chelsea")], clf, top_k=3)[0]   # [Prediction("tabby cat", 0.5...), ...]
    heat = explain(clf, example_photo("chelsea"), target=preds[0].index)   # (224, 224) in [0, 1]
"""

from __future__ import annotations

import contextlib
import copy
import io
import threading
import weakref
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from ..errors import InputError

if TYPE_CHECKING:
    import torch
    from PIL import Image

    from ..inputs import Source
    from ..pretrained import ImageNetClassifier

MAX_TOP_K = 20
MAX_PHOTOS = 64  # one page of results; each photo costs ~25 ms on a CPU, more to upload
# The bundled network resizes the short side to 256 px and crops 224x224: a photo decoded with a short
# side of 256 gives the same input, and that size is also plenty to show it beside the heatmap.
MODEL_SIDE = 256
EXAMPLE_PHOTOS = {  # scikit-image's bundled sample photos (no download needed)
    "cat (chelsea)": "chelsea",
    "coffee cup": "coffee",
    "astronaut": "astronaut",
    "rocket": "rocket",
}
IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".webp", ".bmp", ".gif"}
IMAGE_TYPES = sorted(s.lstrip(".") for s in IMAGE_SUFFIXES)  # for upload widgets


@dataclass
class Prediction:
    label: str
    score: float  # probability in [0, 1]
    index: int = -1  # the class id in the model's output (-1 for hub pipelines)
    description: str = ""  # a longer explanation of the label, where there is one


def example_photo(name: str) -> "Image.Image":
    """One of scikit-image's bundled sample photos, by its display name or skimage name."""
    from PIL import Image
    from skimage import data

    key = EXAMPLE_PHOTOS.get(name, name)
    if key not in EXAMPLE_PHOTOS.values():
        raise InputError(f"Unknown example photo {name!r}; choose one of {', '.join(EXAMPLE_PHOTOS)}.")
    return Image.fromarray(getattr(data, key)()).convert("RGB")


# ---- classification ------------------------------------------------------------------------------

def read_photo(source: "Source", name: str | None = None) -> "Image.Image":
    """An uploaded photo as RGB, decoded (JPEG: at a reduced scale) to a short side of MODEL_SIDE."""
    from .. import inputs

    return inputs.read_image(source, name=name, short_side=MODEL_SIDE)


def check_top_k(top_k: int) -> None:
    if not 1 <= int(top_k) <= MAX_TOP_K:
        raise InputError(f"top-k must be between 1 and {MAX_TOP_K}, got {top_k}.")


def check_photo_count(n: int) -> None:
    if n > MAX_PHOTOS:
        raise InputError(f"{n} photos were uploaded; classify at most {MAX_PHOTOS} at a time "
                         "(remove some with the × next to each file).")


def label_names(classifier: "ImageNetClassifier") -> Sequence[str]:
    """The names shown for the classifier's outputs: short ImageNet names for a 1,000-class model."""
    if len(classifier.labels) == 1000:
        from .imagenet_names import short_names

        return short_names()
    return classifier.labels


def _description(classifier: "ImageNetClassifier", index: int) -> str:
    if len(classifier.labels) != 1000:
        return ""
    from .imagenet_names import description

    return description(index)


def is_pipeline(classifier: Any) -> bool:
    """Optional hub models are transformers pipelines (which have their own `preprocess`)."""
    from ..pretrained import ImageNetClassifier

    return not isinstance(classifier, ImageNetClassifier)


def classify(images: Sequence["Image.Image"], classifier: "ImageNetClassifier | Any", top_k: int = 5,
             batch_size: int = 16) -> list[list[Prediction]]:
    """Top-k predictions (best first) for each image; works with the bundled CNN or a hub pipeline."""
    import torch

    check_top_k(top_k)
    if not images:
        raise InputError("No images to classify; upload at least one.")
    if is_pipeline(classifier):
        out = classifier(list(images), top_k=top_k)
        out = [out] if out and isinstance(out[0], dict) else out
        return [[Prediction(str(p["label"]), float(p["score"])) for p in preds] for preds in out]
    names = label_names(classifier)
    results: list[list[Prediction]] = []
    for i in range(0, len(images), batch_size):
        x = torch.stack([classifier.preprocess(im) for im in images[i: i + batch_size]])  # (B, 3, 224, 224)
        probs = predict_proba(classifier, x)
        scores, idx = probs.topk(top_k, dim=1)
        for s_row, i_row in zip(scores.tolist(), idx.tolist()):
            results.append([Prediction(names[j], float(s), j, _description(classifier, j))
                            for s, j in zip(s_row, i_row)])
    return results


def predict_proba(classifier: "ImageNetClassifier", x: "torch.Tensor") -> "torch.Tensor":
    """Softmax probabilities (B, 1000) for a preprocessed batch (B, 3, 224, 224), on the CPU."""
    import torch

    from .. import device as devices

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

    from .. import explain as attributions

    if method not in ("grad-cam", "integrated-gradients"):
        raise InputError(f"Unknown explanation method {method!r}; use 'grad-cam' or 'integrated-gradients'.")
    if not 1 <= n_steps <= 256:
        raise InputError(f"integrated-gradients steps must be between 1 and 256, got {n_steps}.")
    x = classifier.preprocess(image).unsqueeze(0).to(classifier.device)  # (1, 3, 224, 224)
    if target is None:
        target = int(predict_proba(classifier, x).argmax())
    elif isinstance(target, str):
        names = list(label_names(classifier))
        if target in names:
            target = names.index(target)
        elif target in classifier.labels:
            target = classifier.labels.index(target)
        else:
            raise InputError(f"{target!r} is not one of the model's classes.")
    if not 0 <= int(target) < len(classifier.labels):
        raise InputError(f"class index must be between 0 and {len(classifier.labels) - 1}, got {target}.")
    if method == "grad-cam" and getattr(classifier.model, "_bn1", None) is None:
        raise InputError("Grad-CAM needs the bundled EfficientNet; use integrated gradients instead.")
    # captum hooks the network while it attributes: never the shared model, which other sessions'
    # forward passes go through at the same moment (they would feed the hook, or crash it).
    with private_copy(classifier.model) as model:
        if method == "grad-cam":
            # _bn1: the last conv block's output before the shared swish module (hooking that would fire twice)
            with torch.enable_grad():
                return attributions.grad_cam(model, model._bn1, x, target)
        with torch.enable_grad():
            attr = attributions.integrated_gradients(model, x, target=target, baseline=0.0, n_steps=n_steps)
    heat = np.abs(attr[0]).sum(0)  # (224, 224)
    heat = _blur(heat, 5)
    hi = np.percentile(heat, 99.5)  # a few extreme pixels would otherwise wash out the map
    return np.clip(heat / hi, 0, 1).astype(np.float32) if hi > 0 else np.zeros_like(heat)


# Private copies of shared models, for work that mutates a model while it runs (captum's hooks). A copy
# of EfficientNet-Lite0 takes ~0.25 s to make and 19 MB to keep: each is made once, lent to one call
# at a time, and kept for the next; there are never more than the attributions running at once.
_spares: "weakref.WeakKeyDictionary[Any, list[Any]]" = weakref.WeakKeyDictionary()
_spares_lock = threading.Lock()


@contextlib.contextmanager
def private_copy(model: Any) -> Iterator[Any]:
    """Lend a copy of `model` (in eval mode) that no other thread uses until the block ends."""
    with _spares_lock:
        spares = _spares.setdefault(model, [])
        mine = spares.pop() if spares else None
    if mine is None:
        mine = copy.deepcopy(model).eval()
    try:
        yield mine
    finally:
        with _spares_lock:
            _spares.setdefault(model, []).append(mine)


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


# ---- images as bytes ------------------------------------------------------------------------------

def image_bytes(image: "Image.Image", fmt: str = "PNG") -> bytes:
    buf = io.BytesIO()
    image.save(buf, format=fmt)
    return buf.getvalue()

