"""Figures and HTML of the speech page: waveform + log-mel, words that light up as the audio plays,
and the word alignment behind a word error rate."""

from __future__ import annotations

import base64
import html
import io
import json
import threading

from dl_core import speech

# The waveform and the log-mel are one picture, not a chart: a new browser tab spent ~0.5 s of its 2 cores
# drawing them as an ECharts heatmap of 80 x 166 averaged cells (and ~1 s more returning; issue 13: pages
# settle <= 3 s), where a picture is drawn from every 10 ms frame Whisper reads (at its own resolution:
# ~1.7 frames a pixel for the 16.6 s default sample, ten a column before) and costs the browser one decode.
HEARING_INCHES = (10.0, 4.6)  # drawn at HEARING_DPI: 1,200 x 552 px, about the page's width
HEARING_DPI = 120
_BAND_TICKS = (0, 20, 40, 60, 79)
# Where the two plots and the colour bar sit, as (left, bottom, width, height) fractions of the picture.
WAVE_AXES = (0.075, 0.74, 0.82, 0.2)
MEL_AXES = (0.075, 0.11, 0.82, 0.54)
_BAR_AXES = (0.905, 0.11, 0.012, 0.54)
# matplotlib's caches (fonts, text layout) are not made for many threads at once: one picture at a time.
_DRAWING = threading.Lock()


def hearing_jpeg(audio: speech.Audio, mel: speech.LogMel) -> bytes:
    """The waveform (what the microphone measured) above the log-mel spectrogram (what Whisper reads), as one
    JPEG picture drawn from every 10 ms frame (a long clip's frames share a pixel: matplotlib averages them),
    the same seconds left to right, the bands labelled with their centre in Hz."""
    with _DRAWING:
        return _draw(audio, mel)


def _draw(audio: speech.Audio, mel: speech.LogMel) -> bytes:
    from matplotlib.figure import Figure  # Figure, not pyplot: no global state shared by the server's threads

    # Fixed axes, not the constrained layout engine: that measured every label twice, 0.4 s of the server's
    # time (holding the GIL) per new clip; now ~0.3 s in all.
    fig = Figure(figsize=HEARING_INCHES, dpi=HEARING_DPI)
    wave = fig.add_axes(WAVE_AXES)
    heat = fig.add_axes(MEL_AXES, sharex=wave)
    bar = fig.add_axes(_BAR_AXES)
    span = mel.values.shape[1] * mel.seconds_per_frame
    times, lows, highs = speech.envelope(audio, points=1_500)
    wave.fill_between(times, lows, highs, color="#1f77b4", linewidth=0)
    wave.set(ylim=(-1, 1), yticks=(-1, 0, 1), ylabel="amplitude", xlim=(0, span))
    wave.tick_params(labelbottom=False)
    wave.set_title("Waveform (16 kHz mono)", loc="left", fontsize=10)
    image = heat.imshow(mel.values, origin="lower", aspect="auto", cmap="magma", interpolation="antialiased",
                        extent=(0, span, -0.5, mel.values.shape[0] - 0.5))
    ticks = [b for b in _BAND_TICKS if b < len(mel.band_hz)]
    heat.set(yticks=ticks, yticklabels=[f"{mel.band_hz[b]:,.0f}" for b in ticks], ylabel="mel band (Hz)",
             xlabel="seconds")
    heat.set_title("Log-mel spectrogram: Whisper's input (colour: log energy)", loc="left", fontsize=10)
    fig.colorbar(image, cax=bar, label="log energy (quiet → loud)")
    for axes in (wave, heat):
        axes.spines[["top", "right"]].set_visible(False)
    out = io.BytesIO()
    # JPEG: 170 KB in 4 ms, where a PNG of these colours was 0.5 MB and took 0.06-0.2 s to compress.
    fig.savefig(out, format="jpeg", pil_kwargs={"quality": 90})
    return out.getvalue()


def hearing_alt(audio: speech.Audio, mel: speech.LogMel) -> str:
    """What the picture shows, for screen readers."""
    bands, frames = mel.values.shape
    return (f"Waveform and log-mel spectrogram of {audio.seconds:.1f} s of audio: {bands} mel bands from "
            f"{mel.band_hz[0]:,.0f} to {mel.band_hz[-1]:,.0f} Hz, {frames:,} frames of "
            f"{mel.seconds_per_frame * 1000:.0f} ms.")


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
