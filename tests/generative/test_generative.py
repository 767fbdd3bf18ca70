"""Core tests of the generative use case: faces, diffusion, digits judge, text-to-image loading, CLI.

Tiny settings throughout: the diffusion model here trains 1 epoch on 64 digits (its real target is
measured by bench/bench_generative.py). Costs paid once per session: the digits judge (~15 epochs of
a small CNN, a few seconds) and loading the face GAN.
"""

from __future__ import annotations

import dataclasses
import io
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

from dl_core import generative, registry
from dl_core import generative_diffusion as gd
from dl_core.errors import InputError, ModelUnavailableError

ROOT = Path(__file__).resolve().parents[2]
TINY = gd.DiffusionConfig(epochs=1, limit=64, channels=(8, 16), timesteps=50, batch_size=32)


@pytest.fixture(scope="module")
def face_gan():
    return registry.load(generative.FACE_MODEL, "cpu")


@pytest.fixture(scope="module")
def tiny_diffusion():
    model, result, net = gd.train_diffusion(TINY, device=torch.device("cpu"))
    return model, result, net


# ---- faces ---------------------------------------------------------------------------------------

def test_faces_are_rgb_images_and_depend_on_the_seed(face_gan):
    a = generative.faces(face_gan, 3, seed=1)
    b = generative.faces(face_gan, 3, seed=1)
    c = generative.faces(face_gan, 3, seed=2)
    assert a.shape == (3, 64, 64, 3) and a.dtype == np.uint8
    assert np.array_equal(a, b)
    assert np.abs(a.astype(int) - c.astype(int)).mean() > 5
    assert a.std() > 20  # real pictures, not a flat colour


def test_truncation_zero_gives_the_average_face_for_every_seed(face_gan):
    same = generative.faces(face_gan, 2, seed=3, truncation=0.0)
    assert np.array_equal(same[0], same[1])


@pytest.mark.parametrize("kwargs", [{"n": 0}, {"n": 65}, {"seed": -1}, {"truncation": 2.5}])
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
    assert gif.format == "GIF" and gif.n_frames == 8  # there and back: 5 + 3
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


# ---- diffusion -----------------------------------------------------------------------------------

def test_tiny_diffusion_trains_samples_and_records_the_trajectory(tiny_diffusion):
    model, result, _ = tiny_diffusion
    assert len(result.history) == 1 and np.isfinite(result.history[0].train_loss)
    out = gd.sample(model, n=4, digits=[3, 7], sampler="ddim", steps=5, seed=1, keep=4)
    assert out.images.shape == (4, 1, 16, 16) and out.digits == [3, 7, 3, 7]
    assert out.images.min() >= -1 and out.images.max() <= 1
    assert len(out.trajectory) >= 3 and out.trajectory[0][1].std() > 0.5  # starts as pure noise
    again = gd.sample(model, n=4, digits=[3, 7], sampler="ddim", steps=5, seed=1)
    assert torch.equal(out.images, again.images)
    ddpm = gd.sample(model, n=2, sampler="ddpm", steps=10, seed=1, guidance=1.0)
    assert ddpm.images.shape == (2, 1, 16, 16)


@pytest.mark.parametrize("kwargs, message", [
    ({"n": 0}, "Number of images"), ({"n": 101}, "Number of images"), ({"steps": 0}, "steps"),
    ({"steps": 51}, "steps"), ({"sampler": "euler"}, "Sampler"), ({"digits": 10}, "Digits"),
    ({"guidance": -1.0}, "Guidance"), ({"seed": -5}, "Seed"),
])
def test_sampling_settings_are_bounded(tiny_diffusion, kwargs, message):
    with pytest.raises(InputError, match=message):
        gd.sample(tiny_diffusion[0], **{"n": 2, "steps": 5, **kwargs})  # TINY has 50 train steps


def test_saved_model_loads_through_the_registry_and_samples_the_same(tiny_diffusion):
    model = tiny_diffusion[0]
    gd.save_model(model)
    assert registry.available("diffusion-digits")
    loaded = registry.load("diffusion-digits", "cpu")
    assert loaded.config.channels == (8, 16) and loaded.config.timesteps == 50
    a = gd.sample(model, n=2, steps=4, seed=3).images
    b = gd.sample(loaded, n=2, steps=4, seed=3).images
    assert torch.allclose(a, b, atol=1e-5)


def test_diffusion_config_is_checked():
    for bad in ({"epochs": 0}, {"channels": (12, 24)}, {"timesteps": 5}, {"p_uncond": 1.0}):
        with pytest.raises(InputError):
            gd.DiffusionConfig(**bad).check()


@pytest.mark.slow
def test_judge_recognises_real_digits_and_rejects_noise():
    judge = gd.digit_judge(torch.device("cpu"))
    assert judge.accuracy > 0.93
    _, _, x_te, y_te = gd.digits_16()
    real = gd.judge_samples(judge, x_te, y_te.tolist())
    assert real.recognised_share > 0.85 and real.distinct_digits == 10
    wrong = gd.judge_samples(judge, x_te, ((y_te + 1) % 10).tolist())  # asked for the wrong digit
    assert wrong.recognised_share < 0.1


# ---- text-to-image loading code (tiny pipeline, no download) --------------------------------------

