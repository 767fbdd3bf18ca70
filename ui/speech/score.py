"""Tab "Word error rate": type (or keep the sample's) reference transcript; both recognisers are
scored with the word-level alignment shown. Engine call: `speech.word_error_rate`."""

from __future__ import annotations

import streamlit as st

from dl_core import speech
from ui import errors

from . import render, shared, transcribe


def view() -> None:
    clip = shared.need_clip()
    if clip is None:
        return
    reference = st.text_area("What was actually said (the reference)", clip.reference, height=100,
                             key=f"speech_reference::{clip.key}", max_chars=20_000,
                             placeholder="Type exactly what was said, then press Ctrl+Enter.")
    results = transcribe.kept(clip)
    if not results:
        st.info("Transcribe the clip in the **Transcribe** tab first; both recognisers are then scored here.",
                icon=":material/info:")
        return
    if not reference.strip():
        st.info("Type the reference above to score the transcripts.", icon=":material/keyboard:")
        return
    st.markdown(
        "**Word error rate** = (substituted + missed + inserted words) / words in the reference, after "
        "both texts are normalised (lower case, no punctuation, *Mr* = *mister*). Numbers are compared as "
        "written: *10* against *ten* counts as an error. Lower is better; it can exceed 100%.")
    st.markdown(render.legend_html(), unsafe_allow_html=True)
    for name, t in results.items():
        with errors.guard(stop=False):
            score = speech.word_error_rate(reference, t.text)
            card = speech.model_card(name)
            st.subheader(card.title)
            c1, c2, c3, c4 = st.columns(4)
            c1.metric("Word error rate", f"{score.wer:.1%}")
            c2.metric("Substitutions", score.substitutions)
            c3.metric("Deletions (missed)", score.deletions)
            c4.metric("Insertions (extra)", score.insertions)
            st.markdown(render.alignment_html(score.alignment), unsafe_allow_html=True)
