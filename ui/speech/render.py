"""Figures and HTML of the speech page: waveform + log-mel, words that light up as the audio plays,
and the word alignment behind a word error rate."""

from __future__ import annotations

import base64
import html
import json

import numpy as np
import pandas as pd

from dl_core import speech
from ui import echarts

# Plotly's Magma, dark (quiet) to pale yellow (loud).
MAGMA = ["#000004", "#180f3d", "#440f76", "#721f81", "#9e2f7f", "#cd4071", "#f1605d", "#fd9668", "#feca8d",
         "#fcfdbf"]
# Spectrogram columns drawn. A new browser tab spends ~1 s of its 2 cores' CPU on ECharts for 80 x 332 cells
# (the default 16.6 s sample at 50 ms columns); 80 x 166 (100 ms) saved 0.33 s of it (issue 13: pages settle
# <= 3 s). Whisper reads every 10 ms frame; the caption says how many each column averages.
MAX_COLUMNS = 200
_FRAMES_PER_COLUMN = (1, 2, 4, 5, 10, 20, 25, 50, 100)  # 10 ms frames: columns start on round times
_LABEL_EVERY_S = (0.5, 1, 2, 5, 10, 15, 20, 30)
HEARING_HEIGHT = 460  # px


def pooled(values: np.ndarray, frames: int) -> np.ndarray:
    """The mean of every `frames` consecutive columns (the last group may be shorter): nothing dropped."""
    starts = np.arange(0, values.shape[1], frames)
    counts = np.diff(np.append(starts, values.shape[1]))
    return np.add.reduceat(values, starts, axis=1) / counts


