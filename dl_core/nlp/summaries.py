"""Summaries: extractive (the most central sentences, by MiniLM similarity) and abstractive
(written by SmolLM2, or by the optional DistilBART hub model when online)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from .. import inputs
from ..errors import InputError
from .generation import GeneratedText, GenerationConfig, generate
from .texts import MAX_SENTENCES, split_sentences

if TYPE_CHECKING:
    from ..pretrained import CausalLM, TextEncoder

MAX_CHARS = 20_000  # text to summarise
MAX_SUMMARY_SENTENCES = 50
ABSTRACT_TOKENS = 120  # SmolLM2's summary: two or three sentences fit; the end is cut at a sentence boundary
# distilbart-cnn reads at most 1,024 tokens; 4,000 characters of English prose stay below that.
HUB_SUMMARY_MAX_CHARS = 4_000


@dataclass
class Summary:
    sentences: list[str]  # the chosen sentences, in their original order
    indices: list[int]  # their positions in `all_sentences`
    centrality: np.ndarray  # one score per ranked sentence
    all_sentences: list[str]  # every sentence ranked (the first 1,000 of the text), for highlighting

    @property
    def text(self) -> str:
        return " ".join(self.sentences)


def extractive_summary(encoder: "TextEncoder", text: str, n_sentences: int = 3) -> Summary:
    """LexRank-style: sentences most similar to all the others (PageRank over cosine similarity)."""
    text = inputs.check_text(text, max_chars=MAX_CHARS, label="The text to summarise").text
    sentences = split_sentences(text)
    if len(sentences) < 2:
        raise InputError("The text has fewer than two sentences; give a longer text to summarise.")
    if not 1 <= n_sentences <= MAX_SUMMARY_SENTENCES:
        raise InputError(f"Summary length must be 1 to {MAX_SUMMARY_SENTENCES} sentences, got {n_sentences}.")
    sentences = sentences[:MAX_SENTENCES]
    emb = encoder.encode(sentences)
    sim = np.clip(emb @ emb.T, 0, None)
    np.fill_diagonal(sim, 0)
    rows = sim.sum(1, keepdims=True)
    transition = np.divide(sim, rows, out=np.full_like(sim, 1 / len(sim)), where=rows > 0)
    score = np.full(len(sim), 1 / len(sim))
    for _ in range(100):  # power iteration with damping 0.85, as in PageRank
        new = 0.15 / len(sim) + 0.85 * transition.T @ score
        if np.abs(new - score).sum() < 1e-8:
            break
        score = new
    chosen = sorted(np.argsort(-score, kind="stable")[: min(n_sentences, len(sentences))].tolist())
    return Summary(sentences=[sentences[i] for i in chosen], indices=chosen, centrality=score,
                   all_sentences=sentences)


def abstractive_summary(lm: "CausalLM", text: str, max_new_tokens: int = ABSTRACT_TOKENS,
                        seed: int = 0) -> GeneratedText:
    """A short summary written by the instruct model (greedy, so it is repeatable); when the token
    limit cuts it, it ends at its last complete sentence and `.note` says so."""
    checked = inputs.check_text(text, max_chars=MAX_CHARS, label="The text to summarise")
    prompt = f"Summarize the following text in two or three sentences.\n\n{checked.text}"
    config = GenerationConfig(max_new_tokens=max_new_tokens, temperature=0.0, seed=seed, chat=True)
    return generate(lm, prompt, config)


def hub_summary(pipe: Any, text: str) -> str:
    """A summary by a transformers summarization pipeline (the optional DistilBART), on the text's
    first 4,000 characters (what the model can read)."""
    checked = inputs.check_text(text, max_chars=MAX_CHARS, label="The text to summarise")
    return pipe(checked.text[:HUB_SUMMARY_MAX_CHARS])[0]["summary_text"]
