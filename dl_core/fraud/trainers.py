"""The one engine call per fraud model: train, evaluate beside the baselines, log to MLflow.

    data = fraud.prepare(fraud.generate())
    result = fraud.train_mlp(data, fraud.MLPConfig(epochs=10), caller="cli")
    result.metrics["test_pr_auc"], result.metrics["hgb_test_pr_auc"]   # the MLP beside its baselines
    result.details["table"]                                            # all of them, best PR-AUC first

The page and the command line both call these (`train_mlp`, `train_autoencoder`, `train_baseline`);
`train_report` is the command line's whole pipeline around them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from typing import TYPE_CHECKING, Any

import numpy as np

from .. import training
from ..errors import InputError
from ..tracking import Caller
from .config import BASELINES, MODELS, AEConfig, BaselineConfig, MLPConfig
from .data import FraudData, prepare
from .metrics import Evaluation, evaluate, metrics_table
from .networks import auto_batch, build_autoencoder, build_mlp, class_weight, loss_fn
from .scorers import Scorer, fit_baseline, scorer_for

if TYPE_CHECKING:
    import pandas as pd

    from ..training import Callback, CancelToken, FitResult, TrainedModel


def _val_metrics(loss):
    """fit's evaluate for the MLP: validation loss plus PR-AUC, the number a fraud team watches."""
    import torch
    from sklearn.metrics import average_precision_score

    def evaluate_batches(model, loader) -> dict[str, float]:
        logits, ys = [], []
        for x, y in loader:
            logits.append(model(x).float())
            ys.append(y)
        lg, yy = torch.cat(logits), torch.cat(ys)
        out = {"val_loss": float(loss(lg, yy))}
        if 0 < yy.sum() < len(yy):
            out["val_pr_auc"] = float(average_precision_score(yy.cpu().numpy(), lg.cpu().numpy()))
        return out

    return evaluate_batches


def data_params(data: FraudData) -> dict[str, Any]:
    """What MLflow records about the data (sizes only: no file names, no category values)."""
    return {"rows_train": len(data.y_train), "features": len(data.feature_names), "split_seed": data.split_seed}


def baseline_scorer(name: str, data: FraudData, seed: int) -> Scorer:
    """A baseline fitted on `data`, once: the MLP's and the autoencoder's comparisons share it."""
    key = (name, seed)
    if key not in data.fitted:
        data.fitted[key] = fit_baseline(name, data, seed=seed)
    return data.fitted[key]


def compare(scorer: Scorer, data: FraudData, baselines: Sequence[str], seed: int) -> tuple[dict[str, float],
                                                                                            dict[str, Any]]:
    """Evaluate `scorer` and its baselines on the same test split (thresholds chosen on validation).

    Returns (metrics, details): metrics are `test_precision test_recall test_f1 test_pr_auc test_roc_auc
    threshold` of the model and the same prefixed `<baseline>_` for each baseline; details hold
    `scorer`, `evaluation`, `baselines` ({name: Scorer}), `evaluations` (the model first) and `table`.
    """
    others = {b: baseline_scorer(b, data, seed) for b in baselines if b != scorer.name}
    evaluations: dict[str, Evaluation] = {scorer.name: evaluate(scorer, data)}
    evaluations.update({b: evaluate(s, data) for b, s in others.items()})
    metrics: dict[str, float] = {}
    for name, e in evaluations.items():
        prefix = "" if name == scorer.name else f"{name}_"
        metrics.update({f"{prefix}test_{k}": v for k, v in e.test.items()})
        metrics[f"{prefix}threshold"] = e.threshold
    details = {"scorer": scorer, "evaluation": evaluations[scorer.name], "baselines": others,
               "evaluations": evaluations, "table": metrics_table(evaluations)}
    return metrics, details


def _train_network(name: str, data: FraudData, config: MLPConfig | AEConfig, callbacks: Sequence["Callback"],
                   cancel: "CancelToken | None", caller: Caller) -> "TrainedModel":
    import torch
    import torch.nn.functional as F

    from .. import tracking
    from ..training import TrainConfig, TrainedModel, fit, make_loader

    config.check()
    n_in = data.X_train.shape[1]
    with training.seeded(config.seed):
        model = build_mlp(n_in, config) if name == "mlp" else build_autoencoder(n_in, config)
    if name == "mlp":
        loss = loss_fn(config, class_weight(data.y_train))
        train_x, train_y = data.X_train, data.y_train
        monitor, evaluate_batches = config.monitor, _val_metrics(loss)
        tensors = [(torch.from_numpy(x), torch.from_numpy(y.astype(np.float32)))
                   for x, y in ((data.X_train, data.y_train), (data.X_val, data.y_val))]

        def batch_loss(m, b):
            return loss(m(b[0]), b[1])
    else:  # the autoencoder learns normal rows only: fraud is whatever it rebuilds badly
        train_x = data.X_train[data.y_train == 0]
        train_y = data.y_train[data.y_train == 0]
        monitor, evaluate_batches = "val_loss", None
        tensors = [(torch.from_numpy(train_x),), (torch.from_numpy(data.X_val[data.y_val == 0]),)]

        def batch_loss(m, b):
            return F.mse_loss(m(b[0]), b[0])
    tc = TrainConfig(epochs=config.epochs, lr=config.lr, batch_size=auto_batch(len(train_y), config.batch_size),
                     seed=config.seed, patience=config.patience, monitor=monitor, monitor_mode=config.monitor_mode)
    train = make_loader(tensors[0], tc.batch_size, shuffle=True, seed=config.seed)
    val = make_loader(tensors[1], 4096, shuffle=False, seed=config.seed)
    with tracking.training_run(f"fraud/{name}", config, caller=caller, extra_params=data_params(data)) as run:
        result: FitResult = fit(model, train, val, config=tc, batch_loss=batch_loss, evaluate=evaluate_batches,
                                callbacks=[*callbacks, run.callback], cancel=cancel)
        scorer = scorer_for(name, model, data, seconds=result.seconds, complete=not result.cancelled)
        metrics, details = compare(scorer, data, config.baselines, config.seed)
        run.log_final(metrics, model=model, extra={"preprocessor": data.preprocessor.to_dict(),
                                                    "positive": data.positive, "label": data.label_col})
    return TrainedModel(model=scorer, history=result.history, metrics=metrics, run_id=run.run_id, fit=result,
                        details=details)


