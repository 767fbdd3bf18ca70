"""PocketSphinx 5: the classical recogniser (HMM acoustic model with Gaussian mixtures + trigram LM).

Everything it needs is inside the `pocketsphinx` wheel: the US-English acoustic model, a 3-gram
language model and the CMU pronouncing dictionary. It is the "before deep learning" baseline.

    model = load_pocketsphinx()
    t = transcribe_sphinx(audio, model)

Sharing and fairness: a `Decoder` is one utterance at a time (start_utt / process_raw / end_utt),
so each recogniser carries a lock and sessions take turns. Its C code holds Python's GIL while it
runs (30% of a served app's GIL samples under 4 sessions, py-spy), so audio is fed one 10 ms frame a
call: ~2 ms each, at most ~35 ms, where 0.1-s blocks held it up to 270 ms; the words are the same.
`end_utt` is one call; without the fwdflat pass it takes 10-107 ms (see load_pocketsphinx).
`bench/bench_gil.py` measures how long another thread waits meanwhile.

Fed in blocks, pocketsphinx would normalise loudness (cepstral mean) on the fly from
whatever it decoded before, which makes results depend on the previous clip, or, restarted from the
model's default mean each time, costs accuracy (corpus WER on the five LibriVox clips 0.38, against
0.27 for one whole-utterance call, measured here with fwdflat on). So we make
two passes over the blocks: the first measures this utterance's cepstral mean while spotting a
single keyword (a search that costs ~5% of the real one; `no_search=True` would still run the full
search at end_utt), the second decodes with that mean: WER 0.21 (0.28 with fwdflat), the same words
whatever was decoded before.
"""

from __future__ import annotations

import re
import threading
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import ModelUnavailableError
from .audio import SAMPLE_RATE
from .transcript import Segment, Transcript, Word

if TYPE_CHECKING:
    from .audio import Audio

NAME = "pocketsphinx"
FRAMES_PER_SECOND = 100  # pocketsphinx's default frame rate (10 ms hop)
BLOCK_SAMPLES = SAMPLE_RATE // FRAMES_PER_SECOND  # one frame per call: bounds how long a call holds the GIL
PAUSE_SECONDS = 0.3  # a silence at least this long starts a new segment
_CMN_SEARCH = "_cmn"  # the cheap keyword search of pass 1
_FILLERS = {"<s>", "</s>", "<sil>", "[NOISE]", "[BREATH]", "[COUGH]", "[UH]", "[UM]", "[SMACK]"}


@dataclass
class SphinxRecogniser:
    decoder: Any  # pocketsphinx.Decoder
    initial_cmn: str
    search: str  # the language-model search (pass 2)
    load_seconds: float
    lock: threading.Lock = field(default_factory=threading.Lock)
    name: str = NAME

    def label(self) -> str:
        return f"{self.name} (cpu)"


def load_pocketsphinx() -> SphinxRecogniser:
    try:
        from pocketsphinx import Decoder
    except ImportError:
        raise ModelUnavailableError("The classical baseline needs the package pocketsphinx; run the README's "
                                    "set-up command to install it.") from None
    start = time.perf_counter()
    # No flat-lexicon second pass (fwdflat): it runs inside end_utt, one call that held the GIL 160-470 ms
    # for each LibriVox clip (10-107 ms without it), and on those clips it cost accuracy (corpus WER 0.28 with
    # it, 0.21 without) and time (13.6 against 11.1 s for the five).
    decoder = Decoder(samprate=SAMPLE_RATE, loglevel="FATAL", fwdflat=False)
    decoder.add_keyphrase(_CMN_SEARCH, "oh")
    return SphinxRecogniser(decoder=decoder, initial_cmn=decoder.get_cmn(), search=decoder.current_search(),
                            load_seconds=time.perf_counter() - start)


def load_from_spec(spec: Any, device: Any) -> SphinxRecogniser:
    """`registry.load("pocketsphinx", device)`'s loader (called as fn(spec, device)); always the CPU."""
    return load_pocketsphinx()


def transcribe_sphinx(audio: "Audio", recogniser: SphinxRecogniser) -> Transcript:
    pcm = (np.clip(audio.samples, -1.0, 1.0) * 32767).astype("<i2")
    with recogniser.lock:
        start = time.perf_counter()
        d = recogniser.decoder
        blocks = [pcm[i:i + BLOCK_SAMPLES].tobytes() for i in range(0, len(pcm), BLOCK_SAMPLES)]
        d.set_cmn(recogniser.initial_cmn)
        d.activate_search(_CMN_SEARCH)
        d.start_utt()  # pass 1: this utterance's cepstral mean (a cheap keyword search runs meanwhile)
        for block in blocks:
            d.process_raw(block)
        cmn = d.get_cmn(True)
        d.end_utt()
        d.activate_search(recogniser.search)
        d.set_cmn(cmn)
        d.start_utt()  # pass 2: decode with the language model
        for block in blocks:
            d.process_raw(block)
        d.end_utt()
        hyp = d.hyp()
        raw = [(s.word, s.start_frame, s.end_frame) for s in d.seg()] if hyp is not None else []
        seconds = time.perf_counter() - start
    segments = _segments(raw)
    text = " ".join(s.text for s in segments)
    return Transcript(model=NAME, text=text, segments=segments, seconds=seconds,
                      audio_seconds=audio.seconds, settings={"acoustic model": "en-us (wheel)",
                                                             "language model": "en-us 3-gram (wheel)"})


def _segments(raw: list[tuple[str, int, int]]) -> list[Segment]:
    """Words with times, split into segments at pauses of PAUSE_SECONDS or more."""
    segments: list[Segment] = []
    words: list[Word] = []
    for token, first, last in raw:
        start, end = first / FRAMES_PER_SECOND, (last + 1) / FRAMES_PER_SECOND
        if token in _FILLERS or token.startswith("++") or token.startswith("["):
            if words and (end - start >= PAUSE_SECONDS or token == "</s>"):
                segments.append(_segment(words))
                words = []
            continue
        words.append(Word(start=start, end=end, text=re.sub(r"\(\d+\)$", "", token)))  # "was(2)": alternate pron.
    if words:
        segments.append(_segment(words))
    return segments


def _segment(words: list[Word]) -> Segment:
    return Segment(start=words[0].start, end=words[-1].end, text=" ".join(w.text for w in words),
                   words=tuple(words))
