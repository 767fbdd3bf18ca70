"""Texts in: typed lines, uploaded .txt/.csv files, documents cut into passages, sentences.

One rule for "one text per line" everywhere (typed boxes, .txt uploads, the command line):
`lines()` strips each line and leaves blank lines out; an input with no text at all is refused.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any

from .. import inputs
from ..errors import InputError
from .reviews import ASSETS

MAX_TEXTS = 5_000  # texts per request (page table, CLI file); more is refused with a message
MAX_PASSAGES = 5_000  # passages searched at once
MAX_SENTENCES = 1_000  # sentences an extractive summary ranks (the similarity matrix is N x N)
TEXT_SUFFIXES = (".txt", ".md", ".csv")


@dataclass
class Texts:
    texts: list[str]
    notices: list[str] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)  # CSV columns (empty for .txt), so a page can offer a choice
    column: str | None = None  # the CSV column read
    label_columns: list[str] = field(default_factory=list)  # CSV columns that look like sentiment labels, best first
    label_column: str | None = None  # the label column read (when one was asked for)
    label_values: list | None = None  # its raw cells, one per text (see evaluation.sentiment_labels)


def clean_texts(texts: Sequence[str], max_texts: int = MAX_TEXTS) -> list[str]:
    """Strip texts, refuse an empty list or too many; every text must have some content."""
    cleaned = [str(t).replace("\x00", "").strip() for t in texts]
    empty = [i for i, t in enumerate(cleaned) if not t]
    if not cleaned:
        raise InputError("There is no text; type or upload some text.")
    if empty:
        where = "The text is" if len(cleaned) == 1 else f"Text number {empty[0] + 1} is"
        raise InputError(f"{where} empty or only spaces; type some words.")
    if len(cleaned) > max_texts:
        raise InputError(f"{len(cleaned):,} texts at once is too many; the limit is {max_texts:,}. Split the file.")
    return cleaned


def lines(text: str, max_texts: int = MAX_TEXTS, label: str = "The text") -> Texts:
    """One text per line: each line stripped, blank lines left out, the length capped (with a notice).

    Raises InputError when no line holds any text, or when there are more than `max_texts` lines.
    """
    checked = inputs.check_text(text, label=label)
    found = [line.strip() for line in checked.text.replace("\x00", "").splitlines() if line.strip()]
    if not found:
        raise InputError(f"{label} is empty or only spaces; type some words.")
    return Texts(texts=clean_texts(found, max_texts), notices=list(checked.notices))


def _suffix(name: str) -> str:
    return PurePath(name).suffix.lower()


def text_columns(frame: Any) -> list[str]:
    """Columns that hold text (object/string dtype), most text-like first."""
    cols = [c for c in frame.columns if frame[c].dtype == object or str(frame[c].dtype).startswith("str")]
    return sorted(cols, key=lambda c: -frame[c].astype(str).str.len().mean())


def texts_from_upload(data: bytes, name: str, column: str | None = None, max_texts: int = MAX_TEXTS,
                      label_column: str | None = None) -> Texts:
    """.txt: one text per non-empty line. .csv: the texts of `column` (default: the most text-like one
    that is not a label column), the columns that look like sentiment labels, and, when
    `label_column` is given, its raw cells row by row beside the texts (rows without a text are left
    out of both)."""
    from .evaluation import label_columns

    suffix = _suffix(name)
    labels, found_labels = None, []
    if suffix == ".csv":
        table = inputs.read_csv(data, name)
        frame, notices = table.frame, list(table.notices)
        columns = [str(c) for c in frame.columns]
        found_labels = label_columns(frame)
        candidates = text_columns(frame)
        if column is None:
            if not candidates:
                raise InputError(f"{name} has no text column (columns: {', '.join(columns)}); upload a CSV "
                                 "with a column of sentences.")
            column = ([c for c in candidates if c not in found_labels] or candidates)[0]
        if column not in frame.columns:
            raise InputError(f"{name} has no column named {column!r}; its columns are: {', '.join(columns)}.")
        if label_column is not None:
            if label_column not in frame.columns:
                raise InputError(f"{name} has no label column named {label_column!r}; its columns are: "
                                 f"{', '.join(columns)}.")
            if label_column == column:
                raise InputError(f"{label_column!r} is the column of texts; pick another column for the labels.")
        values = frame[column].astype(object).where(frame[column].notna(), "").astype(str).str.strip()
        kept = (values != "").to_numpy()
        dropped = len(frame) - int(kept.sum())
        texts = values[kept].tolist()
        if label_column is not None:
            cells = frame[label_column][kept]
            labels = [None if v is None or (isinstance(v, float) and v != v) else v
                      for v in cells.astype(object).tolist()]
        if dropped:
            notices.append(f"{dropped} empty row(s) of column {column!r} were left out.")
    elif suffix in (".txt", ".md", ""):
        if label_column is not None:
            raise InputError(f"{name} is plain text: labels need a .csv file with a column of texts and a column "
                             "of labels.")
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
        labels = None if labels is None else labels[:max_texts]
    return Texts(texts=texts, notices=notices, columns=columns, column=column if suffix == ".csv" else None,
                 label_columns=found_labels, label_column=label_column, label_values=labels)


@dataclass
class Passage:
    document: str
    text: str


def split_sentences(text: str) -> list[str]:
    """Sentences by punctuation and line breaks (a simple rule, no model): good enough for prose."""
    parts = re.split(r"(?<=[.!?。！？])\s+|(?<=[.!?。！？][\"'”’)\]])\s+|\n+", text)  # keeps a closing quote
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


def example_documents() -> list[tuple[str, bytes]]:
    """The three bundled guides (cycling, coffee, sleep) searched when a person uploads none."""
    return [(p.name, p.read_bytes()) for p in sorted((ASSETS / "documents").glob("*.md"))]


def example_article() -> str:
    return (ASSETS / "article.txt").read_text(encoding="utf-8")


def check_query(text: str, what: str = "The question") -> str:
    return inputs.check_text(text, max_chars=2_000, label=what).text.strip()
