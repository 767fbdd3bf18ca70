"""Under the Sentiment tab's results, when the CSV had a label column: the model and the TF-IDF
baseline side by side against those labels (accuracy, per-class precision/recall/F1, confusion
matrix), then the texts where the two disagree. The numbers come from `nlp.evaluate_sentiment`;
figures and tables are built once per result (in `evaluate`), not on every rerun."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from dl_core import nlp
from ui import charts, errors

BASELINE = "TF-IDF"


def label_counts(truth: list[str | None], column: str) -> str:
    """One line under the label picker: what the column holds, before anything is analysed."""
    counts = {c: sum(t == c for t in truth) for c in nlp.LABELS}
    missing = len(truth) - sum(counts.values())
    return (f"Labels from column “{column}”: " + ", ".join(f"{n:,} {c}" for c, n in counts.items())
            + (f", {missing:,} without a label (predicted, not scored)" if missing else "")
            + ". “Analyse sentiment” scores both models against them.")


def evaluate(frame: pd.DataFrame, truth: list[str | None], column: str | None, name: str) -> dict:
    """`frame` (the predictions table: text, label, and TF-IDF says when there is a baseline) scored
    against `truth`; `name` is the deep model's short name. Adds a "your label" column to `frame`."""
    baseline = frame["TF-IDF says"].tolist() if "TF-IDF says" in frame else None
    ev = nlp.evaluate_sentiment(frame["text"].tolist(), truth, frame["label"].tolist(), baseline, column=column)
    frame.insert(1, "your label", truth)
    panels = [(name, ev.model)] + ([(BASELINE, ev.baseline)] if ev.baseline is not None else [])
    out: dict = {"ev": ev, "name": name, "panels": []}
    for who, scores in panels:
        classes = pd.DataFrame([{"class": c, "precision": s["precision"], "recall": s["recall"], "F1": s["f1"],
                                 "support": s["support"]} for c, s in scores.per_class.items()])
        figure = charts.confusion_figure(np.array(scores.confusion), ev.labels, title=f"{who}: confusion matrix")
        figure.update_layout(height=340)
        out["panels"].append({"name": who, "scores": scores, "classes": classes, "figure": figure})
    out["disagreements"] = pd.DataFrame(
        [{"row": d.row, "text": d.text, "your label": d.truth, name: d.model, BASELINE: d.baseline,
          "right": name if d.right == "model" else BASELINE} for d in ev.disagreements],  # row: in the table above
        columns=["row", "text", "your label", name, BASELINE, "right"])
    return out


def show(result: dict) -> None:
    ev: nlp.LabelEvaluation = result["ev"]
    st.markdown(f"**Against your labels** · column “{ev.column}”, {ev.rows:,} labelled texts")
    errors.notices(ev.notices)
    panels = result["panels"]
    share = st.column_config.NumberColumn(format="%.3f")
    for i, (col, panel) in enumerate(zip(st.columns(len(panels)), panels)):
        with col:
            delta = None
            if i == 0 and ev.baseline is not None:
                delta = f"{100 * (panel['scores'].accuracy - ev.baseline.accuracy):+.1f} points vs {BASELINE}"
            st.metric(f"{panel['name']} accuracy", f"{panel['scores'].accuracy:.1%}", delta)
            st.dataframe(panel["classes"], hide_index=True, width="stretch", key=f"nlp_eval_classes_{i}",
                         column_config={"precision": share, "recall": share, "F1": share})
            st.plotly_chart(panel["figure"], key=f"nlp_eval_confusion_{i}", width="stretch")
    if ev.baseline is None:
        return
    table = result["disagreements"]
    if table.empty:
        st.caption("The two models agree on every labelled text.")
        return
    won = int((table["right"] == result["name"]).sum())
    st.markdown(f"**Where they disagree** · {len(table):,} of {ev.rows:,} texts: {result['name']} is right on {won:,}, "
                f"{BASELINE} on {len(table) - won:,}")
    st.dataframe(table, hide_index=True, width="stretch", key="nlp_eval_disagreements")
