"""What a recogniser returns, whichever it is: text, timed segments, timed words, and how long it took."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Word:
    start: float  # seconds from the start of the audio
    end: float
    text: str  # as the recogniser wrote it (Whisper keeps a leading space and punctuation)
    probability: float | None = None  # Whisper's token probability; pocketsphinx gives none here


@dataclass(frozen=True)
class Segment:
    start: float
    end: float
    text: str
    words: tuple[Word, ...] = ()


@dataclass
class Transcript:
    model: str  # "whisper-tiny-en" or "pocketsphinx"
    text: str
    segments: list[Segment]
    seconds: float  # processing time, model load excluded
    audio_seconds: float
    settings: dict[str, Any] = field(default_factory=dict)  # decoding settings used (beam, temperature, ...)

    @property
    def words(self) -> list[Word]:
        return [w for s in self.segments for w in s.words]

    @property
    def real_time_factor(self) -> float:
        """Processing seconds per second of audio: below 1 is faster than real time."""
        return self.seconds / self.audio_seconds if self.audio_seconds else 0.0

    def as_dict(self) -> dict[str, Any]:
        """The command line's JSON (without "file"): model, text, segments, seconds, audio_seconds."""
        return {
            "model": self.model,
            "text": self.text,
            "segments": [{"start": round(s.start, 2), "end": round(s.end, 2), "text": s.text}
                         for s in self.segments],
            "seconds": round(self.seconds, 3),
            "audio_seconds": round(self.audio_seconds, 3),
        }
