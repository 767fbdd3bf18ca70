"""Tab "Carry on": the Whisper transcript goes on to the language tools (dl_core.nlp)."""

from __future__ import annotations

import streamlit as st

from . import shared, transcribe


def view() -> None:
    clip = shared.need_clip()
    if clip is None:
        return
    results = transcribe.kept(clip)
    if not results:
        st.info("Transcribe the clip first.", icon=":material/info:")
        return
    st.write("Coming next: sentiment, translation and a summary of the transcript.")
