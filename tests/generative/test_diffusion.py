"""Diffusion on digits: the one engine call, sampling, saving, the default model built once, the judge."""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest
import torch

from dl_core import generative, registry, store, tracking
from dl_core.errors import InputError
from tests.generative.conftest import TINY


def test_train_diffusion_trains_judges_and_logs_one_run(tiny_diffusion):
    trained = tiny_diffusion
    assert len(trained.history) == 1 and np.isfinite(trained.history[0].train_loss)
    assert set(trained.metrics) == {"recognised_share", "distinct_digits"}
    assert 0.0 <= trained.metrics["recognised_share"] <= 1.0
    quality, samples = trained.details["quality"], trained.details["samples"]
    assert len(samples.digits) == 10 and samples.digits == list(range(10))  # judged_per_digit=1
    assert trained.metrics["recognised_share"] == quality.recognised_share
    run = tracking.client().get_run(trained.run_id)
    assert run.data.tags["dlx.source"] == "cli" and run.info.status == "FINISHED"
    assert run.data.params["channels"] == "(8, 16)" and run.data.params["seed"] == "0"
    assert "device" in run.data.params and run.data.params["device"] == "cpu"  # the device type, once
    assert run.data.metrics["final_recognised_share"] == trained.metrics["recognised_share"]
    assert trained.model.info["epochs_trained"] == 1


def test_samples_follow_the_seed_and_record_the_trajectory(tiny_diffusion):
    model = tiny_diffusion.model
    out = generative.sample(model, n=4, digits=[3, 7], sampler="ddim", steps=5, seed=1, keep=4)
    assert out.images.shape == (4, 1, 16, 16) and out.digits == [3, 7, 3, 7]
    assert out.images.min() >= -1 and out.images.max() <= 1
    assert len(out.trajectory) >= 3 and out.trajectory[0][1].std() > 0.5  # starts as pure noise
    again = generative.sample(model, n=4, digits=[3, 7], sampler="ddim", steps=5, seed=1)
    assert torch.equal(out.images, again.images)
    other = generative.sample(model, n=4, digits=[3, 7], sampler="ddim", steps=5, seed=2)
    assert not torch.equal(out.images, other.images)
    ddpm = generative.sample(model, n=2, sampler="ddpm", steps=10, seed=1, guidance=1.0)
    assert ddpm.images.shape == (2, 1, 16, 16)


@pytest.mark.parametrize("kwargs, message", [
    ({"n": 0}, "Number of images"), ({"n": 101}, "Number of images"), ({"steps": 0}, "steps"),
    ({"steps": 51}, "steps"), ({"sampler": "euler"}, "Sampler"), ({"digits": 10}, "Digits"),
    ({"guidance": -1.0}, "Guidance"), ({"seed": -5}, "Seed"),
])
def test_sampling_settings_are_bounded(tiny_diffusion, kwargs, message):
    with pytest.raises(InputError, match=message):
        generative.sample(tiny_diffusion.model, **{"n": 2, "steps": 5, **kwargs})  # TINY has 50 train steps


def test_saved_model_loads_through_the_registry_and_samples_the_same(tiny_diffusion):
    model = tiny_diffusion.model
    generative.save_model(model)
    assert registry.available(generative.MODEL_NAME)
    loaded = registry.load(generative.MODEL_NAME, "cpu")
    assert loaded.config.channels == (8, 16) and loaded.config.timesteps == 50
    a = generative.sample(model, n=2, steps=4, seed=3).images
    b = generative.sample(loaded, n=2, steps=4, seed=3).images
    assert torch.allclose(a, b, atol=1e-5)


@pytest.mark.parametrize("bad, message", [
    ({"epochs": 0}, "epochs"), ({"channels": (12, 24)}, "channels"), ({"timesteps": 5}, "timesteps"),
    ({"p_uncond": 1.0}, "p_uncond"), ({"lr": 1.0}, "lr"), ({"schedule": "cosine"}, "schedule"),
    ({"seed": -1}, "seed"), ({"judged_per_digit": 11}, "judged_per_digit"), ({"judged_steps": 0}, "judged_steps"),
])
def test_diffusion_config_is_checked_at_the_entry(bad, message):
    with pytest.raises(InputError, match=message):
        generative.train_diffusion(None, generative.DiffusionConfig(**bad))


def test_diffusion_data_of_the_wrong_shape_is_refused():
    with pytest.raises(InputError, match="Diffusion data"):
        generative.train_diffusion((torch.zeros(20, 1, 8, 8), torch.zeros(20, dtype=torch.long)), TINY)


def test_the_default_model_is_trained_once_while_other_sessions_wait(quick_judge, monkeypatch):
    from dl_core.generative import diffusion as diffusion_module

    path = store.path_for(generative.MODEL_FILE)
    kept = path.read_bytes() if path.is_file() else None
    path.unlink(missing_ok=True)
    real_train = diffusion_module.train_diffusion
    building, release = threading.Event(), threading.Event()
    trainings, waited, built = [], [], []

    def held_training(*args, **kwargs):
        trainings.append(1)
        building.set()
        release.wait(30)  # held until the other sessions are waiting
        return real_train(*args, **kwargs)

    monkeypatch.setattr(diffusion_module, "train_diffusion", held_training)

    def session():
        built.append(generative.build_default_diffusion(TINY, on_wait=lambda: waited.append(1)))

    try:
        first = threading.Thread(target=session)
        first.start()
        assert building.wait(30)
        second = threading.Thread(target=session)
        second.start()
        deadline = time.time() + 30
        while not waited and time.time() < deadline:
            time.sleep(0.01)
        release.set()
        first.join(timeout=120)
        second.join(timeout=120)
        assert len(trainings) == 1 and waited == [1]
        assert sorted(b is None for b in built) == [False, True]  # one trained it, the other found it
        assert registry.load(generative.MODEL_NAME, "cpu").config.channels == (8, 16)
        assert not list(path.parent.glob(f".{path.name}.*"))  # no temporary file left behind
    finally:
        if kept is not None:
            store.write_atomic(path, kept)


def test_a_stopped_default_training_is_not_saved(quick_judge):
    from dl_core.training import CancelToken

    path = store.path_for(generative.MODEL_FILE)
    kept = path.read_bytes() if path.is_file() else None
    path.unlink(missing_ok=True)
    cancel = CancelToken()
    cancel.cancel()
    try:
        trained = generative.build_default_diffusion(TINY, cancel=cancel)
        assert trained is not None and trained.fit.cancelled and not trained.history
        assert not generative.default_diffusion_exists()
    finally:
        if kept is not None:
            store.write_atomic(path, kept)


@pytest.mark.slow
def test_judge_recognises_real_digits_and_rejects_noise():
    from dl_core.generative import judge as judge_module

    judge = judge_module.train_classifier(device=torch.device("cpu"))
    assert judge.accuracy > 0.93
    _, _, x_te, y_te = generative.digits_16()
    real = generative.judge_samples(judge, x_te, y_te.tolist())
    assert real.recognised_share > 0.85 and real.distinct_digits == 10
    wrong = generative.judge_samples(judge, x_te, ((y_te + 1) % 10).tolist())  # asked for the wrong digit
    assert wrong.recognised_share < 0.1
