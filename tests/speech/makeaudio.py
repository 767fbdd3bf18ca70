"""Test audio made here, in the test: espeak-ng speech (or a tone) encoded by PyAV into each format."""

from __future__ import annotations

import io
import shutil
import subprocess
import wave

import numpy as np

# container (PyAV format name), codec, file suffix, MIME type: what browsers and phones produce.
FORMATS = {
    "wav": ("wav", "pcm_s16le", ".wav", "audio/wav"),
    "mp3": ("mp3", "libmp3lame", ".mp3", "audio/mpeg"),
    "ogg-opus": ("ogg", "libopus", ".opus", "audio/ogg"),
    "m4a": ("ipod", "aac", ".m4a", "audio/mp4"),
    "flac": ("flac", "flac", ".flac", "audio/flac"),
    "webm": ("webm", "libopus", ".webm", "audio/webm"),
}


def espeak(text: str, rate: int = 150) -> tuple[np.ndarray, int]:
    """(float32 samples, sample rate) of espeak-ng saying `text` (22,050 Hz mono)."""
    exe = shutil.which("espeak-ng")
    if exe is None:
        import pytest

        pytest.skip("espeak-ng is not installed (apt-get install espeak-ng)")
    wav = subprocess.run([exe, "-v", "en-us", "-s", str(rate), "--stdout", text], check=True,
                         capture_output=True, timeout=60).stdout
    with wave.open(io.BytesIO(wav)) as w:
        rate_hz = w.getframerate()
        x = np.frombuffer(w.readframes(w.getnframes()), "<i2").astype(np.float32) / 32768
    return x, rate_hz


def tone(seconds: float = 1.0, rate: int = 44_100, hz: float = 440.0, amplitude: float = 0.5,
         channels: int = 1) -> np.ndarray:
    t = np.arange(int(seconds * rate)) / rate
    x = (amplitude * np.sin(2 * np.pi * hz * t)).astype(np.float32)
    return np.repeat(x[:, None], channels, axis=1) if channels > 1 else x


def encode(samples: np.ndarray, rate: int, fmt: str, channels: int = 1) -> bytes:
    """Bytes of a file in `fmt` (a key of FORMATS) holding `samples` ((n,) or (n, channels))."""
    import av

    container_name, codec, _, _ = FORMATS[fmt]
    x = np.asarray(samples, np.float32)
    x = x.reshape(-1, 1) if x.ndim == 1 else x
    channels = x.shape[1]
    layout = "mono" if channels == 1 else "stereo"
    buf = io.BytesIO()
    with av.open(buf, mode="w", format=container_name) as out:
        out_rate = 48_000 if codec == "libopus" else rate
        stream = out.add_stream(codec, rate=out_rate, layout=layout)
        if codec == "libopus" and rate != out_rate:
            x = _resample(x, rate, out_rate)
        planar = x.T.copy()  # (channels, n) for the planar float format every encoder here accepts
        frame_size = stream.codec_context.frame_size or 1024
        fmt_name = stream.codec_context.format.name  # e.g. "fltp", "s16"
        for start in range(0, planar.shape[1], frame_size):
            part = planar[:, start:start + frame_size]
            frame = _frame(part, fmt_name, layout)
            frame.sample_rate = out_rate
            frame.pts = start
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)
    return buf.getvalue()


def _frame(part: np.ndarray, fmt_name: str, layout: str):
    import av

    if fmt_name == "s16":
        data = (np.clip(part, -1, 1) * 32767).astype("<i2").T.reshape(1, -1)
    elif fmt_name == "s16p":
        data = (np.clip(part, -1, 1) * 32767).astype("<i2")
    elif fmt_name == "s32":
        data = (np.clip(part, -1, 1) * 2147483647).astype("<i4").T.reshape(1, -1)
    elif fmt_name == "s32p":
        data = (np.clip(part, -1, 1) * 2147483647).astype("<i4")
    elif fmt_name == "flt":
        data = part.T.reshape(1, -1).astype(np.float32)
    else:  # fltp
        data = part.astype(np.float32)
    return av.AudioFrame.from_ndarray(np.ascontiguousarray(data), format=fmt_name, layout=layout)


def _resample(x: np.ndarray, rate: int, out_rate: int) -> np.ndarray:
    n = int(round(len(x) * out_rate / rate))
    t_old = np.arange(len(x)) / rate
    t_new = np.arange(n) / out_rate
    return np.stack([np.interp(t_new, t_old, x[:, c]) for c in range(x.shape[1])], axis=1).astype(np.float32)
