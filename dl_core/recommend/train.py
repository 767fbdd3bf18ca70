"""The one engine call that trains, evaluates and logs a recommender, for the page and the CLI alike.

    result = train_recommender(load_movielens(), RecommenderConfig(model="bpr", epochs=30))
    result.metrics["recall_at_k"], result.details["baselines"]["popularity"]["recall_at_k"]
    result.model.recommend(users, k=10)        # a Recommender (recommender.py)

Protocol: a per-user hold-out (random or latest) is the test set. A validation share of each user's
training interactions is set aside to draw the deep models' curves and pick their best epoch, so the
test set is never looked at before the end. Every model and baseline learns from the same remaining
interactions and all are scored on the same test users, with each user's known items (training and
validation) removed from their lists first.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from .. import training
from ..errors import InputError
from . import baselines as B
from .data import Interactions
from .recommender import LABELS, Recommender
from .split import Split, SplitBy, check_share, holdout, holdout_mask

if TYPE_CHECKING:
    from ..training import Callback, CancelToken

ModelName = Literal["bpr", "mf", "two-tower", "popularity", "itemknn", "als"]
MODELS: tuple[str, ...] = ("bpr", "two-tower", "mf", "popularity", "itemknn", "als")
DEEP = ("bpr", "mf", "two-tower")
BASELINES = ("popularity", "itemknn", "als")
# Measured on MovieLens (per-user 20% hold-out, 30 epochs, dim 64, lr 1e-2): BPR with 8 negatives and
# L2 0.01 reached recall@10 0.267 (1 negative: 0.236; L2 1e-4: 0.20, L2 0.1: 0.16); rating MF needs more
# L2 (0.1: RMSE 0.877; 0.01 overfits, 0.96). Per-row BPR negatives cost B x n gathered vectors.
DEFAULT_WEIGHT_DECAY = {"mf": 0.1, "ranking": 0.01}
DEFAULT_NEGATIVES = {"bpr": 8, "softmax": 512}
MAX_NEGATIVES = {"bpr": 64, "softmax": 4096}


@dataclass
class RecommenderConfig:
    model: ModelName = "bpr"
    loss: Literal["bpr", "softmax"] = "bpr"  # ranking models (bpr, two-tower); mf always fits ratings (MSE)
    dim: int = 64  # embedding size
    lr: float = 1e-2  # Adam
    weight_decay: float | None = None  # L2 on the vectors of each batch (in the loss); None: mf 0.1, others 0.01
    negatives: int | None = None  # random items: per positive (bpr, default 8); per batch (softmax, default 512)
    layers: int = 0  # two-tower: hidden layers on top of each tower's summed embeddings
    epochs: int = 30
    batch_size: int = 2048
    patience: int | None = None  # stop when validation recall (RMSE for mf) stalls this many epochs
    seed: int = 0
    k: int = 10  # length of the recommendation lists that are scored
    test_share: float = 0.2  # of each user's interactions, held out for the test
    split: SplitBy = "random"  # "time": hold out each user's latest interactions
    val_share: float = 0.1  # of each user's training interactions, for the curves and the best epoch; 0 = none
    neighbours: int = 100  # item-kNN
    baselines: tuple[str, ...] = BASELINES  # scored on the same split (ALS only if `implicit` is installed)
    device: str | None = field(default=None, metadata={"log": False})

    @property
    def reg(self) -> float:
        if self.weight_decay is not None:
            return self.weight_decay
        return DEFAULT_WEIGHT_DECAY["mf" if self.model == "mf" else "ranking"]

    @property
    def n_negatives(self) -> int:
        return self.negatives if self.negatives is not None else DEFAULT_NEGATIVES[self.loss]

    def resolved(self) -> RecommenderConfig:
        """The same config with the model-dependent defaults (weight decay, negatives) filled in."""
        return replace(self, weight_decay=self.reg, negatives=self.n_negatives)

    def check(self, data: Interactions | None = None) -> None:
        if self.model not in MODELS:
            raise InputError(f"model must be one of {', '.join(MODELS)}; got {self.model!r}.")
        if self.loss not in ("bpr", "softmax"):
            raise InputError(f"loss must be 'bpr' or 'softmax', got {self.loss!r}.")
        for name, value, lo, hi in (("embedding size (dim)", self.dim, 2, 512), ("layers", self.layers, 0, 4),
                                    ("negatives", self.n_negatives, 1, MAX_NEGATIVES[self.loss]),
                                    ("epochs", self.epochs, 1, 200),
                                    ("batch size", self.batch_size, 32, 65_536), ("k", self.k, 1, 100),
                                    ("neighbours", self.neighbours, 1, 1000)):
            if not isinstance(value, (int, np.integer)) or not lo <= value <= hi:
                raise InputError(f"{name} must be a whole number between {lo} and {hi}, got {value!r}.")
        if not (1e-5 <= self.lr <= 1.0) or math.isnan(self.lr):
            raise InputError(f"learning rate must be between 1e-5 and 1, got {self.lr}.")
        if not (0 <= self.reg <= 1.0):
            raise InputError(f"weight decay must be between 0 and 1, got {self.reg}.")
        if self.patience is not None and not 1 <= self.patience <= 200:
            raise InputError(f"patience must be between 1 and 200 epochs (or None), got {self.patience}.")
        check_share(self.test_share, "test share")
        if self.val_share and not 0.05 <= self.val_share <= 0.5:
            raise InputError(f"validation share must be 0 or between 0.05 and 0.5, got {self.val_share}.")
        if self.split not in ("random", "time"):
            raise InputError(f"split must be 'random' or 'time', got {self.split!r}.")
        unknown = [b for b in self.baselines if b not in BASELINES]
        if unknown:
            raise InputError(f"unknown baseline(s) {', '.join(unknown)}; choose from {', '.join(BASELINES)}.")
        if data is not None:
            if self.model == "mf" and not data.has_ratings:
                raise InputError("Matrix factorisation with biases learns ratings, and this data has no rating "
                                 "column: pick one, or train the ranking model (bpr) instead.")
            if self.split == "time" and data.times is None:
                raise InputError("A split by time needs a time column; pick one, or split at random.")
            if self.k >= data.n_items:
                raise InputError(f"k ({self.k}) must be smaller than the number of items ({data.n_items}).")
            if self.epochs * len(data) > 60_000_000:
                raise InputError(f"{self.epochs} epochs over {len(data):,} interactions is more than this app "
                                 "trains at once (60 million rows seen); use fewer epochs.")


@dataclass
class _Prepared:
    """What every model of one run learns from and is scored on (the same for a seed and data)."""

    split: Split
    fit: Interactions  # training rows less the validation share
    val: Interactions | None
    seen: Any  # (n_users, n_items) csr: the whole training data, never recommended back
    notices: list[str]
    extra: dict[str, Any]  # logged with the params


def _prepare(data: Interactions | Split, config: RecommenderConfig) -> tuple[_Prepared, RecommenderConfig]:
    whole = data.train if isinstance(data, Split) else data
    config.check(whole)
    config = config.resolved()
    split = data if isinstance(data, Split) else holdout(data, config.test_share, config.split, config.seed)
    train = split.train
    fit_data, val = train, None
    if config.val_share:  # carved for every model, so that all of them learn from the same rows
        by = config.split if train.times is not None else "random"
        vmask = holdout_mask(train, config.val_share, by, config.seed + 1)
        fit_data, val = train.rows(~vmask), train.rows(vmask)
    extra = {"data": whole.name, "split_how": split.how, "users": train.n_users, "items": train.n_items,
             "train_interactions": len(train), "test_interactions": len(split.test)}
    return _Prepared(split, fit_data, val, train.matrix(), list(split.notices), extra), config


def _score(model: Recommender, prep: _Prepared, config: RecommenderConfig,
           seconds: float) -> tuple[dict[str, float], dict[str, dict[str, float]], list[str]]:
    """The model's metrics on the test interactions, and each baseline's on the same split."""
    notices = list(prep.notices)
    metrics = {**model.evaluate(prep.split.test, config.k), "seconds": seconds}
    baselines: dict[str, dict[str, float]] = {}
    for name in config.baselines:
        if name == config.model:
            baselines[name] = dict(metrics)
            continue
        try:
            t0 = time.perf_counter()
            fitted = _baseline(name, prep.fit, prep.seen, config)
            fit_seconds = time.perf_counter() - t0
            baselines[name] = {**fitted.evaluate(prep.split.test, config.k), "seconds": fit_seconds}
        except InputError as exc:
            notices.append(str(exc))
    return metrics, baselines, notices


def _stopped(fit_result: training.FitResult | None, config: RecommenderConfig) -> dict[str, int] | None:
    """{"epochs_done", "epochs"} when a deep model's training was cancelled before its last epoch."""
    if fit_result is None or not fit_result.cancelled:
        return None
    return {"epochs_done": len(fit_result.history), "epochs": config.epochs}


