"""Build every default model the app trains here, before anybody clicks: `python -m dl_core prepare`.

Each use case that trains a default model on first use (digits CNN, sentiment head with its review
embeddings, diffusion UNet) exposes a function that builds it under `store.build_once`'s
cross-process lock: the app and a `prepare` running at the same time never train the same model
twice, and whoever comes second waits and then finds it ready.
"""

from __future__ import annotations

import importlib
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from .errors import InputError

Status = Literal["ready", "built", "failed"]


@dataclass(frozen=True)
class Preparable:
    name: str  # the registry name of the model
    build: str  # "module:function", called as fn(callbacks=[...]); builds the model if it is missing
    what: str  # for people: what is built and from what


PREPARABLE: tuple[Preparable, ...] = ()


def preparable() -> dict[str, Preparable]:
    return {p.name: p for p in PREPARABLE}


def _resolve(target: str) -> Callable[..., Any]:
    module, _, func = target.partition(":")
    return getattr(importlib.import_module(module), func)


def prepare(only: Sequence[str] | None = None,
            callbacks_for: Callable[[Preparable], Sequence[Any]] = lambda p: (),
            on_status: Callable[[str, Status, float, str], None] | None = None) -> dict[str, dict[str, Any]]:
    """Build the missing default models (all, or `only` these names); returns, per model,
    {"status": "ready"|"built"|"failed", "seconds": S} (+ "error" when it failed)."""
    from . import registry

    table = preparable()
    names = list(only) if only else list(table)
    unknown = [n for n in names if n not in table]
    if unknown:
        raise InputError(f"Nothing to prepare called {', '.join(unknown)}. Valid: {', '.join(table)}.")
    results: dict[str, dict[str, Any]] = {}
    for name in names:
        item = table[name]
        t0 = time.perf_counter()
        status: Status
        error = ""
        if registry.available(name):
            status = "ready"
        else:
            try:
                _resolve(item.build)(callbacks=list(callbacks_for(item)))
                status = "built" if registry.available(name) else "failed"
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
