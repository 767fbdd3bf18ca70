"""Text-to-image: the loading code and thread safety, with a tiny pipeline built from configs (no download)."""

from __future__ import annotations

import dataclasses
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from dl_core import generative, registry, training
from dl_core.errors import InputError, ModelUnavailableError


def _tiny_text_to_image(folder: Path) -> Path:
    """A Stable-Diffusion-shaped pipeline with tiny random weights, built from configs only."""
    from diffusers import AutoencoderKL, EulerDiscreteScheduler, StableDiffusionPipeline, UNet2DConditionModel
    from transformers import CLIPTextConfig, CLIPTextModel, CLIPTokenizer

    with training.seeded(0):
        unet = UNet2DConditionModel(
            block_out_channels=(8, 16), layers_per_block=1, sample_size=8, in_channels=4, out_channels=4,
            down_block_types=("CrossAttnDownBlock2D", "DownBlock2D"),
            up_block_types=("UpBlock2D", "CrossAttnUpBlock2D"),
            cross_attention_dim=16, norm_num_groups=4, attention_head_dim=2)
        vae = AutoencoderKL(block_out_channels=(8, 16), latent_channels=4, norm_num_groups=4, sample_size=16,
                            down_block_types=("DownEncoderBlock2D",) * 2, up_block_types=("UpDecoderBlock2D",) * 2)
        text = CLIPTextModel(CLIPTextConfig(vocab_size=600, hidden_size=16, intermediate_size=32,
                                            num_attention_heads=2, num_hidden_layers=1, bos_token_id=0,
                                            eos_token_id=1, pad_token_id=1))
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
    pipe.set_progress_bar_config(disable=True)
    pipe.save_pretrained(folder)
    return folder


@pytest.fixture(scope="module")
def tiny_pipe(tmp_path_factory):
    """The tiny pipeline, loaded by the same registry loader as sd-turbo."""
    folder = _tiny_text_to_image(tmp_path_factory.mktemp("tiny-sd"))
    spec = dataclasses.replace(registry.get(generative.T2I_MODEL), name="tiny-text-to-image", hub_id=str(folder))
    registry.register(spec, replace=True)
    try:
        assert registry.available("tiny-text-to-image")
        pipe = registry.load("tiny-text-to-image", "cpu")
        pipe.set_progress_bar_config(disable=True)
        yield pipe
    finally:
        registry.unregister("tiny-text-to-image")


def _pixels(image) -> np.ndarray:
    return np.asarray(image, dtype=np.int16)


@pytest.mark.slow
def test_text_to_image_loading_code_with_a_tiny_pipeline(tiny_pipe):
    image, seconds = generative.text_to_image(tiny_pipe, "a red bicycle", steps=2, guidance=0.0, seed=0, size=64)
    assert image.size == (64, 64) and seconds > 0
    again, _ = generative.text_to_image(tiny_pipe, "a red bicycle", steps=2, guidance=0.0, seed=0, size=64)
    other, _ = generative.text_to_image(tiny_pipe, "a red bicycle", steps=2, guidance=0.0, seed=1, size=64)
    assert np.array_equal(_pixels(image), _pixels(again)) and not np.array_equal(_pixels(image), _pixels(other))
    with pytest.raises(InputError, match="prompt is empty"):
        generative.text_to_image(tiny_pipe, "   ")


@pytest.mark.slow
def test_two_sessions_generating_at_once_each_get_their_solo_image(tiny_pipe):
    # Different step counts and guidance: a shared scheduler or pipeline state would mix them up.
    settings = [{"prompt": "a red bicycle", "steps": 2, "guidance": 0.0, "seed": 1, "size": 64},
                {"prompt": "a blue boat", "steps": 5, "guidance": 4.0, "seed": 2, "size": 64}]
    solo = [_pixels(generative.text_to_image(tiny_pipe, **s)[0]) for s in settings]
    def session(i: int, barrier: threading.Barrier, found: dict[int, np.ndarray]) -> None:
        barrier.wait()
        found[i] = _pixels(generative.text_to_image(tiny_pipe, **settings[i])[0])

    for _ in range(3):
        barrier = threading.Barrier(len(settings))
        found: dict[int, np.ndarray] = {}
        threads = [threading.Thread(target=session, args=(i, barrier, found)) for i in range(len(settings))]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=120)
        assert all(np.array_equal(found[i], solo[i]) for i in range(len(settings)))


@pytest.mark.slow
def test_a_second_call_waits_for_the_first_and_is_told_so(tiny_pipe, monkeypatch):
    scheduler = tiny_pipe.scheduler
    inside, may_finish = threading.Event(), threading.Event()
    real_step = scheduler.step
    events: list[str] = []

    def held_step(*args, **kwargs):  # the first call pauses inside the pipeline until the second waits
        inside.set()
        may_finish.wait(30)
        return real_step(*args, **kwargs)

    monkeypatch.setattr(scheduler, "step", held_step)

    def first() -> None:
        generative.text_to_image(tiny_pipe, "a red bicycle", steps=1, seed=0, size=64)
        events.append("first done")

    def second() -> None:
        generative.text_to_image(tiny_pipe, "a blue boat", steps=1, seed=0, size=64,
                                 on_wait=lambda: (events.append("second waits"), may_finish.set()))
        events.append("second done")

    a = threading.Thread(target=first)
    a.start()
    assert inside.wait(30)
    b = threading.Thread(target=second)
    b.start()
    a.join(timeout=60)
    b.join(timeout=60)
    assert events == ["second waits", "first done", "second done"]


def test_text_to_image_settings_are_bounded():
    with pytest.raises(InputError, match="characters"):
        generative.check_text_to_image("x" * 600, 1, 0.0, 512)
    with pytest.raises(InputError, match="Steps"):
        generative.check_text_to_image("a cat", 0, 0.0, 512)
    with pytest.raises(InputError, match="multiple of 8"):
        generative.check_text_to_image("a cat", 1, 0.0, 500)


def test_sd_turbo_offline_gives_a_clear_message():
    # conftest sets HF_HUB_OFFLINE=1, as in CI: no download is attempted.
    assert not registry.available(generative.T2I_MODEL)
    started = time.perf_counter()
    with pytest.raises(ModelUnavailableError, match="offline"):
        registry.load(generative.T2I_MODEL, "cpu")
    assert time.perf_counter() - started < 60
