"""Reading what people record or upload: any common audio file -> 16 kHz mono float32 samples.

    audio = read_audio(Path("talk.m4a"))     # or bytes, or Streamlit's UploadedFile
    audio.samples                             # (n,) float32 in [-1, 1], 16,000 per second
    audio.seconds, audio.notices              # length; things the person should know

Decoding is PyAV's FFmpeg (no ffmpeg binary needed). Only audio containers are accepted (wav, mp3,
ogg/opus, m4a/mp4, flac, webm/mkv, aac, aiff); an image or a text file renamed `.wav` is refused by
what it *is*, not by its name. Sizes are capped before and while decoding: the file (`MAX_BYTES`) and
the decoded length (`MAX_SECONDS`, checked frame by frame, so an hour-long upload is refused after
decoding two minutes of it, not after filling memory with an hour).
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from ..errors import InputError
from ..inputs import MB, Source, read_bytes

if TYPE_CHECKING:
    import av.container

SAMPLE_RATE = 16_000  # what both recognisers take (Whisper and pocketsphinx's en-US model)
MAX_BYTES = 25 * MB  # a 2-minute mp3 is ~2 MB; a 2-minute 48 kHz stereo wav ~23 MB
MAX_SECONDS = 120.0  # Whisper tiny: ~10-30 s of CPU for 2 min; pocketsphinx about as much again
SILENCE_PEAK = 10 ** (-60 / 20)  # -60 dBFS: below this everywhere, nothing was recorded
QUIET_PEAK = 10 ** (-30 / 20)  # -30 dBFS: recognisers still work, but worse; say so
MIN_SECONDS = 0.1

# FFmpeg demuxer names (a container may list several, comma-separated) that hold audio we accept.
AUDIO_CONTAINERS = {
    "wav", "mp3", "ogg", "flac", "matroska", "webm", "mov", "mp4", "m4a", "3gp", "3g2", "mj2",
    "aac", "aiff", "caf", "w64", "au",
}
FORMATS_HINT = "wav, mp3, ogg/opus, m4a, flac or webm"


@dataclass
class Audio:
    """Decoded audio, ready for the recognisers."""

    samples: np.ndarray  # (n,) float32, mono, SAMPLE_RATE per second, in [-1, 1]
    name: str = "audio"
    container: str = ""  # e.g. "mp3", "ogg", "matroska,webm"
    codec: str = ""  # e.g. "mp3float", "opus", "pcm_s16le"
    source_rate: int = SAMPLE_RATE  # the file's own sample rate and channels, before resampling
    source_channels: int = 1
    notices: list[str] = field(default_factory=list)

    @property
    def sample_rate(self) -> int:
        return SAMPLE_RATE

    @property
    def seconds(self) -> float:
        return len(self.samples) / SAMPLE_RATE

    @property
    def peak_dbfs(self) -> float:
        peak = float(np.max(np.abs(self.samples))) if len(self.samples) else 0.0
        return 20 * np.log10(max(peak, 1e-12))


def from_samples(samples: np.ndarray, sample_rate: int = SAMPLE_RATE, name: str = "audio",
                 max_seconds: float = MAX_SECONDS) -> Audio:
    """Audio from an array already in memory ((n,) or (n, channels), float or int PCM).

    Resamples with PyAV when `sample_rate` is not 16 kHz; applies the same checks as `read_audio`.
    """
    x = np.asarray(samples)
    if x.ndim == 2:
        x = x.mean(axis=1)
    if x.ndim != 1:
        raise InputError(f"{name}: expected a 1-D (or samples x channels) array, got shape {x.shape}.")
    if np.issubdtype(x.dtype, np.integer):
        x = x.astype(np.float32) / float(np.iinfo(x.dtype).max)
    x = np.nan_to_num(x.astype(np.float32), nan=0.0, posinf=1.0, neginf=-1.0)
    if not 8_000 <= sample_rate <= 384_000:
        raise InputError(f"{name}: sample rate {sample_rate} Hz is not audio; use 8,000-384,000 Hz.")
    if len(x) / sample_rate > max_seconds:
        raise InputError(_too_long(name, len(x) / sample_rate, max_seconds))
    if sample_rate != SAMPLE_RATE:
        x = _resample_array(x, sample_rate)
    return _checked(Audio(samples=np.clip(x, -1.0, 1.0), name=name, source_rate=sample_rate), max_seconds)


def read_audio(source: Source, name: str | None = None, max_bytes: int = MAX_BYTES,
               max_seconds: float = MAX_SECONDS) -> Audio:
    """Decode an uploaded or recorded file into 16 kHz mono float32, or raise `InputError`.

    Refused with a message saying what to do: empty, too large, not audio (or damaged), no audio
    track, longer than `max_seconds`, shorter than 0.1 s, or silent (below -60 dBFS throughout).
    """
    import av

    label = _label(source, name)
    data = read_bytes(source, max_bytes, label)
    try:
        container = av.open(io.BytesIO(data), mode="r", metadata_errors="ignore")
    except av.error.FFmpegError:
        raise InputError(f"{label} is not an audio file we can read, or it is damaged; "
                         f"upload {FORMATS_HINT}.") from None
    with container:
        formats = set(container.format.name.split(","))
        if not formats & AUDIO_CONTAINERS:
            raise InputError(f"{label} is a {container.format.long_name or container.format.name} file, "
                             f"not audio; upload {FORMATS_HINT}.")
        if not container.streams.audio:
            raise InputError(f"{label} has no audio track; upload a recording ({FORMATS_HINT}).")
        stream = container.streams.audio[0]
        declared = _declared_seconds(container, stream)
        if declared is not None and declared > max_seconds + 1:
            raise InputError(_too_long(label, declared, max_seconds))
        audio = Audio(samples=np.zeros(0, np.float32), name=label, container=container.format.name,
                      codec=stream.codec_context.name or "", source_rate=stream.codec_context.sample_rate or 0,
                      source_channels=stream.codec_context.channels or 0)
        audio.samples = _decode(container, stream, label, max_seconds)
    decoded = len(audio.samples) / SAMPLE_RATE
    damaged_tail = len(audio.samples) > 0 and np.isnan(audio.samples[-1])  # noted by _checked
    if declared is not None and declared - decoded > 0.5 and not damaged_tail:
        audio.notices.append(f"{label} says it lasts {declared:.1f} s but only {decoded:.1f} s could be decoded: "
                             "the file seems cut off. The part that decoded was used.")
    return _checked(audio, max_seconds)


def _label(source: Source, name: str | None) -> str:
    if name:
        return name
    return str(getattr(source, "name", "") or "the recording").rsplit("/", 1)[-1]


def _declared_seconds(container: "av.container.InputContainer", stream) -> float | None:
    if stream.duration is not None and stream.time_base is not None:
        return float(stream.duration * stream.time_base)
    if container.duration is not None:
        return container.duration / 1_000_000  # AV_TIME_BASE
    return None


def _decode(container, stream, label: str, max_seconds: float) -> np.ndarray:
    import av

    resampler = av.AudioResampler(format="flt", layout="mono", rate=SAMPLE_RATE)
    limit = int((max_seconds + 1) * SAMPLE_RATE)  # one second of slack: containers round durations
    chunks: list[np.ndarray] = []
    total = 0
    decoded_any = False
    try:
        for frame in container.decode(stream):
            decoded_any = True
            frame.pts = None  # the resampler needs no timestamps; odd ones make it complain
            for out in resampler.resample(frame):
                chunk = out.to_ndarray().reshape(-1)
                chunks.append(chunk)
                total += len(chunk)
            if total > limit:
                raise InputError(_too_long(label, None, max_seconds))
        for out in resampler.resample(None):
            chunks.append(out.to_ndarray().reshape(-1))
    except InputError:
        raise
    except (av.error.FFmpegError, ValueError) as exc:
        if total < SAMPLE_RATE * MIN_SECONDS:  # nothing usable before the damage
            raise InputError(f"{label} looks damaged or truncated ({_first_line(exc)}); "
                             "export or record it again.") from None
        # Damage after some good audio (a cut-off upload): keep what decoded; _checked notes it.
        chunks.append(np.full(1, np.nan, np.float32))
    if not decoded_any:
        raise InputError(f"{label} contains no audio (the audio track is empty); record or export it again.")
    return np.concatenate(chunks).astype(np.float32) if chunks else np.zeros(0, np.float32)


def _checked(audio: Audio, max_seconds: float) -> Audio:
    x = audio.samples
    if len(x) and np.isnan(x[-1]):  # marker from _decode: the end of the file was damaged
        x = x[:-1]
        audio.notices.append(f"The end of {audio.name} is damaged; the first {len(x) / SAMPLE_RATE:.1f} s "
                             "were decoded and used.")
    x = np.clip(np.nan_to_num(x, nan=0.0), -1.0, 1.0).astype(np.float32)
    audio.samples = x
    if len(x) < SAMPLE_RATE * MIN_SECONDS:
        raise InputError(f"{audio.name} holds {len(x) / SAMPLE_RATE:.2f} s of audio; record at least a "
                         "second of speech.")
    if len(x) > (max_seconds + 1) * SAMPLE_RATE:
        raise InputError(_too_long(audio.name, len(x) / SAMPLE_RATE, max_seconds))
    peak = float(np.max(np.abs(x)))
    if peak < SILENCE_PEAK:
        level = "all zeros" if peak == 0 else f"its loudest point is {audio.peak_dbfs:.0f} dBFS"
        raise InputError(f"{audio.name} is silent ({level}); check that the microphone is on and not muted, "
                         "then record again.")
    if peak < QUIET_PEAK:
        audio.notices.append(f"{audio.name} is very quiet (peak {audio.peak_dbfs:.0f} dBFS); recognition "
                             "works best when you speak closer to the microphone.")
    return audio


def _too_long(label: str, seconds: float | None, max_seconds: float) -> str:
    length = f"is {_duration(seconds)} long" if seconds is not None else f"is longer than {_duration(max_seconds)}"
    return (f"{label} {length}; the limit here is {_duration(max_seconds)}. "
            "Cut it to a shorter piece and try again.")


def _duration(seconds: float) -> str:
    seconds = round(seconds)
    if seconds < 60:
        return f"{seconds} s"
    return f"{seconds // 60} min" + (f" {seconds % 60:02d} s" if seconds % 60 else "")


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:120] if text else type(exc).__name__


def _resample_array(x: np.ndarray, rate: int) -> np.ndarray:
    import av

    frame = av.AudioFrame.from_ndarray(x.reshape(1, -1), format="flt", layout="mono")
    frame.sample_rate = rate
    resampler = av.AudioResampler(format="flt", layout="mono", rate=SAMPLE_RATE)
    out = [f.to_ndarray().reshape(-1) for f in resampler.resample(frame)]
    out += [f.to_ndarray().reshape(-1) for f in resampler.resample(None)]
    return np.concatenate(out).astype(np.float32) if out else np.zeros(0, np.float32)


def envelope(audio: Audio, points: int = 2_000) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(times, lows, highs): the waveform reduced to `points` min/max pairs, for drawing."""
    x = audio.samples
    points = max(1, min(points, len(x)))
    edges = np.linspace(0, len(x), points + 1).astype(int)
    lows = np.minimum.reduceat(x, edges[:-1])
    highs = np.maximum.reduceat(x, edges[:-1])
    times = edges[:-1] / SAMPLE_RATE
    return times, lows, highs


def to_wav_bytes(audio: Audio) -> bytes:
    """16-bit PCM WAV of the decoded audio (what the page plays back: what the models heard)."""
    import wave

    pcm = (np.clip(audio.samples, -1, 1) * 32767).astype("<i2").tobytes()
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(SAMPLE_RATE)
        w.writeframes(pcm)
    return buf.getvalue()
