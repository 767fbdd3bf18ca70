"""What several NLP tabs share: the cached encoder, the default sentiment model with measured
progress on its first use, and uploads parsed once per file."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import streamlit as st

import ui.training as live
from dl_core import nlp
from dl_core.errors import InputError
from ui import loaders

T = TypeVar("T")
S = st.session_state
MEMO_KEY = "nlp_parsed_uploads"
MEMO_SIZE = 8  # parsed uploads kept per session (a person switching between a few files)


def encoder():
    """MiniLM, loaded once per server and shared: never changed by any view."""
    return loaders.model(nlp.ENCODER)


def embedding_progress(text: str = "Embedding reviews") -> Callable[[int, int], None]:
    """A progress bar fed by `embed(progress=...)`: counts, the speed measured here, the time left."""
    estimate = nlp.RateEstimate("reviews")
    bar = st.progress(0.0, text=f"{text}…")
    return lambda done, total: bar.progress(done / max(total, 1), text=f"{text} {estimate.update(done, total)}")


def waiting_note() -> Callable[[], None]:
    slot = st.empty()
    return lambda: slot.info("Another session is building the same shared files right now (sentiment head or "
                             "review embeddings); waiting for it to finish…", icon=":material/hourglass_top:")


def default_model() -> nlp.SentimentModel:
    """The head saved on disk (shared by everyone); trained here on first use, with measured progress."""
    if nlp.saved_report() is not None:
        return nlp.head_from_store(encoder())
    st.info("First use in this data folder: the sentiment head is trained once on all the bundled reviews and "
            "saved for everyone. Embedding the reviews with MiniLM is most of the work; the bar shows the speed "
            "measured on this machine and the time left. The embeddings are cached, so retraining later takes seconds.",
            icon=":material/school:")
    progress = embedding_progress()
    run = live.LiveTraining("nlp_sentiment_default", nlp.SentimentConfig().epochs, "Sentiment head (first use)",
                            stop_button=False)
    return nlp.default_sentiment_model(encoder(), callbacks=[run], progress=progress, on_wait=waiting_note())


def memo(key: Any, compute: Callable[[], T]) -> T:
    """`compute()` once per key in this session (an upload's file id): its result, or its InputError
    raised again, without parsing the file on every rerun. Keeps the last few keys."""
    kept: dict = S.setdefault(MEMO_KEY, {})
    if key not in kept:
        try:
            kept[key] = compute()
        except InputError as exc:
            kept[key] = exc
        while len(kept) > MEMO_SIZE:
            kept.pop(next(iter(kept)))
    value = kept[key]
    if isinstance(value, InputError):
        raise value
    return value


def uploaded_texts(upload, column: str | None = None, label_column: str | None = None) -> nlp.Texts:
    """The texts of an uploaded .txt/.csv, parsed once per file (and column, and label column)."""
    if label_column is None:
        return memo(("texts", upload.file_id, column),
                    lambda: nlp.texts_from_upload(upload.getvalue(), upload.name, column))
    return memo(("texts", upload.file_id, column, label_column),
                lambda: nlp.texts_from_upload(upload.getvalue(), upload.name, column, label_column=label_column))


def uploaded_labels(upload, got: nlp.Texts) -> list[str | None]:
    """`got`'s label column read as positive/negative (None = no label), once per file and column."""
    return memo(("labels", upload.file_id, got.column, got.label_column),
                lambda: nlp.sentiment_labels(got.label_values or [], got.label_column or "labels"))


def report_metrics(report: dict, title: str) -> None:
    st.markdown(f"**{title}** · trained on {report['n_train']:,} reviews, tested on {report['n_test']:,} held-out")
    c = st.columns(4)
    c[0].metric("MiniLM, held-out", f"{report['test_accuracy']:.1%}")
    c[1].metric("TF-IDF, held-out", f"{report['baseline_accuracy']:.1%}",
                help="TF-IDF of words and bigrams + logistic regression, trained on exactly the same split.")
    c[2].metric("MiniLM, other domains", f"{report['ood_accuracy']:.1%}",
                help="40 hand-written sentences about products, food, travel, work (assets/nlp/out_of_domain.csv).")
    c[3].metric("TF-IDF, other domains", f"{report['baseline_ood_accuracy']:.1%}")
