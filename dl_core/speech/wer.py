"""Word error rate with the word-by-word alignment behind it.

    score = word_error_rate("He was not an ill-disposed young man.", "he was not until this blows young man")
    score.wer                      # (substitutions + deletions + insertions) / reference words
    score.alignment                # [AlignedWord("ok", "he", "he"), ..., AlignedWord("sub", "ill", "until"), ...]

Both texts are normalised first, as speech benchmarks do (`normalise`): lower case, punctuation
dropped, hyphens and dashes split words ("ill-disposed" -> "ill disposed"), a few spoken forms of
abbreviations unified (Mr -> mister). Numbers are left as written, so "10" against "ten" counts as
an error: say so when comparing. The minimum-edit alignment is jiwer's (Levenshtein on words); where
several alignments cost the same, jiwer's choice is kept.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Literal

from ..errors import InputError

Op = Literal["ok", "sub", "del", "ins"]
MAX_WORDS = 5_000  # the alignment is O(n*m); a reference this long is surely a mistake

# Written abbreviation -> the spoken form references use (LibriVox/LibriSpeech write words out).
SPOKEN = {"mr": "mister", "mrs": "missus", "dr": "doctor", "st": "saint", "&": "and"}


@dataclass(frozen=True)
class AlignedWord:
    op: Op  # ok = same word, sub = replaced, del = reference word missed, ins = extra word heard
    ref: str | None
    hyp: str | None


@dataclass(frozen=True)
class WordErrorRate:
    wer: float
    hits: int
    substitutions: int
    deletions: int
    insertions: int
    reference_words: int
    alignment: tuple[AlignedWord, ...]

    @property
    def errors(self) -> int:
        return self.substitutions + self.deletions + self.insertions

    def as_dict(self) -> dict[str, float | int]:
        return {"wer": round(self.wer, 4), "substitutions": self.substitutions, "deletions": self.deletions,
                "insertions": self.insertions, "hits": self.hits, "reference_words": self.reference_words}


def normalise(text: str) -> str:
    """Lower case, no punctuation, words split at hyphens/dashes, spoken abbreviations, single spaces."""
    text = unicodedata.normalize("NFKC", text).lower()
    text = text.replace("’", "'").replace("‘", "'")
    text = re.sub(r"[\-‐‑‒–—/]", " ", text)  # ill-disposed, cold—hearted, and/or
    text = re.sub(r"<[^>]*>|\[[^\]]*\]", " ", text)  # <s>, </s>, [noise] markers in reference files
    text = re.sub(r"(?<![\w])'|'(?![\w])", " ", text)  # quotes, but keep don't / o'clock
    text = "".join(c if (c.isalnum() or c in "'& ") else " " for c in text)
    words = [SPOKEN.get(w, w) for w in text.split()]
    return " ".join(words)


def check_reference(reference: str) -> str:
    """The normalised reference, or InputError when it has no words or too many."""
    ref = normalise(reference or "")
    if not ref:
        raise InputError("The reference transcript is empty; type what was said (words, not only punctuation).")
    if len(ref.split()) > MAX_WORDS:
        raise InputError(f"The reference has {len(ref.split()):,} words; the word error rate here handles up to "
                         f"{MAX_WORDS:,}. Compare a shorter piece.")
    return ref


def word_error_rate(reference: str, hypothesis: str) -> WordErrorRate:
    """WER of `hypothesis` against `reference` (both normalised), with the word alignment."""
    import jiwer

    ref, hyp = check_reference(reference), normalise(hypothesis)
    ref_words, hyp_words = ref.split(), hyp.split()
    if len(hyp_words) > MAX_WORDS:
        raise InputError(f"The texts have {len(ref_words):,} and {len(hyp_words):,} words; the word error rate "
                         f"here handles up to {MAX_WORDS:,}. Compare a shorter piece.")
    if not hyp_words:  # jiwer refuses an empty hypothesis; every reference word was missed
        alignment = tuple(AlignedWord("del", w, None) for w in ref_words)
        return WordErrorRate(1.0, 0, 0, len(ref_words), 0, len(ref_words), alignment)
    out = jiwer.process_words(ref, hyp)
    alignment: list[AlignedWord] = []
    for chunk in out.alignments[0]:
        r = ref_words[chunk.ref_start_idx:chunk.ref_end_idx]
        h = hyp_words[chunk.hyp_start_idx:chunk.hyp_end_idx]
        if chunk.type == "equal":
            alignment += [AlignedWord("ok", a, b) for a, b in zip(r, h)]
        elif chunk.type == "substitute":
            alignment += [AlignedWord("sub", a, b) for a, b in zip(r, h)]
        elif chunk.type == "delete":
            alignment += [AlignedWord("del", a, None) for a in r]
        elif chunk.type == "insert":
            alignment += [AlignedWord("ins", None, b) for b in h]
        else:  # pragma: no cover - jiwer has only these four
            raise ValueError(f"unknown alignment chunk {chunk.type!r}")
    return WordErrorRate(wer=float(out.wer), hits=out.hits, substitutions=out.substitutions, deletions=out.deletions,
                         insertions=out.insertions, reference_words=len(ref_words), alignment=tuple(alignment))


def corpus_word_error_rate(pairs: list[tuple[str, str]]) -> float:
    """Total errors / total reference words over (reference, hypothesis) pairs (the usual corpus WER)."""
    scores = [word_error_rate(r, h) for r, h in pairs]
    words = sum(s.reference_words for s in scores)
    return sum(s.errors for s in scores) / words if words else 0.0
