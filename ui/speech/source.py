"""Tab "Your audio": a bundled sample, a recording made in the browser, or an uploaded file, decoded
to 16 kHz mono (`speech.read_audio`), played back, and shown as the model hears it (`speech.log_mel`)."""

from __future__ import annotations

import streamlit as st

from dl_core import speech
from ui import echarts, errors

from . import render, shared

UPLOAD_TYPES = ["wav", "mp3", "ogg", "opus", "oga", "m4a", "mp4", "aac", "flac", "webm", "mkv", "aiff"]
SOURCES = ("Bundled sample", "Record", "Upload a file")


def view() -> None:
    source = st.segmented_control("Where the speech comes from", SOURCES, default=SOURCES[0],
                                  key="speech_source") or SOURCES[0]
    pending = _choose(source)
    if pending is None:
        shared.forget()
        return
    clip = None
    with errors.guard(stop=False):
        clip = shared.decode(*pending)
    if clip is None:
        return
    errors.notices(clip.audio.notices)
    _show(clip)


def _choose(source: str) -> tuple | None:
    """(key, data, label, reference) of what the person picked, or None when nothing is picked yet."""
    if source == SOURCES[0]:
        samples = speech.samples()
        chosen = st.selectbox("Sample", samples, format_func=lambda s: s.title, key="speech_sample")
        st.caption(f"Source: {chosen.source}. Licence: {chosen.licence}. Reference transcript included.")
        return f"sample:{chosen.file}", chosen.path, chosen.file, chosen.reference
    if source == SOURCES[1]:
        recording = st.audio_input("Record your voice (English), then stop", key="speech_record")
        if recording is None:
            st.info("Press the microphone, say a sentence or two in English, and press it again to stop. "
                    "The recording stays in this browser session.", icon=":material/mic:")
            return None
        return f"record:{recording.file_id}", recording, "your recording", ""
    upload = st.file_uploader("Upload speech", type=UPLOAD_TYPES, key="speech_upload",
                              help=f"{speech.FORMATS_HINT}; up to {speech.MAX_BYTES // 2**20} MB and "
                                   f"{speech.MAX_SECONDS / 60:.0f} minutes")
    if upload is None:
        st.info(f"Upload English speech: {speech.FORMATS_HINT}, at most "
                f"{speech.MAX_SECONDS / 60:.0f} minutes.", icon=":material/upload_file:")
        return None
    return f"upload:{upload.file_id}", upload, upload.name, ""


def _show(clip: shared.Clip) -> None:
    audio = clip.audio
    st.audio(speech.to_wav_bytes(audio), format="audio/wav")
    c1, c2, c3, c4 = st.columns(4)
    c1.metric("Length", f"{audio.seconds:.1f} s")
    c2.metric("File", audio.container.split(",")[0] or "array", help=f"codec {audio.codec}")
    c3.metric("Original rate", f"{audio.source_rate / 1000:g} kHz", help=f"{audio.source_channels} channel(s), "
              "resampled to 16 kHz mono for the models")
    c4.metric("Loudest point", f"{audio.peak_dbfs:.0f} dBFS", help="0 dBFS is the loudest a file can hold")
    mel = speech.log_mel(audio, max_frames=len(audio.samples))  # every 10 ms frame: the chart averages
    echarts.show(render.hearing_option(audio, mel), key="speech_hearing", height=render.HEARING_HEIGHT)
    st.caption(
        "**What the network hears.** Whisper never sees the waveform: it slices the audio into 25 ms "
        "windows every 10 ms and measures the energy in 80 frequency bands spaced like human hearing "
        "(the mel scale: fine at low pitch, coarse at high pitch), on a log scale. Vowels show up as "
        "horizontal stripes (their harmonics), consonants like *s* and *t* as bursts at the top, "
        "silence as dark columns. Whisper reads this picture 30 seconds at a time." + render.columns_note(mel))
