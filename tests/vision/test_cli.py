"""`python -m dl_core vision ...`: the JSON contracts, one-line errors, and the page and the CLI giving the
same metrics and the same logged MLflow params for the same config and seed (they call one function)."""

from __future__ import annotations

import io
import json
import subprocess
import zipfile

import numpy as np
import pytest
from PIL import Image

from dl_core import tracking, vision
from tests.conftest import exceptions, open_page, run_cli

CATS = ("cat", "mau", "tabby", "tiger", "lynx")


def png(colour: tuple[int, int, int], seed: int = 0, size: int = 48) -> bytes:
    rng = np.random.default_rng(seed)
    arr = (np.array(colour, np.int16) + rng.integers(-25, 25, (size, size, 3))).clip(0, 255).astype(np.uint8)
    return vision.image_bytes(Image.fromarray(arr))


def cli(*args: str, timeout: float = 240) -> subprocess.CompletedProcess:
    return run_cli("vision", *args)


def latest_run(experiment: str, source: str):
    c = tracking.client()
    exp = c.get_experiment_by_name(experiment)
    runs = c.search_runs([exp.experiment_id], filter_string=f"tags.`dlx.source` = '{source}'",
                         order_by=["attributes.start_time DESC"], max_results=1)
    return runs[0]


def final_metrics(run) -> dict[str, float]:
    return {k: v for k, v in run.data.metrics.items() if k.startswith("final_")}


@pytest.mark.slow
def test_cli_classify_contract(tmp_path) -> None:
    cat = tmp_path / "cat.jpg"
    vision.example_photo("chelsea").save(cat)
    red = tmp_path / "red.png"
    red.write_bytes(png((200, 30, 30)))
    out = cli("classify", str(cat), str(red), "--top-k", "3", "--json")
    assert out.returncode == 0, out.stderr
    payload = json.loads(out.stdout)
    assert [p["file"] for p in payload] == [str(cat), str(red)]
    for item in payload:
        assert all(set(p) == {"label", "score"} for p in item["predictions"])
        scores = [p["score"] for p in item["predictions"]]
        assert len(scores) == 3 and all(0 <= s <= 1 for s in scores) and scores == sorted(scores, reverse=True)
    assert any(w in payload[0]["predictions"][0]["label"].lower() for w in CATS)
    bad = tmp_path / "broken.png"
    bad.write_bytes(b"not a png at all")
    out = cli("classify", str(cat), str(bad), "--json")
    assert out.returncode == 2 and out.stdout == ""
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and "broken.png" in lines[0] and "Traceback" not in out.stderr


@pytest.mark.slow
def test_cli_train_digits_contract() -> None:
    out = cli("train-digits", "--epochs", "2", "--seed", "3", "--filters", "4", "--no-save", "--json")
    assert out.returncode == 0, out.stderr
    payload = json.loads(out.stdout)
    assert set(payload) == {"test_accuracy", "epochs", "seconds", "device"}
    assert payload["epochs"] == 2 and 0.3 < payload["test_accuracy"] <= 1 and payload["device"] == "cpu"
    run = latest_run("vision/digits-cnn", "cli")
    # the JSON's seconds is the training time, which MLflow's run duration contains
    assert 0 < payload["seconds"] <= run.data.metrics["duration_seconds"]
    bad = cli("train-digits", "--epochs", "0", "--json")
    assert bad.returncode == 2 and "epochs" in bad.stderr and "got 0" in bad.stderr and "Traceback" not in bad.stderr


def _zip(files: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, data in files.items():
            z.writestr(name, data)
    return buf.getvalue()


@pytest.mark.slow
def test_cli_train_head_contract(tmp_path) -> None:
    archive = tmp_path / "colours.zip"
    archive.write_bytes(_zip({**{f"red/{i}.png": png((200, 30, 30), i) for i in range(4)},
                              **{f"blue/{i}.png": png((30, 30, 200), i) for i in range(4)}}))
    out = cli("train-head", str(archive), "--epochs", "10", "--out", str(tmp_path / "head.safetensors"), "--json")
    assert out.returncode == 0, out.stderr
    payload = json.loads(out.stdout)
    assert set(payload) == {"val_accuracy", "epochs", "classes", "images", "seconds"}
    assert payload["classes"] == ["red", "blue"] and payload["images"] == 8 and payload["val_accuracy"] == 1.0
    head, classes = vision.head_from_bytes((tmp_path / "head.safetensors").read_bytes())
    assert classes == ["red", "blue"]
    bad = cli("train-head", str(archive), "--val-fraction", "0.9")
    assert bad.returncode == 2 and "0.9" in bad.stderr and "Traceback" not in bad.stderr


@pytest.mark.slow
def test_page_and_cli_train_the_same_digits_cnn() -> None:
    """Same config and seed through the page (AppTest click) and the CLI: same metrics, same params."""
    at = open_page("pages/vision.py", timeout=300)
    at.session_state["vision_tab"] = "Train a CNN on digits"
    at.run()
    at.slider(key="dg_epochs").set_value(2)
    at.select_slider(key="dg_filters").set_value(8)
    at.number_input(key="dg_seed").set_value(3)
    at.button(key="dg_train").click()
    at.run()
    assert not exceptions(at)
    page = at.session_state["result::vision_digits"]
    out = cli("train-digits", "--epochs", "2", "--filters", "8", "--seed", "3", "--no-save", "--json")
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["test_accuracy"] == page.metrics["test_accuracy"]
    page_run = tracking.client().get_run(page.run_id)
    cli_run = latest_run("vision/digits-cnn", "cli")
    assert page_run.data.tags["dlx.source"] == "app" and cli_run.info.run_id != page_run.info.run_id
    assert page_run.data.params == cli_run.data.params
    assert page_run.data.params["seed"] == "3" and page_run.data.params["filters"] == "8"
    assert final_metrics(page_run) == final_metrics(cli_run)
    assert final_metrics(page_run)["final_test_accuracy"] == page.metrics["test_accuracy"]
