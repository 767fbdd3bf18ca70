"""Your own labels tab: classify texts into any labels you type, no training."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dl_core import nlp
from ui import actions, errors

from . import drawing
from .common import encoder

EXAMPLE_TEXTS = ("The battery died after two days and support never answered.\n"
                 "An absolute delight from start to finish.\n"
                 "I expected more from such a talented cast.")


def view() -> None:
    st.markdown("Classify texts into **any labels you type**: each text and each label description are embedded, "
                "and the closest label wins. No training.")
    texts = st.text_area("Texts (one per line)", EXAMPLE_TEXTS, height=110, key="nlp_zs_texts")
    labels = st.text_input("Labels (comma-separated)", "product problem, praise, disappointment", key="nlp_zs_labels")
    template = st.text_input("Label description template", nlp.DEFAULT_TEMPLATE, key="nlp_zs_template",
                             max_chars=200, help="{} is replaced by each label; without {}, the label is appended.")
    clicked = st.button("Classify", type="primary", key="nlp_zs_go")
    res = actions.run("nlp_zs", clicked, lambda: classify(texts, labels, template))
    if res is not None:
        show(res)


def classify(texts: str, labels: str, template: str) -> nlp.ZeroShot:
    got = nlp.lines(texts)
    errors.notices(got.notices)
    return nlp.zero_shot_labels(encoder(), got.texts, labels, template)


def show(res: nlp.ZeroShot) -> None:
    names = [f"{lab} (label)" if lab.lower() in ("text", "best label") else lab for lab in res.labels]
    frame = pd.DataFrame(res.probability, columns=names)
    frame.insert(0, "best label", [b for b, _ in res.best()])
    frame.insert(0, "text", res.texts)
    st.dataframe(frame, hide_index=True, width="stretch", key="nlp_zs_table",
                 column_config={n: st.column_config.NumberColumn(format="percent") for n in names})
    st.plotly_chart(drawing.heatmap(res.similarity, res.labels, drawing.short(res.texts),
                                    "Cosine similarity of text and label", colorscale="Viridis"), key="nlp_zs_heat")
