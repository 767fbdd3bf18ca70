"""Sentiment engine: reviews and split, the embedding cache, the head's one engine call, the saved
default model (built once under a lock), predictions and word attributions."""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest

from dl_core import nlp, paths, registry, store, tracking
from dl_core.errors import InputError, ModelUnavailableError

from .helpers import TINY, TINY_REVIEWS, encoder

# ---- data ----------------------------------------------------------------------------------------

def test_reviews_are_labelled_and_subsets_are_prefixes():
    full = nlp.load_reviews()
    assert len(full) > 12_000 and set(full["label"]) == {0, 1}
    assert 0.5 < full["label"].mean() < 0.65  # 7,403 fresh vs 5,405 rotten
    assert nlp.load_reviews(100)["text"].tolist() == full["text"].iloc[:100].tolist()
    with pytest.raises(InputError):
        nlp.load_reviews(10)


def test_split_is_disjoint_and_stratified():
    labels = np.array([0] * 300 + [1] * 700)
    s = nlp.split_indices(labels)
    assert not (set(s.train) & set(s.test)) and not (set(s.train) & set(s.val))
    assert len(s.train) + len(s.val) + len(s.test) == 1000
    assert abs(labels[s.test].mean() - 0.7) < 0.02
    reviews = nlp.load_review_set(200)
    assert len(reviews) == 200 and reviews.requested == 200
    np.testing.assert_array_equal(reviews.split.test, nlp.split_indices(reviews.labels).test)


# ---- embeddings ----------------------------------------------------------------------------------

def test_embeddings_are_cached_on_disk_atomically():
    texts = ["a cached sentence for the test", "another one"]
    first = nlp.embed(encoder(), texts)
    folder = paths.data_dir() / "cache" / "nlp_embeddings"
    assert list(folder.glob("*.npy")) and not list(folder.glob("*.tmp*"))
    calls = []
    again = nlp.embed(encoder(), texts, progress=lambda d, t: calls.append((d, t)))
    np.testing.assert_allclose(first, again)
    assert calls == [(2, 2)]  # one report: everything came from the cache
    np.testing.assert_allclose(first, encoder().encode(texts), atol=1e-5)  # length sorting changes nothing


