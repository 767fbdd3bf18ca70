"""The digits CNN engine: data, model, the one training call (train + evaluate + log), default model,
drawn digits, and the semi-supervised curve."""

from __future__ import annotations

import numpy as np
import pytest

from dl_core import registry, tracking, vision
from dl_core.errors import InputError
from dl_core.training import TrainedModel


@pytest.fixture(scope="module")
def tiny_run() -> TrainedModel:
    cfg = vision.DigitsCNNConfig(filters=8, epochs=4, augment=True, device="cpu")
    return vision.train_digits_cnn(None, cfg, caller="cli")


def test_digits_split_is_stratified_and_scaled() -> None:
    data = vision.load_digits_data(0.6, seed=1)
    assert sum(data.sizes.values()) == 1797
    assert data.x_train.shape[1:] == (1, 8, 8) and data.x_train.min() >= 0 and data.x_train.max() <= 1
    assert set(np.unique(data.y_test)) == set(range(10))
    with pytest.raises(InputError, match="train fraction"):
        vision.load_digits_data(0.99)


@pytest.mark.parametrize("layers,kernel", [(1, 1), (2, 3), (3, 5)])
def test_cnn_shapes(layers: int, kernel: int) -> None:
    import torch

    model = vision.build_digits_cnn(vision.DigitsCNNConfig(conv_layers=layers, kernel_size=kernel, filters=4))
    assert model(torch.zeros(3, 1, 8, 8)).shape == (3, 10)


@pytest.mark.parametrize("bad,named", [
    ({"conv_layers": 0}, "between 1 and 4, got 0"), ({"kernel_size": 4}, "1, 3, 5 or 7, got 4"),
    ({"dropout": 1.0}, r"\[0, 1\), got 1.0"), ({"filters": 0}, "between 1 and 256, got 0"),
    ({"epochs": 0}, "between 1 and 500, got 0"), ({"lr": 0.0}, r"\(0, 1\], got 0.0"),
    ({"batch_size": 0}, "between 1 and 4,096, got 0"), ({"train_fraction": 0.95}, "0.1 and 0.9, got 0.95"),
    ({"seed": -1}, "got -1"),
])
def test_config_names_the_bad_value_and_the_range(bad: dict, named: str) -> None:
    with pytest.raises(InputError, match=named):
        vision.DigitsCNNConfig(**bad).check()
    with pytest.raises(InputError, match=named):  # checked at the engine's entry, before any work
        vision.train_digits_cnn(None, vision.DigitsCNNConfig(**bad))


def test_train_config_monitors_the_validation_loss_explicitly() -> None:
    tc = vision.DigitsCNNConfig().train_config()
    assert (tc.monitor, tc.monitor_mode) == ("val_loss", "min")


def test_shift_moves_ink_and_never_wraps() -> None:
    import torch

    from dl_core.vision import digits

    x = torch.zeros(64, 1, 8, 8)
    x[:, 0, 0, 0] = 1.0  # ink in the corner: a wrap-around would move it to the far side
    out = digits._shift(x, torch.Generator().manual_seed(0))
    assert out[:, 0, 7, :].sum() == 0 and out[:, 0, :, 7].sum() == 0
    assert (out.sum((1, 2, 3)) <= 1).all() and out.sum() > 0


