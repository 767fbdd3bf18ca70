"""Zero-shot labels (and their template), search, similarity, maps, summaries, attention, translation."""

from __future__ import annotations

import time
import tracemalloc

import numpy as np
import pytest

from dl_core import nlp
from dl_core.errors import InputError, ModelUnavailableError

from .helpers import encoder


def test_zero_shot_picks_the_right_label():
    res = nlp.zero_shot_labels(encoder(), ["The striker scored twice in the final.", "Whisk the eggs with sugar."],
                               "sports, cooking, politics")
    assert [b for b, _ in res.best()] == ["sports", "cooking"]
    np.testing.assert_allclose(res.probability.sum(1), 1, rtol=1e-5)
    for bad in ("only-one", "", ",".join(str(i) for i in range(30))):
        with pytest.raises(InputError):
            nlp.parse_labels(bad)


def test_label_template_is_substituted_literally():
    labels = ["sports", "food"]
    assert nlp.label_descriptions(labels, "This text is about {}.") == ["This text is about sports.",
                                                                         "This text is about food."]
    assert nlp.label_descriptions(labels, "A {} {") == ["A sports {", "A food {"]  # str.format would raise
    assert nlp.label_descriptions(labels, "{x} and {}") == ["{x} and sports", "{x} and food"]
    assert nlp.label_descriptions(labels, "Topic:") == ["Topic: sports", "Topic: food"]
    assert nlp.label_descriptions(["a{}b"], "{} is {}") == ["a{}b is a{}b"]
    with pytest.raises(InputError, match="empty"):
        nlp.label_descriptions(labels, "   ")


def test_a_format_spec_template_allocates_nothing_and_a_long_one_is_refused():
    tracemalloc.start()
    t0 = time.perf_counter()
    out = nlp.label_descriptions(["sports", "food"], "{:>300000000}")
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert out == ["{:>300000000} sports", "{:>300000000} food"]
    assert peak < 1_000_000 and time.perf_counter() - t0 < 0.5  # str.format allocated 300 MB here
    with pytest.raises(InputError, match="keep it under 200"):
        nlp.label_descriptions(["a", "b"], "x" * 201)
    res = nlp.zero_shot_labels(encoder(), ["I love football."], "sports, food", "{:>300000000} {x} {")
    assert res.probability.shape == (1, 2)


def test_search_ranks_the_relevant_guide_first():
    passages, _ = nlp.documents_from_upload(nlp.example_documents())
    hits = nlp.search(encoder(), passages, "How often should I oil the chain?", top_k=3)
    assert hits[0].document == "cycling.md" and "chain" in hits[0].passage
    assert hits[0].score > hits[2].score
    emb = nlp.embed_passages(encoder(), passages)
    again = nlp.search(encoder(), passages, "How often should I oil the chain?", top_k=3, passage_embeddings=emb)
    assert [h.passage for h in again] == [h.passage for h in hits]
    with pytest.raises(InputError):
        nlp.search(encoder(), passages, "   ")
    with pytest.raises(InputError, match="top-k"):
        nlp.search(encoder(), passages, "chain", top_k=0)


def test_similarity_map_summary_attention():
    sents = ["A man plays guitar.", "Someone strums a guitar.", "Stocks fell sharply."]
    sim = nlp.similarity_matrix(encoder(), sents)
    np.testing.assert_allclose(np.diag(sim), 1, atol=1e-5)
    assert sim[0, 1] > sim[0, 2] and np.allclose(sim, sim.T, atol=1e-6)
    assert nlp.project_2d(encoder().encode(sents * 2), "pca").shape == (6, 2)
    with pytest.raises(InputError, match="pca"):
        nlp.project_2d(np.zeros((5, 3)), "umap")
    article = nlp.example_article()
    summary = nlp.extractive_summary(encoder(), article, 2)
    assert len(summary.sentences) == 2 and summary.indices == sorted(summary.indices)
    assert summary.all_sentences == nlp.split_sentences(article)
    assert [summary.all_sentences[i] for i in summary.indices] == summary.sentences
    with pytest.raises(InputError):
        nlp.extractive_summary(encoder(), "Only one sentence here.")
    att = nlp.attention_weights(encoder(), "The cat sat.")
    assert att.weights.shape[:2] == (6, 12) and att.tokens[0] == "[CLS]" and att.tokens[-1] == "[SEP]"
    np.testing.assert_allclose(att.weights.sum(-1), 1, atol=1e-4)
    assert len(nlp.attention_weights(encoder(), "word " * 500).tokens) == 64


def test_review_map_is_coloured_by_sentiment():
    m = nlp.review_map(encoder(), "pca")
    assert m.xy.shape == (512, 2) and set(m.groups) == set(nlp.LABELS)


def test_hub_summary_reads_at_most_what_the_model_can():
    seen = []
    out = nlp.hub_summary(lambda text: seen.append(text) or [{"summary_text": "short"}], "Word. " * 2_000)
    assert out == "short" and len(seen[0]) == 4_000


def test_translation_offline_and_online_pairs():
    out, _ = nlp.translate("I love this movie.\n\nIt was wonderful.", "en", "pt")
    assert "filme" in out.lower() and "\n\n" in out
    back, _ = nlp.translate("Eu amo este filme.", "pt", "en")
    assert "movie" in back.lower() or "film" in back.lower()
    with pytest.raises(ModelUnavailableError, match="offline"):
        nlp.translate("Hello", "en", "de")
    for src, tgt, text in (("en", "xx", "Hi"), ("en", "en", "Hi"), ("en", "pt", "  ")):
        with pytest.raises(InputError):
            nlp.translate(text, src, tgt)
