"""MLflow tracking into the embedded SQLite store, and safetensors weights."""

import json

import pytest
import torch
from torch import nn

from dl_core import paths, store, tracking, training
from dl_core.errors import InputError


def test_a_training_run_is_logged_with_params_metrics_and_weights():
    torch.manual_seed(0)
    x = torch.randn(64, 3)
    y = (x.sum(1) > 0).long()
    model = nn.Linear(3, 2)
    with tracking.start_run("tests/linear", {"lr": 0.1, "epochs": 3}, seed=5, source="test") as run:
        r = training.fit(model, (x, y), (x, y), config=training.TrainConfig(epochs=3, lr=0.1, device="cpu"),
                         evaluate=training.classification_metrics, callbacks=[run.callback])
        run.log_final({"accuracy": r.last.metrics["val_accuracy"]}, model=model, extra={"labels": ["a", "b"]})
    assert tracking.tracking_uri().startswith("sqlite:///" + str(paths.data_dir()))
    c = tracking.client()
    got = c.get_run(run.run_id)
    assert got.info.status == "FINISHED"
    assert got.data.params["lr"] == "0.1" and got.data.params["seed"] == "5"
    assert got.data.params["device"] in ("cpu", "cuda", "mps")
    assert got.data.tags["dlx.source"] == "test"
    hist = c.get_metric_history(run.run_id, "train_loss")
    assert [m.step for m in hist] == [1, 2, 3]
    assert "final_accuracy" in got.data.metrics and "duration_seconds" in got.data.metrics
    files = {f.path for f in c.list_artifacts(run.run_id, "weights")}
    assert files == {"weights/model.safetensors", "weights/model.json"}
    local = c.download_artifacts(run.run_id, "weights/model.safetensors")
    from safetensors.torch import load_file

    state = load_file(local)
    assert torch.equal(state["weight"], model.weight.detach())
    table = tracking.runs("tests/linear")
    assert run.run_id in set(table["run_id"])


def test_an_interrupted_run_is_marked_killed():
    with pytest.raises(KeyboardInterrupt), tracking.start_run("tests/interrupted", {"a": 1}) as run:
        raise KeyboardInterrupt
    assert tracking.client().get_run(run.run_id).info.status == "KILLED"


def test_store_round_trip_and_refusals():
    state = {"w": torch.arange(6.0).reshape(2, 3)}
    path = store.save("unit_test.safetensors", state, {"labels": ["x", "y"], "epochs": 3})
    assert path.parent == paths.models_dir()
    back, meta = store.load("unit_test.safetensors")
    assert torch.equal(back["w"], state["w"]) and meta == {"labels": ["x", "y"], "epochs": 3}
    with pytest.raises(InputError):
        store.path_for("../escape.safetensors")
    with pytest.raises(InputError, match="safetensors"):
        store.from_bytes(b"\x80\x04pickle-bytes-not-safetensors")
    blob = store.to_bytes(state, {"k": 1})
    assert json.loads(json.dumps(store.from_bytes(blob)[1])) == {"k": 1}
