"""Text tools over MiniLM embeddings and the bundled translator.

- reading texts from uploads: `texts_from_upload` (.txt one text a line, .csv with a chosen column),
  `documents_from_upload` (.txt/.md/.csv documents cut into passages);
- zero-shot labels by embedding similarity; semantic search; similarity matrix; a 2-D map;
- extractive summaries (sentence centrality); attention weights of one sentence;
- translation EN<->PT with the bundled Bergamot models, other pairs through optional hub models.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import PurePath
from typing import TYPE_CHECKING, Any

import numpy as np

from . import inputs
from .errors import InputError

if TYPE_CHECKING:
    from .pretrained import TextEncoder

MAX_PASSAGES = 5_000
MAX_LABELS = 20
TEXT_SUFFIXES = (".txt", ".md", ".csv")


# ---- reading texts -------------------------------------------------------------------------------

@dataclass
class Texts:
    texts: list[str]
    notices: list[str]
    columns: list[str]  # CSV columns (empty for .txt), so a page can offer a choice
    column: str | None = None  # the CSV column read


def _suffix(name: str) -> str:
    return PurePath(name).suffix.lower()


def text_columns(frame: Any) -> list[str]:
    """Columns that hold text (object/string dtype), most text-like first."""
    cols = [c for c in frame.columns if frame[c].dtype == object or str(frame[c].dtype).startswith("str")]
    return sorted(cols, key=lambda c: -frame[c].astype(str).str.len().mean())


def texts_from_upload(data: bytes, name: str, column: str | None = None, max_texts: int = 5_000) -> Texts:
    """.txt: one text per non-empty line. .csv: the texts of `column` (default: the most text-like one)."""
    suffix = _suffix(name)
    if suffix == ".csv":
        table = inputs.read_csv(data, name)
        frame, notices = table.frame, list(table.notices)
        columns = [str(c) for c in frame.columns]
        candidates = text_columns(frame)
        if column is None:
            if not candidates:
                raise InputError(f"{name} has no text column (columns: {', '.join(columns)}); upload a CSV "
                                 "with a column of sentences.")
            column = candidates[0]
        if column not in frame.columns:
            raise InputError(f"{name} has no column named {column!r}; its columns are: {', '.join(columns)}.")
        values = frame[column].dropna().astype(str).str.strip()
        dropped = len(frame) - int((values != "").sum())
        texts = [v for v in values if v]
        if dropped:
            notices.append(f"{dropped} empty row(s) of column {column!r} were left out.")
    elif suffix in (".txt", ".md", ""):
        read = inputs.read_text(data, name)
        notices, columns = list(read.notices), []
        texts = [line.strip() for line in read.text.splitlines() if line.strip()]
    else:
        raise InputError(f"{name}: upload a .txt (one text per line) or a .csv file, not {suffix}.")
    if not texts:
        raise InputError(f"{name} has no text in it; upload a file with at least one non-empty line.")
    if len(texts) > max_texts:
        notices.append(f"{name} has {len(texts):,} texts; only the first {max_texts:,} were used.")
        texts = texts[:max_texts]
    return Texts(texts=texts, notices=notices, columns=columns, column=column if suffix == ".csv" else None)


@dataclass
class Passage:
    document: str
    text: str


def split_sentences(text: str) -> list[str]:
    """Sentences by punctuation and line breaks (a simple rule, no model): good enough for prose."""
    parts = re.split(r"(?<=[.!?。！？])[\"')\]]*\s+|\n+", text)
    return [p.strip() for p in parts if p and p.strip()]


def split_passages(text: str, max_words: int = 80) -> list[str]:
    """Paragraphs (blank-line separated); long ones are cut into runs of whole sentences."""
    out = []
    for para in re.split(r"\n\s*\n", text):
        para = " ".join(para.split())
        if not para:
            continue
        if len(para.split()) <= max_words:
            out.append(para)
            continue
        current: list[str] = []
        for sent in split_sentences(para):
            if current and len(" ".join(current + [sent]).split()) > max_words:
                out.append(" ".join(current))
                current = []
            current.append(sent)
        if current:
            out.append(" ".join(current))
    return out


def documents_from_upload(files: Sequence[tuple[str, bytes]], column: str | None = None) -> tuple[list[Passage],
                                                                                                  list[str]]:
    """Passages from .txt/.md files (split into paragraphs) and .csv files (one passage per row)."""
    if not files:
        raise InputError("Upload at least one document (.txt, .md or .csv).")
    passages: list[Passage] = []
    notices: list[str] = []
    for name, data in files:
        suffix = _suffix(name)
        if suffix not in TEXT_SUFFIXES:
            raise InputError(f"{name}: upload .txt, .md or .csv documents, not {suffix or 'a file without suffix'}.")
        if suffix == ".csv":
            got = texts_from_upload(data, name, column, max_texts=MAX_PASSAGES)
            notices += got.notices
            passages += [Passage(name, t) for t in got.texts]
        else:
            read = inputs.read_text(data, name)
            notices += read.notices
            found = split_passages(read.text)
            if not found:
                raise InputError(f"{name} has no text in it.")
            passages += [Passage(name, p) for p in found]
    if len(passages) > MAX_PASSAGES:
        notices.append(f"The documents hold {len(passages):,} passages; only the first {MAX_PASSAGES:,} are searched.")
        passages = passages[:MAX_PASSAGES]
    return passages, notices


# ---- similarity tools ----------------------------------------------------------------------------

def check_query(text: str, what: str = "The question") -> str:
    return inputs.check_text(text, max_chars=2_000, label=what).text.strip()


def parse_labels(raw: str | Sequence[str]) -> list[str]:
    """'sports, politics, food' (or a list) -> unique labels; 2 to 20 of them."""
    items = raw.replace("\n", ",").split(",") if isinstance(raw, str) else list(raw)
    labels: list[str] = []
    for item in items:
        item = " ".join(str(item).split())
        if item and item.lower() not in {x.lower() for x in labels}:
            labels.append(item[:100])
    if len(labels) < 2:
        raise InputError("Give at least two labels, separated by commas (e.g. 'sports, politics, food').")
    if len(labels) > MAX_LABELS:
        raise InputError(f"{len(labels)} labels is too many; use at most {MAX_LABELS}.")
    return labels


@dataclass
class ZeroShot:
    texts: list[str]
    labels: list[str]
    similarity: np.ndarray  # (N, L) cosine similarity of text and label description
    probability: np.ndarray  # (N, L) softmax of similarity / temperature

    def best(self) -> list[tuple[str, float]]:
        return [(self.labels[int(i)], float(p.max())) for i, p in zip(self.probability.argmax(1), self.probability)]


def zero_shot(encoder: "TextEncoder", texts: Sequence[str], labels: str | Sequence[str],
              template: str = "This text is about {}.", temperature: float = 0.05) -> ZeroShot:
    """Classify texts into any labels by cosine similarity of their embeddings (no training)."""
    from .nlp import clean_texts

    texts = clean_texts(texts)
    labels = parse_labels(labels)
    if "{}" not in template:
        template = template + " {}"
    t = encoder.encode(texts)
    lab = encoder.encode([template.format(x) for x in labels])
    sim = t @ lab.T
    z = sim / temperature
    z = np.exp(z - z.max(1, keepdims=True))
    return ZeroShot(texts=texts, labels=labels, similarity=sim, probability=z / z.sum(1, keepdims=True))


@dataclass
class Hit:
    rank: int
    score: float  # cosine similarity in [-1, 1]
    document: str
    passage: str


def search(encoder: "TextEncoder", passages: Sequence[Passage], query: str, top_k: int = 5,
           passage_embeddings: np.ndarray | None = None) -> list[Hit]:
    """Passages ranked by cosine similarity of their MiniLM embedding to the query's."""
    from .nlp import embed

    query = check_query(query)
    if not passages:
        raise InputError("There are no passages to search; upload some documents first.")
    if not 1 <= top_k <= 100:
        raise InputError(f"top-k must be between 1 and 100, got {top_k}.")
    emb = passage_embeddings if passage_embeddings is not None else embed(encoder, [p.text for p in passages])
    scores = emb @ encoder.encode([query])[0]
    order = np.argsort(-scores, kind="stable")[:top_k]
    return [Hit(rank=r + 1, score=float(scores[i]), document=passages[i].document, passage=passages[i].text)
            for r, i in enumerate(order)]


