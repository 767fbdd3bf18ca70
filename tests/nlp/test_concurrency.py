"""Many sessions, one process: shared MiniLM and its tokenizer used from several threads at once give
every thread the result it would get alone; two seeded trainings at once equal their solo runs."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from dl_core import nlp

from .helpers import TINY_REVIEWS, encoder

LONG = ("This is a deliberately long passage about bicycles, chains, gears, brakes and tyres, written so that "
        "it has many more than sixty-four word pieces once the tokenizer has cut it, which means that any "
        "truncation at sixty-four tokens changes its embedding: the sentence goes on and on, about oiling "
        "the chain every few weeks, cleaning the cassette, checking the brake pads and pumping the tyres.")
PASSAGES = [nlp.Passage("doc", t) for t in (LONG, "Coffee keeps me awake at night.", "Sleep in a dark room.")]


def _run_together(jobs: dict, rounds: int = 3) -> dict:
    results = {name: [] for name in jobs}
    errors = []
    start = threading.Barrier(len(jobs))

    def worker(name, job):
        try:
            start.wait()
            for _ in range(rounds):
                results[name].append(job())
        except BaseException as exc:  # reported below, in the test's thread
            errors.append((name, exc))

    threads = [threading.Thread(target=worker, args=item) for item in jobs.items()]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    return results


@pytest.mark.slow
def test_attribution_beside_search_zero_shot_sentiment_and_finetune_batches(model):
    enc = encoder()
    jobs = {
        "attributions": lambda: nlp.word_attributions(model, "A gorgeous, witty film, but the ending is dull!"),
        "search": lambda: [(h.passage, round(h.score, 6)) for h in nlp.search(enc, PASSAGES, "oil the chain", 3)],
        "embeddings": lambda: nlp.encode_sorted(enc, [LONG, "short one"]),
        "zero_shot": lambda: nlp.zero_shot_labels(enc, [LONG, "I love pasta."], "cycling, food").probability,
        "sentiment": lambda: model.proba([LONG, "Dull and boring.", "Wonderful!"]),
        # Fine-tuning batches: 64 tokens, padded to the maximum length, through the same tokenizer.
        "finetune_batch": lambda: enc.tokenize([LONG, "hi"], max_length=64, padding="max_length")["input_ids"],
    }
    solo = {name: job() for name, job in jobs.items()}
    together = _run_together(jobs)
    for name, outs in together.items():
        for out in outs:
            if name == "attributions":
                assert out[0] == solo[name][0]
                np.testing.assert_allclose([w.score for w in out[1]], [w.score for w in solo[name][1]], atol=1e-5)
            elif name == "search":
                assert out == solo[name]
            elif name == "finetune_batch":
                assert out.shape == (2, 64) and bool((out == solo[name]).all())
            else:
                np.testing.assert_allclose(out, solo[name], atol=1e-5, err_msg=name)
    assert enc.tokenize([LONG])["input_ids"].shape[1] > 64  # the long text really is longer than 64 tokens


@pytest.mark.slow
def test_two_seeded_trainings_at_once_equal_their_solo_runs(model):
    reviews = nlp.load_review_set(TINY_REVIEWS)
    configs = {seed: nlp.SentimentConfig(hidden=32, epochs=3, dropout=0.3, seed=seed) for seed in (1, 2)}

    def train(seed):
        trained = nlp.train_sentiment_head(reviews, configs[seed], encoder=encoder(), caller="cli")
        return [h.train_loss for h in trained.history], trained.metrics

    solo = {seed: train(seed) for seed in configs}
    together = _run_together({seed: (lambda s=seed: train(s)) for seed in configs}, rounds=1)
    for seed in configs:
        assert together[seed][0] == solo[seed]
    assert solo[1][0] != solo[2][0]  # different seeds really train differently
