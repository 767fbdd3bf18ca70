"""What the network hears: the log-mel spectrogram Whisper takes as input.

Whisper cuts audio into 25 ms windows every 10 ms (n_fft 400, hop 160 at 16 kHz), measures the
energy in 80 mel-spaced frequency bands (dense at low pitch, sparse at high pitch, like the ear),
takes log10, clamps everything more than 8 (= 80 dB) below the loudest point and scales to about
[-1, 1]. We call faster-whisper's own feature extractor, so this is exactly the model's input
(before it pads each window to 30 s).

    mel = log_mel(audio)             # mel.values: (80, frames), frames = 100 per second
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from .audio import SAMPLE_RATE

if TYPE_CHECKING:
    from .audio import Audio

N_MELS = 80
HOP = 160  # samples: 10 ms
N_FFT = 400  # samples: 25 ms


@dataclass(frozen=True)
class LogMel:
    values: np.ndarray  # (N_MELS, frames) float32, Whisper's scaling (about -1 .. 1.5)
    band_hz: np.ndarray  # (N_MELS,) centre frequency of each band, for the axis
    seconds_per_frame: float = HOP / SAMPLE_RATE

    @property
    def times(self) -> np.ndarray:
        return np.arange(self.values.shape[1]) * self.seconds_per_frame


@functools.cache
def _extractor():
    from faster_whisper.feature_extractor import FeatureExtractor

    return FeatureExtractor(feature_size=N_MELS, sampling_rate=SAMPLE_RATE, hop_length=HOP, n_fft=N_FFT)


def log_mel(audio: "Audio", max_frames: int = 3_000) -> LogMel:
    """Whisper's log-mel features of `audio`; every k-th frame when longer than `max_frames` (for drawing)."""
    values = _extractor()(audio.samples, padding=0)
    values = np.asarray(values, dtype=np.float32)
    step = max(1, -(-values.shape[1] // max_frames))
    return LogMel(values=values[:, ::step], band_hz=band_centres(), seconds_per_frame=HOP * step / SAMPLE_RATE)


@functools.cache
def band_centres() -> np.ndarray:
    """Centre frequency (Hz) of each of the 80 mel bands (Slaney scale, as Whisper's filter bank):
    linear below 1 kHz (66.7 Hz per mel), logarithmic above."""
    mels = np.linspace(0.0, 45.245640471924965, N_MELS + 2)[1:-1]  # the extractor's band edges, 0-8 kHz
    hz = 200.0 / 3 * mels
    log_region = mels >= 15.0  # 1 kHz
    hz[log_region] = 1000.0 * np.exp(np.log(6.4) / 27.0 * (mels[log_region] - 15.0))
    return hz.astype(np.float32)
