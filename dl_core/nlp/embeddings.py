"""MiniLM sentence embeddings of many texts, cached on disk, with measured progress.

    emb = embed(encoder, texts, progress=lambda done, total: ...)   # (N, 384), L2-normalised

Chunks of 512 texts are cached as .npy files under the data folder, keyed by the texts and the
encoder settings, so a second training run (other head size, epochs, seed) costs seconds instead
of minutes, and a stopped run resumes where it was. The chunks are written atomically and built
under one cross-process lock: two sessions (or the app and a `prepare` command) embedding the
same reviews at the same moment never both compute them.
"""

from __future__ import annotations

import hashlib
import io
import threading
import time
import weakref
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from .. import paths

if TYPE_CHECKING:
    from ..pretrained import TextEncoder

ENCODER = "minilm-l6"  # registry name of the sentence encoder every NLP tool shares
DIM = 384
CHUNK = 512  # texts per embedding cache file
BATCH = 64  # texts per forward pass (see bench/bench_nlp_embedding.py for the measured options)
LOCK = "nlp-embeddings"  # store.build_lock name while cache chunks are computed

Progress = Callable[[int, int], None]  # (done, total)

# How the sentiment head reads reviews. bench/bench_nlp_embedding.py on the 2-core build machine:
# dynamic int8 quantization of MiniLM's Linear layers embedded 512 reviews 1.77x faster than float32
# (4,000 reviews in 170 s instead of 297 s, busy machine); length-sorted batches of 16-128 and 2 threads
# were no faster, bfloat16 was 4.5x slower (no native bf16 on this CPU), ONNX export needs `onnx`.
# But on the full set (12,808 reviews, the same 2,551 held out, seeds 0/1/2) the head scored
# 76.0/76.2/76.1% on float32 embeddings and 75.0/74.8/74.6% on int8 ones: 1.3 points lower, more than
# the 0.5 allowed, so the default stays float32 and `prepare` pays the slower embedding once.
REVIEW_PRECISION = "float32"  # "int8" reads reviews with a quantized copy (faster, less accurate)
_quantized: "weakref.WeakKeyDictionary[Any, Any]" = weakref.WeakKeyDictionary()
_quantize_lock = threading.Lock()


def cache_dir() -> Path:
    path = paths.data_dir() / "cache" / "nlp_embeddings"
    path.mkdir(parents=True, exist_ok=True)
    return path


def precision(encoder: "TextEncoder") -> str:
    """'int8' for a `review_encoder` copy, else 'float32' (part of the cache key)."""
    return getattr(encoder.model, "_dlx_precision", "float32")


def review_encoder(encoder: "TextEncoder", how: str = REVIEW_PRECISION) -> "TextEncoder":
    """The encoder the sentiment head reads texts with: on a CPU, a copy of MiniLM with int8 Linear
    layers (made once per process and shared; the float32 original is left as it is).

    Quantized layers have no gradients: attributions and fine-tuning use the float32 encoder.
    """
    from dataclasses import replace

    if how != "int8" or encoder.device.type != "cpu" or precision(encoder) == "int8":
        return encoder
    with _quantize_lock:
        model = _quantized.get(encoder.model)
        if model is None:
            import warnings

            import torch

            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # torch.ao.quantization's deprecation notice
                model = torch.ao.quantization.quantize_dynamic(encoder.model, {torch.nn.Linear}, dtype=torch.qint8)
            model._dlx_precision = "int8"
            _quantized[encoder.model] = model
    return replace(encoder, model=model)


def _chunk_key(texts: Sequence[str], encoder: "TextEncoder") -> str:
    tag = "" if precision(encoder) == "float32" else f"|{precision(encoder)}"  # float32 keys stay as they were
    h = hashlib.sha1(f"{ENCODER}|{encoder.max_length}{tag}".encode())
    for t in texts:
        h.update(t.encode("utf-8", "surrogatepass"))
        h.update(b"\x00")
    return h.hexdigest()


