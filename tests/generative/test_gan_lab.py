"""The 2-D GAN lab: the one engine call, callbacks, cancelling, point-cloud uploads through dl_core.inputs."""

from __future__ import annotations

import numpy as np
import pytest

from dl_core import generative, tracking
from dl_core.errors import InputError
from dl_core.training import CancelToken, EpochLog

QUICK = generative.GANConfig(epochs=3, steps=20, hidden=32, layers=2)


@pytest.mark.parametrize("shape", generative.SHAPES)
def test_toy_points_are_standardised(shape):
    pts = generative.toy_points(shape, 500)
    assert pts.shape == (500, 2)
    assert np.allclose(pts.mean(0), 0, atol=1e-5) and np.allclose(pts.std(0), 1, atol=1e-3)


def test_gan_lab_trains_records_every_epoch_and_logs_one_run():
    snapshots, logs = [], []

    class Recorder:
        def on_snapshot(self, snap, so_far):
            snapshots.append(snap.epoch)

        def on_epoch_end(self, log, history, model):
            logs.append(log)

    trained = generative.train_gan("ring", QUICK, callbacks=[Recorder()], caller="cli")
    assert snapshots == [1, 2, 3] and [log.epoch for log in logs] == [1, 2, 3]
    assert isinstance(logs[0], EpochLog) and set(logs[0].metrics) == {"d_loss", "g_loss", "d_real", "d_fake"}
    snap = trained.details["snapshots"][-1]
    assert snap.generated.shape == (500, 2) and snap.surface.shape == (generative.SURFACE_GRID,) * 2
    assert snap.surface.min() >= 0 and snap.surface.max() <= 1 and np.isfinite(snap.d_loss)
    assert set(trained.metrics) == {"coverage", "d_loss", "g_loss"} and not trained.fit.cancelled
    run = tracking.client().get_run(trained.run_id)
    assert run.data.params["data"] == "ring" and run.data.params["epochs"] == "3"
    assert run.data.tags["dlx.source"] == "cli"
    assert run.data.metrics["final_coverage"] == pytest.approx(trained.metrics["coverage"])


def test_gan_lab_same_seed_same_points_other_seed_other_points():
    a = generative.train_gan("spiral", QUICK).details["snapshots"][-1].generated
    b = generative.train_gan("spiral", QUICK).details["snapshots"][-1].generated
    c = generative.train_gan("spiral", generative.GANConfig(epochs=3, steps=20, hidden=32, layers=2, seed=1))
    assert np.array_equal(a, b) and not np.array_equal(a, c.details["snapshots"][-1].generated)


def test_gan_lab_stops_when_cancelled_and_keeps_what_it_learned():
    cancel = CancelToken()

    class StopAfterTwo:
        def on_snapshot(self, snap, so_far):
            if snap.epoch == 2:
                cancel.cancel()

    trained = generative.train_gan("ring", generative.GANConfig(epochs=10, steps=10, hidden=16, layers=1),
                                   callbacks=[StopAfterTwo()], cancel=cancel)
    assert trained.fit.cancelled and len(trained.history) == 2 and "coverage" in trained.metrics


def test_coverage_sees_mode_collapse():
    real = generative.toy_points("ring", 400)
    assert generative.coverage(real, real) == 1.0
    assert generative.coverage(real, np.zeros((400, 2))) < 0.05  # every fake point in one place


@pytest.mark.parametrize("bad, message", [({"lr_g": 1.0}, "generator learning rate"), ({"d_steps": 0}, "discriminator"),
                                          ({"layers": 9}, "layers"), ({"noise": 0}, "noise"),
                                          ({"epochs": 0}, "epochs"), ({"seed": -1}, "seed")])
def test_gan_settings_are_checked_at_the_entry(bad, message):
    with pytest.raises(InputError, match=message):
        generative.train_gan("ring", generative.GANConfig(**bad))


@pytest.mark.parametrize("data, message", [("square", "Unknown shape"), (np.zeros((5, 2)), "20-5000 rows"),
                                           (np.full((30, 2), np.nan), "finite")])
def test_gan_data_is_checked(data, message):
    with pytest.raises(InputError, match=message):
        generative.train_gan(data, QUICK)


# ---- point clouds from a CSV, read through dl_core.inputs ------------------------------------------

ROWS = "\n".join(f"{i},{i * i % 7}" for i in range(30))


def test_point_csv_with_header_or_without():
    with_header, notes = generative.read_points(("x,y\n" + ROWS).encode(), name="points.csv")
    without, _ = generative.read_points(ROWS.encode(), name="points.csv")  # first row "0,0": not lost
    assert with_header.shape == (30, 2) and without.shape == (30, 2)
    assert np.allclose(with_header, without) and any("standardised" in n for n in notes)


def test_point_csv_in_other_encodings_and_delimiters():
    semicolons = ("x;y\n" + ROWS.replace(",", ";")).encode("utf-16")  # with a BOM
    points, notes = generative.read_points(semicolons, name="points.csv")
    assert points.shape == (30, 2) and any("semicolons" in n for n in notes)
    latin, notes = generative.read_points(("café,thé\n" + ROWS).encode("cp1252"), name="points.csv")
    assert latin.shape == (30, 2) and any("not UTF-8" in n for n in notes)


@pytest.mark.parametrize("data, message", [
    (("a,b,c\n" + "\n".join("1,2,3" for _ in range(30))).encode(), "exactly 2 numeric columns"),
    (("x,y\n" + "\n".join(f"{i},oops" for i in range(30))).encode(), "non-numeric"),
    (b"x,y\n1,2\n3,4\n", "at least 20"),
    (("x,y\n" + "\n".join(f"{i},5" for i in range(30))).encode(), "same value"),
    (b"", "empty|no rows"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(200), "binary"),
])
def test_bad_point_csvs_say_what_to_fix(data, message):
    with pytest.raises(InputError, match=message):
        generative.read_points(data, name="pts.csv")


def test_a_huge_point_csv_is_refused_before_it_is_parsed():
    from dl_core.generative import gan2d

    huge = b"x,y\n" + b"1.5,2.5\n" * (gan2d.POINTS_MAX_BYTES // 8 + 10)
    with pytest.raises(InputError, match="MB"):
        generative.read_points(huge, name="huge.csv")


def test_more_points_than_the_lab_uses_are_subsampled_with_a_notice():
    rng = np.random.default_rng(0)
    text = "x,y\n" + "\n".join(f"{a:.4f},{b:.4f}" for a, b in rng.normal(size=(6000, 2)))
    points, notes = generative.read_points(text.encode(), name="many.csv")
    assert points.shape == (generative.MAX_POINTS, 2) and any("random 5,000" in n for n in notes)