def _tiny_text_to_image(folder: Path) -> Path:
    """A Stable-Diffusion-shaped pipeline with tiny random weights, built from configs only."""
    from diffusers import AutoencoderKL, EulerDiscreteScheduler, StableDiffusionPipeline, UNet2DConditionModel
    from transformers import CLIPTextConfig, CLIPTextModel, CLIPTokenizer

    torch.manual_seed(0)
    unet = UNet2DConditionModel(
        block_out_channels=(8, 16), layers_per_block=1, sample_size=8, in_channels=4, out_channels=4,
        down_block_types=("CrossAttnDownBlock2D", "DownBlock2D"), up_block_types=("UpBlock2D", "CrossAttnUpBlock2D"),
        cross_attention_dim=16, norm_num_groups=4, attention_head_dim=2)
    vae = AutoencoderKL(block_out_channels=(8, 16), latent_channels=4, norm_num_groups=4, sample_size=16,
                        down_block_types=("DownEncoderBlock2D",) * 2, up_block_types=("UpDecoderBlock2D",) * 2)
    text = CLIPTextModel(CLIPTextConfig(vocab_size=600, hidden_size=16, intermediate_size=32, num_attention_heads=2,
                                        num_hidden_layers=1, bos_token_id=0, eos_token_id=1, pad_token_id=1))
    # A byte-level vocabulary (GPT-2's byte-to-character table) with no merges: every character is a token.
    codes = list(range(33, 127)) + list(range(161, 173)) + list(range(174, 256))
    chars = [chr(c) for c in codes] + [chr(256 + i) for i in range(256 - len(codes))]
    vocab = {"<|startoftext|>": 0, "<|endoftext|>": 1}
    for c in chars:
        vocab.setdefault(c, len(vocab))
        vocab.setdefault(c + "</w>", len(vocab))
    tokenizer = CLIPTokenizer(vocab=vocab, merges=[], model_max_length=77)
    pipe = StableDiffusionPipeline(vae=vae, text_encoder=text, tokenizer=tokenizer, unet=unet,
                                   scheduler=EulerDiscreteScheduler(), safety_checker=None,
                                   feature_extractor=None, requires_safety_checker=False)
    pipe.save_pretrained(folder)
    return folder


@pytest.mark.slow
def test_text_to_image_loading_code_with_a_tiny_pipeline(tmp_path):
    folder = _tiny_text_to_image(tmp_path / "tiny-sd")
    spec = dataclasses.replace(registry.get("sd-turbo"), name="tiny-text-to-image", hub_id=str(folder))
    registry.register(spec, replace=True)
    try:
        assert registry.available("tiny-text-to-image")
        pipe = registry.load("tiny-text-to-image", "cpu")  # the same loader sd-turbo uses
        image, seconds = generative.text_to_image(pipe, "a red bicycle", steps=2, guidance=0.0, seed=0, size=64)
        assert image.size == (64, 64) and seconds > 0
        with pytest.raises(InputError, match="prompt is empty"):
            generative.text_to_image(pipe, "   ")
    finally:
        registry.unregister("tiny-text-to-image")


def test_text_to_image_settings_are_bounded():
    with pytest.raises(InputError):
        generative.check_text_to_image("x" * 600, 1, 0.0, 512)
    with pytest.raises(InputError):
        generative.check_text_to_image("a cat", 0, 0.0, 512)
    with pytest.raises(InputError):
        generative.check_text_to_image("a cat", 1, 0.0, 500)


def test_sd_turbo_offline_gives_a_clear_message():
    # conftest sets HF_HUB_OFFLINE=1, as in CI: no download is attempted.
    assert not registry.available("sd-turbo")
    with pytest.raises(ModelUnavailableError, match="offline"):
        registry.load("sd-turbo", "cpu")


# ---- command line --------------------------------------------------------------------------------

def _cli(*args: str, timeout: int = 300) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "dl_core", "generative", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=timeout)


def test_cli_faces_writes_n_pngs(tmp_path):
    from PIL import Image

    done = _cli("faces", "--n", "3", "--seed", "7", "--out", str(tmp_path), "--json")
    assert done.returncode == 0, done.stderr
    payload = json.loads(done.stdout)
    files = sorted(tmp_path.glob("*.png"))
    assert payload["n"] == 3 and len(files) == 3
    assert Image.open(files[0]).size == (64, 64)


def test_cli_bad_input_is_one_line_and_status_2(tmp_path):
    done = _cli("faces", "--n", "0", "--out", str(tmp_path))
    assert done.returncode == 2 and "between 1 and 64" in done.stderr and "Traceback" not in done.stderr


@pytest.mark.slow
def test_cli_train_diffusion_json_contract(tmp_path):
    done = _cli("train-diffusion", "--epochs", "1", "--limit", "64", "--seed", "0", "--out", str(tmp_path),
                "--no-save", "--json")
    assert done.returncode == 0, done.stderr
    payload = json.loads(done.stdout)
    assert {"recognised_share", "distinct_digits", "seconds"} <= set(payload)
    assert 0.0 <= payload["recognised_share"] <= 1.0 and 0 <= payload["distinct_digits"] <= 10
    assert payload["saved"] is None and (tmp_path / "diffusion_samples.png").is_file()


@pytest.mark.slow
def test_cli_train_vae_json_contract():
    done = _cli("train-vae", "--epochs", "3", "--json")
    assert done.returncode == 0, done.stderr
    payload = json.loads(done.stdout)
    assert 0 < payload["test_reconstruction_loss"] < 45  # 64 pixels; an untrained decoder scores ~44
    assert _cli("train-vae", "--latent", "0").returncode == 2
