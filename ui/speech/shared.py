"""The recognisers (loaded once per server process, shared by every session) and this session's clip.

Sharing is safe: Whisper's CTranslate2 model queues concurrent calls and keeps no per-call state;
a pocketsphinx decoder is one utterance at a time, so it carries a lock (dl_core/speech/sphinx.py).
Neither is ever mutated by a page.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import streamlit as st

from dl_core import speech

SOURCES = ("Bundled sample", "Record", "Upload a file")  # where the "Your audio" tab takes the speech from
SOURCE_KEY, SAMPLE_KEY = "speech_source", "speech_sample"  # that tab's widgets: the source, the sample
_CLIP = "speech::clip"
HEARING = "speech::hearing"  # (clip key, chart option, note): the "Your audio" chart of the clip, built once


@st.cache_resource(show_spinner="Loading the speech recogniser (once per server)…", max_entries=4)
def recogniser(name: str) -> speech.Recogniser:
    return speech.load(name)


@dataclass(frozen=True)
class Clip:
    """The audio this person is working on: decoded once, kept in their session."""

    key: str  # identity: "sample:<file>", "upload:<file id>", "record:<file id>"
    audio: speech.Audio
    reference: str = ""  # a bundled sample's transcript; empty for the person's own audio
    label: str = ""


def clip() -> Clip | None:
    return st.session_state.get(_CLIP)


def decode(key: str, source, label: str, reference: str = "") -> Clip:
    """The kept clip if `key` is the same as last time, else decode `source` (InputError when bad)."""
    kept = clip()
    if kept is not None and kept.key == key:
        return kept
    st.session_state.pop(_CLIP, None)  # a bad new file must not leave the old clip in place
    audio = bundled_audio(str(source), label) if key.startswith("sample:") else speech.read_audio(source, name=label)
    st.session_state[_CLIP] = Clip(key=key, audio=audio, reference=reference, label=label)
    return st.session_state[_CLIP]


@st.cache_data(show_spinner=False, max_entries=8)
def bundled_audio(path: str, label: str) -> speech.Audio:
    """A bundled sample, decoded once per server: every new session opens on one (0.25 s of decoding)."""
    return speech.read_audio(Path(path), name=label)


def forget() -> None:
    st.session_state.pop(_CLIP, None)
    st.session_state.pop(HEARING, None)


def samples() -> dict[str, speech.Sample]:
    """The bundled samples by file name, in the order the page offers them (the first is the default)."""
    return {s.file: s for s in speech.samples()}


def sample_source(sample: speech.Sample) -> tuple:
    """`decode`'s arguments for a bundled sample."""
    return f"sample:{sample.file}", sample.path, sample.file, sample.reference


def sample_clip() -> Clip | None:
    """The bundled sample that "Your audio" shows (its first one unless another was chosen), decoded, while
    that tab's source is the bundled samples; else None. A person may open another tab first (a link
    to /speech?speech_tab=Transcribe): the page then works on the same sample as if they had started there."""
    if (st.session_state.get(SOURCE_KEY) or SOURCES[0]) != SOURCES[0]:
        return None
    offered = samples()
    return decode(*sample_source(offered.get(st.session_state.get(SAMPLE_KEY), next(iter(offered.values())))))


def need_clip() -> Clip | None:
    """The clip (the default sample if none was chosen yet), or a hint to choose one first (then None)."""
    current = clip() or sample_clip()
    if current is None:
        st.info("Choose a sample, record your voice or upload a file in the **Your audio** tab first.",
                icon=":material/mic:")
    return current
