"""Tab "Your audio": a bundled sample, a recording made in the browser, or an uploaded file, decoded
to 16 kHz mono (`speech.read_audio`), played back, and shown as the model hears it (`speech.log_mel`).

The decoded clip is kept in the session (shared.Clip), never the file: a recorder or uploader is empty
again when this tab is reopened (only the open tab is drawn, ui/tabs.py), and the person's audio must
not vanish with it. Removing the file (or the recording) forgets the clip.
"""

from __future__ import annotations

import streamlit as st

from dl_core import speech
from ui import errors

from . import render, shared

UPLOAD_TYPES = ["wav", "mp3", "ogg", "opus", "oga", "m4a", "mp4", "aac", "flac", "webm", "mkv", "aiff"]


def view() -> None:
    source = st.segmented_control("Where the speech comes from", shared.SOURCES, default=shared.SOURCES[0],
                                  key=shared.SOURCE_KEY) or shared.SOURCES[0]
    pending = _choose(source)
    if pending is None:
        shared.forget()
        return
    clip = pending if isinstance(pending, shared.Clip) else None
    if clip is None:
        with errors.guard(stop=False):
            clip = shared.decode(*pending)
    if clip is None:
        return
    errors.notices(clip.audio.notices)
    _show(clip)


def _choose(source: str) -> tuple | shared.Clip | None:
    """(key, data, label, reference) of what the person picked, the clip kept from their earlier recording
    or upload when the widget is empty again, or None when nothing is picked yet."""
    if source == shared.SOURCES[0]:
        # By file name, not the Sample itself: a plain value is what ui.tabs keeps while another tab is open.
        samples = shared.samples()
        chosen = samples[st.selectbox("Sample", list(samples), format_func=lambda f: samples[f].title,
                                      key=shared.SAMPLE_KEY)]
        st.caption(f"Source: {chosen.source}. Licence: {chosen.licence}. Reference transcript included.")
        return shared.sample_source(chosen)
    if source == shared.SOURCES[1]:
        recording = st.audio_input("Record your voice (English), then stop", key="speech_record",
                                   on_change=shared.forget)
        if recording is None:
            earlier = _earlier("record:", "recorded")
            if earlier is not None:
                return earlier
            st.info("Press the microphone, say a sentence or two in English, and press it again to stop. "
                    "The recording stays in this browser session.", icon=":material/mic:")
            return None
        return f"record:{recording.file_id}", recording, "your recording", ""
    upload = st.file_uploader("Upload speech", type=UPLOAD_TYPES, key="speech_upload", on_change=shared.forget,
                              help=f"{speech.FORMATS_HINT}; up to {speech.MAX_BYTES // 2**20} MB and "
                                   f"{speech.MAX_SECONDS / 60:.0f} minutes")
    if upload is None:
        earlier = _earlier("upload:", "uploaded")
        if earlier is not None:
            return earlier
        st.info(f"Upload English speech: {speech.FORMATS_HINT}, at most "
                f"{speech.MAX_SECONDS / 60:.0f} minutes.", icon=":material/upload_file:")
        return None
    return f"upload:{upload.file_id}", upload, upload.name, ""


def _earlier(kind: str, how: str) -> shared.Clip | None:
    """The kept clip if it came from this source (`kind`: "record:" or "upload:"), with a button to drop it."""
    kept = shared.clip()
    if kept is None or not kept.key.startswith(kind):
        return None
    st.button(f"Using {kept.label} ({how} earlier): forget it", key="speech_source_forget", on_click=shared.forget,
              icon=":material/close:", help="Or record or upload another clip above to replace it.")
    return kept


def _show(clip: shared.Clip) -> None:
    audio = clip.audio
    st.audio(speech.to_wav_bytes(audio), format="audio/wav")
    c1, c2, c3, c4 = st.columns(4)
    c1.metric("Length", f"{audio.seconds:.1f} s")
    c2.metric("File", audio.container.split(",")[0] or "array", help=f"codec {audio.codec}")
    c3.metric("Original rate", f"{audio.source_rate / 1000:g} kHz", help=f"{audio.source_channels} channel(s), "
              "resampled to 16 kHz mono for the models")
    c4.metric("Loudest point", f"{audio.peak_dbfs:.0f} dBFS", help="0 dBFS is the loudest a file can hold")
    picture, alt = _hearing(clip)
    st.image(picture, width="stretch", alt=alt)
    st.caption(
        "**What the network hears.** Whisper never sees the waveform: it slices the audio into 25 ms "
        "windows every 10 ms and measures the energy in 80 frequency bands spaced like human hearing "
        "(the mel scale: fine at low pitch, coarse at high pitch), on a log scale. Vowels show up as "
        "horizontal stripes (their harmonics), consonants like *s* and *t* as bursts at the top, "
        "silence as dark columns. Whisper reads this picture 30 seconds at a time.")


def _hearing(clip: shared.Clip) -> tuple[bytes, str]:
    """(the picture, its text for screen readers), built once per clip: the log-mel of every 10 ms frame and
    the picture take ~0.4 s for a 2-minute clip, which every rerun of this tab would redo."""
    kept = st.session_state.get(shared.HEARING)
    if kept is None or kept[0] != clip.key:
        build = bundled_hearing if clip.key.startswith("sample:") else _hearing_of
        kept = (clip.key, *build(clip.key, clip.audio))
        st.session_state[shared.HEARING] = kept
    return kept[1], kept[2]


def _hearing_of(key: str, audio: speech.Audio) -> tuple[bytes, str]:
    mel = speech.log_mel(audio, max_frames=len(audio.samples))  # every frame
    return render.hearing_jpeg(audio, mel), render.hearing_alt(audio, mel)


@st.cache_data(show_spinner=False, max_entries=8)
def bundled_hearing(key: str, _audio: speech.Audio) -> tuple[bytes, str]:
    """A bundled sample's picture, built once per server (by its key): every new session opens on one, and
    the server's warm-up builds the default sample's (ui/warmup.py)."""
    return _hearing_of(key, _audio)
