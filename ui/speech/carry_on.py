"""Tab "Carry on": Whisper's transcript goes on to the language tools in one click: sentiment,
English -> Portuguese and a summary. Engine call: `speech.carry_on` (which uses dl_core.nlp)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dl_core import speech
from ui import actions, loaders

from . import shared, transcribe

KEY = "speech_carry_on"


def _sentiment_model():
    """The sentiment head if it is trained in this data folder (shared, loaded once), else None."""
    from dl_core import nlp

    if nlp.saved_report() is None:
        return None
    return loaders.model("minilm-sentiment")


def _run(clip_key: str, text: str) -> dict:
    from dl_core import nlp

    with st.spinner("Reading the transcript…"):
        out = speech.carry_on(text, encoder=loaders.model(nlp.ENCODER),
                              translator=loaders.model(nlp.translation_model("en", "pt")),
                              sentiment_model=_sentiment_model())
    return {"clip": clip_key, "text": text, "result": out}


def view() -> None:
    clip = shared.need_clip()
    if clip is None:
        return
    whisper = transcribe.kept(clip).get(speech.WHISPER)
    if whisper is None:
        st.info("Transcribe the clip with Whisper in the **Transcribe** tab first.", icon=":material/info:")
        return
    st.markdown("What was said, understood: the **sentiment** (MiniLM + a head trained on movie reviews), a "
                "**Portuguese translation** (Bergamot, offline) and a **summary** (the most central sentences "
                "by MiniLM similarity), all from the Language page's engine.")
    st.markdown(f"> {whisper.text}" if whisper.text else "*Nothing was recognised.*")
    clicked = st.button("Carry on", type="primary", icon=":material/arrow_forward:", key="speech_carry_go")
    kept = actions.run(KEY, clicked, lambda: _run(clip.key, whisper.text))
    if not kept or kept["clip"] != clip.key or kept["text"] != whisper.text:
        return
    _show(kept["result"])


def _show(out: speech.FollowUp) -> None:
    c1, c2 = st.columns(2)
    with c1:
        st.subheader("Sentiment")
        if out.overall is not None:
            st.metric("Overall", out.overall.label, f"{out.overall.positive:.0%} positive", delta_color="off")
            if out.sentences:
                table = pd.DataFrame([{"sentence": m.text, "sentiment": m.label, "P(positive)": m.positive}
                                      for m in out.sentences])
                st.dataframe(table, hide_index=True, key="speech_moods", column_config={
                    "P(positive)": st.column_config.ProgressColumn(min_value=0.0, max_value=1.0, format="%.2f")})
        else:
            st.info(out.notes.get("sentiment", ""), icon=":material/info:")
            st.page_link("pages/nlp.py", label="Train it once on the Language (NLP) page (a few minutes)",
                         icon=":material/translate:")
    with c2:
        st.subheader("In Portuguese")
        if out.translation is not None:
            st.markdown(f"> {out.translation}")
        if "translation" in out.notes:
            st.info(out.notes["translation"], icon=":material/info:")
        st.subheader("Summary")
        if out.summary:
            st.markdown("\n".join(f"- {s}" for s in out.summary))
        else:
            st.info(out.notes.get("summary", ""), icon=":material/info:")
