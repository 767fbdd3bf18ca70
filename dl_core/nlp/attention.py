"""Inside the transformer: MiniLM's attention weights for one sentence."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from .. import inputs

if TYPE_CHECKING:
    from ..pretrained import TextEncoder

MAX_TOKENS = 64  # a heatmap of more than 64 x 64 tokens is unreadable
MAX_CHARS = 2_000


@dataclass
class Attention:
    tokens: list[str]
    weights: np.ndarray  # (layers, heads, T, T): row = token attending, column = token attended to


def attention_weights(encoder: "TextEncoder", text: str, max_tokens: int = MAX_TOKENS) -> Attention:
    import torch

    text = inputs.check_text(text, max_chars=MAX_CHARS, label="The sentence").text
    batch = encoder.tokenize(text, max_length=max_tokens, padding=False)
    with torch.inference_mode():
        out = encoder.model(**batch, output_attentions=True)
    weights = torch.stack(out.attentions)[:, 0].float().cpu().numpy()  # (L, H, T, T)
    tokens = encoder.tokenizer.convert_ids_to_tokens(batch["input_ids"][0].tolist())
    return Attention(tokens=tokens, weights=weights)