def test_concurrent_embedding_computes_each_chunk_once(monkeypatch, tmp_path):
    from dl_core.nlp import embeddings

    monkeypatch.setenv("DLX_DATA_DIR", str(tmp_path))
    computed, waited = [], []
    real = embeddings.encode_sorted

    def slow(enc, texts, batch_size=64):
        computed.append(len(texts))
        time.sleep(0.3)
        return real(enc, texts, batch_size)

    monkeypatch.setattr(embeddings, "encode_sorted", slow)
    texts = [f"sentence number {i}" for i in range(20)]
    out: list = [None, None]

    def work(i: int) -> None:
        out[i] = nlp.embed(encoder(), texts, on_wait=lambda: waited.append(i))

    threads = [threading.Thread(target=work, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
        time.sleep(0.05)
    for t in threads:
        t.join()
    assert computed == [20] and waited == [1]  # the second caller waited and read the first one's file
    np.testing.assert_array_equal(out[0], out[1])


def test_rate_estimate_reports_measured_speed_only():
    est = nlp.RateEstimate("reviews")
    first = est.update(512, 2048)  # what a cache held: not a measurement
    assert "measuring" in first and "left" not in first
    time.sleep(0.05)
    line = est.update(1024, 2048)
    assert "reviews/s here" in line and "left" in line
    assert est.update(2048, 2048).endswith("done")


def test_an_int8_reader_is_a_shared_quantized_copy_and_the_default_stays_float32(model):
    import torch

    from dl_core.nlp import embeddings

    assert embeddings.review_encoder(encoder()) is encoder()  # the default (float32): the encoder itself
    assert model.meta["precision"] == "float32" and model.reader.model is encoder().model
    reader = embeddings.review_encoder(encoder(), "int8")
    assert reader.model is embeddings.review_encoder(encoder(), "int8").model  # quantized once per process
    assert reader.model is not encoder().model and reader.tokenizer is encoder().tokenizer
    assert embeddings.precision(reader) == "int8" and embeddings.precision(encoder()) == "float32"
    assert isinstance(encoder().model.encoder.layer[0].output.dense, torch.nn.Linear)  # the original stays float
    texts = ["A gorgeous, witty film.", "The plot made no sense at all."]
    close = (nlp.encode_sorted(reader, texts) * nlp.encode_sorted(encoder(), texts)).sum(1)
    assert (close > 0.9).all() and (close < 0.99999).all()  # near, but really another computation
    assert embeddings._chunk_key(texts, reader) != embeddings._chunk_key(texts, encoder())  # caches kept apart


# ---- the head: one engine call -------------------------------------------------------------------

@pytest.mark.slow
def test_trained_head_reports_both_models_and_saves(model):
    report = nlp.saved_report()
    assert report["n_train"] + report["n_test"] < TINY_REVIEWS
    assert report["config"] == {"n_reviews": TINY_REVIEWS, **tracking.params_of(TINY)}
    assert report["test_accuracy"] >= 0.65  # 600 reviews only; the full data is benchmarked in bench/
    assert report["baseline_accuracy"] >= 0.55  # TF-IDF needs more data than MiniLM; still above chance
    assert report["ood_accuracy"] >= 0.75  # out-of-domain sentences: where MiniLM beats bag-of-words
    assert registry.available("minilm-sentiment")


@pytest.mark.slow
def test_train_sentiment_head_returns_a_trained_model_and_logs_it(model):
    config = nlp.SentimentConfig(hidden=0, epochs=3, seed=1)
    trained = nlp.train_sentiment_head(nlp.load_review_set(TINY_REVIEWS), config, encoder=encoder(), caller="cli")
    assert isinstance(trained.model, nlp.SentimentModel) and len(trained.history) == 3
    assert set(trained.metrics) >= {"test_accuracy", "baseline_accuracy", "ood_accuracy", "val_accuracy"}
    assert trained.metrics["baseline_accuracy"] == trained.details["report"]["baseline_accuracy"]
    assert isinstance(trained.details["baseline"], nlp.TfidfBaseline)
    run = tracking.client().get_run(trained.run_id)
    assert run.data.tags["dlx.source"] == "cli"
    assert run.data.params["hidden"] == "0" and run.data.params["n_reviews"] == str(TINY_REVIEWS)
    assert run.data.metrics["final_test_accuracy"] == pytest.approx(trained.metrics["test_accuracy"])
    assert nlp.saved_report()["config"]["hidden"] == TINY.hidden  # training alone never replaces the default


def test_bad_configs_are_refused_at_entry():
    for bad, word in ((nlp.SentimentConfig(hidden=-1), "Head size"), (nlp.SentimentConfig(epochs=0), "Epochs"),
                      (nlp.SentimentConfig(lr=0), "Learning rate"), (nlp.SentimentConfig(dropout=1.0), "Dropout")):
        with pytest.raises(InputError, match=word):
            nlp.train_sentiment_head(nlp.load_review_set(100), bad, encoder=encoder())
    with pytest.raises(InputError, match="at least 50"):
        nlp.load_review_set(5)


# ---- the default model ---------------------------------------------------------------------------

def test_default_model_is_built_once_while_others_wait(monkeypatch, tmp_path, model):
    from dl_core.nlp import sentiment

    monkeypatch.setenv("DLX_DATA_DIR", str(tmp_path))
    builds, waits = [], []

    def fake_train(reviews, config, **kwargs):
        builds.append(config)
        time.sleep(0.5)
        return type("T", (), {"model": model, "history": [1], "fit": type("F", (), {"cancelled": False})()})()

    monkeypatch.setattr(sentiment, "train_sentiment_head", fake_train)
    monkeypatch.setattr(sentiment, "load_review_set", lambda n: None)
    got: list = [None, None]

    def session(i: int) -> None:
        got[i] = nlp.default_sentiment_model(encoder(), on_wait=lambda: waits.append(i))

    threads = [threading.Thread(target=session, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
        time.sleep(0.1)
    for t in threads:
        t.join()
    assert len(builds) == 1 and waits == [1]
    assert all(isinstance(g, nlp.SentimentModel) for g in got)
    assert (tmp_path / "models" / nlp.HEAD_FILE).is_file()
    assert not [p for p in (tmp_path / "models").iterdir() if p.name != nlp.HEAD_FILE]  # no temporary left
    texts = ["Loved it.", "Hated it."]
    np.testing.assert_allclose(got[1].proba(texts), model.proba(texts), atol=1e-6)
    assert store.path_for(nlp.HEAD_FILE) == tmp_path / "models" / nlp.HEAD_FILE


def test_missing_head_says_how_to_train_it(monkeypatch, tmp_path):
    monkeypatch.setenv("DLX_DATA_DIR", str(tmp_path))
    with pytest.raises(ModelUnavailableError, match="nlp train"):
        nlp.head_from_store(encoder())
    assert nlp.saved_report() is None


# ---- predictions ---------------------------------------------------------------------------------

def test_predictions_make_sense(model):
    preds = model.predict(["An absolute delight, wonderful and moving.", "Dull, boring and far too long."])
    assert [p.label for p in preds] == ["positive", "negative"]
    assert preds[0].positive > 0.5 > preds[1].positive
    assert preds[1].score == pytest.approx(1 - preds[1].positive)


def test_emoji_rtl_and_long_text_get_a_finite_probability(model):
    probs = model.proba(["😀😀 loved it 🎬", "הסרט היה נהדר", "word " * 5000])
    assert probs.shape == (3, 2) and np.isfinite(probs).all()
    np.testing.assert_allclose(probs.sum(1), 1, atol=1e-5)


def test_empty_text_is_refused(model):
    for bad in ([""], ["   \n\t"], [], ["ok", " "]):
        with pytest.raises(InputError):
            model.predict(bad)


def test_registry_loader_gives_the_same_model(model):
    loaded = registry.load("minilm-sentiment", "cpu")
    texts = ["A fine film.", "A terrible film."]
    np.testing.assert_allclose(loaded.proba(texts), model.proba(texts), atol=1e-5)


def test_comparison_table_puts_the_baseline_beside_the_model(model):
    frame = nlp.compare_with_baseline(model, ["A wonderful film.", "An awful film."])
    assert list(frame.columns) == ["text", "label", "confidence", "TF-IDF says", "TF-IDF confidence"]
    assert frame["label"].tolist() == ["positive", "negative"]
    assert set(frame["TF-IDF says"]) <= set(nlp.LABELS)
    assert nlp.baseline_for(model.n_reviews) is nlp.baseline_for(model.n_reviews)  # trained once


def test_word_attributions_are_complete(model):
    import torch

    text = "A gorgeous, witty film, but the ending is dull!"
    pred, words = nlp.word_attributions(model, text, n_steps=48)
    assert all(text[w.start:w.end] == w.word for w in words)
    assert [w.word for w in words][:2] == ["A", "gorgeous"] and words[-1].word == "!"
    word_embeddings = model.encoder.model.get_input_embeddings()
    assert not word_embeddings._forward_hooks and not word_embeddings._forward_pre_hooks
    # Integrated gradients: the attributions add up to f(text) - f(baseline) for the predicted class
    # (checked on texts whose score differs enough from the all-[PAD] baseline's to mean something).
    special = set(model.encoder.tokenizer.all_special_ids)
    checked = 0
    for text in ("Dull, boring and far too long, a total waste of time.", "An absolute delight, wonderful and moving.",
                 "A gorgeous, witty film, but the ending is dull!"):
        pred, words = nlp.word_attributions(model, text, n_steps=48)
        tok = model.encoder.tokenizer(text, return_tensors="pt")
        ids, mask = tok["input_ids"], tok["attention_mask"]
        base = torch.tensor([[i if i in special else 0 for i in ids[0].tolist()]])
        k = nlp.LABELS.index(pred.label)
        with torch.no_grad():
            diff = (model.logits_from_ids(ids, mask)[0, k] - model.logits_from_ids(base, mask)[0, k]).item()
        if abs(diff) > 0.1:
            assert sum(w.score for w in words) == pytest.approx(diff, rel=0.15, abs=0.05), text
            checked += 1
    assert checked >= 1


def test_pipeline_predictions_from_a_tiny_hub_model(tmp_path):
    from transformers import pipeline

    from tests.core.test_registry import _tiny_hub_model

    pipe = pipeline("text-classification", model=str(_tiny_hub_model(tmp_path)), device="cpu")
    raw = pipe(["good movie", "bad movie"])
    preds = nlp.pipeline_predictions(pipe, ["good movie", "bad movie"])
    assert [p.text for p in preds] == ["good movie", "bad movie"]
    for p, r in zip(preds, raw):
        assert p.label == r["label"].lower() and p.score == pytest.approx(r["score"])
        assert p.positive == pytest.approx(p.score if p.label == "positive" else 1 - p.score)
