"""Fine-tuning MiniLM's top layers together with the sentiment head, a bounded number of steps.

    base = default_sentiment_model()
    trained = train_finetuned_encoder(load_review_set(base.n_reviews), FinetuneConfig(layers=2),
                                      base=base, caller="cli")
    trained.metrics["test_accuracy"], trained.metrics["frozen_test_accuracy"]

The frozen encoder + head (sentiment.py) is cheap because the embeddings are computed once and
cached. Unfreezing the top transformer layers lets the encoder adapt to film-review language, which
is how it can overtake the TF-IDF baseline in-domain; each step now runs the encoder forward and
backward, so on a CPU we train for a bounded number of steps (a GPU makes hundreds practical).

The shared encoder is never touched: the model is deep-copied first. The run's parameters, curves
and metrics go to MLflow; its weights (a whole encoder copy, ~90 MB) do not.
"""

from __future__ import annotations

import copy
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import InputError
from .embeddings import embed, encode_sorted
from .reviews import ReviewSet
from .sentiment import SentimentModel, _mean_pooled, fit_baseline

if TYPE_CHECKING:
    import torch
    from torch import nn

    from ..training import Callback, CancelToken, TrainedModel

EXPERIMENT = "nlp/minilm-finetune"


@dataclass
class FinetuneConfig:
    layers: int = 2  # top transformer layers to unfreeze (MiniLM-L6 has 6)
    epochs: int = 2
    steps_per_epoch: int = 40  # batches per epoch; the same reviews are seen again each epoch
    batch_size: int = 32
    lr: float = 3e-5  # encoder layers; the head uses head_lr
    head_lr: float = 1e-3
    max_length: int = 64  # tokens; the reviews are one sentence (<= 255 characters)
    val_size: int = 256  # validation texts scored after each epoch
    seed: int = 0

    def check(self, n_layers: int = 6) -> None:
        if not 1 <= self.layers <= n_layers:
            raise InputError(f"Unfreeze between 1 and {n_layers} layers, got {self.layers}.")
        if not 1 <= self.epochs <= 100:
            raise InputError(f"Epochs must be between 1 and 100, got {self.epochs}.")
        if not 1 <= self.steps_per_epoch <= 100_000:
            raise InputError(f"Steps per epoch must be between 1 and 100,000, got {self.steps_per_epoch}.")
        if not 1 <= self.batch_size <= 1_024:
            raise InputError(f"Batch size must be between 1 and 1,024, got {self.batch_size}.")
        if not 0 < self.lr <= 1e-2:
            raise InputError(f"Encoder learning rate must be in (0, 0.01], got {self.lr}.")
        if not 0 < self.head_lr <= 1:
            raise InputError(f"Head learning rate must be in (0, 1], got {self.head_lr}.")
        if not 8 <= self.max_length <= 256:
            raise InputError(f"Max length must be between 8 and 256 tokens, got {self.max_length}.")
        if not 1 <= self.val_size <= 10_000:
            raise InputError(f"Validation size must be between 1 and 10,000 reviews, got {self.val_size}.")
        if not 0 <= self.seed < 2**32:
            raise InputError(f"Seed must be between 0 and 2**32 - 1, got {self.seed}.")