def train_recommender(data: Interactions | Split, config: RecommenderConfig, *, callbacks: Sequence["Callback"] = (),
                      cancel: "CancelToken | None" = None, caller: str = "app") -> training.TrainedModel:
    """Train `config.model` on `data` (split per user here, or a given `Split`), score it and the
    baselines on the held-out interactions, and log the run to MLflow ("recommend/<model>").

    A set `cancel` stops the training after the current batch; the partly trained model (its best
    epoch so far) is then scored like a finished one, and `details["stopped"]` says after how many
    epochs (None when training ran to its end).

    `details`: split (the Split), baselines ({name: metrics}), notices, seconds, label, config, stopped."""
    from .. import tracking

    prep, config = _prepare(data, config)
    with tracking.training_run(f"recommend/{config.model}", config, caller=caller, extra_params=prep.extra) as run:
        started = time.perf_counter()
        fit_result = None
        if config.model in DEEP:
            model, fit_result = _train_deep(prep.fit, prep.val, prep.seen, config, [*callbacks, run.callback],
                                            cancel)
        else:
            model = _baseline(config.model, prep.fit, prep.seen, config)
        seconds = time.perf_counter() - started
        stopped = _stopped(fit_result, config)
        if stopped and not stopped["epochs_done"]:
            raise InputError("The training was stopped before its first epoch finished: there is no model "
                             "to score. Train again and let it run at least one epoch.")
        metrics, baselines, notices = _score(model, prep, config, seconds)
        for name, values in baselines.items():
            run.log_metrics({f"baseline.{name}.{k}": v for k, v in values.items()})
        if stopped:
            run.log_metrics({"stopped_after_epochs": stopped["epochs_done"]})
        run.log_final(metrics, model=model.net, extra={"user_ids": prep.split.train.user_ids,
                                                        "item_ids": prep.split.train.catalogue.item_ids})
    return training.TrainedModel(
        model=model, history=fit_result.history if fit_result else [], metrics=metrics, run_id=run.run_id,
        fit=fit_result, details=_details(prep, config, baselines, notices, seconds, stopped))