def similarity_matrix(encoder: "TextEncoder", sentences: Sequence[str]) -> np.ndarray:
    """(N, N) cosine similarities between sentences (2 to 50 of them)."""
    from .nlp import clean_texts

    sentences = clean_texts(sentences, max_texts=50)
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


# ---- extractive summaries ------------------------------------------------------------------------

@dataclass
class Summary:
    sentences: list[str]  # the chosen sentences, in their original order
    indices: list[int]
    centrality: np.ndarray  # one score per sentence of the text

    @property
    def text(self) -> str:
        return " ".join(self.sentences)


def extractive_summary(encoder: "TextEncoder", text: str, n_sentences: int = 3) -> Summary:
    """LexRank-style: sentences most similar to all the others (PageRank over cosine similarity)."""
    text = inputs.check_text(text, label="The text to summarise").text
    sentences = split_sentences(text)
    if len(sentences) < 2:
        raise InputError("The text has fewer than two sentences; give a longer text to summarise.")
    if not 1 <= n_sentences <= 50:
        raise InputError(f"Summary length must be 1 to 50 sentences, got {n_sentences}.")
    sentences = sentences[:1_000]
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
    return Summary(sentences=[sentences[i] for i in chosen], indices=chosen, centrality=score)


# ---- inside the transformer ----------------------------------------------------------------------

