"""Generation mechanics on a tiny random Llama (the real SmolLM2 is exercised by the CLI test):
streaming, local-seeded sampling, the top-k/top-p rule, endings at the token limit."""

from __future__ import annotations

import threading

import pytest
import torch

from dl_core import nlp
from dl_core.errors import InputError


def test_stream_is_seeded_bounded_and_says_when_the_limit_ended_it(lm):
    cfg = nlp.GenerationConfig(max_new_tokens=8, temperature=1.0, seed=3)
    stream = nlp.stream(lm, "hello there", cfg)
    pieces = list(stream)
    assert stream.new_tokens == 8 and stream.hit_limit  # a random model never says it is done
    assert "".join(pieces).strip()
    again = nlp.generate(lm, "hello there", cfg)
    assert again.raw == "".join(pieces) and again.hit_limit and again.note and "8-token limit" in again.note
    other = nlp.generate(lm, "hello there", nlp.GenerationConfig(max_new_tokens=8, temperature=1.0, seed=4))
    assert other.raw != again.raw  # another seed samples other tokens from the random model
    greedy = nlp.stream(lm, "hello there", nlp.GenerationConfig(max_new_tokens=30, temperature=0))
    assert len([p for p in greedy if p]) <= 30 and greedy.new_tokens == 30  # a piece per token, plus flushes


def test_sampling_never_draws_from_the_global_generator(lm):
    """The same seed gives the same text while another thread reseeds and draws from torch's global RNG."""
    cfg = nlp.GenerationConfig(max_new_tokens=12, temperature=1.2, top_k=0, top_p=1.0, seed=7)
    solo = nlp.generate(lm, "the weather today", cfg).raw
    state = torch.random.get_rng_state()
    stop = threading.Event()

    def noise() -> None:
        while not stop.is_set():
            torch.manual_seed(123)
            torch.rand(1000)

    t = threading.Thread(target=noise)
    t.start()
    try:
        busy = [nlp.generate(lm, "the weather today", cfg).raw for _ in range(3)]
    finally:
        stop.set()
        t.join()
    torch.random.set_rng_state(state)
    assert busy == [solo] * 3
    torch.manual_seed(0)
    before = torch.random.get_rng_state()
    nlp.generate(lm, "the weather today", cfg)
    assert torch.equal(before, torch.random.get_rng_state())  # the process-wide generator was not used


def test_next_token_filters(lm):
    cands = nlp.next_token_distribution(lm, "hello", nlp.GenerationConfig(top_k=3, top_p=1.0), show=10)
    probs = [c.probability for c in cands]
    assert all(0 < p < 1 for p in probs) and sum(probs) < 1
    assert [c.kept for c in cands] == [True] * 3 + [False] * 7
    nucleus = nlp.next_token_distribution(lm, "hello", nlp.GenerationConfig(top_k=0, top_p=probs[0] + 1e-6), show=5)
    assert [c.kept for c in nucleus] == [True, True, False, False, False]  # the smallest set reaching top-p
    greedy = nlp.next_token_distribution(lm, "hello", nlp.GenerationConfig(temperature=0), show=5)
    assert [c.kept for c in greedy] == [True, False, False, False, False]
    for bad in (nlp.GenerationConfig(temperature=-1), nlp.GenerationConfig(max_new_tokens=0),
                nlp.GenerationConfig(top_p=0)):
        with pytest.raises(InputError):
            bad.check()
    with pytest.raises(InputError):
        nlp.generate(lm, "   ")


@pytest.mark.parametrize("raw, text, kind", [
    ("Paris is the capital. It has a famous", "Paris is the capital.", "left out"),
    ("Tips:\n1. Learn words\n2. Practise every", "Tips:\n1. Learn words", "left out"),
    ('He said "yes." Then he', 'He said "yes."', "left out"),
    ("It is 3.5 metres long and", "It is 3.5 metres long and…", "middle of a sentence"),
    ("One. Two.", "One. Two.", "end of a sentence"),
])
def test_text_cut_by_the_limit_ends_at_a_sentence_boundary(raw, text, kind):
    got = nlp.end_at_sentence(raw, hit_limit=True, max_new_tokens=40)
    assert got.text == text and kind in got.note and "40-token limit" in got.note
    finished = nlp.end_at_sentence(raw, hit_limit=False, max_new_tokens=40)
    assert finished.text == raw.strip() and finished.note is None
