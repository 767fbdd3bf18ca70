"""Sentiment tab: label texts with the default head (or your own), beside the TF-IDF baseline, and
see which words pushed a single text's decision. A CSV with a label column gets both models scored
against its labels (evaluation.py). Retraining and fine-tuning sit below it."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dl_core import nlp
from dl_core.errors import InputError
from ui import actions, cards, errors, loaders, uploads

from . import drawing, evaluation, sentiment_training
from .common import default_model, report_metrics, uploaded_labels, uploaded_texts

DEFAULT_REVIEW = "A gorgeous, witty film with a heart, although the last act drags a little."
DEFAULT_CHOICE = "Default (trained here)"
RETRAINED = "My retrained head"
FINETUNED = "My fine-tuned encoder"
DISTILBERT = "DistilBERT SST-2 (online download)"
NO_LABELS = "none"


def view() -> None:
    report = nlp.saved_report()
    if report:
        report_metrics(report, "Default model")
        st.caption("In-domain, a bag-of-words baseline is strong on short film reviews. The transformer earns its "
                   "keep on text unlike the training reviews: compare both on your own sentences below.")
    source = st.radio("Input", ["Type text", "Upload a file"], horizontal=True, key="nlp_sent_source")
    typed, uploaded = "", None
    if source == "Type text":
        typed = st.text_area("One text per line", DEFAULT_REVIEW, height=110, key="nlp_sent_text")
    else:
        uploaded = _upload()
    choices = [DEFAULT_CHOICE]
    if sentiment_training.retrained_model() is not None:
        choices.append(RETRAINED)
    if sentiment_training.finetuned_model() is not None:
        choices.append(FINETUNED)
    choices.append(DISTILBERT)
    which = st.radio("Model", choices, horizontal=True, key="nlp_sent_model")
    clicked = st.button("Analyse sentiment", type="primary", key="nlp_sent_go", icon=":material/psychology:")
    out = actions.run("nlp_sent", clicked, lambda: analyse(typed if source == "Type text" else uploaded, which))
    if out is not None:
        show(out)
    with st.expander("Retrain the head (your own settings)", icon=":material/tune:"):
        sentiment_training.retrain_form()
    with st.expander("Fine-tune the encoder's top layers", icon=":material/model_training:"):
        sentiment_training.finetune_form()
    cards.model_card("minilm-sentiment")


def _upload() -> dict | None:
    """The uploaded file's texts (parsed once per file), with a column choice for a CSV, and the true
    labels when the CSV has a label column (found, or picked; "none" = no evaluation)."""
    up = st.file_uploader(".txt (one text per line) or .csv", type=["txt", "csv"], key="nlp_sent_file",
                          on_change=uploads.forget, args=("nlp_sent_file",))
    up = uploads.kept("nlp_sent_file", up)  # still there after a visit to another tab (ui/tabs.py)
    if up is None:
        return None
    with errors.guard(stop=False):
        got = uploaded_texts(up)
        label = None
        if got.columns:  # a CSV: let the person pick the column (default: the most text-like)
            left, right = st.columns(2)
            column = left.selectbox("Column with the texts", got.columns, index=got.columns.index(got.column),
                                    key="nlp_sent_column")
            found = [c for c in got.label_columns if c != column]
            options = [NO_LABELS, *(c for c in got.columns if c != column)]
            label = right.selectbox("Column with the true labels", options,
                                    index=options.index(found[0]) if found else 0, key="nlp_sent_label",
                                    help="pos/neg, positive/negative or 1/0 (any case). The predictions of the "
                                         "model and of the TF-IDF baseline are compared with them.")
            label = None if label == NO_LABELS else label
            got = uploaded_texts(up, column, label)
        errors.notices(got.notices)
        truth = None
        if label is not None:
            with errors.guard(stop=False):
                truth = uploaded_labels(up, got)
                st.caption(evaluation.label_counts(truth, label))
        return {"texts": got.texts, "truth": truth, "label_column": label if truth is not None else None}
    return None


def analyse(given: str | dict | None, which: str) -> dict:
    if given is None:
        raise InputError("Upload a .txt or .csv file first, or switch the input to 'Type text'.")
    truth = None
    if isinstance(given, str):
        got = nlp.lines(given)
        errors.notices(got.notices)
        texts = got.texts
    else:
        texts, truth = nlp.clean_texts(given["texts"]), given["truth"]
    if which == DISTILBERT:
        pipe = loaders.model("distilbert-sst2")
        rows = [{"text": p.text, "label": p.label, "confidence": p.score}
                for p in nlp.pipeline_predictions(pipe, texts)]
        frame = pd.DataFrame(rows)
        return {"frame": frame, "model": which, "single": None,
                "evaluation": evaluation.evaluate(frame, truth, given["label_column"], "DistilBERT")
                if truth is not None else None}
    if which == RETRAINED:
        model = sentiment_training.retrained_model()
    elif which == FINETUNED:
        model = sentiment_training.finetuned_model()
    else:
        model = default_model()
    if model is None:  # the session's own model went away (e.g. the page was reset)
        raise InputError(f"There is no {which.lower()} in this session; train it below, or pick another model.")
    with st.spinner("Analysing (the TF-IDF baseline is trained once per server on first use)…"):
        frame = nlp.compare_with_baseline(model, texts)
    single = None
    if len(texts) == 1:
        with st.spinner("Which words pushed the decision? (integrated gradients)"):
            single = nlp.word_attributions(model, texts[0])
    return {"frame": frame, "model": which, "single": single,
            "evaluation": evaluation.evaluate(frame, truth, given["label_column"], "MiniLM")
            if truth is not None else None}


def show(out: dict) -> None:
    frame: pd.DataFrame = out["frame"]
    st.markdown(f"**Results** ({out['model']})")
    if out["single"] is not None:
        pred, words = out["single"]
        st.metric("Sentiment", pred.label, f"{pred.score:.1%} confident", delta_color="off")
        st.html(drawing.highlight_words(pred.text, words, pred.label))
    st.dataframe(frame, hide_index=True, width="stretch", key="nlp_sent_table",
                 column_config={"confidence": st.column_config.ProgressColumn(min_value=0, max_value=1,
                                                                              format="percent"),
                                "TF-IDF confidence": st.column_config.NumberColumn(format="percent")})
    st.download_button("Download results (CSV)", frame.to_csv(index=False).encode(), "sentiment.csv", "text/csv",
                       key="nlp_sent_download", icon=":material/download:")
    if out.get("evaluation") is not None:
        evaluation.show(out["evaluation"])


