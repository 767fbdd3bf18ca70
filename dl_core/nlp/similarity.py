"""Meaning, not shared words: semantic search over passages, a similarity matrix, a 2-D map.

    hits = search(encoder, passages, "How do I stop my chain from wearing out?", top_k=5)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from ..errors import InputError
from .embeddings import embed, review_encoder
from .reviews import LABELS, load_reviews
from .texts import Passage, check_query, clean_texts

if TYPE_CHECKING:
    from ..pretrained import TextEncoder

MAX_TOP_K = 100
MAX_COMPARED = 50  # sentences in a similarity heatmap (N x N cells)
MAP_REVIEWS = 512  # reviews on the example map: one embedding-cache chunk, so it is instant once cached


@dataclass
class Hit:
    rank: int
    score: float  # cosine similarity in [-1, 1]
    document: str
    passage: str


def search(encoder: "TextEncoder", passages: Sequence[Passage], query: str, top_k: int = 5,
           passage_embeddings: np.ndarray | None = None) -> list[Hit]:
    """Passages ranked by cosine similarity of their MiniLM embedding to the query's."""
    query = check_query(query)
    if not passages:
        raise InputError("There are no passages to search; upload some documents first.")
    if not 1 <= top_k <= MAX_TOP_K:
        raise InputError(f"top-k must be between 1 and {MAX_TOP_K}, got {top_k}.")
    emb = passage_embeddings if passage_embeddings is not None else embed_passages(encoder, passages)
    scores = emb @ encoder.encode([query])[0]
    order = np.argsort(-scores, kind="stable")[:top_k]
    return [Hit(rank=r + 1, score=float(scores[i]), document=passages[i].document, passage=passages[i].text)
            for r, i in enumerate(order)]


def embed_passages(encoder: "TextEncoder", passages: Sequence[Passage]) -> np.ndarray:
    """(N, 384) embeddings of a person's passages (not cached on disk: they are that person's)."""
    return embed(encoder, [p.text for p in passages], cache=False)


def similarity_matrix(encoder: "TextEncoder", sentences: Sequence[str]) -> np.ndarray:
    """(N, N) cosine similarities between sentences (2 to 50 of them)."""
    sentences = clean_texts(sentences, max_texts=MAX_COMPARED)
    if len(sentences) < 2:
        raise InputError("Give at least two sentences (one per line) to compare.")
    emb = encoder.encode(sentences)
    return emb @ emb.T


def project_2d(embeddings: np.ndarray, method: str = "pca", seed: int = 0) -> np.ndarray:
    """(N, 2) coordinates: PCA (linear, fast) or t-SNE (keeps neighbours close; slower)."""
    n = len(embeddings)
    if n < 3:
        raise InputError("A map needs at least three texts.")
    if method == "pca":
        from sklearn.decomposition import PCA

        return PCA(n_components=2, random_state=seed).fit_transform(embeddings)
    if method == "tsne":
        from sklearn.manifold import TSNE

        return TSNE(n_components=2, perplexity=min(30.0, (n - 1) / 3), init="pca", random_state=seed,
                    metric="cosine").fit_transform(embeddings)
    raise InputError(f"Unknown map method {method!r}; use 'pca' or 'tsne'.")


@dataclass
class TextMap:
    xy: np.ndarray  # (N, 2)
    texts: list[str]
    groups: list[str]  # colour of each point: its sentiment, or its document
    method: str


def review_map(encoder: "TextEncoder", method: str = "pca") -> TextMap:
    """The first 512 reviews on a 2-D map, coloured by their sentiment label (embedded as the
    sentiment head reads them, so the map shares the head's embedding cache)."""
    reviews = load_reviews().iloc[:MAP_REVIEWS]
    texts = reviews["text"].tolist()
    emb = embed(review_encoder(encoder), texts)
    return TextMap(project_2d(emb, method), texts, [LABELS[y] for y in reviews["label"]], method)


def passage_map(passages: Sequence[Passage], embeddings: np.ndarray, method: str = "pca") -> TextMap:
    """Searched passages on a 2-D map, coloured by document."""
    return TextMap(project_2d(embeddings, method), [p.text for p in passages], [p.document for p in passages],
                   method)
