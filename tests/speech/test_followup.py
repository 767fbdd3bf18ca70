"""The transcript carried on to the NLP engine: translation, summary, sentiment (stubbed head)."""

from __future__ import annotations

import pytest

from dl_core import nlp, registry, speech
from dl_core.errors import InputError

pytestmark = pytest.mark.slow  # loads MiniLM and the translator (seconds on a quiet machine)

TEXT = ("Thank you all for coming today. The new library opens next Monday morning, and everyone is invited "
        "to the opening party. There will be music, books for children and free coffee. We are very happy "
        "with the result, and we hope you will love it too.")


class StubSentiment:
    """Stands in for the trained head (training it takes minutes): 'happy' or 'love' -> positive."""

    def predict(self, texts):
        return [nlp.Prediction(text=t, label="positive" if ("happy" in t or "love" in t) else "negative",
                               score=0.9, positive=0.9 if ("happy" in t or "love" in t) else 0.1) for t in texts]


@pytest.fixture(scope="module")
def engines():
    return registry.load(nlp.ENCODER, "cpu"), registry.load(nlp.translation_model("en", "pt"), "cpu")


def test_carry_on_translates_summarises_and_reads_the_mood(engines):
    encoder, translator = engines
    out = speech.carry_on(TEXT, encoder=encoder, translator=translator, sentiment_model=StubSentiment())
    assert out.notes == {}
    assert "biblioteca" in out.translation.lower()  # "library"
    assert len(out.summary) == 2 and all(s in TEXT for s in out.summary)
    assert out.overall.label == "positive" and out.overall.text == TEXT
    assert [m.label for m in out.sentences] == ["negative", "negative", "negative", "positive"]


def test_short_transcript_and_no_head_leave_notes(engines):
    encoder, translator = engines
    out = speech.carry_on("He was not an ill-disposed young man.", encoder=encoder, translator=translator)
    assert out.translation and out.summary is None and out.overall is None
    assert "1 sentence" in out.notes["summary"] and "not been trained" in out.notes["sentiment"]


def test_empty_transcript_is_refused(engines):
    with pytest.raises(InputError, match="empty"):
        speech.carry_on("  ", encoder=engines[0], translator=engines[1])
