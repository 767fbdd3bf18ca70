"""Your own labels, no training: each text goes to the label whose description it is closest to.

    result = zero_shot_labels(encoder, ["The striker scored twice."], "sports, cooking, politics")
    result.best()  # [("sports", 0.93)]

Each label becomes a sentence through a template ("This text is about {}."), both are embedded
with MiniLM, and a softmax over cosine similarities gives a probability per label.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from ..errors import InputError
from .texts import clean_texts

if TYPE_CHECKING:
    from ..pretrained import TextEncoder

MAX_LABELS = 20
MAX_LABEL_CHARS = 100  # longer labels are cut
MAX_TEMPLATE_CHARS = 200  # a template is one short sentence; the encoder reads 256 tokens at most
DEFAULT_TEMPLATE = "This text is about {}."
PLACEHOLDER = "{}"  # replaced by the label, literally: the template is never run through str.format
TEMPERATURE = 0.05  # softmax temperature over cosine similarities (they differ by a few hundredths)


def parse_labels(raw: str | Sequence[str]) -> list[str]:
    """'sports, politics, food' (or a list) -> unique labels; 2 to 20 of them."""
    items = raw.replace("\n", ",").split(",") if isinstance(raw, str) else list(raw)
    labels: list[str] = []
    for item in items:
        item = " ".join(str(item).split())
        if item and item.lower() not in {x.lower() for x in labels}:
            labels.append(item[:MAX_LABEL_CHARS])
    if len(labels) < 2:
        raise InputError("Give at least two labels, separated by commas (e.g. 'sports, politics, food').")
    if len(labels) > MAX_LABELS:
        raise InputError(f"{len(labels)} labels is too many; use at most {MAX_LABELS}.")
    return labels


def label_descriptions(labels: Sequence[str], template: str = DEFAULT_TEMPLATE) -> list[str]:
    """The sentence embedded for each label: `{}` in the template replaced by the label.

    Only the two characters `{}` are special; any other braces are kept as typed. A template
    without `{}` gets the label appended.
    """
    template = " ".join(str(template).split())
    if not template:
        raise InputError(f"The label template is empty; use something like {DEFAULT_TEMPLATE!r}.")
    if len(template) > MAX_TEMPLATE_CHARS:
        raise InputError(f"The label template has {len(template):,} characters; keep it under "
                         f"{MAX_TEMPLATE_CHARS} (one short sentence with {PLACEHOLDER} where the label goes).")
    if PLACEHOLDER not in template:
        template = f"{template} {PLACEHOLDER}"
    return [template.replace(PLACEHOLDER, label) for label in labels]


@dataclass
class ZeroShot:
    texts: list[str]
    labels: list[str]
    similarity: np.ndarray  # (N, L) cosine similarity of text and label description
    probability: np.ndarray  # (N, L) softmax of similarity / temperature

    def best(self) -> list[tuple[str, float]]:
        return [(self.labels[int(i)], float(p.max())) for i, p in zip(self.probability.argmax(1), self.probability)]


def zero_shot_labels(encoder: "TextEncoder", texts: Sequence[str], labels: str | Sequence[str],
                     template: str = DEFAULT_TEMPLATE) -> ZeroShot:
    """Classify texts into any labels by cosine similarity of their embeddings (no training)."""
    texts = clean_texts(texts)
    labels = parse_labels(labels)
    descriptions = label_descriptions(labels, template)
    t = encoder.encode(texts)  # (N, 384)
    lab = encoder.encode(descriptions)  # (L, 384)
    sim = t @ lab.T
    z = sim / TEMPERATURE
    z = np.exp(z - z.max(1, keepdims=True))
    return ZeroShot(texts=texts, labels=labels, similarity=sim, probability=z / z.sum(1, keepdims=True))
