"""Translate & summarise tab: EN<->PT offline (other pairs online), extractive and abstractive summaries."""

from __future__ import annotations

import streamlit as st

from dl_core import nlp
from ui import actions, errors, loaders

from . import drawing
from .common import encoder

PAIRS = {"English → Portuguese (offline)": ("en", "pt"), "Portuguese → English (offline)": ("pt", "en"),
         "English → German (online download)": ("en", "de"), "English → French (online download)": ("en", "fr"),
         "English → Spanish (online download)": ("en", "es")}


def view() -> None:
    st.markdown("**Translation** with the bundled Bergamot models (EN↔PT); other pairs download Helsinki-NLP "
                "opus-mt models from the Hugging Face Hub when online.")
    pair = st.selectbox("Direction", list(PAIRS), key="nlp_tr_pair")
    text = st.text_area("Text", "I love this city. The food is wonderful and the people are kind.", height=90,
                        key="nlp_tr_text")
    clicked = st.button("Translate", type="primary", key="nlp_tr_go", icon=":material/translate:")
    translation = actions.run("nlp_tr", clicked, lambda: translate(text, *PAIRS[pair]))
    if translation:
        st.success(translation)
    st.divider()
    summaries()


def translate(text: str, src: str, tgt: str) -> str:
    model = loaders.model(nlp.translation_model(src, tgt))
    translation, notices = nlp.translate(text, src, tgt, model)
    errors.notices(notices)
    return translation


@st.fragment
def summaries() -> None:
    """A fragment: nothing outside reads its settings or results, so the length slider and the summary
    buttons rerun this section, not the translation above it (issue 13)."""
    st.markdown("**Summaries**: extractive (the most central sentences, by MiniLM similarity) or abstractive "
                "(written by SmolLM2).")
    article = st.text_area("Text to summarise", nlp.example_article(), height=170, key="nlp_sum_text")
    n = st.slider("Summary length (sentences)", 1, 10, 3, key="nlp_sum_n")
    c = st.columns(3)
    extractive = actions.run("nlp_sum", c[0].button("Extractive summary", type="primary", key="nlp_sum_go"),
                             lambda: nlp.extractive_summary(encoder(), article, n))
    abstractive = actions.run("nlp_abs", c[1].button("Abstractive (SmolLM2)", key="nlp_abs_go"),
                              lambda: _abstractive(article))
    abstractive = actions.run("nlp_abs", c[2].button("DistilBART (online download)", key="nlp_bart_go"),
                              lambda: {"text": nlp.hub_summary(loaders.model("distilbart-cnn"), article), "note": None})
    if extractive is not None:
        st.markdown(f"**Extractive:** {extractive.text}")
        st.html(drawing.highlight_sentences(extractive.all_sentences, set(extractive.indices)))
    if abstractive is not None:
        st.markdown(f"**Abstractive:** {abstractive['text']}")
        if abstractive["note"]:
            st.caption(abstractive["note"])


def _abstractive(article: str) -> dict:
    result = nlp.abstractive_summary(loaders.model("smollm2-135m-instruct"), article)
    return {"text": result.text, "note": result.note}
