"""The waveform + log-mel chart of the "Your audio" tab (an ECharts option, its cells a dataframe): frames
averaged, not dropped; the time axis in seconds, the band axis in Hz; the waveform spans the same seconds."""

from __future__ import annotations

import json

import numpy as np
import pytest

from dl_core import speech
from dl_core.speech.features import band_centres
from ui.speech import render


def _mel(frames: int, seed: int = 0) -> speech.LogMel:
    values = np.random.default_rng(seed).normal(size=(80, frames)).astype(np.float32)
    return speech.LogMel(values=values, band_hz=band_centres())


def _audio(seconds: float) -> speech.Audio:
    t = np.arange(int(seconds * speech.SAMPLE_RATE)) / speech.SAMPLE_RATE
    return speech.Audio((0.5 * np.sin(2 * np.pi * 220 * t) * (t < seconds / 2)).astype(np.float32))


def test_pooled_averages_every_frame() -> None:
    values = np.arange(2 * 7, dtype=float).reshape(2, 7)
    np.testing.assert_allclose(render.pooled(values, 3), [[1, 4, 6], [8, 11, 13]])  # the last group: 1 frame
    np.testing.assert_array_equal(render.pooled(values, 1), values)


@pytest.mark.parametrize(("frames", "per_column", "columns"), [(199, 1, 199), (299, 2, 150), (710, 4, 178),
                                                               (1657, 10, 166), (12_000, 100, 120)])
def test_long_clips_draw_at_most_200_columns_on_round_times(frames, per_column, columns) -> None:
    assert render.frames_per_column(frames) == per_column
    spec = render.hearing_option(_audio(frames / 100), _mel(frames))
    heat = spec["series"][2]
    assert heat["type"] == "heatmap" and len(spec["dataset"][heat["datasetIndex"]]["source"]) == 80 * columns
    times = spec["xAxis"][1]["data"]
    assert len(times) == columns and times[1] == f"{per_column / 100:g}"  # column start times, seconds
    labelled = times[:: spec["xAxis"][1]["axisLabel"]["interval"] + 1]
    assert 2 <= len(labelled) <= 11 and all(float(t) == round(float(t)) or float(t) % 0.5 == 0 for t in labelled)
    assert spec["xAxis"][0]["max"] == pytest.approx(columns * per_column / 100)  # the waveform's span
    assert ("mean of" in render.columns_note(_mel(frames))) == (per_column > 1)


def test_cells_hold_the_averaged_values_with_band_hz_for_the_tooltip() -> None:
    mel = _mel(1_000, seed=3)
    spec = render.hearing_option(_audio(10), mel)
    table = spec["dataset"][0]["source"]  # the cells go as a dataframe (Arrow); the rest is plain JSON
    json.dumps({**spec, "dataset": None}, allow_nan=False)
    heat = spec["series"][2]
    assert list(table.columns[[0, 1, 2, 3]]) == [heat["encode"][k] for k in ("x", "y", "value")] + ["hz"]
    assert spec["visualMap"]["dimension"] == 2  # the energy column
    cells = table.to_numpy(dtype=float)
    expected = mel.values.reshape(80, 200, 5).mean(axis=2)  # 1,000 frames -> 200 columns of 5
    assert cells.shape == (80 * 200, 4)
    grid = np.zeros((80, 200))
    grid[cells[:, 1].astype(int), cells[:, 0].astype(int)] = cells[:, 2]
    np.testing.assert_allclose(grid, expected, atol=0.005)
    np.testing.assert_allclose(cells[:, 3], np.rint(mel.band_hz)[cells[:, 1].astype(int)])
    vm = spec["visualMap"]
    assert vm["min"] == pytest.approx(expected.min(), abs=0.005)
    assert vm["max"] == pytest.approx(expected.max(), abs=0.005)
    assert spec["yAxis"][1]["data"][0] == f"{mel.band_hz[0]:,.0f}" and len(spec["yAxis"][1]["data"]) == 80
    assert spec["yAxis"][1]["name"] == "mel band (Hz)" and spec["xAxis"][1]["name"] == "seconds"
    assert "Hz" in spec["series"][2]["tooltip"]["formatter"]


def test_waveform_is_the_envelope_of_the_samples() -> None:
    audio = _audio(4)  # a tone in the first half, silence after
    spec = render.hearing_option(audio, _mel(400))
    lows, bands = spec["series"][0]["data"], spec["series"][1]["data"]
    assert len(lows) == len(bands) == 1_500
    tops = np.array([lo[1] + b[1] for lo, b in zip(lows, bands)])  # stacked: low + (high - low) = high
    assert tops[:700].max() == pytest.approx(0.5, abs=0.01) and np.abs(tops[800:]).max() < 1e-3
    assert np.array(lows)[:700, 1].min() == pytest.approx(-0.5, abs=0.01)
    assert lows[-1][0] <= 4 <= spec["xAxis"][0]["max"] + 1e-9


def test_screen_readers_get_a_description() -> None:
    spec = render.hearing_option(_audio(16.6), _mel(1_657))
    said = spec["aria"]["label"]["description"]
    assert "16.6 s" in said and "80 mel bands" in said and "166 columns of 100 ms" in said
