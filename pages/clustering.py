"""Clustering: compare 12 algorithms live, deep clustering on digits, your own table, text lines.

Tabs -> views in ui/clustering/ (grid, deep, table, texts) -> engine calls in dl_core/clustering/.
"""

import streamlit as st

from ui.clustering import deep, grid, table, texts

st.title("Clustering: finding groups without labels")
st.markdown(
    "Clustering puts similar things together without being told what the groups are. Each algorithm "
    "has its own idea of a *group* (round blobs, dense regions, connected chains), so they disagree: "
    "compare them below, see how a **learned representation** helps k-means find digits, and cluster "
    "your own table or text lines."
)

tab_grid, tab_deep, tab_table, tab_texts = st.tabs(
    ["Compare algorithms", "Deep clustering (digits)", "Your table (CSV)", "Text lines"])
# Each tab has its own error boundary, so a bad upload in one tab leaves the others working; the
# grid, table and text tabs are fragments (their controls rerun only their own tab).
with tab_grid:
    grid.view()
with tab_deep:
    deep.view()
with tab_table:
    table.view()
with tab_texts:
    texts.view()
