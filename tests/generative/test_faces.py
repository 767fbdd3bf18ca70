"""Faces from the bundled GAN: seeds, truncation, interpolation, latent directions."""

from __future__ import annotations

import io
import threading
import time

import numpy as np
import pytest

from dl_core import generative, registry, store
from dl_core.errors import InputError


@pytest.fixture(scope="module")
def face_gan():
    return registry.load(generative.FACE_MODEL, "cpu")


def test_faces_are_rgb_images_and_depend_on_the_seed(face_gan):
    a = generative.faces(face_gan, 3, seed=1)
    b = generative.faces(face_gan, 3, seed=1)
    c = generative.faces(face_gan, 3, seed=2)
    assert a.shape == (3, 64, 64, 3) and a.dtype == np.uint8
    assert np.array_equal(a, b)
    assert np.abs(a.astype(int) - c.astype(int)).mean() > 5
    assert a.std() > 20  # real pictures, not a flat colour


def test_a_seed_gives_the_same_faces_whatever_else_draws_random_numbers(face_gan):
    import torch

    alone = generative.faces(face_gan, 2, seed=11)
    torch.manual_seed(123)  # someone else reseeding the global generator (another session, a library)
    torch.rand(1000)
    assert np.array_equal(generative.faces(face_gan, 2, seed=11), alone)


def test_truncation_zero_gives_the_average_face_for_every_seed(face_gan):
    same = generative.faces(face_gan, 2, seed=3, truncation=0.0)
    assert np.array_equal(same[0], same[1])


@pytest.mark.parametrize("kwargs", [{"n": 0}, {"n": 65}, {"seed": -1}, {"seed": 2**32}, {"truncation": 2.5},
                                    {"n": True}])
def test_face_settings_are_bounded(face_gan, kwargs):
    args = {"n": 2, "seed": 0, "truncation": 1.0, **kwargs}
    with pytest.raises(InputError):
        generative.faces(face_gan, **args)


def test_interpolation_starts_and_ends_at_the_two_faces_and_makes_a_gif(face_gan):
    from PIL import Image

    strip = generative.interpolate(face_gan, 4, 5, frames=5)
    ends = generative.faces(face_gan, 1, seed=4), generative.faces(face_gan, 1, seed=5)
    assert strip.shape == (5, 64, 64, 3)
    assert np.abs(strip[0].astype(int) - ends[0][0]).max() <= 1
    assert np.abs(strip[-1].astype(int) - ends[1][0]).max() <= 1
    gif = Image.open(io.BytesIO(generative.gif_bytes(strip)))
    assert gif.format == "GIF" and gif.n_frames == 8 and gif.info["loop"] == 0  # there and back: 5 + 3, for ever
    # With a time limit: as many whole plays (8 frames of 120 ms: ~1 s) as fit, then it stays still.
    # (A GIF's loop count is how often it plays again; without one it plays once.)
    plays = {s: Image.open(io.BytesIO(generative.gif_bytes(strip, max_seconds=s))).info.get("loop", 0) + 1
             for s in (0.5, 1.0, 2.0, 5.0)}
    assert plays == {0.5: 1, 1.0: 1, 2.0: 2, 5.0: 5}
    with pytest.raises(InputError):
        generative.interpolate(face_gan, 1, 2, frames=1)


def test_brightness_direction_makes_faces_brighter(face_gan):
    directions = generative.latent_directions(face_gan, n=128, components=2)
    assert [d.name for d in directions][:2] == ["brightness", "warmth"] and len(directions) == 4
    bright = directions[0]
    z = generative.face_latents(4, seed=9)
    darker = generative.render_faces(face_gan, generative.move(z, [bright], [-2.0])).mean()
    lighter = generative.render_faces(face_gan, generative.move(z, [bright], [2.0])).mean()
    assert lighter > darker + 20
    with pytest.raises(InputError):
        generative.move(z, [bright], [9.0])


def test_face_directions_are_computed_once_when_two_sessions_ask_together(face_gan, monkeypatch):
    from dl_core.generative import face_gan as faces_module

    path = store.path_for(faces_module.DIRECTIONS_FILE)
    path.unlink(missing_ok=True)
    building, release = threading.Event(), threading.Event()
    computed, waited, results = [], [], []

    def slow_directions(generator, n=256, seed=12345, components=3):
        computed.append(1)
        building.set()
        release.wait(30)  # held until the other sessions have arrived and are waiting
        return [generative.LatentDirection("d", "a direction", np.eye(100, dtype=np.float32)[0])]

    monkeypatch.setattr(faces_module, "latent_directions", slow_directions)

    def session():
        results.append(generative.face_directions(face_gan, on_wait=lambda: waited.append(1)))

    first = threading.Thread(target=session)
    first.start()
    assert building.wait(30)
    others = [threading.Thread(target=session) for _ in range(2)]
    for t in others:
        t.start()
    deadline = time.time() + 30
    while len(waited) < 2 and time.time() < deadline:
        time.sleep(0.01)
    release.set()
    for t in (first, *others):
        t.join(timeout=30)
    assert len(computed) == 1 and len(waited) == 2 and len(results) == 3  # built once; two were told to wait
    assert all(r[0].name == "d" and np.array_equal(r[0].vector, results[0][0].vector) for r in results)
    assert path.is_file()
    path.unlink()  # the real directions are computed by whoever needs them next


def test_image_grid_lays_out_rows_and_scales():
    images = np.zeros((5, 4, 4, 3), np.uint8)
    picture = generative.image_grid(images, cols=2, pad=1, scale=2)
    assert picture.size == ((2 * 5 + 1) * 2, (3 * 5 + 1) * 2)  # 2 columns, 3 rows of 4 px + 1 px padding
    assert generative.png_bytes(picture)[:8] == b"\x89PNG\r\n\x1a\n"