def score_stopped(data: Interactions | Split, config: RecommenderConfig, net: Any,
                  history: Sequence[training.EpochLog] = (), seconds: float | None = None) -> training.TrainedModel:
    """Score a deep model whose training was interrupted from outside (a page's Stop click reruns
    the page, so `train_recommender` never returned): `net` is the torch module as it was then,
    trained on `data` with `config`. The split is rebuilt from the same seed, and the model and the
    baselines are scored exactly as `train_recommender` scores them. Not logged again: that run is in
    MLflow already (marked KILLED, with its curves); `run_id` is None.

    `details["stopped"]` = {"epochs_done": len(history), "epochs": config.epochs}."""
    prep, config = _prepare(data, config)
    if config.model not in DEEP:
        raise InputError(f"{LABELS[config.model]} is not trained in epochs; there is no stopped model to score.")
    if not history:
        raise InputError("The training was stopped before its first epoch finished: there is no model to score. "
                         "Train again and let it run at least one epoch.")
    net.cpu()
    model = _wrap(net, prep.fit, prep.seen, config)
    if seconds is None:
        seconds = float(sum(h.seconds for h in history))
    metrics, baselines, notices = _score(model, prep, config, seconds)
    fit_result = training.FitResult(history=list(history), best_epoch=None, stopped_early=False, cancelled=True,
                                    seconds=seconds)
    stopped = {"epochs_done": len(history), "epochs": config.epochs}
    return training.TrainedModel(model=model, history=list(history), metrics=metrics, run_id=None, fit=fit_result,
                                 details=_details(prep, config, baselines, notices, seconds, stopped))


def _details(prep: _Prepared, config: RecommenderConfig, baselines, notices, seconds, stopped) -> dict[str, Any]:
    return {"split": prep.split, "baselines": baselines, "notices": notices, "seconds": seconds,
            "label": LABELS[config.model], "config": config, "stopped": stopped}


def stopped_label(details: dict[str, Any]) -> str:
    """"" for a finished training, else "stopped after 3 of 30 epochs"."""
    stopped = details.get("stopped")
    if not stopped:
        return ""
    return f"stopped after {stopped['epochs_done']} of {stopped['epochs']} epochs"


