"""Vision core: digits CNN, drawn digits, semi-supervised, photo classification, transfer learning, CLI."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import zipfile

import numpy as np
import pytest
from PIL import Image

from dl_core import registry, vision, vision_digits
from dl_core.errors import InputError
from tests.conftest import ROOT

CATS = ("cat", "mau", "tabby", "tiger", "lynx")


def png(colour: tuple[int, int, int], seed: int = 0, size: int = 48) -> bytes:
    rng = np.random.default_rng(seed)
    arr = (np.array(colour, np.int16) + rng.integers(-25, 25, (size, size, 3))).clip(0, 255).astype(np.uint8)
    return vision.image_bytes(Image.fromarray(arr))


@pytest.fixture(scope="module")
def tiny_run() -> vision_digits.DigitsRun:
    cfg = vision_digits.DigitsCNNConfig(filters=8, epochs=4, augment=True)
    return vision_digits.train_digits_cnn(cfg, device="cpu")


@pytest.fixture(scope="module")
def classifier():
    return registry.load("efficientnet-lite0", "cpu")


# ---- digits --------------------------------------------------------------------------------------

def test_digits_split_is_stratified_and_scaled() -> None:
    data = vision_digits.load_digits_data(0.6, seed=1)
    assert sum(data.sizes.values()) == 1797
    assert data.x_train.shape[1:] == (1, 8, 8) and data.x_train.min() >= 0 and data.x_train.max() <= 1
    assert set(np.unique(data.y_test)) == set(range(10))
    with pytest.raises(InputError, match="train fraction"):
        vision_digits.load_digits_data(0.99)


@pytest.mark.parametrize("layers,kernel", [(1, 1), (2, 3), (3, 5)])
def test_cnn_shapes(layers: int, kernel: int) -> None:
    import torch

    model = vision_digits.build_digits_cnn(vision_digits.DigitsCNNConfig(conv_layers=layers, kernel_size=kernel,
                                                                         filters=4))
    assert model(torch.zeros(3, 1, 8, 8)).shape == (3, 10)


@pytest.mark.parametrize("bad", [{"conv_layers": 0}, {"kernel_size": 4}, {"dropout": 1.0}, {"filters": 0}])
def test_config_refuses_bad_values(bad: dict) -> None:
    with pytest.raises(InputError):
        vision_digits.DigitsCNNConfig(**bad).check()


def test_shift_moves_ink_and_never_wraps() -> None:
    import torch

    x = torch.zeros(64, 1, 8, 8)
    x[:, 0, 0, 0] = 1.0  # ink in the corner: a wrap-around would move it to the far side
    out = vision_digits._shift(x, torch.Generator().manual_seed(0))
    assert out[:, 0, 7, :].sum() == 0 and out[:, 0, :, 7].sum() == 0
    assert (out.sum((1, 2, 3)) <= 1).all() and out.sum() > 0


def test_tiny_training_learns_and_reports(tiny_run: vision_digits.DigitsRun) -> None:
    assert len(tiny_run.fit.history) == 4
    assert tiny_run.test_accuracy > 0.8  # chance is 0.1
    assert "val_accuracy" in tiny_run.fit.history[-1].metrics
    report = vision_digits.evaluate_digits(tiny_run.model, tiny_run.data)
    assert report.accuracy == pytest.approx(tiny_run.test_accuracy)
    assert report.confusion.sum() == len(tiny_run.data.y_test)
    assert len(report.mistakes) == int((report.predicted != tiny_run.data.y_test).sum())
    conf = report.confidence[report.mistakes]
    assert list(conf) == sorted(conf, reverse=True)
    assert [r["digit"] for r in report.per_class] == list(range(10))


def test_save_and_registry_load_roundtrip(tiny_run: vision_digits.DigitsRun) -> None:
    vision_digits.save_digits_cnn(tiny_run.model, tiny_run.config, file_name="digits_cnn.safetensors")
    assert registry.available("digits-cnn")
    loaded = registry.load("digits-cnn", "cpu")
    x = tiny_run.data.x_test[:20]
    np.testing.assert_allclose(vision_digits.predict_digits(loaded, x),
                               vision_digits.predict_digits(tiny_run.model, x), atol=1e-5)


def test_shallow_baselines(tiny_run: vision_digits.DigitsRun) -> None:
    results = vision_digits.shallow_baselines(tiny_run.data)
    assert len(results) == 2 and all(r.test_accuracy > 0.9 for r in results)


def _canvas_with_one() -> np.ndarray:
    canvas = np.zeros((200, 200, 4), np.uint8)
    canvas[..., 3] = 255  # an opaque black canvas, as st_canvas returns with a background colour
    canvas[30:170, 92:108, :3] = 255  # a white vertical stroke
    return canvas


def test_digit_from_drawing_and_photo_polarity() -> None:
    x8 = vision_digits.digit_from_image(_canvas_with_one())
    assert x8.shape == (8, 8) and x8.max() == pytest.approx(1.0)
    assert x8[:, 3:5].sum() > 3 * x8[:, :2].sum()  # the ink sits in the middle columns
    inverted = 255 - _canvas_with_one()[..., :3]  # the same "1", dark ink on white paper
    np.testing.assert_allclose(vision_digits.digit_from_image(inverted), x8, atol=1e-6)
    with pytest.raises(InputError, match="blank"):
        vision_digits.digit_from_image(np.zeros((50, 50, 3), np.uint8))


def test_drawn_digits_from_the_data_are_recognised(tiny_run: vision_digits.DigitsRun) -> None:
    # Upscale real test digits to "photos" (dark on light), read them back, predict.
    data = tiny_run.data
    hits = 0
    for img, label in zip(data.x_test[:40, 0], data.y_test[:40]):
        photo = np.kron(1 - img, np.ones((24, 24)))
        x8 = vision_digits.digit_from_image((photo * 255).astype(np.uint8))
        hits += int(vision_digits.predict_digits(tiny_run.model, x8)[0].argmax() == label)
    assert hits >= 26  # chance is 4 of 40; re-framing an 8x8 digit costs a few


def test_semi_supervised_beats_supervised_with_few_labels() -> None:
    res = vision_digits.semi_supervised_curve([20, 200], ["label spreading"], seed=0)
    assert res.n_labels == [20, 200]
    assert res.semi["label spreading"][0] > res.supervised[0]
    assert res.supervised[1] > res.supervised[0]
    with pytest.raises(InputError):
        vision_digits.semi_supervised_curve([5])
    with pytest.raises(InputError):
        vision_digits.semi_supervised_curve([20], ["magic"])


# ---- photos --------------------------------------------------------------------------------------

@pytest.mark.slow
def test_classify_cat_photo_and_batch_consistency(classifier) -> None:
    cat = vision.example_photo("cat (chelsea)")
    coffee = vision.example_photo("coffee")
    single = vision.classify_image(cat, classifier, top_k=5)
    assert any(w in single[0].label.lower() for w in CATS), single[0]
    scores = [p.score for p in single]
    assert scores == sorted(scores, reverse=True) and 0 < sum(scores) <= 1 + 1e-6
    batch = vision.classify([coffee, cat], classifier, top_k=5)
    assert [p.label for p in batch[1]] == [p.label for p in single]
    assert batch[1][0].score == pytest.approx(single[0].score, abs=1e-4)
    rows = vision.results_table(["coffee", "cat"], batch)
    assert rows[1]["top label"] == single[0].label and "score 5" in rows[0]
    with pytest.raises(InputError, match="top-k"):
        vision.classify([cat], classifier, top_k=0)


@pytest.mark.slow
def test_explanations_and_overlay(classifier) -> None:
    cat = vision.example_photo("chelsea")
    seen = vision.preprocessed_view(classifier, cat)
    assert seen.shape == (224, 224, 3) and seen.dtype == np.uint8
    cam = vision.explain(classifier, cat, method="grad-cam")
    assert cam.shape == (224, 224) and cam.min() >= 0 and cam.max() == pytest.approx(1.0)
    ig = vision.explain(classifier, cat, method="integrated-gradients", n_steps=4)
    assert ig.shape == (224, 224) and ig.min() >= 0 and ig.max() <= 1 and ig.std() > 0
    np.testing.assert_array_equal(vision.overlay(seen, cam, 0.0), seen)
    assert not np.array_equal(vision.overlay(seen, cam, 0.8), seen)
    with pytest.raises(InputError):
        vision.overlay(seen, cam, 1.5)
    with pytest.raises(InputError):
        vision.explain(classifier, cat, method="magic")


# ---- transfer learning ---------------------------------------------------------------------------

def _groups(n: int = 4) -> dict[str, list[tuple[str, bytes]]]:
    return {"red": [(f"r{i}.png", png((200, 30, 30), i)) for i in range(n)],
            "blue": [(f"b{i}.png", png((30, 30, 200), i)) for i in range(n)]}


@pytest.mark.parametrize("groups,message", [
    ({"red": [("r.png", png((200, 0, 0)))] * 3}, "at least two classes"),
    ({"red": [("r.png", png((200, 0, 0)))] * 3, "blue": []}, "no images"),
    ({"red": [("r.png", png((200, 0, 0)))] * 3, "blue": [("b.png", png((0, 0, 200)))]}, "Too few"),
    ({"red": [("r.png", png((200, 0, 0)))] * 3, "blue": [("b.png", b"not an image")] * 3}, "b.png"),
    ({"red": [("r.png", png((200, 0, 0)))] * 3, " ": [("b.png", png((0, 0, 200)))] * 3}, "no name"),
])
def test_collect_classes_refuses_bad_sets(groups: dict, message: str) -> None:
    with pytest.raises(InputError, match=message):
        vision.collect_classes(groups)


def _zip(files: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, data in files.items():
            z.writestr(name, data)
    return buf.getvalue()


def test_classes_from_zip() -> None:
    files = {f"animals/{cls}/{name}": data for cls, items in _groups(3).items() for name, data in items}
    files["animals/README.txt"] = b"hello"
    data = vision.classes_from_zip(_zip(files))
    assert data.classes == ["red", "blue"] and data.counts() == {"red": 3, "blue": 3}
    assert any("not images" in n or "outside" in n for n in data.notices)
    with pytest.raises(InputError, match="unsafe"):
        vision.classes_from_zip(_zip({"../evil/a.png": png((0, 0, 0))}))
    with pytest.raises(InputError, match="class folders"):
        vision.classes_from_zip(_zip({"a.png": png((0, 0, 0)), "b.png": png((9, 9, 9))}))
    with pytest.raises(InputError, match="limit"):
        vision.classes_from_zip(_zip({f"c{i % 2}/{i}.png": b"x" for i in range(2001)}))
    with pytest.raises(InputError, match="not a valid zip"):
        vision.classes_from_zip(b"PK but not really")


def test_head_learns_separable_features_and_roundtrips() -> None:
    rng = np.random.default_rng(0)
    labels = [0] * 12 + [1] * 12 + [2] * 12
    centres = rng.normal(size=(3, 1280))  # well-separated classes, as frozen features of distinct objects
    feats = (np.repeat(centres, 12, axis=0) + 0.5 * rng.normal(size=(36, 1280))).astype(np.float32)
    run = vision.train_head(feats, labels, ["a", "b", "c"], vision.HeadConfig(epochs=15))
    assert run.val_accuracy == 1.0 and run.confusion.trace() == run.n_val
    assert run.n_train + run.n_val == 36
    head, classes = vision.head_from_bytes(vision.head_to_bytes(run.head, run.classes))
    assert classes == ["a", "b", "c"]
    np.testing.assert_allclose(vision.predict_head(head, feats), vision.predict_head(run.head, feats), atol=1e-6)
    with pytest.raises(InputError):
        vision.head_from_bytes(b"garbage bytes that are not safetensors")


@pytest.mark.slow
def test_transfer_on_real_features(classifier) -> None:
    data = vision.collect_classes(_groups(4))
    feats = vision.embed(data.images, classifier)
    assert feats.shape == (8, 1280)
    run = vision.train_head(feats, data.labels, data.classes, vision.HeadConfig(epochs=20, val_fraction=0.25))
    preds = vision.classify_with_head([Image.open(io.BytesIO(png((210, 20, 20), 99)))], classifier, run.head,
                                      run.classes)
    assert preds[0][0].label == "red"


# ---- command line --------------------------------------------------------------------------------

def cli(*args: str, timeout: float = 240) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "dl_core", "vision", *args], capture_output=True, text=True,
                          cwd=ROOT, timeout=timeout)


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
        scores = [p["score"] for p in item["predictions"]]
        assert len(scores) == 3 and all(0 <= s <= 1 for s in scores) and scores == sorted(scores, reverse=True)
    assert any(w in payload[0]["predictions"][0]["label"].lower() for w in CATS)
    bad = tmp_path / "broken.png"
    bad.write_bytes(b"not a png at all")
    out = cli("classify", str(cat), str(bad), "--json")
    assert out.returncode != 0 and out.stdout == ""
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and "broken.png" in lines[0] and "Traceback" not in out.stderr


@pytest.mark.slow
def test_cli_train_digits_contract() -> None:
    out = cli("train-digits", "--epochs", "2", "--seed", "3", "--filters", "4", "--no-save", "--json")
    assert out.returncode == 0, out.stderr
    payload = json.loads(out.stdout)
    assert set(payload) == {"test_accuracy", "epochs", "seconds", "device"}
    assert payload["epochs"] == 2 and 0.3 < payload["test_accuracy"] <= 1 and payload["device"] == "cpu"
    bad = cli("train-digits", "--epochs", "0", "--json")
    assert bad.returncode == 2 and "epochs" in bad.stderr and "Traceback" not in bad.stderr


@pytest.mark.slow
def test_classify_with_a_hub_pipeline(tmp_path) -> None:
    """The optional online models are transformers pipelines: same contract, with a tiny local ViT."""
    from transformers import ViTConfig, ViTForImageClassification, ViTImageProcessor, pipeline

    config = ViTConfig(image_size=32, patch_size=8, hidden_size=32, num_hidden_layers=1, num_attention_heads=2,
                       intermediate_size=64, num_labels=3, id2label={0: "red", 1: "green", 2: "blue"},
                       label2id={"red": 0, "green": 1, "blue": 2})
    ViTForImageClassification(config).save_pretrained(tmp_path)
    ViTImageProcessor(size={"height": 32, "width": 32}).save_pretrained(tmp_path)
    pipe = pipeline("image-classification", model=str(tmp_path), device="cpu")
    images = [Image.open(io.BytesIO(png(c))) for c in ((200, 0, 0), (0, 0, 200))]
    preds = vision.classify(images, pipe, top_k=2)
    assert len(preds) == 2 and all(len(p) == 2 for p in preds)
    assert all({x.label for x in p} <= {"red", "green", "blue"} for p in preds)
    assert all(p[0].score >= p[1].score for p in preds)
    assert vision.classify_image(images[0], pipe, top_k=3)[0].label in {"red", "green", "blue"}
