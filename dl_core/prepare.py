"""Build every default model the app trains here, before anybody clicks: `python -m dl_core prepare`.

Each use case that trains a default model on first use (digits CNN, sentiment head with its review
embeddings, diffusion UNet) exposes a function that builds it under `store.build_once`'s
cross-process lock: the app and a `prepare` running at the same time never train the same model
twice, and whoever comes second waits and then finds it ready.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from .errors import InputError

Status = Literal["ready", "built", "failed"]


@dataclass(frozen=True)
class Preparable:
    name: str
    what: str  # for people: what is built and from what
    exists: Callable[[], bool]  # cheap: is it in the data folder already?
    build: Callable[[list[Any]], Any]  # builds it (under the use case's build lock), given training callbacks


def _registry_has(name: str) -> Callable[[], bool]:
    def check() -> bool:
        from . import registry

        return registry.available(name)

    return check


def _digits_cnn(callbacks: list[Any]) -> None:
    from . import vision

    vision.ensure_digits_cnn(caller="cli")  # 2-5 s: no progress bar needed


def _sentiment(callbacks: list[Any]) -> None:
    from . import nlp

    nlp.default_sentiment_model(callbacks=callbacks, caller="cli")


def _diffusion(callbacks: list[Any]) -> None:
    from . import generative

    generative.build_default_diffusion(callbacks=callbacks, caller="cli")


def _judge_exists() -> bool:
    from . import generative, store

    return store.path_for(generative.CLASSIFIER_FILE).is_file()


def _judge(callbacks: list[Any]) -> None:
    from . import generative

    generative.digit_judge()


def _directions_exists() -> bool:
    from . import generative

    return generative.face_directions_ready()


def _directions(callbacks: list[Any]) -> None:
    from . import device, generative, registry

    generative.face_directions(registry.load(generative.FACE_MODEL, device.get()))


def _grid_exists() -> bool:
    from . import clustering

    return clustering.load_default_grid() is not None


def _grid(callbacks: list[Any]) -> None:
    from . import clustering

    clustering.default_grid()


PREPARABLE: tuple[Preparable, ...] = (
    Preparable("digits-cnn", "the Vision page's digits CNN, trained on scikit-learn's digits",
               _registry_has("digits-cnn"), _digits_cnn),
    Preparable("minilm-sentiment", "the Language page's sentiment head: 12.8k reviews embedded by MiniLM, "
               "then a head trained on them", _registry_has("minilm-sentiment"), _sentiment),
    Preparable("diffusion-digits", "the Generative page's diffusion UNet, trained on 16x16 digits",
               _registry_has("diffusion-digits"), _diffusion),
    Preparable("digits-judge", "the classifier that scores generated digits", _judge_exists, _judge),
    Preparable("face-directions", "the face GAN's latent-direction sliders", _directions_exists, _directions),
    Preparable("clustering-grid", "the Clustering page's default 6 x 12 comparison grid", _grid_exists, _grid),
)


def preparable() -> dict[str, Preparable]:
    return {p.name: p for p in PREPARABLE}


def prepare(only: Sequence[str] | None = None,
            callbacks_for: Callable[[Preparable], Sequence[Any]] = lambda p: (),
            on_status: Callable[[str, Status, float, str], None] | None = None) -> dict[str, dict[str, Any]]:
    """Build the missing default models (all, or `only` these names); returns, per model,
    {"status": "ready"|"built"|"failed", "seconds": S} (+ "error" when it failed)."""
    table = preparable()
    names = list(dict.fromkeys(only)) if only else list(table)  # each once, in the order given
    unknown = [n for n in names if n not in table]
    if unknown:
        raise InputError(f"Nothing to prepare called {', '.join(unknown)}. Valid: {', '.join(table)}.")
    results: dict[str, dict[str, Any]] = {}
    for name in names:
        item = table[name]
        t0 = time.perf_counter()
        status: Status
        error = ""
        if item.exists():
            status = "ready"
        else:
            try:
                item.build(list(callbacks_for(item)))
                status = "built" if item.exists() else "failed"
                if status == "failed":
                    error = "the build finished but the model file is missing"
            except Exception as exc:  # one model failing must not stop the others
                status, error = "failed", f"{type(exc).__name__}: {exc}"
        results[name] = {"status": status, "seconds": round(time.perf_counter() - t0, 2)}
        if error:
            results[name]["error"] = error
        if on_status is not None:
            on_status(name, status, results[name]["seconds"], error)
    return results
