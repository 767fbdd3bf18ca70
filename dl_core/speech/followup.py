"""The transcript carried on to the language tools: sentiment, English -> Portuguese, a summary.

Everything comes from the NLP engine's public API (`dl_core.nlp`), imported inside the function so
that `import dl_core.speech` never pulls in torch. Each step stands alone: a step that cannot run
(a one-sentence transcript has nothing to summarise; the sentiment head is not trained yet) leaves
a note and the others still run.

    out = carry_on(text, encoder=minilm, translator=bergamot, sentiment_model=head_or_None)
    out.sentiment, out.translation, out.summary, out.notes
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..errors import InputError

SUMMARY_SENTENCES = 2


@dataclass
class Mood:
    text: str  # a sentence, or the whole transcript
    label: str  # "positive" / "negative"
    positive: float  # probability of "positive"


@dataclass
class FollowUp:
    overall: Mood | None = None  # the whole transcript
    sentences: list[Mood] = field(default_factory=list)  # sentence by sentence
    translation: str | None = None  # Portuguese
    summary: list[str] | None = None  # the most central sentences, in their order
    notes: dict[str, str] = field(default_factory=dict)  # step -> why it did not run


def carry_on(text: str, *, encoder: Any, translator: Any, sentiment_model: Any = None,
             summary_sentences: int = SUMMARY_SENTENCES) -> FollowUp:
    """Sentiment (whole + per sentence), EN->PT translation and an extractive summary of `text`.

    `encoder` is the MiniLM the NLP engine uses (registry "minilm-l6"), `translator` the bundled
    EN<->PT model, `sentiment_model` the trained head (None: that step is skipped with a note).
    """
    from .. import nlp

    text = (text or "").strip()
    if not text:
        raise InputError("The transcript is empty: nothing was recognised to carry on. Try a clearer recording.")
    out = FollowUp()
    sentences = nlp.split_sentences(text)
    if sentiment_model is None:
        out.notes["sentiment"] = "The sentiment model has not been trained in this data folder yet."
    else:
        try:
            preds = sentiment_model.predict([text, *sentences] if len(sentences) > 1 else [text])
            out.overall = Mood(preds[0].text, preds[0].label, preds[0].positive)
            out.sentences = [Mood(p.text, p.label, p.positive) for p in preds[1:]]
        except InputError as exc:
            out.notes["sentiment"] = str(exc)
    try:
        out.translation, notices = nlp.translate(text, "en", "pt", translator)
        if notices:
            out.notes["translation"] = " ".join(notices)
    except InputError as exc:
        out.notes["translation"] = str(exc)
    if len(sentences) <= summary_sentences:
        out.notes["summary"] = (f"The transcript has {len(sentences)} sentence{'s' * (len(sentences) != 1)}: "
                                "already as short as a summary. Speak a few more sentences to get one.")
    else:
        try:
            out.summary = nlp.extractive_summary(encoder, text, summary_sentences).sentences
        except InputError as exc:
            out.notes["summary"] = str(exc)
    return out
