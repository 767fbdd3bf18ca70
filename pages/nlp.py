"""Language (NLP): sentiment, your own labels, semantic search, generation, translation, summaries and a
look inside the transformer. Everything runs offline on bundled models; hub models are optional extras.

Each tab is one view in ui/nlp/; heavy work only happens behind buttons, and results live in this
person's session, so moving a slider in one tab never recomputes another; only the open tab runs.
"""

import streamlit as st

from ui import tabs
from ui.nlp import attention, generate, search, sentiment, translate, zero_shot

st.title("Language (NLP)")
st.caption("Sentence embeddings from a frozen MiniLM transformer, a head trained here on 12,808 Rotten Tomatoes "
           "review snippets, SmolLM2 for generation and Bergamot for EN↔PT translation, all offline.")

# Only the open tab runs (?nlp_tab=... in the URL): a slider in one tab no longer redraws the other five
# (issue 13); what was set in the other tabs is kept (ui/tabs.py: each tab's widget key prefixes).
tabs.show("nlp_tab", [
    tabs.Tab("Sentiment", sentiment.view, ("nlp_sent_", "nlp_rt_", "nlp_ft_", "nlp_eval_", "tune_")),
    tabs.Tab("Your own labels", zero_shot.view, ("nlp_zs_",)),
    tabs.Tab("Search & similarity", search.view, ("nlp_docs", "nlp_query", "nlp_topk", "nlp_search_", "nlp_sim_",
                                                  "nlp_map_")),
    tabs.Tab("Generate", generate.view, ("nlp_gen_",)),
    tabs.Tab("Translate & summarise", translate.view, ("nlp_tr_", "nlp_sum_", "nlp_abs_", "nlp_bart_")),
    tabs.Tab("Attention", attention.view, ("nlp_att_",)),
])