def test_one_call_trains_evaluates_and_logs(tiny_run: TrainedModel) -> None:
    assert len(tiny_run.history) == 4 and tiny_run.fit is not None and not tiny_run.fit.cancelled
    assert tiny_run.metrics["test_accuracy"] > 0.8  # chance is 0.1
    assert "val_accuracy" in tiny_run.history[-1].metrics
    d = tiny_run.details
    report = d["report"]
    assert report.accuracy == pytest.approx(tiny_run.metrics["test_accuracy"])
    assert report.confusion.sum() == len(d["data"].y_test) and report.confusion.trace() == round(
        report.accuracy * len(d["data"].y_test))
    assert len(report.mistakes) == int((report.predicted != d["data"].y_test).sum())
    conf = report.confidence[report.mistakes]
    assert list(conf) == sorted(conf, reverse=True)
    assert [r["digit"] for r in report.per_class] == list(range(10))
    assert tiny_run.metrics["test_macro_recall"] == pytest.approx(np.mean([r["recall"] for r in report.per_class]))
    assert [b.name for b in d["baselines"]][0].startswith("logistic regression")
    assert all(b.test_accuracy > 0.9 for b in d["baselines"])
    assert d["parameters"] == vision.count_parameters(tiny_run.model) and d["device"] == "cpu"
    assert d["seconds"] == pytest.approx(tiny_run.fit.seconds)
    # logged: the config's params (not the device), the final metrics, the caller
    run = tracking.client().get_run(tiny_run.run_id)
    assert run.data.params["filters"] == "8" and run.data.params["seed"] == "0"
    assert run.data.params["epochs"] == "4" and "device" in run.data.params  # the machine's, from tracking
    assert run.data.metrics["final_test_accuracy"] == pytest.approx(tiny_run.metrics["test_accuracy"])
    assert run.data.tags["dlx.source"] == "cli" and run.info.status == "FINISHED"


def test_same_seed_same_model_different_seed_differs() -> None:
    cfg = vision.DigitsCNNConfig(filters=4, epochs=1, device="cpu", seed=5)
    a = vision.train_digits_cnn(None, cfg)
    b = vision.train_digits_cnn(None, cfg)
    c = vision.train_digits_cnn(None, vision.DigitsCNNConfig(filters=4, epochs=1, device="cpu", seed=6))
    assert a.history[-1].train_loss == b.history[-1].train_loss
    assert a.metrics == b.metrics
    assert a.history[-1].train_loss != c.history[-1].train_loss


def test_save_and_registry_load_roundtrip(tiny_run: TrainedModel) -> None:
    vision.save_digits_cnn(tiny_run.model, tiny_run.details["config"], file_name="digits_cnn.safetensors")
    assert registry.available("digits-cnn")
    loaded = registry.load("digits-cnn", "cpu")
    x = tiny_run.details["data"].x_test[:20]
    np.testing.assert_allclose(vision.predict_digits(loaded, x), vision.predict_digits(tiny_run.model, x),
                               atol=1e-5)


def _canvas_with_one() -> np.ndarray:
    canvas = np.zeros((200, 200, 4), np.uint8)
    canvas[..., 3] = 255  # an opaque black canvas, as st_canvas returns with a background colour
    canvas[30:170, 92:108, :3] = 255  # a white vertical stroke
    return canvas


def test_digit_from_drawing_and_photo_polarity() -> None:
    x8 = vision.digit_from_image(_canvas_with_one())
    assert x8.shape == (8, 8) and x8.max() == pytest.approx(1.0)
    assert x8[:, 3:5].sum() > 3 * x8[:, :2].sum()  # the ink sits in the middle columns
    inverted = 255 - _canvas_with_one()[..., :3]  # the same "1", dark ink on white paper
    np.testing.assert_allclose(vision.digit_from_image(inverted), x8, atol=1e-6)
    with pytest.raises(InputError, match="blank"):
        vision.digit_from_image(np.zeros((50, 50, 3), np.uint8))


def test_drawn_digits_from_the_data_are_recognised(tiny_run: TrainedModel) -> None:
    # Upscale real test digits to "photos" (dark on light), read them back, predict.
    data = tiny_run.details["data"]
    hits = 0
    for img, label in zip(data.x_test[:40, 0], data.y_test[:40]):
        photo = np.kron(1 - img, np.ones((24, 24)))
        x8 = vision.digit_from_image((photo * 255).astype(np.uint8))
        hits += int(vision.predict_digits(tiny_run.model, x8)[0].argmax() == label)
    assert hits >= 26  # chance is 4 of 40; re-framing an 8x8 digit costs a few


def test_semi_supervised_beats_supervised_with_few_labels() -> None:
    res = vision.semi_supervised_curve([20, 200], ["label spreading"], seed=0)
    assert res.n_labels == [20, 200]
    assert res.semi["label spreading"][0] > res.supervised[0]
    assert res.supervised[1] > res.supervised[0]
    with pytest.raises(InputError):
        vision.semi_supervised_curve([5])
    with pytest.raises(InputError):
        vision.semi_supervised_curve([20], ["magic"])
