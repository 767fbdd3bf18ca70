"""Sentiment analysis: a frozen MiniLM encoder + a small head trained here on the bundled reviews.

    reviews = load_review_set(2_000)
    trained = train_sentiment_head(reviews, SentimentConfig(hidden=128, epochs=20), caller="cli")
    trained.metrics["test_accuracy"], trained.details["report"]["baseline_accuracy"]
    trained.model.predict(["A gorgeous, witty film."])

`train_sentiment_head` is the one engine call that embeds the reviews (cached), trains the head with
`training.fit`, tests it beside a TF-IDF + logistic-regression baseline trained on exactly the same
split (and on out-of-domain sentences), and logs the run to MLflow. The page's "Retrain", the first
use of the default model and `python -m dl_core nlp train` all call it.

The default model (`minilm-sentiment` in the registry) is the head saved in the models folder; it is
trained once per data folder by `default_sentiment_model`, under a cross-process lock.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import InputError, ModelUnavailableError
from .embeddings import DIM, ENCODER, Progress, embed, encode_sorted, precision, review_encoder
from .reviews import LABELS, ReviewSet, load_review_set, out_of_domain
from .texts import clean_texts

if TYPE_CHECKING:
    import pandas as pd
    import torch
    from torch import nn

    from ..pretrained import TextEncoder
    from ..registry import ModelSpec
    from ..training import Callback, CancelToken, FitResult, TrainedModel

HEAD_FILE = "sentiment_head.safetensors"  # the default model, in the models folder
EXPERIMENT = "nlp/minilm-sentiment"  # MLflow experiment of every head training
BUILD_LOCK = "nlp-sentiment-head"  # store.build_once name of the default head


# ---- configuration -------------------------------------------------------------------------------

@dataclass
class SentimentConfig:
    """The head's settings. Which reviews it learns from is the `ReviewSet` passed beside it."""

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
        if not 1 <= self.epochs <= 1_000:
            raise InputError(f"Epochs must be between 1 and 1,000, got {self.epochs}.")
        if not 0 < self.lr <= 1:
            raise InputError(f"Learning rate must be in (0, 1], got {self.lr}.")
        if not 1 <= self.batch_size <= 65_536:
            raise InputError(f"Batch size must be between 1 and 65,536, got {self.batch_size}.")
        if not 0 <= self.weight_decay <= 1:
            raise InputError(f"Weight decay must be between 0 and 1, got {self.weight_decay}.")
        if not 0 <= self.seed < 2**32:
            raise InputError(f"Seed must be between 0 and 2**32 - 1, got {self.seed}.")


def build_head(dim: int, hidden: int, dropout: float) -> "nn.Module":
    from torch import nn

    if hidden == 0:
        return nn.Sequential(nn.Dropout(dropout), nn.Linear(dim, 2))
    return nn.Sequential(nn.Dropout(dropout), nn.Linear(dim, hidden), nn.GELU(), nn.Dropout(dropout),
                         nn.Linear(hidden, 2))


# ---- the model -----------------------------------------------------------------------------------

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


def _mean_pooled(hidden: "torch.Tensor", attention_mask: "torch.Tensor") -> "torch.Tensor":
    """(B, T, C) token states -> (B, C) L2-normalised mean over real tokens (sentence-transformers' pooling)."""
    import torch

    mask = attention_mask.unsqueeze(-1).to(hidden.dtype)  # (B, T, 1)
    return torch.nn.functional.normalize((hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9), dim=-1)