def encode_sorted(encoder: "TextEncoder", texts: Sequence[str], batch_size: int = BATCH) -> np.ndarray:
    """encoder.encode, with texts sorted by length first so that batches carry little padding."""
    if not texts:
        return np.zeros((0, DIM), dtype=np.float32)
    order = np.argsort([len(t) for t in texts], kind="stable")
    emb = encoder.encode([texts[i] for i in order], batch_size=batch_size)
    out = np.empty_like(emb)
    out[order] = emb
    return out


def _npy_bytes(array: np.ndarray) -> bytes:
    buf = io.BytesIO()
    np.save(buf, array, allow_pickle=False)
    return buf.getvalue()


def _load_chunk(path: Path) -> np.ndarray | None:
    try:
        return np.load(path, allow_pickle=False)
    except (OSError, ValueError):  # missing, or a damaged file from an older version: recompute it
        return None


def embed(encoder: "TextEncoder", texts: Sequence[str], progress: Progress | None = None,
          cache: bool = True, on_wait: Callable[[], None] | None = None) -> np.ndarray:
    """(N, 384) L2-normalised embeddings; with `cache`, chunks of 512 texts are kept on disk.

    `progress(done, total)` is called once with what the cache already holds, then after each
    computed chunk. `on_wait()` is called if another session is computing chunks right now.
    """
    from .. import store

    texts = list(texts)
    total = len(texts)
    starts = list(range(0, total, CHUNK))
    if not cache:
        parts = []
        for s in starts:
            parts.append(encode_sorted(encoder, texts[s : s + CHUNK]))
            if progress:
                progress(min(s + CHUNK, total), total)
        return np.concatenate(parts) if parts else np.zeros((0, DIM), dtype=np.float32)

    folder = cache_dir()
    files = {s: folder / f"{_chunk_key(texts[s : s + CHUNK], encoder)}.npy" for s in starts}
    found: dict[int, np.ndarray] = {}
    for s, path in files.items():
        chunk = _load_chunk(path) if path.is_file() else None
        if chunk is not None:
            found[s] = chunk
    done = sum(len(found[s]) for s in found)
    if progress:
        progress(done, total)
    missing = [s for s in starts if s not in found]
    if missing:
        with store.build_lock(LOCK, on_wait):
            for s in missing:
                chunk = _load_chunk(files[s]) if files[s].is_file() else None  # written while we waited
                if chunk is None:
                    chunk = encode_sorted(encoder, texts[s : s + CHUNK])
                    store.write_atomic(files[s], _npy_bytes(chunk))
                found[s] = chunk
                done += len(chunk)
                if progress:
                    progress(done, total)
    return np.concatenate([found[s] for s in starts]) if starts else np.zeros((0, DIM), dtype=np.float32)


class RateEstimate:
    """Measured speed and time left of a long loop, for a progress line; never a promise made in advance.

    The first `update` marks the start (what a cache already held costs nothing and is not counted);
    the estimate is the work left at the speed measured since then.

        est = RateEstimate("reviews")
        embed(encoder, texts, progress=lambda d, t: print(est.update(d, t)))
    """

    def __init__(self, unit: str = "texts") -> None:
        self.unit = unit
        self._start: tuple[float, int] | None = None

    def update(self, done: int, total: int) -> str:
        now = time.perf_counter()
        if self._start is None:
            self._start = (now, done)
        t0, done0 = self._start
        line = f"{done:,}/{total:,} {self.unit}"
        if done >= total:
            return line + " · done"
        if done == done0 or now - t0 <= 0:
            return line + " · measuring the speed on this machine…"
        rate = (done - done0) / (now - t0)
        return line + f" · {rate:,.0f} {self.unit}/s here · about {_duration((total - done) / rate)} left"


def _duration(seconds: float) -> str:
    if seconds < 90:
        return f"{max(1, round(seconds))} s"
    if seconds < 5_400:
        return f"{round(seconds / 60)} min"
    return f"{seconds / 3600:.1f} h"