def _baseline(name: str, fit: Interactions, seen, config: RecommenderConfig) -> Recommender:
    if name == "popularity":
        return B.popularity(fit, seen)
    if name == "itemknn":
        return B.item_knn(fit, seen, config.neighbours)
    if name == "als":
        return B.als(fit, seen, factors=config.dim, seed=config.seed)
    raise InputError(f"{name!r} is not a baseline; choose from {', '.join(BASELINES)}.")


def _wrap(net: Any, fit: Interactions, seen, config: RecommenderConfig, profile=None) -> Recommender:
    """A trained (or partly trained) network as a Recommender: its vectors as numpy arrays, and
    how a new user is folded in. `profile`: fit.matrix(), when the caller has it already."""
    from . import models

    rating_model = config.model == "mf"
    return Recommender(name=config.model, user_ids=fit.user_ids, catalogue=fit.catalogue, seen=seen,
                       profile=fit.matrix() if profile is None else profile,
                       popularity=fit.item_counts().astype(np.float64), predicts_ratings=rating_model,
                       rating_range=(float(fit.ratings.min()), float(fit.ratings.max()))
                       if fit.ratings is not None else None,
                       loss="mse" if rating_model else config.loss, reg=config.reg,
                       **models.factors(net, fit.n_users, fit.n_items),
                       net=net, settings={"dim": config.dim, "layers": config.layers, "loss": config.loss})


def _train_deep(fit: Interactions, val: Interactions | None, seen, config: RecommenderConfig,
                callbacks: list, cancel) -> tuple[Recommender, training.FitResult]:
    import torch

    from . import models

    n_users, n_items = fit.n_users, fit.n_items
    rating_model = config.model == "mf"
    with training.seeded(config.seed):  # weight init from the seed, whoever else is training
        if config.model == "two-tower":
            genres, decades, _ = models.side_features(fit.catalogue.genres, fit.catalogue.years)
            net = models.TwoTower(n_users, n_items, config.dim, config.layers, genres, decades)
        else:
            mean = float(fit.ratings.mean()) if rating_model else 0.0
            net = models.FactorNet(n_users, n_items, config.dim, ratings=rating_model, global_mean=mean)
    tensors = [torch.as_tensor(fit.users, dtype=torch.long), torch.as_tensor(fit.items, dtype=torch.long)]
    if rating_model:
        tensors.append(torch.as_tensor(fit.ratings, dtype=torch.float32))
    gen = torch.Generator().manual_seed(config.seed)  # negatives: a local generator, never the global one
    reg = config.reg
    if rating_model:
        def batch_loss(m, batch):
            return models.mse_loss(m, batch, reg)
    else:
        def batch_loss(m, batch):
            return models.ranking_loss(m, batch, config.loss, config.n_negatives, n_items, gen, reg)

    fit_matrix = fit.matrix()

    def evaluate(m, _loader) -> dict[str, float]:
        scores = _wrap(m, fit, seen, config, fit_matrix).evaluate(val, config.k, exclude=fit_matrix)
        out = {"val_recall_at_k": scores["recall_at_k"], "val_ndcg_at_k": scores["ndcg_at_k"]}
        if rating_model:
            out["val_rmse"] = scores["rmse"]
        return out

    if val is not None:
        monitor, mode = ("val_rmse", "min") if rating_model else ("val_recall_at_k", "max")
    else:
        monitor, mode = "train_loss", "min"
    tc = training.TrainConfig(epochs=config.epochs, lr=config.lr, batch_size=config.batch_size, weight_decay=0.0,
                              seed=config.seed, patience=config.patience if val is not None else None,
                              monitor=monitor, monitor_mode=mode, grad_clip=None, mixed_precision=False,
                              device=config.device)
    # The validation "data" is a placeholder: `evaluate` scores every validation user at once.
    val_arg = (torch.zeros(1),) if val is not None else None
    result = training.fit(net, tensors, val_arg, config=tc, batch_loss=batch_loss,
                          evaluate=evaluate if val is not None else None, callbacks=callbacks, cancel=cancel)
    net.cpu()
    return _wrap(net, fit, seen, config, fit_matrix), result


def metrics_table(results: dict[str, training.TrainedModel | dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows for one table: each trained model, then every baseline once (from the latest result)."""
    rows, baselines = [], {}
    for name, result in results.items():
        stopped = stopped_label(result.details)
        rows.append({"model": LABELS.get(name, name) + (f" ({stopped})" if stopped else ""), **result.metrics})
        baselines.update(result.details.get("baselines", {}))
    trained = set(results)
    for name, values in baselines.items():
        if name not in trained:
            rows.append({"model": LABELS[name] + " (baseline)", **values})
    return rows
