"""Language (NLP): sentiment, your own labels, semantic search, generation, translation, summaries and a
look inside the transformer. Everything runs offline on bundled models; hub models are optional extras.

Each tab is one view in ui/nlp/; heavy work only happens behind buttons, and results live in this
person's session, so moving a slider in one tab never recomputes another.
"""

import streamlit as st

from ui.nlp import attention, generate, search, sentiment, translate, zero_shot

st.title("Language (NLP)")
st.caption("Sentence embeddings from a frozen MiniLM transformer, a head trained here on 12,808 Rotten Tomatoes "
           "review snippets, SmolLM2 for generation and Bergamot for EN↔PT translation, all offline.")

TABS = {
    "Sentiment": sentiment.view,
    "Your own labels": zero_shot.view,
    "Search & similarity": search.view,
    "Generate": generate.view,
    "Translate & summarise": translate.view,
    "Attention": attention.view,
}
for tab, view in zip(st.tabs(list(TABS)), TABS.values()):
    with tab:
        view()