def _classifier(model: SentimentModel) -> "nn.Module":
    """A trainable copy of encoder + head: ids -> logits. The shared originals stay as they are."""
    from torch import nn

    class Classifier(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.encoder = copy.deepcopy(model.encoder.model)
            self.head = copy.deepcopy(model.head)

        def forward(self, input_ids, attention_mask):  # (B, T), (B, T) -> (B, 2)
            hidden = self.encoder(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
            return self.head(_mean_pooled(hidden, attention_mask))

    return Classifier()


@dataclass
class FinetuneReport:
    test_accuracy: float  # after fine-tuning
    frozen_test_accuracy: float  # the frozen encoder + head it started from, same test texts
    baseline_accuracy: float  # TF-IDF + logistic regression, same split
    steps: int
    seconds: float
    n_test: int
    config: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def metrics(self) -> dict[str, float]:
        return {k: float(getattr(self, k)) for k in ("test_accuracy", "frozen_test_accuracy", "baseline_accuracy",
                                                     "steps", "n_test")}


def train_finetuned_encoder(reviews: ReviewSet, config: FinetuneConfig, *, base: SentimentModel,
                            callbacks: Sequence["Callback"] = (), cancel: "CancelToken | None" = None,
                            caller: str = "app") -> "TrainedModel":
    """Copy `base`'s encoder + head, unfreeze the top `layers`, train `epochs x steps_per_epoch`
    batches, test on the held-out reviews beside the frozen model and the TF-IDF baseline, log to MLflow.

    The returned `TrainedModel.model` is a `SentimentModel` (new encoder copy + head);
    `details["report"]` is the `FinetuneReport` as a dict.
    """
    import torch

    from .. import tracking, training

    layers = base.encoder.model.encoder.layer
    config.check(len(layers))
    texts, labels, split = reviews.texts, reviews.labels, reviews.split
    rng = np.random.default_rng(config.seed)
    n_train = min(len(split.train), config.steps_per_epoch * config.batch_size)  # the same reviews each epoch
    train_idx = rng.permutation(split.train)[:n_train]
    val_idx = split.val[: config.val_size]

    with tracking.training_run(EXPERIMENT, config, caller=caller, extra_params={"n_reviews": reviews.requested}) as run:
        net = _classifier(base)
        for p in net.encoder.parameters():
            p.requires_grad_(False)
        unfrozen = list(net.encoder.encoder.layer[-config.layers:])
        for layer in unfrozen:
            for p in layer.parameters():
                p.requires_grad_(True)
        opt = torch.optim.AdamW([
            {"params": [p for layer in unfrozen for p in layer.parameters()], "lr": config.lr},
            {"params": list(net.head.parameters()), "lr": config.head_lr},
        ], weight_decay=1e-2)

        def data(idx: np.ndarray) -> tuple["torch.Tensor", ...]:
            batch = base.encoder.tokenize([texts[i] for i in idx], max_length=config.max_length,
                                          padding="max_length")
            return batch["input_ids"], batch["attention_mask"], torch.from_numpy(labels[idx]).long()

        def batch_loss(m, batch):
            return torch.nn.functional.cross_entropy(m(batch[0], batch[1]), batch[2])

        def evaluate(m, loader):
            total = correct = 0
            loss = 0.0
            for ids, mask, y in loader:
                logits = m(ids, mask).float()
                loss += torch.nn.functional.cross_entropy(logits, y, reduction="sum").item()
                correct += (logits.argmax(-1) == y).sum().item()
                total += len(y)
            return {"val_loss": loss / max(total, 1), "val_accuracy": correct / max(total, 1)}

        tc = training.TrainConfig(epochs=config.epochs, lr=config.lr, batch_size=config.batch_size,
                                  seed=config.seed, monitor="val_loss", monitor_mode="min",
                                  device=str(base.encoder.device))
        t0 = time.perf_counter()
        fit = training.fit(net, data(train_idx), data(val_idx), config=tc, batch_loss=batch_loss, evaluate=evaluate,
                           callbacks=[*callbacks, run.callback], cancel=cancel, optimizer=opt)
        seconds = time.perf_counter() - t0

        tuned_encoder = replace(base.encoder, model=net.encoder.eval(), max_length=config.max_length)
        tuned = SentimentModel(encoder=tuned_encoder, head=net.head.eval(),  # reads with its own float32 encoder
                               meta={**base.meta, "precision": "float32", "finetune": asdict(config)})
        test_texts = reviews.subset_texts(split.test)
        y_test = labels[split.test]
        after = _accuracy(tuned, encode_sorted(tuned_encoder, test_texts), y_test)
        before = _accuracy(base, embed(base.reader or base.encoder, texts)[split.test], y_test)
        baseline = fit_baseline(reviews.subset_texts(split.train), labels[split.train], seed=config.seed)
        report = FinetuneReport(
            test_accuracy=after, frozen_test_accuracy=before,
            baseline_accuracy=float((baseline.proba(test_texts).argmax(1) == y_test).mean()),
            steps=len(fit.history) * int(np.ceil(n_train / config.batch_size)),
            seconds=seconds, n_test=len(split.test),
            config={"n_reviews": reviews.requested, **tracking.params_of(config)})
        run.log_final({**report.metrics(), "seconds": seconds})
    return training.TrainedModel(model=tuned, history=fit.history, metrics=report.metrics(), run_id=run.run_id,
                                 fit=fit, details={"report": report.as_dict(), "baseline": baseline})


def _accuracy(model: SentimentModel, emb: np.ndarray, y: np.ndarray) -> float:
    import torch

    with torch.inference_mode():
        pred = model.head(torch.from_numpy(emb).to(model.encoder.device)).argmax(-1).cpu().numpy()
    return float((pred == y).mean())
