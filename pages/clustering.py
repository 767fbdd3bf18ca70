"""Clustering: compare 12 algorithms live, deep clustering on digits, your own table, text lines.

Tabs -> views in ui/clustering/ (grid, deep, table, texts) -> engine calls in dl_core/clustering/.
"""

import streamlit as st

from ui import tabs
from ui.clustering import deep, grid, table, texts

st.title("Clustering: finding groups without labels")
st.markdown(
    "Clustering puts similar things together without being told what the groups are. Each algorithm "
    "has its own idea of a *group* (round blobs, dense regions, connected chains), so they disagree: "
    "compare them below, see how a **learned representation** helps k-means find digits, and cluster "
    "your own table or text lines."
)

# Only the open tab runs (?clustering_tab=... in the URL); what was set in the others is kept
# (ui/tabs.py). Each view has its own error boundary; the table and text tabs are fragments.
tabs.show("clustering_tab", [
    tabs.Tab("Compare algorithms", grid.view, ("cl_grid_",)),
    tabs.Tab("Deep clustering (digits)", deep.view, ("cl_deep_",)),
    tabs.Tab("Your table (CSV)", table.view, ("cl_csv_",)),
    tabs.Tab("Text lines", texts.view, ("cl_text_",)),
])
