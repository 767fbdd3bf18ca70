"""The waveform + log-mel picture of the "Your audio" tab: drawn from every frame (none averaged away), time
left to right and low bands at the bottom, the waveform over the same seconds, one size whatever the clip's length."""

from __future__ import annotations

import io
import threading

import numpy as np
import pytest
from PIL import Image

from dl_core import speech
from dl_core.speech.features import band_centres
from ui.speech import render


def _mel(frames: int, seed: int = 0) -> speech.LogMel:
    values = np.random.default_rng(seed).normal(size=(80, frames)).astype(np.float32)
    return speech.LogMel(values=values, band_hz=band_centres())


def _audio(seconds: float) -> speech.Audio:
    t = np.arange(int(seconds * speech.SAMPLE_RATE)) / speech.SAMPLE_RATE
    return speech.Audio((0.5 * np.sin(2 * np.pi * 220 * t) * (t < seconds / 2)).astype(np.float32))


def _picture(audio: speech.Audio, mel: speech.LogMel) -> np.ndarray:
    data = render.hearing_jpeg(audio, mel)
    picture = Image.open(io.BytesIO(data))
    assert picture.format == "JPEG" and picture.mode == "RGB"
    return np.asarray(picture, dtype=float)


def _inside(pixels: np.ndarray, axes: tuple[float, float, float, float], x: tuple[float, float],
            y: tuple[float, float]) -> np.ndarray:
    """The pixels of a part of a plot: x and y as fractions of the plot's width and height, y from the bottom
    (a margin of 2 px inside its frame)."""
    height, width = pixels.shape[:2]
    left, bottom, w, h = axes
    x0, x1 = (int(width * (left + w * f)) for f in x)
    y0, y1 = (int(height * (1 - bottom - h * f)) for f in reversed(y))
    return pixels[y0 + 2: y1 - 2, x0 + 2: x1 - 2]


def _brightness(pixels: np.ndarray) -> float:
    return float(pixels.mean())


def test_loud_frames_and_bands_are_bright_where_they_are() -> None:
    """Loud in the first half of the time and in the top half of the bands only: bright top-left, dark
    elsewhere (time runs left to right, high bands are at the top)."""
    values = np.full((80, 1_000), -1.0, dtype=np.float32)
    values[40:, :500] = 1.5
    mel = speech.LogMel(values=values, band_hz=band_centres())
    pixels = _picture(_audio(10), mel)
    assert pixels.shape == (552, 1_200, 3)
    top_left = _brightness(_inside(pixels, render.MEL_AXES, (0, 0.5), (0.5, 1)))
    others = [_brightness(_inside(pixels, render.MEL_AXES, x, y))
              for x, y in [((0.5, 1), (0.5, 1)), ((0, 0.5), (0, 0.5)), ((0.5, 1), (0, 0.5))]]
    assert top_left > 180 and max(others) < 40, (top_left, others)


@pytest.mark.parametrize(("frames", "loud"), [(1_657, 1), (12_000, 10)])
def test_a_short_sound_shows_at_the_pictures_resolution(frames, loud) -> None:
    """The picture is drawn from every 10 ms frame: in the default 16.6 s sample (1,657 frames on ~980 px) one
    loud frame shows (the chart before averaged ten frames a column: -0.75 where silence is -1); in two
    minutes (12,000 frames) a 100 ms sound does."""
    values = np.full((80, frames), -1.0, dtype=np.float32)
    values[:, frames // 2: frames // 2 + loud] = 1.5
    pixels = _picture(_audio(frames / 100), speech.LogMel(values=values, band_hz=band_centres()))
    assert pixels.shape == (552, 1_200, 3)  # the same picture size for any length: one decode in the browser
    column = _inside(pixels, render.MEL_AXES, (0.48, 0.52), (0.2, 0.8)).max(axis=(0, 2))  # brightest per column
    assert column.max() > 60 and np.median(column) < 15, column  # (one frame in 1,657: 73 where silence is 2)


def test_waveform_shows_the_tone_then_silence() -> None:
    pixels = _picture(_audio(4), _mel(400))  # a tone in the first half, silence after
    blue = np.array([0x1F, 0x77, 0xB4], dtype=float)

    def share_blue(x: tuple[float, float]) -> float:
        part = _inside(pixels, render.WAVE_AXES, x, (0.1, 0.9))
        return float((np.abs(part - blue).sum(axis=2) < 60).mean())

    assert share_blue((0.05, 0.45)) > 0.3 and share_blue((0.55, 0.95)) < 0.01


def test_pictures_drawn_from_many_threads_equal_one_drawn_alone() -> None:
    """Sessions are threads of one process: a picture must not depend on who else is drawing."""
    audio, mel = _audio(4), _mel(400, seed=5)
    alone = render.hearing_jpeg(audio, mel)
    out: list[bytes] = []
    threads = [threading.Thread(target=lambda: out.append(render.hearing_jpeg(audio, mel))) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert out == [alone] * 4


def test_screen_readers_get_a_description() -> None:
    said = render.hearing_alt(_audio(16.6), _mel(1_657))
    assert "16.6 s" in said and "80 mel bands" in said and "1,657 frames of 10 ms" in said