@dataclass
class Attention:
    tokens: list[str]
    weights: np.ndarray  # (layers, heads, T, T): row = token attending, column = token attended to


def attention(encoder: "TextEncoder", text: str, max_tokens: int = 64) -> Attention:
    import torch

    text = inputs.check_text(text, max_chars=2_000, label="The sentence").text
    batch = encoder.tokenizer(text, truncation=True, max_length=max_tokens, return_tensors="pt")
    batch = {k: v.to(encoder.device) for k, v in batch.items()}
    with torch.inference_mode():
        out = encoder.model(**batch, output_attentions=True)
    weights = torch.stack(out.attentions)[:, 0].float().cpu().numpy()  # (L, H, T, T)
    tokens = encoder.tokenizer.convert_ids_to_tokens(batch["input_ids"][0].tolist())
    return Attention(tokens=tokens, weights=weights)


# ---- translation ---------------------------------------------------------------------------------

BUNDLED_PAIRS = {("en", "pt"), ("pt", "en")}
LANGUAGES = {"en": "English", "pt": "Portuguese", "de": "German", "fr": "French", "es": "Spanish",
             "it": "Italian", "nl": "Dutch"}


def translation_model(src: str, tgt: str) -> str:
    """Registry name of the model for a language pair; registers an optional opus-mt model if needed."""
    from . import registry

    src, tgt = src.lower().strip(), tgt.lower().strip()
    for code in (src, tgt):
        if code not in LANGUAGES:
            raise InputError(f"Unknown language {code!r}; choose one of {', '.join(LANGUAGES)}.")
    if src == tgt:
        raise InputError("Source and target languages are the same; pick two different languages.")
    if (src, tgt) in BUNDLED_PAIRS:
        return "bergamot-en-pt"
    name = f"opus-mt-{src}-{tgt}"
    try:
        registry.get(name)
    except InputError:
        registry.register(registry.ModelSpec(
            name=name, task="translation", source="hub", licence="CC-BY-4.0", size_mb=300,
            description=f"Helsinki-NLP Marian {LANGUAGES[src]}->{LANGUAGES[tgt]}. Optional: needs internet once.",
            loader="dl_core.pretrained:load_hub_pipeline", hub_id=f"Helsinki-NLP/opus-mt-{src}-{tgt}"))
    return name


def translate(text: str, src: str = "en", tgt: str = "pt", model: Any = None) -> tuple[str, list[str]]:
    """Translate paragraph by paragraph (keeps the layout); returns (translation, notices)."""
    from . import registry

    checked = inputs.check_text(text, max_chars=20_000, label="The text to translate")
    name = translation_model(src, tgt)
    model = model if model is not None else registry.load(name)
    paragraphs = re.split(r"(\n\s*\n)", checked.text)
    out = []
    for part in paragraphs:
        if not part.strip():
            out.append(part)
        elif name == "bergamot-en-pt":
            out.append(model.translate(part.strip(), f"{src}-{tgt}"))
        else:
            out.append(model(part.strip())[0]["translation_text"])
    return "".join(out).strip(), checked.notices
