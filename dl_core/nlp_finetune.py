"""Fine-tuning MiniLM's top layers together with the sentiment head, a bounded number of steps.

The frozen encoder + head (nlp.py) is cheap because the embeddings are computed once and cached.
Unfreezing the top transformer layers lets the encoder adapt to film-review language, which is how
it can overtake the TF-IDF baseline in-domain; each step now runs the encoder forward and backward,
so on a CPU we train for a bounded number of steps (a GPU makes hundreds of steps practical).

The cached, shared encoder is never touched: the model is deep-copied first.
"""

from __future__ import annotations

import copy
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import TYPE_CHECKING, Any

import numpy as np

from .errors import InputError
from .nlp import LABELS, SentimentModel, embed, encode_sorted, fit_baseline, load_reviews, split_indices

if TYPE_CHECKING:
    import torch
    from torch import nn

    from .training import Callback, CancelToken, FitResult


@dataclass
class FinetuneConfig:
    layers: int = 2  # top transformer layers to unfreeze (MiniLM-L6 has 6)
    epochs: int = 2
    steps_per_epoch: int = 40  # batches per epoch; the same reviews are seen again each epoch
    batch_size: int = 32
    lr: float = 3e-5  # encoder layers; the head uses head_lr
    head_lr: float = 1e-3
    max_length: int = 64  # tokens; the reviews are one sentence (<= 255 characters)
    n_reviews: int | None = None  # same subset and split as the head
    val_size: int = 256  # validation texts scored after each epoch
    seed: int = 0

    def check(self, n_layers: int = 6) -> None:
        if not 1 <= self.layers <= n_layers:
            raise InputError(f"Unfreeze between 1 and {n_layers} layers, got {self.layers}.")
        if not 1 <= self.steps_per_epoch <= 100_000:
            raise InputError(f"Steps per epoch must be between 1 and 100,000, got {self.steps_per_epoch}.")
        if not 0 < self.lr <= 1e-2:
            raise InputError(f"Encoder learning rate must be in (0, 0.01], got {self.lr}.")


class _Classifier:
    """nn.Module built lazily (torch imported inside): encoder copy + head, ids -> logits."""

    @staticmethod
    def build(model: SentimentModel) -> "nn.Module":
        from torch import nn

        class Classifier(nn.Module):
            def __init__(self) -> None:
                super().__init__()
                self.encoder = copy.deepcopy(model.encoder.model)
                self.head = copy.deepcopy(model.head)

            def forward(self, input_ids, attention_mask):  # (B, T), (B, T) -> (B, 2)
                import torch

                hidden = self.encoder(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
                mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
                emb = torch.nn.functional.normalize((hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9), dim=-1)
                return self.head(emb)

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


@dataclass
class FinetuneResult:
    model: SentimentModel  # a new encoder copy + head; predict() works as for the frozen model
    report: FinetuneReport
    fit: "FitResult"


def _tokens(model: SentimentModel, texts: Sequence[str], max_length: int) -> tuple["torch.Tensor", "torch.Tensor"]:
    batch = model.encoder.tokenizer(list(texts), padding="max_length", truncation=True, max_length=max_length,
                                    return_tensors="pt")
    return batch["input_ids"], batch["attention_mask"]


def finetune(model: SentimentModel, config: FinetuneConfig | None = None, *, callbacks: Sequence["Callback"] = (),
             cancel: "CancelToken | None" = None) -> FinetuneResult:
    """Copy encoder + head, unfreeze the top `layers`, train `epochs x steps_per_epoch` batches, test."""
    import torch

    from . import training

    config = config or FinetuneConfig()
    layers = model.encoder.model.encoder.layer
    config.check(len(layers))
    reviews = load_reviews(config.n_reviews)
    texts, labels = reviews["text"].tolist(), reviews["label"].to_numpy()
    split = split_indices(labels, seed=0)
    rng = np.random.default_rng(config.seed)
    n_train = min(len(split.train), config.steps_per_epoch * config.batch_size)  # the same reviews each epoch
    train_idx = rng.permutation(split.train)[:n_train]
    val_idx = split.val[: config.val_size]

    net = _Classifier.build(model)
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
        ids, mask = _tokens(model, [texts[i] for i in idx], config.max_length)
        return ids, mask, torch.from_numpy(labels[idx]).long()

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

    tc = training.TrainConfig(epochs=config.epochs, lr=config.lr, batch_size=config.batch_size, seed=config.seed,
                              device=str(model.encoder.device))
    t0 = time.perf_counter()
    result = training.fit(net, data(train_idx), data(val_idx), config=tc, batch_loss=batch_loss, evaluate=evaluate,
                          callbacks=callbacks, cancel=cancel, optimizer=opt)
    seconds = time.perf_counter() - t0

    tuned_encoder = replace(model.encoder, model=net.encoder.eval(), max_length=config.max_length)
    tuned = SentimentModel(encoder=tuned_encoder, head=net.head.eval(),
                           meta={**model.meta, "finetune": asdict(config)})
    test_texts = [texts[i] for i in split.test]
    y_test = labels[split.test]
    after = _accuracy(tuned, encode_sorted(tuned_encoder, test_texts), y_test)
    before = _accuracy(model, embed(model.encoder, texts)[split.test], y_test)
    baseline = fit_baseline([texts[i] for i in split.train], labels[split.train], seed=config.seed)
    report = FinetuneReport(
        test_accuracy=after, frozen_test_accuracy=before,
        baseline_accuracy=float((baseline.proba(test_texts).argmax(1) == y_test).mean()),
        steps=len(result.history) * int(np.ceil(n_train / config.batch_size)),
        seconds=seconds, n_test=len(split.test), config=asdict(config))
    return FinetuneResult(model=tuned, report=report, fit=result)


def _accuracy(model: SentimentModel, emb: np.ndarray, y: np.ndarray) -> float:
    import torch

    with torch.inference_mode():
        pred = model.head(torch.from_numpy(emb).to(model.encoder.device)).argmax(-1).cpu().numpy()
    return float((pred == y).mean())


__all__ = ["FinetuneConfig", "FinetuneReport", "FinetuneResult", "LABELS", "finetune"]
