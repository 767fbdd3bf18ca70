"""Search & similarity tab: semantic search over your documents, a similarity heatmap, a 2-D map."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dl_core import nlp
from dl_core.errors import InputError
from ui import actions, errors, fragments, uploads

from . import drawing
from .common import encoder, memo

EXAMPLE_SENTENCES = ("A man is playing the guitar.\nSomeone strums a song on a guitar.\nThe cat sleeps on the sofa.\n"
                     "A kitten is napping on the couch.\nInterest rates rose again this month.")


def view() -> None:
    st.markdown("**Semantic search**: ranked passages by meaning, not by shared words.")
    ups = st.file_uploader("Your documents (.txt, .md, .csv); without any, three example guides are used",
                           type=["txt", "md", "csv"], accept_multiple_files=True, key="nlp_docs",
                           on_change=uploads.forget, args=("nlp_docs",))
    ups = uploads.kept("nlp_docs", ups)  # still there after a visit to another tab (ui/tabs.py)
    query = st.text_input("Question", "How do I stop my chain from wearing out?", key="nlp_query")
    # Read only by the Search click (a full run), and what a search shows is of the k it ran with: a fragment
    # of its own, so a step redraws the slider alone (ui/fragments.py).
    k = fragments.alone(lambda: st.slider("Passages to show", 1, 20, 5, key="nlp_topk"), shown_below=lambda: False)
    clicked = st.button("Search", type="primary", key="nlp_search_go", icon=":material/search:")
    out = actions.run("nlp_search", clicked, lambda: run_search(ups, query, k))
    if out is not None:
        st.dataframe(pd.DataFrame([h.__dict__ for h in out["hits"]]), hide_index=True, width="stretch",
                     key="nlp_search_table",
                     column_config={"score": st.column_config.ProgressColumn(min_value=0, max_value=1, format="%.3f")})
    st.divider()
    similarity_section()
    st.divider()
    map_section()


def documents(ups) -> tuple[list[nlp.Passage], list[str], object]:
    """Passages of the uploaded (or example) documents and their embeddings, once per set of files."""
    key = ("documents", tuple(u.file_id for u in ups)) if ups else ("documents", "examples")

    def build():
        files = [(u.name, u.getvalue()) for u in ups] if ups else nlp.example_documents()
        passages, notices = nlp.documents_from_upload(files)
        with st.spinner(f"Embedding {len(passages):,} passages…"):
            return passages, notices, nlp.embed_passages(encoder(), passages)

    return memo(key, build)


def run_search(ups, query: str, k: int) -> dict:
    passages, notices, emb = documents(ups)
    errors.notices(notices)
    hits = nlp.search(encoder(), passages, query, k, passage_embeddings=emb)
    return {"hits": hits, "passages": passages, "emb": emb}


def similarity_section() -> None:
    st.markdown("**Similarity heatmap** between a handful of sentences.")
    sentences = st.text_area("Sentences (one per line, 2 to 50)", EXAMPLE_SENTENCES, height=130, key="nlp_sim_text")
    clicked = st.button("Compare", key="nlp_sim_go")
    out = actions.run("nlp_sim", clicked, lambda: compare(sentences))
    if out is not None:
        lines, sim = out
        st.plotly_chart(drawing.heatmap(sim, drawing.short(lines, 28), drawing.short(lines, 28), "Cosine similarity",
                                        zmin=-0.1, zmax=1), key="nlp_sim_heat")


def compare(sentences: str):
    lines = nlp.lines(sentences, max_texts=50, label="The sentences").texts
    return lines, nlp.similarity_matrix(encoder(), lines)


def map_section() -> None:
    st.markdown("**2-D map** of embeddings: 384 dimensions squeezed to 2 (UMAP is not installed; PCA and t-SNE are).")
    c = st.columns(2)
    what = c[0].radio("Texts", ["512 reviews (coloured by sentiment)", "Passages of the searched documents"],
                      key="nlp_map_what")
    method = c[1].radio("Method", ["pca", "tsne"], format_func=str.upper, horizontal=True, key="nlp_map_method")
    clicked = st.button("Draw map", key="nlp_map_go", icon=":material/scatter_plot:")
    out = actions.run("nlp_map", clicked, lambda: draw_map(what.startswith("512"), method))
    if out is not None:
        title = f"{out.method.upper()} of MiniLM embeddings"
        st.plotly_chart(drawing.scatter_map(out.xy, out.texts, out.groups, title), key="nlp_map_fig")


def draw_map(reviews: bool, method: str) -> nlp.TextMap:
    if reviews:
        with st.spinner("Embedding 512 reviews (cached after the first time)…"):
            return nlp.review_map(encoder(), method)
    out = actions.kept("nlp_search")
    if out is None:
        raise InputError("Run a search first: the map shows the passages of its documents.")
    return nlp.passage_map(out["passages"], out["emb"], method)
