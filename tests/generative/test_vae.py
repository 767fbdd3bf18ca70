"""The VAE: the one engine call (train, evaluate, log), its latent space, bounds."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from dl_core import generative, tracking
from dl_core.errors import InputError

SMALL = generative.VAEConfig(epochs=4, latent=2, device="cpu")


@pytest.fixture(scope="module")
def trained():
    return generative.train_vae(None, SMALL)


def test_vae_learns_and_its_latent_space_decodes_to_digit_images(trained):
    losses = [h.train_loss for h in trained.history]
    assert losses[-1] < losses[0]
    assert trained.metrics["test_reconstruction_loss"] < 40  # an untrained decoder scores 64*ln 2 = 44.4
    _, _, x_te, _ = generative.digits_flat()
    codes = generative.latent_codes(trained.model, x_te)
    assert codes.shape == (len(x_te), 2) and np.isfinite(codes).all()
    images, axis = generative.latent_grid(trained.model, size=5)
    assert images.shape == (5, 5, 8, 8) and images.min() >= 0 and images.max() <= 1 and len(axis) == 5
    with pytest.raises(InputError):
        generative.decode_latents(trained.model, np.zeros((1, 3)))


def test_vae_run_is_logged_with_its_params_and_final_metric(trained):
    run = tracking.client().get_run(trained.run_id)
    assert run.data.tags["dlx.source"] == "app" and run.info.status == "FINISHED"
    assert {k: run.data.params[k] for k in ("latent", "epochs", "seed", "beta")} == {
        "latent": "2", "epochs": "4", "seed": "0", "beta": "1.0"}
    assert run.data.metrics["final_test_reconstruction_loss"] == pytest.approx(
        trained.metrics["test_reconstruction_loss"])
    assert len(tracking.client().get_metric_history(trained.run_id, "train_loss")) == 4


def test_vae_same_seed_same_model_other_seed_other_model(trained):
    again = generative.train_vae(None, SMALL)
    other = generative.train_vae(None, generative.VAEConfig(epochs=4, latent=2, seed=1, device="cpu"))
    assert again.metrics == trained.metrics
    first = next(iter(trained.model.state_dict().values()))
    assert torch.equal(first, next(iter(again.model.state_dict().values())))
    assert not torch.equal(first, next(iter(other.model.state_dict().values())))


@pytest.mark.parametrize("bad, message", [
    ({"latent": 0}, "Latent size"), ({"latent": 17}, "Latent size"), ({"epochs": 0}, "Epochs"),
    ({"beta": 0.0}, "beta"), ({"lr": 1.0}, "Learning rate"), ({"seed": -1}, "seed"),
])
def test_vae_settings_are_checked_at_the_entry(bad, message):
    with pytest.raises(InputError, match=message):
        generative.train_vae(None, generative.VAEConfig(**bad))


def test_vae_data_of_the_wrong_shape_is_refused():
    with pytest.raises(InputError, match="VAE data"):
        generative.train_vae((torch.zeros(10, 63), torch.zeros(10, 63)), SMALL)
