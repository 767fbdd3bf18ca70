"""Figures and HTML of the speech page: waveform + log-mel, words that light up as the audio plays,
and the word alignment behind a word error rate."""

from __future__ import annotations

import base64
import html
import json

import numpy as np
import plotly.colors as pc
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from dl_core import speech

_LAYOUT = {"margin": {"l": 10, "r": 10, "t": 30, "b": 10}}
# Plotly's Magma as rgb() stops: the app's plotly.js drew the named scale's first stop ("#000004")
# as lavender/pink, so silence looked loud (seen in Chromium, with and without Streamlit's theme).
MAGMA = [[i / (len(pc.sequential.Magma) - 1), "rgb({}, {}, {})".format(*pc.hex_to_rgb(c))]
         for i, c in enumerate(pc.sequential.Magma)]


def hearing_figure(audio: speech.Audio, mel: speech.LogMel) -> go.Figure:
    """The waveform (what the microphone measured) above the log-mel spectrogram (what Whisper reads)."""
    times, lows, highs = speech.envelope(audio, points=1_500)
    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, row_heights=[0.3, 0.7], vertical_spacing=0.06,
                        subplot_titles=("Waveform (16 kHz mono)", "Log-mel spectrogram: Whisper's input"))
    fig.add_trace(go.Scatter(x=np.concatenate([times, times[::-1]]), y=np.concatenate([highs, lows[::-1]]),
                             fill="toself", mode="none", fillcolor="#1f77b4", name="waveform",
                             hoverinfo="skip"), 1, 1)
    fig.add_trace(go.Heatmap(z=mel.values, x=mel.times, y=np.arange(mel.values.shape[0]),
                             colorscale=MAGMA, colorbar={"title": "log energy", "len": 0.65, "y": 0.33},
                             customdata=np.repeat(mel.band_hz[:, None], mel.values.shape[1], axis=1),
                             hovertemplate="%{x:.2f} s · band %{y} (~%{customdata:.0f} Hz)<br>%{z:.2f}"
                                           "<extra></extra>"), 2, 1)
    ticks = [0, 20, 40, 60, 79]
    fig.update_yaxes(title_text="amplitude", range=[-1, 1], row=1, col=1)
    fig.update_yaxes(title_text="mel band (Hz)", tickvals=ticks,
                     ticktext=[f"{mel.band_hz[t]:,.0f}" for t in ticks], row=2, col=1)
    fig.update_xaxes(title_text="seconds", row=2, col=1)
    fig.update_layout(height=440, showlegend=False, **_LAYOUT)
    return fig


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
