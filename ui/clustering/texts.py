"""Tab "Text lines": embed lines with MiniLM, k-means them, show each cluster's typical terms and
example lines. An uploaded file is parsed once (cached by its file id)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import streamlit as st

from dl_core import clustering as cl
from dl_core.errors import InputError
from ui import actions, errors

from . import plots

EXAMPLE = Path(__file__).resolve().parents[2] / "assets" / "clustering" / "example_lines.txt"
RESULT = "clustering_texts"  # the ui.actions key of this tab's result
KEPT = "clustering_texts::upload"  # (name, LinesFile) of the last good upload


@dataclass
class TextResult:
    clusters: cl.TextClusters
    points: np.ndarray  # (n, 2) PCA of the embeddings, for the scatter


@st.cache_data(show_spinner=False, max_entries=1)
def _example() -> str:
    return EXAMPLE.read_text(encoding="utf-8")


@st.cache_data(show_spinner="Reading the file…", max_entries=8)
def _read(file_id: str, name: str, _upload) -> object:
    """The parsed upload (LinesFile), or the message of why it cannot be read; once per file."""
    try:
        return cl.read_lines_file(_upload, name)
    except InputError as exc:
        return str(exc)


def _forget() -> None:
    """The person changed the uploader (another file, or removed it): the kept upload goes."""
    st.session_state.pop(KEPT, None)


def _lines() -> tuple[list[str], list[str]]:
    """The lines to cluster (from an upload, or typed), and notices about them. The parsed upload is
    kept in the session: the uploader is empty again when this tab is reopened (ui/tabs.py)."""
    upload = st.file_uploader("text file (.txt: one line per item; .csv: pick a column)", type=["txt", "csv"],
                              key="cl_text_file", on_change=_forget)
    if upload is not None:
        parsed = _read(upload.file_id, upload.name, upload)
        if isinstance(parsed, str):
            raise InputError(parsed)
        st.session_state[KEPT] = (upload.name, parsed)
    elif KEPT in st.session_state:
        name, parsed = st.session_state[KEPT]
        st.button(f"Using {name} (uploaded earlier): type lines instead", key="cl_text_forget", on_click=_forget,
                  icon=":material/close:", help="Or upload another file above to replace it.")
    else:
        typed = st.text_area("lines", _example(), height=200, key="cl_text_area")
        return cl.split_lines(typed or "")
    errors.notices(parsed.notices)
    if parsed.frame is not None:
        column = st.selectbox("text column", list(parsed.frame.columns), key="cl_text_col")
        return cl.lines_of_column(parsed.frame, column)
    return cl.split_lines(parsed.text)


def _cluster(lines: list[str], k: int) -> TextResult:
    from ui import loaders

    cl.check_k(k, len(lines))
    encoder = loaders.model("minilm-l6")
    with st.spinner(f"Embedding {len(lines)} lines with MiniLM…"):
        found = cl.cluster_texts(lines, k, encoder.encode)
    return TextResult(found, cl.projection(found.embeddings, 2))


def texts_tab() -> None:
    st.markdown("Paste or upload lines of text (one item per line: reviews, titles, tickets…). Each line "
                "becomes a 384-number **MiniLM** sentence embedding, so lines with similar *meaning* land "
                "close together even with no word in common; k-means then groups them.")
    lines, notices = _lines()
    errors.notices(notices)
    k = st.slider("clusters", 2, 12, 4, key="cl_text_k")
    clicked = st.button("Cluster the lines", type="primary", key="cl_text_go", icon=":material/play_arrow:")
    result = actions.run(RESULT, clicked, lambda: _cluster(lines, k))
    if result is None:
        return
    res = result.clusters
    if res.lines != lines or len(set(res.labels.tolist())) != k:
        st.caption("These results are for the previous lines or number of clusters; press the button again.")
    sil = "–" if res.silhouette is None else f"{res.silhouette:.3f}"
    st.caption(f"{len(res.lines)} lines, {len(res.terms)} clusters, silhouette {sil} (cosine space), "
               f"{res.seconds:.1f} s.")
    cols = st.columns(2)
    for c in sorted(res.examples):
        with cols[c % 2].container(border=True):
            size = int((res.labels == c).sum())
            st.markdown(f"**Cluster {c}** · {size} line(s) · typical terms: "
                        + (", ".join(f"`{t}`" for t in res.terms.get(c, [])) or "–"))
            for ex in res.examples[c]:
                st.markdown(f"- {ex}")
    st.plotly_chart(plots.scatter_figure(result.points, res.labels, [ln[:80] for ln in res.lines],
                                         title="Embeddings (PCA of 384-d)"), key="cl_text_scatter")


@st.fragment
def view() -> None:
    """The tab as a fragment: its controls rerun this tab only, not the 72-panel grid."""
    with errors.guard(stop=False):
        texts_tab()
