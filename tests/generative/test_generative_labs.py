"""VAE and 2-D GAN lab: tiny trainings, point-cloud uploads, bounds."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import torch

from dl_core import generative_gan2d as g2
from dl_core import generative_vae as gv
from dl_core import inputs
from dl_core.errors import InputError


def test_vae_learns_and_its_latent_space_decodes_to_digit_images():
    trained = gv.train_vae(gv.VAEConfig(epochs=4, latent=2), device=torch.device("cpu"))
    losses = [h.train_loss for h in trained.result.history]
    assert losses[-1] < losses[0]
    assert trained.test_reconstruction_loss < 40  # an untrained decoder scores 64*ln 2 = 44.4
    _, _, x_te, y_te = gv.digits_flat()
    codes = gv.latent_codes(trained.model, x_te)
    assert codes.shape == (len(x_te), 2) and np.isfinite(codes).all()
    images, axis = gv.latent_grid(trained.model, size=5)
    assert images.shape == (5, 5, 8, 8) and images.min() >= 0 and images.max() <= 1 and len(axis) == 5
    with pytest.raises(InputError):
        gv.decode(trained.model, np.zeros((1, 3)))


def test_vae_settings_are_bounded():
    for bad in ({"latent": 0}, {"latent": 17}, {"epochs": 0}, {"beta": 0.0}):
        with pytest.raises(InputError):
            gv.VAEConfig(**bad).check()


@pytest.mark.parametrize("shape", g2.SHAPES)
def test_toy_points_are_standardised(shape):
    pts = g2.toy_points(shape, 500)
    assert pts.shape == (500, 2)
    assert np.allclose(pts.mean(0), 0, atol=1e-5) and np.allclose(pts.std(0), 1, atol=1e-3)


def test_gan_lab_trains_and_records_every_epoch():
    real = g2.toy_points("ring", 400)
    seen = []
    run = g2.train_gan(real, g2.GANConfig(epochs=3, steps=20, hidden=32, layers=2),
                       on_epoch=lambda snap, r: seen.append(snap.epoch))
    assert seen == [1, 2, 3] and len(run.snapshots) == 3
    snap = run.snapshots[-1]
    assert snap.generated.shape == (500, 2) and snap.surface.shape == (g2.GRID, g2.GRID)
    assert snap.surface.min() >= 0 and snap.surface.max() <= 1 and np.isfinite(snap.d_loss)


def test_coverage_sees_mode_collapse():
    real = g2.toy_points("ring", 400)
    assert g2.coverage(real, real) == 1.0
    assert g2.coverage(real, np.zeros((400, 2))) < 0.05  # every fake point in one place


@pytest.mark.parametrize("bad", [{"lr_g": 1.0}, {"d_steps": 0}, {"layers": 9}, {"noise": 0}, {"epochs": 0}])
def test_gan_settings_are_bounded(bad):
    with pytest.raises(InputError):
        g2.GANConfig(**bad).check()


def _frame(text: str) -> pd.DataFrame:
    return inputs.read_csv(text.encode(), name="points.csv").frame


def test_point_csv_with_header_or_without():
    rows = "\n".join(f"{i},{i * i % 7}" for i in range(30))
    with_header, notes = g2.read_points(("x,y\n" + rows).encode(), name="points.csv")
    without, _ = g2.read_points(rows.encode(), name="points.csv")  # first row "0,0": a repeated name
    assert with_header.shape == (30, 2) and without.shape == (30, 2)
    assert np.allclose(with_header, without) and any("standardised" in n for n in notes)


@pytest.mark.parametrize("text, message", [
    ("a,b,c\n" + "\n".join("1,2,3" for _ in range(30)), "exactly 2 numeric columns"),
    ("x,y\n" + "\n".join(f"{i},oops" for i in range(30)), "non-numeric"),
    ("x,y\n1,2\n3,4\n", "at least 20"),
    ("x,y\n" + "\n".join(f"{i},5" for i in range(30)), "same value"),
])
def test_bad_point_csvs_say_what_to_fix(text, message):
    with pytest.raises(InputError, match=message):
        g2.points_from_frame(_frame(text))
