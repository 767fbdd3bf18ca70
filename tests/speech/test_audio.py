"""Decoding and resampling of each upload format, and the refusal of bad audio."""

from __future__ import annotations

import io

import numpy as np
import pytest

from dl_core import speech
from dl_core.errors import InputError

from .makeaudio import FORMATS, encode, tone


def _lag_corr(a: np.ndarray, b: np.ndarray, max_lag: int = 2_000) -> float:
    """Best correlation of a against b over small positive lags (codecs add a short delay)."""
    n = min(len(a), len(b)) - max_lag
    return max(float(np.corrcoef(a[lag:lag + n], b[:n])[0, 1]) for lag in range(0, max_lag, 4))


@pytest.mark.parametrize("fmt", sorted(FORMATS))
@pytest.mark.parametrize("channels", [1, 2])
def test_each_format_decodes_to_16k_mono(spoken, fmt, channels):
    x, rate = spoken
    data = encode(x if channels == 1 else np.stack([x, x], axis=1), rate, fmt)
    audio = speech.read_audio(data, name="clip" + FORMATS[fmt][2])
    assert audio.sample_rate == 16_000 and audio.samples.dtype == np.float32 and audio.samples.ndim == 1
    assert audio.source_channels == channels
    assert audio.source_rate == (48_000 if "opus" in FORMATS[fmt][1] else rate)
    assert abs(audio.seconds - len(x) / rate) < 0.06  # length kept through resampling (aac pads ~30 ms)
    reference = speech.from_samples(x, rate).samples  # same speech, resampled from the array
    assert _lag_corr(audio.samples, reference) > 0.97, "decoded audio is not the speech we encoded"
    assert audio.notices == []


def test_resampling_keeps_pitch():
    # A 1 kHz tone at 44.1 kHz stereo comes out at 1 kHz, 16 kHz mono.
    audio = speech.read_audio(encode(tone(1.0, 44_100, 1_000.0, channels=2), 44_100, "wav"), name="tone.wav")
    spectrum = np.abs(np.fft.rfft(audio.samples))
    peak_hz = np.argmax(spectrum) * 16_000 / len(audio.samples)
    assert abs(peak_hz - 1_000) < 5
    assert abs(audio.seconds - 1.0) < 0.01


def test_from_samples_accepts_int16_and_channels():
    pcm = (tone(0.5, 8_000) * 32767).astype(np.int16)
    audio = speech.from_samples(np.stack([pcm, pcm], axis=1), 8_000)
    assert abs(audio.seconds - 0.5) < 0.01 and audio.samples.max() <= 1.0


def _png() -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (8, 8)).save(buf, "PNG")
    return buf.getvalue()


@pytest.mark.parametrize(("make", "message"), [
    (lambda x, r: b"", "empty"),
    (lambda x, r: np.random.default_rng(0).bytes(4_000), "not an audio file"),
    (lambda x, r: b"just some text, not audio\n" * 40, "not an audio file"),
    (lambda x, r: _png(), "not audio"),
    (lambda x, r: encode(x, r, "wav")[:30], "not an audio file"),  # header cut in half
    (lambda x, r: encode(x, r, "mp3")[:200], "not an audio file"),
    (lambda x, r: encode(np.zeros(r, np.float32), r, "wav"), "silent"),
    (lambda x, r: encode(np.zeros(r, np.float32), r, "webm"), "silent"),
    (lambda x, r: encode(np.full(r, 1e-4, np.float32) * np.sign(np.sin(np.arange(r))), r, "flac"), "silent"),
    (lambda x, r: encode(tone(0.05, r), r, "wav"), "at least"),
])
def test_bad_audio_is_refused_with_a_message(spoken, make, message):
    x, rate = spoken
    with pytest.raises(InputError, match=message):
        speech.read_audio(make(x, rate), name="upload")


@pytest.mark.parametrize("fmt", ["wav", "mp3", "webm"])
def test_too_long_is_refused_without_decoding_it_all(fmt):
    data = encode(tone(13.0, 16_000), 16_000, fmt)
    with pytest.raises(InputError, match=r"13 s long; the limit here is 10 s|longer than 10 s"):
        speech.read_audio(data, name="long", max_seconds=10)


def test_too_big_is_refused_before_decoding():
    with pytest.raises(InputError, match="limit here is"):
        speech.read_audio(b"\0" * 2_000, name="big.wav", max_bytes=1_000)


@pytest.mark.parametrize("fmt", ["flac", "mp3"])  # (FFmpeg takes a WAV's length from its size: no notice)
def test_cut_off_file_keeps_what_decoded_and_says_so(spoken, fmt):
    x, rate = spoken
    data = encode(x, rate, fmt)
    audio = speech.read_audio(data[: len(data) // 2], name="cut")
    assert 0.2 < audio.seconds / (len(x) / rate) < 0.9  # (compressed: half the bytes is not half the time)
    assert any("cut off" in n or "is damaged" in n for n in audio.notices), audio.notices


def test_quiet_audio_is_kept_with_a_notice(spoken):
    x, rate = spoken
    audio = speech.read_audio(encode(x * 0.01, rate, "wav"), name="quiet.wav")
    assert any("very quiet" in n for n in audio.notices)


def test_missing_file_is_an_input_error(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        speech.read_audio(tmp_path / "nope.wav")


def test_log_mel_is_whispers_input(spoken):
    from faster_whisper.feature_extractor import FeatureExtractor

    x, rate = spoken
    audio = speech.from_samples(x, rate)
    mel = speech.log_mel(audio)
    assert mel.values.shape == (80, len(audio.samples) // 160)
    np.testing.assert_allclose(mel.values, FeatureExtractor()(audio.samples, padding=0), atol=1e-6)
    assert mel.band_hz[0] < 60 and 7_000 < mel.band_hz[-1] < 8_000 and np.all(np.diff(mel.band_hz) > 0)
    assert abs(mel.times[-1] - audio.seconds) < 0.03


def test_envelope_and_wav_roundtrip(spoken):
    x, rate = spoken
    audio = speech.from_samples(x, rate)
    times, lows, highs = speech.envelope(audio, points=500)
    assert len(times) == 500 and np.all(lows <= highs) and highs.max() == pytest.approx(audio.samples.max())
    again = speech.read_audio(speech.to_wav_bytes(audio), name="again.wav")
    assert np.max(np.abs(again.samples - audio.samples)) < 1e-3
