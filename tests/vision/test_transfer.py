"""Teach your own classifier: checked labelled uploads, features decoded in batches, the one head call."""

from __future__ import annotations

import io
import zipfile

import numpy as np
import pytest
from PIL import Image

from dl_core import registry, tracking, vision
from dl_core.errors import InputError


def png(colour: tuple[int, int, int], seed: int = 0, size: int = 48) -> bytes:
    rng = np.random.default_rng(seed)
    arr = (np.array(colour, np.int16) + rng.integers(-25, 25, (size, size, 3))).clip(0, 255).astype(np.uint8)
    return vision.image_bytes(Image.fromarray(arr))


@pytest.fixture(scope="module")
def classifier():
    return registry.load("efficientnet-lite0", "cpu")


def _groups(n: int = 4) -> dict[str, list[tuple[str, bytes]]]:
    return {"red": [(f"r{i}.png", png((200, 30, 30), i)) for i in range(n)],
            "blue": [(f"b{i}.png", png((30, 30, 200), i)) for i in range(n)]}


def separable(n: int = 12, k: int = 3, seed: int = 0) -> vision.LabelledFeatures:
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(k, 1280))  # well-separated classes, as frozen features of distinct objects
    feats = (np.repeat(centres, n, axis=0) + 0.5 * rng.normal(size=(k * n, 1280))).astype(np.float32)
    return vision.LabelledFeatures(feats, [c for c in range(k) for _ in range(n)], ["a", "b", "c"][:k])


@pytest.mark.parametrize("groups,message", [
    ({"red": [("r.png", png((200, 0, 0)))] * 3}, "at least two classes"),
    ({"red": [("r.png", png((200, 0, 0)))] * 3, "blue": []}, "no images"),
    ({"red": [("r.png", png((200, 0, 0)))] * 3, "blue": [("b.png", png((0, 0, 200)))]}, "Too few"),
    ({"red": [("r.png", png((200, 0, 0)))] * 3, " ": [("b.png", png((0, 0, 200)))] * 3}, "no name"),
])
def test_collect_classes_refuses_bad_sets(groups: dict, message: str) -> None:
    with pytest.raises(InputError, match=message):
        vision.collect_classes(groups)


def test_a_broken_image_is_named_with_its_class(classifier) -> None:
    files = vision.collect_classes({"red": [("r.png", png((200, 0, 0)))] * 3,
                                    "blue": [("b.png", b"not an image")] * 3})
    with pytest.raises(InputError, match=r"b\.png \(class 'blue'\)"):
        vision.labelled_features(files, classifier)


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


@pytest.mark.parametrize("bad,named", [({"val_fraction": 0.9}, "0.1 and 0.5, got 0.9"),
                                       ({"epochs": 0}, "1 and 1,000, got 0"), ({"dropout": -0.1}, "got -0.1"),
                                       ({"lr": 2.0}, r"\(0, 1\], got 2.0")])
def test_head_config_names_the_bad_value(bad: dict, named: str) -> None:
    with pytest.raises(InputError, match=named):
        vision.train_head(separable(), vision.HeadConfig(**bad))


def test_head_one_call_trains_evaluates_logs_and_roundtrips() -> None:
    data = separable()
    run = vision.train_head(data, vision.HeadConfig(epochs=15), caller="cli")
    d = run.details
    assert run.metrics["val_accuracy"] == 1.0 and d["confusion"].trace() == d["n_val"]
    assert d["n_train"] + d["n_val"] == 36 and len(run.history) == 15
    assert {b["name"] for b in d["baselines"]} == {"majority class", "nearest class centre (same features)"}
    assert d["baselines"][0]["val_accuracy"] == pytest.approx(1 / 3)  # 3 balanced classes
    assert [c["class"] for c in d["per_class"]] == ["a", "b", "c"]
    logged = tracking.client().get_run(run.run_id)
    assert logged.data.params["n_classes"] == "3" and logged.data.params["images"] == "36"
    assert "classes" not in logged.data.params  # class names a person typed stay out of the shared store
    assert logged.data.metrics["final_val_accuracy"] == 1.0 and logged.data.tags["dlx.source"] == "cli"
    head, classes = vision.head_from_bytes(vision.head_to_bytes(run.model, data.classes))
    assert classes == ["a", "b", "c"]
    np.testing.assert_allclose(vision.predict_head(head, data.features), vision.predict_head(run.model, data.features),
                               atol=1e-6)
    # a partly trained head is evaluated the same way
    metrics, details = vision.evaluate_head(run.model, data, vision.HeadConfig(epochs=15))
    assert metrics == run.metrics and (details["confusion"] == d["confusion"]).all()
    with pytest.raises(InputError):
        vision.head_from_bytes(b"garbage bytes that are not safetensors")


def test_head_refuses_one_class_data() -> None:
    data = separable()
    data.labels = [0] * len(data.labels)
    with pytest.raises(InputError, match="two classes"):
        vision.train_head(data)


@pytest.mark.slow
def test_transfer_on_real_features(classifier) -> None:
    files = vision.collect_classes(_groups(4))
    data = vision.labelled_features(files, classifier)
    assert data.features.shape == (8, 1280)
    np.testing.assert_allclose(data.features, vision.embed([vision.read_photo(b) for _, b in files.files],
                                                           classifier), atol=1e-5)
    run = vision.train_head(data, vision.HeadConfig(epochs=20, val_fraction=0.25))
    preds = vision.classify_with_head([Image.open(io.BytesIO(png((210, 20, 20), 99)))], classifier, run.model,
                                      data.classes)
    assert preds[0][0].label == "red"
