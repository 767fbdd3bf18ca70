"""Clustering lines of text: MiniLM sentence embeddings, k-means, typical terms and examples.

    lines, notices = split_lines(text)                         # one item per line
    result = cluster_texts(lines, k=4, encode=minilm.encode)   # any (list[str]) -> (n, d) encoder
    result.terms[0], result.examples[0]                        # what cluster 0 is about
"""

from __future__ import annotations

import re
import time
import warnings
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from ..errors import InputError
from .algorithms import scores
from .tables import check_k

if TYPE_CHECKING:
    import pandas as pd

    from ..inputs import Source

MAX_LINES = 5_000
_WORD = re.compile(r"[A-Za-zÀ-ÿ][A-Za-zÀ-ÿ'-]+")
STOP_WORDS = (
    "a an the and or but if then else of to in on at by for with from as is are was were be been being "
    "it its this that these those i me my we our you your he she him her his they them their there here "
    "what which who whom when where why how all any both each few more most other some such no nor not "
    "only own same so than too very can will just should now do does did doing have has had having "
    "about above after again against below between into through during before under over up down out "
    "off once also would could may might must shall our ours yours its itself get got one two new like")
STOP_WORDS = frozenset(STOP_WORDS.split())


def split_lines(text: str, min_chars: int = 3) -> tuple[list[str], list[str]]:
    """Non-empty lines (whitespace-trimmed, duplicates kept), capped at MAX_LINES; with notices."""
    lines = [ln.strip() for ln in text.splitlines()]
    kept = [ln for ln in lines if len(ln) >= min_chars]
    notices = []
    dropped = sum(1 for ln in lines if ln) - len(kept)
    if dropped:
        notices.append(f"{dropped} line(s) shorter than {min_chars} characters were left out.")
    if len(kept) > MAX_LINES:
        notices.append(f"{len(kept):,} lines; only the first {MAX_LINES:,} were clustered.")
        kept = kept[:MAX_LINES]
    return kept, notices


@dataclass
class TextClusters:
    lines: list[str]
    embeddings: np.ndarray  # (n, 384), L2-normalised
    labels: np.ndarray
    terms: dict[int, list[str]]  # typical terms per cluster
    examples: dict[int, list[str]]  # lines nearest the cluster centre
    silhouette: float | None
    seconds: float


def typical_terms(lines: Sequence[str], labels: np.ndarray, centres: np.ndarray,
                  encode: Callable[[list[str]], np.ndarray], top: int = 6,
                  max_words: int = 2_000) -> dict[int, list[str]]:
    """Each cluster's words whose own embedding is closest to the cluster's centre and far from the
    other centres (KeyBERT-like): with few lines, word counts alone pick accidental words."""
    words_of: dict[int, Counter] = {}
    for line, lab in zip(lines, labels.tolist()):
        words = {w.lower().strip("'-") for w in _WORD.findall(line)} - STOP_WORDS
        words_of.setdefault(lab, Counter()).update(w for w in words if len(w) >= 3)
    total = Counter()
    for c in words_of.values():
        total.update(c)
    vocab = [w for w, _ in total.most_common(max_words)]  # bounded cost on big inputs
    if not vocab:
        return {lab: [] for lab in words_of}
    W = np.asarray(encode(vocab), dtype=np.float64)  # (V, d)
    W /= np.linalg.norm(W, axis=1, keepdims=True).clip(min=1e-12)
    C = centres / np.linalg.norm(centres, axis=1, keepdims=True).clip(min=1e-12)  # (k, d)
    sim = W @ C.T  # (V, k) cosine of each word with each cluster centre
    position = {w: i for i, w in enumerate(vocab)}
    out = {}
    for lab, counts in words_of.items():
        idx = np.array([position[w] for w in counts if w in position], dtype=int)
        if not idx.size:
            out[lab] = []
            continue
        others = np.delete(sim[idx], lab, axis=1)
        score = sim[idx, lab] - (others.max(axis=1) if others.size else 0.0)
        order = np.argsort(-score, kind="stable")[:top]
        out[lab] = [vocab[i] for i in idx[order]]
    return out


def cluster_texts(lines: Sequence[str], k: int, encode: Callable[[list[str]], np.ndarray],
                  seed: int = 0, n_examples: int = 4) -> TextClusters:
    """Embed lines (e.g. MiniLM's `.encode`), k-means them, describe each cluster."""
    from sklearn.cluster import KMeans

    lines = list(lines)
    if len(lines) < 2:
        raise InputError(f"Only {len(lines)} line(s) of text; give at least 2 lines (one item per line).")
    check_k(k, len(lines))
    if k < 2:
        raise InputError("Choose at least 2 clusters for text lines.")
    t0 = time.perf_counter()
    emb = np.asarray(encode(lines), dtype=np.float64)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        km = KMeans(n_clusters=k, n_init=5, random_state=seed).fit(emb)
    labels = km.labels_.astype(int)
    examples = {}
    for c in range(k):
        members = np.flatnonzero(labels == c)
        dist = np.linalg.norm(emb[members] - km.cluster_centers_[c], axis=1)
        examples[c] = [lines[i] for i in members[np.argsort(dist)[:n_examples]]]
    sil = scores(emb, labels, seed=seed)["silhouette"]
    terms = typical_terms(lines, labels, km.cluster_centers_, encode)
    return TextClusters(lines=lines, embeddings=emb, labels=labels, terms=terms, examples=examples,
                        silhouette=sil, seconds=time.perf_counter() - t0)


# ---- reading lines from a file -------------------------------------------------------------------

MAX_TEXT_CHARS = 500_000  # ~5,000 lines of 100 characters: what MAX_LINES allows


@dataclass
class LinesFile:
    """An uploaded text file: a table to pick a column from (.csv), or plain text (anything else)."""

    frame: "pd.DataFrame | None" = None
    text: str | None = None
    notices: list[str] = field(default_factory=list)


def read_lines_file(source: "Source", name: str) -> LinesFile:
    """Parse an upload once: `.csv` as a table (pick the text column next), else decoded text."""
    from .. import inputs
    from .tables import read_table

    if name.lower().endswith(".csv"):
        table = read_table(source, name=name)
        return LinesFile(frame=table.frame, notices=table.notices)
    read = inputs.read_text(source, name=name, max_chars=MAX_TEXT_CHARS)
    return LinesFile(text=read.text, notices=read.notices)


def lines_of_column(frame: "pd.DataFrame", column: str) -> tuple[list[str], list[str]]:
    """Each non-empty cell of `column` as one line (line breaks inside a cell become spaces)."""
    if column not in frame.columns:
        raise InputError(f"No column {column!r}; the file has: {', '.join(map(str, frame.columns))}.")
    values = [str(v).replace("\r", " ").replace("\n", " ") for v in frame[column].dropna().tolist()]
    return split_lines("\n".join(values))
