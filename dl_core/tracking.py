"""MLflow logging of every training run, from a page or from the command line.

Default store: an embedded SQLite database in the data folder (`data/mlflow.db`, artifacts beside it),
so nothing needs a server. Set `MLFLOW_TRACKING_URI` to log to a shared MLflow server instead.
We use `MlflowClient` with explicit run ids rather than MLflow's global "active run", because
Streamlit serves every browser session from its own thread of one process.

    with tracking.start_run("vision/digits-cnn", params, seed=0) as run:
        result = training.fit(model, ..., callbacks=[live_chart, run.callback])
        run.log_final({"test_accuracy": acc}, model=model)
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import logging
import os
import tempfile
import threading
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, fields, is_dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from . import paths

if TYPE_CHECKING:
    import pandas as pd
    from torch import nn

    from .training import EpochLog

log = logging.getLogger(__name__)
Caller = Literal["app", "cli"]  # who started a training: logged as the run's `dlx.source` tag
_lock = threading.Lock()  # SQLite store creation/migration must not race between sessions


def tracking_uri() -> str:
    uri = os.environ.get("MLFLOW_TRACKING_URI")
    if uri:
        return uri
    return f"sqlite:///{paths.data_dir() / 'mlflow.db'}"


@functools.cache
def _client(uri: str):
    with _lock:
        logging.getLogger("alembic").setLevel(logging.WARNING)
        from mlflow.tracking import MlflowClient

        if not uri.startswith("sqlite:///"):
            client = MlflowClient(tracking_uri=uri)
            client.search_experiments(max_results=1)
            return client
        # Two processes (the app and a CLI worker) opening a fresh store at the same moment race in
        # its schema migration (alembic "duplicate column"): create it under a cross-process lock.
        from . import store

        with store.build_lock("mlflow-store"):
            client = MlflowClient(tracking_uri=uri)  # creates/migrates the SQLite schema once
            client.search_experiments(max_results=1)
            _use_wal(uri.removeprefix("sqlite:///"))
        return client


def _use_wal(db_path: str) -> None:
    """SQLite's write-ahead log lets readers (the Experiments page) and a writer (a training) work at
    the same time instead of failing with "database is locked". The mode is stored in the file."""
    import sqlite3

    try:
        with contextlib.closing(sqlite3.connect(db_path, timeout=30)) as db:
            db.execute("PRAGMA journal_mode=WAL")
    except sqlite3.Error as exc:  # still works without WAL, only with more lock waits
        log.warning("could not switch %s to WAL mode: %s", Path(db_path).name, exc)


# The anonymous id of the browser session that is training (set by the app per script run); logged
# as the run's `dlx.session` tag so that the Experiments page can show "this session's runs".
_session: contextvars.ContextVar[str | None] = contextvars.ContextVar("dlx_session", default=None)


def set_session(session_id: str | None) -> None:
    """Tag the runs started from this thread (a Streamlit script run) with `session_id`."""
    _session.set(session_id)


def current_session() -> str | None:
    return _session.get()


# The sweep (parent run) that runs started in this thread belong to: Optuna trials are child runs.
_parent: contextvars.ContextVar[str | None] = contextvars.ContextVar("dlx_parent_run", default=None)


@contextlib.contextmanager
def children_of(parent_run_id: str) -> Iterator[None]:
    """Runs started inside the block are children of `parent_run_id` (MLflow's nested runs)."""
    token = _parent.set(parent_run_id)
    try:
        yield
    finally:
        _parent.reset(token)


def client():
    return _client(tracking_uri())


def _experiment_id(name: str) -> str:
    c = client()
    exp = c.get_experiment_by_name(name)
    if exp is not None:
        return exp.experiment_id
    artifacts = None
    if tracking_uri().startswith("sqlite:"):
        # Keep artifacts in the data folder, not in whatever the current directory is.
        artifacts = (paths.data_dir() / "mlartifacts" / name.replace("/", "_")).as_uri()
    try:
        return c.create_experiment(name, artifact_location=artifacts)
    except Exception:  # created meanwhile by another session
        exp = c.get_experiment_by_name(name)
        if exp is None:
            raise
        return exp.experiment_id


@dataclass
class TrackedRun:
    """An open MLflow run. Logging never ends a training: a failure is recorded once in `problem`
    (and the log), the training and its model go on, and later writes to this run are skipped."""

    run_id: str
    experiment: str
    started: float = field(default_factory=time.time)
    problem: str | None = None
    _pending: list[Any] = field(default_factory=list, repr=False)

    @property
    def callback(self) -> "_EpochLogger":
        return _EpochLogger(self)

    def _failed(self, what: str, exc: BaseException) -> None:
        if self.problem is None:
            self.problem = f"MLflow could not {what} ({type(exc).__name__}: {exc}); the training went on."
            log.warning("run %s: %s", self.run_id, self.problem)

    def log_metrics(self, metrics: Mapping[str, float], step: int | None = None,
                    synchronous: bool = True) -> None:
        from mlflow.entities import Metric

        if self.problem is not None:
            return
        now = int(time.time() * 1000)
        items = [Metric(k, float(v), now, step or 0) for k, v in metrics.items() if _finite(v)]
        if not items:
            return
        try:
            op = client().log_batch(self.run_id, metrics=items, synchronous=synchronous)
            if op is not None:
                self._pending.append(op)
        except Exception as exc:
            self._failed("log metrics", exc)

    def flush(self) -> None:
        """Wait for the per-epoch metrics logged in the background."""
        pending, self._pending = self._pending, []
        for op in pending:
            try:
                op.wait()
            except Exception as exc:
                self._failed("log metrics", exc)

    def log_final(self, metrics: Mapping[str, float], model: "nn.Module | None" = None,
                  extra: Mapping[str, Any] | None = None) -> None:
        """Final metrics, and the weights as safetensors (plus a JSON of `extra`, e.g. labels)."""
        self.flush()
        self.log_metrics({f"final_{k}" if not k.startswith("final_") else k: v
                          for k, v in metrics.items()})
        if model is not None and self.problem is None:
            try:
                log_weights(self.run_id, model, extra)
            except Exception as exc:
                self._failed("store the weights", exc)


def _finite(v: Any) -> bool:
    try:
        return float(v) == float(v) and abs(float(v)) != float("inf")
    except (TypeError, ValueError):
        return False


class _EpochLogger:
    """A training.fit callback that logs each epoch's metrics in the background (MLflow's own
    asynchronous logging), so a slow or locked store never slows or stops the training."""

    def __init__(self, run: TrackedRun) -> None:
        self.run = run
        self.run_id = run.run_id

    def on_batch_end(self, epoch: int, batch: int, batches: int, loss: float) -> None:
        pass

    def on_epoch_end(self, log_: "EpochLog", history: list["EpochLog"], model: Any) -> None:
        values = {"train_loss": log_.train_loss, "epoch_seconds": log_.seconds}
        if log_.val_loss is not None:
            values["val_loss"] = log_.val_loss
        values.update(log_.metrics)
        self.run.log_metrics(values, step=log_.epoch, synchronous=False)


def log_weights(run_id: str, model: "nn.Module", extra: Mapping[str, Any] | None = None) -> None:
    import json

    from safetensors.torch import save_file

    state = {k: v.detach().cpu().contiguous() for k, v in model.state_dict().items()}
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "model.safetensors"
        save_file(state, str(path))
        client().log_artifact(run_id, str(path), "weights")
        if extra:
            meta = Path(tmp) / "model.json"
            meta.write_text(json.dumps(dict(extra), default=str, indent=1))
            client().log_artifact(run_id, str(meta), "weights")


@contextlib.contextmanager
def start_run(experiment: str, params: Mapping[str, Any], *, seed: int | None = None,
              source: str = "app", run_name: str | None = None) -> Iterator[TrackedRun]:
    """Open an MLflow run with the params, device and seed; closes it FINISHED, KILLED or FAILED."""
    from . import device as devices

    c = client()
    info = devices.describe()
    tags = {"dlx.source": source, "dlx.device": info.type, "dlx.device_name": info.name}
    if current_session():
        tags["dlx.session"] = current_session()
    if _parent.get():
        tags["mlflow.parentRunId"] = _parent.get()
    run = c.create_run(_experiment_id(experiment), run_name=run_name, tags=tags)
    tracked = TrackedRun(run.info.run_id, experiment)
    all_params = {**{k: _param(v) for k, v in params.items()}, "device": info.type}
    if seed is not None:
        all_params["seed"] = str(seed)
    from mlflow.entities import Param

    c.log_batch(run.info.run_id, params=[Param(k, v) for k, v in all_params.items()])
    status = "FINISHED"
    try:
        yield tracked
    except BaseException as exc:
        # Ctrl-C, or a Streamlit Stop/rerun (a BaseException), means the person stopped the run.
        status = "FAILED" if isinstance(exc, Exception) else "KILLED"
        raise
    finally:
        tracked.flush()
        tracked.log_metrics({"duration_seconds": time.time() - tracked.started})
        try:
            c.set_terminated(run.info.run_id, status=status)
        except Exception as exc:
            tracked._failed("close the run", exc)


def params_of(config: Any) -> dict[str, Any]:
    """The one way a config becomes MLflow params: its dataclass fields, nested ones as `outer.inner`.

    Fields whose name starts with `_` and fields marked `metadata={"log": False}` (devices, file
    names, anything private) are left out.
    """
    if not is_dataclass(config):
        raise TypeError(f"params_of expects a dataclass config, got {type(config).__name__}")
    out: dict[str, Any] = {}
    for f in fields(config):
        if f.name.startswith("_") or f.metadata.get("log") is False:
            continue
        value = getattr(config, f.name)
        if is_dataclass(value):
            out.update({f"{f.name}.{k}": v for k, v in params_of(value).items()})
        else:
            out[f.name] = value
    return out


@contextlib.contextmanager
def training_run(experiment: str, config: Any, *, caller: Caller, run_name: str | None = None,
                 extra_params: Mapping[str, Any] | None = None) -> Iterator[TrackedRun]:
    """`start_run` for a trainable model's engine call: params from `params_of(config)`, its seed."""
    params = {**params_of(config), **(extra_params or {})}
    seed = params.pop("seed", None)
    with start_run(experiment, params, seed=seed, source=caller, run_name=run_name) as run:
        yield run


def _param(v: Any) -> str:
    s = str(v)
    return s if len(s) <= 500 else s[:497] + "..."


def runs(experiment: str | None = None, max_results: int = 200) -> "pd.DataFrame":
    """Recent runs (newest first) as a table: experiment, status, start time, params, final metrics."""
    import pandas as pd

    c = client()
    exps = c.search_experiments()
    if experiment is not None:
        exps = [e for e in exps if e.name == experiment]
    if not exps:
        return pd.DataFrame()
    names = {e.experiment_id: e.name for e in exps}
    found = c.search_runs(list(names), max_results=max_results, order_by=["attributes.start_time DESC"])
    rows = []
    for r in found:
        tags = r.data.tags
        row = {"experiment": names[r.info.experiment_id], "run_id": r.info.run_id,
               "status": r.info.status, "started": pd.to_datetime(r.info.start_time, unit="ms"),
               "source": tags.get("dlx.source", ""), "session": tags.get("dlx.session", ""),
               "parent_run_id": tags.get("mlflow.parentRunId", ""),
               "device": r.data.params.get("device", "")}
        row.update({f"param.{k}": v for k, v in r.data.params.items() if k != "device"})
        row.update({k: v for k, v in r.data.metrics.items() if k.startswith("final_") or k == "duration_seconds"})
        rows.append(row)
    return pd.DataFrame(rows)


def delete_run(run_id: str, session: str | None) -> None:
    """Delete a run, only if it was started by `session` (people delete their own runs only)."""
    from .errors import InputError

    c = client()
    owner = c.get_run(run_id).data.tags.get("dlx.session")
    if session is None or owner != session:
        raise InputError("Only runs started in this browser session can be deleted here.")
    c.delete_run(run_id)


def history(run_id: str) -> "pd.DataFrame":
    """Per-epoch metrics of one run: columns step, metric, value (long format, for plotting)."""
    import pandas as pd

    c = client()
    keys = [k for k in c.get_run(run_id).data.metrics if not k.startswith("final_") and k != "duration_seconds"]
    rows = [{"step": m.step, "metric": k, "value": m.value} for k in keys for m in c.get_metric_history(run_id, k)]
    return pd.DataFrame(rows, columns=["step", "metric", "value"])