@dataclass
class SentimentModel:
    """Frozen encoder + trained head. `predict(texts)` gives a label and a confidence per text.

    The encoder is usually the one every session shares: nothing here changes it (no hooks, no
    train mode, tokenizer settings per call under its lock). `reader` is what texts are embedded
    with for the head, as it was trained: the encoder itself (float32, the default) or a shared int8
    copy (see embeddings.REVIEW_PRECISION); attributions differentiate through the float32 `encoder`.
    """

    encoder: "TextEncoder"
    head: "nn.Module"
    meta: dict[str, Any] = field(default_factory=dict)
    reader: "TextEncoder | None" = None  # None = encoder

    @property
    def n_reviews(self) -> int | None:
        """How many reviews the head was trained on (None = all): its baseline uses the same ones."""
        return (self.meta.get("config") or {}).get("n_reviews")

    def proba(self, texts: Sequence[str]) -> np.ndarray:
        """(N, 2) class probabilities [negative, positive]."""
        import torch

        emb = encode_sorted(self.reader or self.encoder, list(texts))
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

    def logits_from_embeddings(self, inputs_embeds: "torch.Tensor", attention_mask: "torch.Tensor") -> "torch.Tensor":
        """Differentiable path word embeddings (B, T, 384) -> sentence embedding -> head logits (B, 2).

        Attributions integrate along this path: the shared encoder is called, never hooked.
        """
        hidden = self.encoder.model(inputs_embeds=inputs_embeds, attention_mask=attention_mask).last_hidden_state
        return self.head(_mean_pooled(hidden, attention_mask))

    def logits_from_ids(self, input_ids: "torch.Tensor", attention_mask: "torch.Tensor") -> "torch.Tensor":
        hidden = self.encoder.model(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
        return self.head(_mean_pooled(hidden, attention_mask))


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


@functools.lru_cache(maxsize=4)
def baseline_for(n_reviews: int | None) -> TfidfBaseline:
    """The TF-IDF baseline on the training split of the first `n_reviews` reviews (the default
    model's comparison; deterministic, so it is trained once per process and shared)."""
    reviews = load_review_set(n_reviews)
    train = reviews.split.train
    return fit_baseline(reviews.subset_texts(train), reviews.labels[train])


def compare_with_baseline(model: SentimentModel, texts: Sequence[str],
                          baseline: TfidfBaseline | None = None) -> "pd.DataFrame":
    """One row per text: the model's label and confidence beside the TF-IDF baseline's."""
    import pandas as pd

    preds = model.predict(texts)
    baseline = baseline or baseline_for(model.n_reviews)
    base = baseline.proba([p.text for p in preds])
    return pd.DataFrame({"text": [p.text for p in preds], "label": [p.label for p in preds],
                         "confidence": [p.score for p in preds],
                         "TF-IDF says": [LABELS[int(b.argmax())] for b in base],
                         "TF-IDF confidence": base.max(1)})


# ---- training: the one engine call ---------------------------------------------------------------

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

    def metrics(self) -> dict[str, float]:
        """What a training run is judged by (timings are in the report and in MLflow, not here)."""
        keys = ("test_accuracy", "baseline_accuracy", "val_accuracy", "ood_accuracy", "baseline_ood_accuracy",
                "n_train", "n_test")
        return {k: float(getattr(self, k)) for k in keys}


def _config_record(reviews: ReviewSet, config: SentimentConfig) -> dict[str, Any]:
    from .. import tracking

    return {"n_reviews": reviews.requested, **tracking.params_of(config)}


def train_sentiment_head(reviews: ReviewSet, config: SentimentConfig, *, encoder: "TextEncoder | None" = None,
                         callbacks: Sequence["Callback"] = (), cancel: "CancelToken | None" = None,
                         caller: str = "app", progress: Progress | None = None,
                         on_wait: Callable[[], None] | None = None) -> "TrainedModel":
    """Embed the reviews (cached), train the head, test it beside the TF-IDF baseline, log to MLflow.

    `progress(done, total)` follows the embedding; `on_wait()` is called if another session is
    embedding the same reviews right now. The returned `TrainedModel` holds the `SentimentModel`,
    the held-out metrics, and in `details` the full report (`"report"`) and the baseline (`"baseline"`).
    Nothing is saved: `save_sentiment(trained.model)` makes it the default model.
    """
    import torch

    from .. import device as devices
    from .. import registry, tracking, training

    config.check()
    if len(reviews) < 50:
        raise InputError(f"Use at least 50 reviews to train, got {len(reviews)}.")
    encoder = encoder if encoder is not None else registry.load(ENCODER, devices.get())
    record = _config_record(reviews, config)
    with tracking.training_run(EXPERIMENT, config, caller=caller,
                               extra_params={"n_reviews": reviews.requested}) as run:
        t0 = time.perf_counter()
        reader = review_encoder(encoder)
        X = embed(reader, reviews.texts, progress=progress, on_wait=on_wait)  # (N, 384)
        embed_seconds = time.perf_counter() - t0
        y, split = reviews.labels, reviews.split

        def tensors(idx: np.ndarray) -> tuple["torch.Tensor", "torch.Tensor"]:
            return torch.from_numpy(X[idx]), torch.from_numpy(y[idx]).long()

        with training.seeded(config.seed):
            head = build_head(X.shape[1], config.hidden, config.dropout)
        tc = training.TrainConfig(epochs=config.epochs, lr=config.lr, batch_size=config.batch_size,
                                  weight_decay=config.weight_decay, seed=config.seed,
                                  monitor="val_loss", monitor_mode="min", device=str(encoder.device))
        fit = training.fit(head, tensors(split.train), tensors(split.val), config=tc,
                           evaluate=training.classification_metrics, callbacks=[*callbacks, run.callback],
                           cancel=cancel)
        meta = {"config": record, "labels": list(LABELS), "encoder": ENCODER, "dim": int(X.shape[1]),
                "precision": precision(reader)}
        model = SentimentModel(encoder=encoder, head=head.eval(), meta=meta, reader=reader)

        baseline = fit_baseline(reviews.subset_texts(split.train), y[split.train], seed=config.seed)
        test_texts, y_test = reviews.subset_texts(split.test), y[split.test]
        with torch.inference_mode():
            test_pred = head(torch.from_numpy(X[split.test]).to(encoder.device)).argmax(-1).cpu().numpy()
        ood = out_of_domain()
        ood_y = (ood["label"] == "positive").astype(int).to_numpy()
        report = SentimentReport(
            test_accuracy=float((test_pred == y_test).mean()),
            baseline_accuracy=float((baseline.proba(test_texts).argmax(1) == y_test).mean()),
            val_accuracy=_kept_val_accuracy(fit),
            ood_accuracy=float((model.proba(ood["text"].tolist()).argmax(1) == ood_y).mean()),
            baseline_ood_accuracy=float((baseline.proba(ood["text"].tolist()).argmax(1) == ood_y).mean()),
            n_train=len(split.train), n_test=len(split.test), embed_seconds=embed_seconds,
            train_seconds=fit.seconds, config=record,
        )
        model.meta["report"] = report.as_dict()
        run.log_final({**report.metrics(), "embed_seconds": embed_seconds, "train_seconds": fit.seconds},
                      model=head, extra=model.meta)
    return training.TrainedModel(model=model, history=fit.history, metrics=report.metrics(), run_id=run.run_id,
                                 fit=fit, details={"report": report.as_dict(), "baseline": baseline})


def _kept_val_accuracy(fit: "FitResult") -> float:
    """Validation accuracy of the epoch whose weights fit() kept (the best validation loss)."""
    if not fit.history:
        return float("nan")
    log = fit.history[fit.best_epoch - 1] if fit.best_epoch else fit.history[-1]
    return float(log.metrics.get("val_accuracy", float("nan")))


# ---- the default model, saved in the models folder -----------------------------------------------

def head_path() -> Path:
    from .. import store

    return store.path_for(HEAD_FILE)


def save_sentiment(model: SentimentModel) -> Path:
    """Make `model`'s head the default `minilm-sentiment` model (written atomically)."""
    from .. import store

    return store.save(HEAD_FILE, model.head.state_dict(), model.meta)


def head_from_store(encoder: "TextEncoder") -> SentimentModel:
    """The saved head on top of `encoder` (ModelUnavailableError when none has been trained yet)."""
    from .. import store

    try:
        state, meta = store.load(HEAD_FILE)
    except FileNotFoundError:
        raise ModelUnavailableError(
            "The sentiment head has not been trained yet; train it on the NLP page "
            "or with `python -m dl_core nlp train`."
        ) from None
    cfg = meta.get("config", {})
    head = build_head(int(meta.get("dim", DIM)), int(cfg.get("hidden", 256)), float(cfg.get("dropout", 0.0)))
    try:
        head.load_state_dict(state)
    except RuntimeError as exc:
        raise ModelUnavailableError(f"The saved sentiment head does not fit its settings ({exc}); retrain it.") \
            from None
    # Heads saved before int8 reading (no "precision") read with the float32 encoder they were trained on.
    reader = review_encoder(encoder, meta.get("precision", "float32"))
    return SentimentModel(encoder=encoder, head=head.to(encoder.device).eval(), meta=meta, reader=reader)


def saved_report() -> dict[str, Any] | None:
    """The report stored with the saved head, without loading the encoder."""
    from .. import store

    try:
        return store.load(HEAD_FILE)[1].get("report")
    except FileNotFoundError:
        return None


def default_sentiment_model(encoder: "TextEncoder | None" = None, *, n_reviews: int | None = None,
                            callbacks: Sequence["Callback"] = (), progress: Progress | None = None,
                            on_wait: Callable[[], None] | None = None, caller: str = "app") -> SentimentModel:
    """The saved head; on first use in this data folder, train it (default settings, `n_reviews`
    reviews) and save it. Built once under a cross-process lock: a second session, or a `prepare`
    command, arriving meanwhile calls `on_wait()` and then loads what the first one saved."""
    from .. import device as devices
    from .. import registry, store

    encoder = encoder if encoder is not None else registry.load(ENCODER, devices.get())

    def build() -> None:
        trained = train_sentiment_head(load_review_set(n_reviews), SentimentConfig(), encoder=encoder,
                                       callbacks=callbacks, caller=caller, progress=progress, on_wait=on_wait)
        if trained.history and not trained.fit.cancelled:
            save_sentiment(trained.model)

    store.build_once(BUILD_LOCK, exists=lambda: head_path().is_file(), build=build, on_wait=on_wait)
    return head_from_store(encoder)


def load_sentiment_model(spec: "ModelSpec", device: "torch.device") -> SentimentModel:
    """Registry loader of `minilm-sentiment`: the bundled MiniLM plus the head saved here."""
    from .. import registry

    return head_from_store(registry.load(ENCODER, device))
