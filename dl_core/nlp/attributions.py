"""Which words pushed a sentiment decision: integrated gradients over MiniLM's word embeddings.

The encoder is shared by every session of the app, so nothing here attaches to it: instead of
captum's layer hooks on the embedding layer, we look the word embeddings up ourselves and integrate
along `SentimentModel.logits_from_embeddings` (the same path the layer version integrates along,
computed without a hook). Another session's search or sentiment call running at the same moment
sees the model exactly as it was.
"""

from __future__ import annotations

from dataclasses import dataclass

from .reviews import LABELS
from .sentiment import Prediction, SentimentModel
from .texts import clean_texts

MAX_TOKENS = 128  # word pieces attributed; the integration runs n_steps forward passes of this length
N_STEPS = 24  # integration steps; the attributions add up to f(text) - f(baseline) within ~5% at 24


@dataclass
class WordAttribution:
    word: str
    start: int  # character span in the original text
    end: int
    score: float  # > 0 pushed towards the predicted label


def word_attributions(model: SentimentModel, text: str, n_steps: int = N_STEPS,
                      max_tokens: int = MAX_TOKENS) -> tuple[Prediction, list[WordAttribution]]:
    """Integrated gradients from a baseline of [PAD] tokens, summed over word pieces into words."""
    import torch

    from ..explain import integrated_gradients

    if not 4 <= n_steps <= 256:
        raise ValueError(f"n_steps must be between 4 and 256, got {n_steps}")
    text = clean_texts([text], 1)[0]
    pred = model.predict([text])[0]
    tokenizer = model.encoder.tokenizer
    batch = model.encoder.tokenize(text, max_length=max_tokens, padding=False, return_offsets_mapping=True)
    offsets = batch["offset_mapping"][0].tolist()
    ids, mask = batch["input_ids"], batch["attention_mask"]  # (1, T)
    special = set(tokenizer.all_special_ids)
    pad = tokenizer.pad_token_id or 0
    baseline_ids = torch.tensor([[i if i in special else pad for i in ids[0].tolist()]], device=ids.device)
    lookup = model.encoder.model.get_input_embeddings()
    with torch.no_grad():
        inputs, baseline = lookup(ids), lookup(baseline_ids)  # (1, T, 384) each, no graph to the weights

    def forward(embeds: "torch.Tensor") -> "torch.Tensor":  # (S, T, 384) -> (S, 2), S = integration steps
        return model.logits_from_embeddings(embeds, mask.expand(len(embeds), -1))

    with torch.enable_grad():
        attr = integrated_gradients(forward, inputs, target=LABELS.index(pred.label), baseline=baseline,
                                    n_steps=n_steps)  # (1, T, 384)
    scores = attr.sum(-1)[0]  # (T,)
    words: list[WordAttribution] = []
    for tok_id, (s, e), a in zip(ids[0].tolist(), offsets, scores):
        if tok_id in special or e <= s:
            continue
        if words and s == words[-1].end and not text[s:e].isspace() and _continues(text, s):
            w = words[-1]
            words[-1] = WordAttribution(text[w.start:e], w.start, e, w.score + float(a))
        else:
            words.append(WordAttribution(text[s:e], s, e, float(a)))
    return pred, words


def _continues(text: str, s: int) -> bool:
    # A piece glued to the previous one (no space between) belongs to the same word, unless it is
    # punctuation, which we keep apart so that "great!" shows "great" and "!" separately.
    return text[s].isalnum() and text[s - 1].isalnum()