def train_mlp(data: FraudData, config: MLPConfig, *, callbacks: Sequence["Callback"] = (),
              cancel: "CancelToken | None" = None, caller: Caller = "app") -> "TrainedModel":
    """The supervised MLP on the training split, early-stopped on the validation split, evaluated on the
    test split beside `config.baselines`, logged to MLflow (`fraud/mlp`). `model` is its Scorer."""
    return _train_network("mlp", data, config, callbacks, cancel, caller)


def train_autoencoder(data: FraudData, config: AEConfig, *, callbacks: Sequence["Callback"] = (),
                      cancel: "CancelToken | None" = None, caller: Caller = "app") -> "TrainedModel":
    """The autoencoder on the normal training rows only, evaluated beside `config.baselines`, logged
    to MLflow (`fraud/autoencoder`). `model` is its Scorer (squashed reconstruction error)."""
    return _train_network("autoencoder", data, config, callbacks, cancel, caller)


def train_baseline(data: FraudData, config: BaselineConfig, *, callbacks: Sequence["Callback"] = (),
                   cancel: "CancelToken | None" = None, caller: Caller = "app") -> "TrainedModel":
    """A classic model (no epochs: `callbacks` and `cancel` are accepted for the common shape and
    unused), evaluated beside `config.baselines`, logged to MLflow (`fraud/<name>`)."""
    from .. import tracking
    from ..training import TrainedModel

    config.check()
    with tracking.training_run(f"fraud/{config.name}", config, caller=caller, extra_params=data_params(data)) as run:
        scorer = fit_baseline(config.name, data, seed=config.seed, max_rows=config.max_rows)
        data.fitted.setdefault((config.name, config.seed), scorer)
        metrics, details = compare(scorer, data, config.baselines, config.seed)
        run.log_final(metrics)
    return TrainedModel(model=scorer, history=[], metrics=metrics, run_id=run.run_id, details=details)


def train_model(name: str, data: FraudData, *, seed: int = 0, mlp: MLPConfig | None = None,
                ae: AEConfig | None = None, baselines: Sequence[str] = BASELINES,
                callbacks: Sequence["Callback"] = (), cancel: "CancelToken | None" = None,
                caller: Caller = "app") -> "TrainedModel":
    """`train_mlp`, `train_autoencoder` or `train_baseline` by name, compared with `baselines`."""
    others = tuple(b for b in baselines if b != name)
    if name == "mlp":
        return train_mlp(data, replace(mlp or MLPConfig(seed=seed), baselines=others), callbacks=callbacks,
                         cancel=cancel, caller=caller)
    if name == "autoencoder":
        return train_autoencoder(data, replace(ae or AEConfig(seed=seed), baselines=others), callbacks=callbacks,
                                 cancel=cancel, caller=caller)
    if name in BASELINES:
        return train_baseline(data, BaselineConfig(name=name, seed=seed, baselines=others), caller=caller)
    raise InputError(f"Unknown model {name!r}; choose one of {', '.join(MODELS)}.")


# ---- the command line's whole pipeline -----------------------------------------------------------

@dataclass
class Report:
    model: str
    test: dict[str, float]
    baselines: dict[str, dict[str, float]]
    threshold: float
    data: dict[str, Any]
    notices: list[str]
    seconds: dict[str, float]

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def train_report(frame: "pd.DataFrame", model: str = "mlp", label_col: str | None = None,
                 positive: str | None = None, seed: int = 0, mlp: MLPConfig | None = None,
                 ae: AEConfig | None = None, callbacks: Sequence["Callback"] = (),
                 caller: Caller = "cli") -> Report:
    """Prepare and split `frame` (split seed = `seed`), train `model` beside every baseline (one engine
    call), and report all of them on the same test split."""
    if model not in MODELS:
        raise InputError(f"Unknown model {model!r}; choose one of {', '.join(MODELS)}.")
    for config in (mlp if model == "mlp" else None, ae if model == "autoencoder" else None):
        if config is not None:
            config.check()  # settings first: a typo should not wait for the data to be prepared
    data = prepare(frame, label_col=label_col, positive=positive, seed=seed)
    result = train_model(model, data, seed=seed, mlp=mlp, ae=ae, callbacks=callbacks, caller=caller)
    evaluations = result.details["evaluations"]
    scorers = {model: result.model, **result.details["baselines"]}
    notices = list(data.notices)
    for s in scorers.values():
        notices += s.notices
    main = evaluations[model]
    return Report(model=model, test=main.test, baselines={n: e.test for n, e in evaluations.items() if n != model},
                  threshold=main.threshold, data={**data.summary(), "label": data.label_col, "positive": data.positive,
                                                  "features": len(data.feature_names)},
                  notices=notices, seconds={n: round(s.seconds, 3) for n, s in scorers.items()})