def frames_per_column(n_frames: int, max_columns: int = MAX_COLUMNS) -> int:
    return next((k for k in _FRAMES_PER_COLUMN if -(-n_frames // k) <= max_columns), _FRAMES_PER_COLUMN[-1])


def columns_note(mel: speech.LogMel, max_columns: int = MAX_COLUMNS) -> str:
    """A sentence for the caption when the chart averages frames ('' when it draws every frame)."""
    k = frames_per_column(mel.values.shape[1], max_columns)
    if k == 1:
        return ""
    return (f" Each column of this chart is the mean of {k} consecutive frames ({k * 10} ms), to keep it "
            f"light; Whisper reads every 10 ms frame.")


def hearing_option(audio: speech.Audio, mel: speech.LogMel, max_columns: int = MAX_COLUMNS) -> dict:
    """The waveform (what the microphone measured) above the log-mel spectrogram (what Whisper reads), as
    one ECharts option: two grids, the same time span left to right. Long clips draw the mean of a few
    consecutive 10 ms frames per column (at most `max_columns`), `HEARING_HEIGHT` px tall."""
    k = frames_per_column(mel.values.shape[1], max_columns)
    cells = pooled(mel.values, k)
    bands, columns = cells.shape
    dt = mel.seconds_per_frame * k  # seconds per column
    span = columns * dt
    every = next((s for s in _LABEL_EVERY_S if span / s <= 10 and round(s / dt, 6).is_integer()), 30)
    per_label = round(every / dt)
    times, lows, highs = speech.envelope(audio, points=1_500)
    grid_x = {"left": 70, "right": 90}
    # One row [column, band, log energy, band Hz] per cell, column by column (the Hz only for the tooltip), as
    # a dataset: Streamlit sends a dataframe as Arrow. The same ~27k cells as JSON lists were 660 KB that
    # the server encoded (0.1 s) and a new browser tab parsed on every draw (issue 13: speech's open).
    col, band = (a.ravel() for a in np.meshgrid(np.arange(columns), np.arange(bands), indexing="ij"))
    cells_table = pd.DataFrame({"column": col.astype(np.int32), "band": band.astype(np.int32),
                                "energy": cells.T.ravel().astype(np.float64).round(2),  # float32 would show 0.170000002
                                "hz": np.rint(mel.band_hz).astype(np.int32)[band]})
    lo, hi = float(cells.min()), float(cells.max())
    said = (f"Waveform and log-mel spectrogram of {audio.seconds:.1f} s of audio: {bands} mel bands from "
            f"{mel.band_hz[0]:,.0f} to {mel.band_hz[-1]:,.0f} Hz, {columns} columns of {dt * 1000:.0f} ms.")
    return echarts.option(
        aria={"enabled": True, "label": {"description": said}},
        title=[echarts.title("Waveform (16 kHz mono)"),
               echarts.title("Log-mel spectrogram: Whisper's input (colour: log energy)", top=128)],
        grid=[{**grid_x, "top": 30, "height": 86}, {**grid_x, "top": 156, "bottom": 46}],
        tooltip={"trigger": "item", "confine": True},
        xAxis=[
            {"type": "value", "gridIndex": 0, "min": 0, "max": round(span, 3), "interval": every,
             "axisLabel": {"show": False}, "axisTick": {"show": False}},
            {"type": "category", "gridIndex": 1, "data": [f"{round(c * dt, 2):g}" for c in range(columns)],
             "name": "seconds", "nameLocation": "middle", "nameGap": 28,
             "axisLabel": {"interval": per_label - 1, "hideOverlap": False},
             "axisTick": {"interval": per_label - 1}, "splitLine": {"show": False}},
        ],
        yAxis=[
            {"type": "value", "gridIndex": 0, "min": -1, "max": 1, "interval": 1, "name": "amplitude",
             "nameLocation": "middle", "nameGap": 40},
            {"type": "category", "gridIndex": 1, "data": [f"{hz:,.0f}" for hz in mel.band_hz],
             "name": "mel band (Hz)", "nameLocation": "middle", "nameGap": 52,
             "axisLabel": {"interval": 19, "showMaxLabel": True}, "axisTick": {"show": False},
             "splitLine": {"show": False}},
        ],
        visualMap={"type": "continuous", "min": round(lo, 2), "max": round(hi, 2), "dimension": 2,
                   "seriesIndex": 2, "calculable": False, "inRange": {"color": MAGMA},
                   "orient": "vertical", "right": 0, "top": 170, "itemHeight": 200,
                   "text": [f"{hi:.1f} loud", f"{lo:.1f} quiet"], "precision": 1},
        dataset=[{"source": cells_table}],
        series=[
            # The envelope: the lowest sample of each slice, then the band up to the highest.
            {"type": "line", "xAxisIndex": 0, "yAxisIndex": 0, "stack": "wave", "stackStrategy": "all",
             "data": [[round(float(t), 4), v] for t, v in zip(times, echarts.values(lows))],
             "showSymbol": False, "lineStyle": {"width": 0}, "silent": True, "tooltip": {"show": False}},
            {"type": "line", "xAxisIndex": 0, "yAxisIndex": 0, "stack": "wave", "stackStrategy": "all",
             "data": [[round(float(t), 4), v] for t, v in zip(times, echarts.values(highs - lows))],
             "showSymbol": False, "lineStyle": {"width": 0}, "areaStyle": {"color": "#1f77b4", "opacity": 1},
             "silent": True, "tooltip": {"show": False}},
            {"type": "heatmap", "xAxisIndex": 1, "yAxisIndex": 1, "name": "log energy", "datasetIndex": 0,
             "encode": {"x": "column", "y": "band", "value": "energy"},
             "emphasis": {"disabled": True}, "progressive": 10_000,  # drawn in a few chunks, not ~70
             "tooltip": {"formatter": "{b} s · band {@[1]} (~{@[3]} Hz)<br>log energy {@[2]}"}},
        ],
    )


def karaoke_html(audio: speech.Audio, words: list[speech.Word], element_id: str) -> str:
    """An audio player whose words light up while it plays; a click on a word jumps there."""
    src = "data:audio/wav;base64," + base64.b64encode(speech.to_wav_bytes(audio)).decode()
    spans = " ".join(
        f'<span class="w" data-s="{w.start:.2f}" data-e="{w.end:.2f}" title="{w.start:.2f}–{w.end:.2f} s'
        + (f' · p={w.probability:.2f}' if w.probability is not None else "") + f'">{html.escape(w.text.strip())}</span>'
        for w in words)
    return f"""
<style>
  body {{ font-family: "Source Sans Pro", sans-serif; margin: 0; }}
  audio {{ width: 100%; }}
  .words {{ line-height: 1.9; font-size: 1.05rem; margin-top: .4rem; }}
  .w {{ padding: 2px 3px; border-radius: 4px; cursor: pointer; }}
  .w.on {{ background: #ffd54f; }}
</style>
<audio id="{element_id}" controls preload="auto" src="{src}"></audio>
<div class="words">{spans}</div>
<script>
  const a = document.getElementById({json.dumps(element_id)});
  const ws = Array.from(document.querySelectorAll(".w"));
  a.addEventListener("timeupdate", () => {{
    const t = a.currentTime;
    ws.forEach(w => w.classList.toggle("on", t >= +w.dataset.s && t < +w.dataset.e));
  }});
  ws.forEach(w => w.addEventListener("click", () => {{ a.currentTime = +w.dataset.s; a.play(); }}));
</script>"""


_STYLE = {
    "ok": "",
    "sub": "background:#fff3cd;border-radius:4px;padding:1px 3px",
    "del": "background:#f8d7da;border-radius:4px;padding:1px 3px;text-decoration:line-through",
    "ins": "background:#d1e7dd;border-radius:4px;padding:1px 3px",
}


def alignment_html(alignment: tuple[speech.AlignedWord, ...]) -> str:
    """Reference words in order, with what the recogniser wrote instead: substitutions (yellow,
    'said → heard'), deletions (red, struck through) and insertions (green, '+word')."""
    parts = []
    for a in alignment:
        if a.op == "ok":
            parts.append(html.escape(a.ref or ""))
        elif a.op == "sub":
            parts.append(f'<span style="{_STYLE["sub"]}" title="substitution">{html.escape(a.ref or "")} → '
                         f'<b>{html.escape(a.hyp or "")}</b></span>')
        elif a.op == "del":
            parts.append(f'<span style="{_STYLE["del"]}" title="deletion: not heard">{html.escape(a.ref or "")}</span>')
        else:
            parts.append(f'<span style="{_STYLE["ins"]}" title="insertion: heard, not said">'
                         f'+{html.escape(a.hyp or "")}</span>')
    return '<div style="line-height:2">' + " ".join(parts) + "</div>"


def legend_html() -> str:
    return (f'<span style="{_STYLE["sub"]}">said → heard</span> substitution &nbsp; '
            f'<span style="{_STYLE["del"]}">missed</span> deletion &nbsp; '
            f'<span style="{_STYLE["ins"]}">+extra</span> insertion')
