"""Shared fixtures of the generative tests: a quick digits judge and one tiny diffusion model.

The real judge (20 epochs, ~99% on held-out digits) takes tens of seconds on a busy 2-core machine;
the tests only need *a* judge, so a 1-epoch one is saved in the session's data folder, where every
`digit_judge()` (in-process, in the CLI subprocesses, in AppTest) finds it. The judge's own accuracy
is tested apart (marked slow). The tiny diffusion model trains 1 epoch on 64 digits and judges 10
samples; the real target is measured by bench/bench_generative.py.
"""

from __future__ import annotations

import pytest
import torch

from dl_core import generative, store
from dl_core.generative import judge as judge_module

TINY = generative.DiffusionConfig(epochs=1, limit=64, channels=(8, 16), timesteps=50, batch_size=32,
                                  judged_per_digit=1, judged_steps=3, device="cpu")


@pytest.fixture(scope="session")
def quick_judge() -> generative.DigitJudge:
    if not store.path_for(judge_module.CLASSIFIER_FILE).is_file():
        judge = judge_module.train_classifier(epochs=1, device=torch.device("cpu"))
        store.save(judge_module.CLASSIFIER_FILE, judge.model.state_dict(), {"accuracy": judge.accuracy})
    return generative.digit_judge(torch.device("cpu"))


@pytest.fixture(scope="session")
def tiny_diffusion(quick_judge):
    """One tiny trained model (a TrainedModel) for the sampling, saving and page tests."""
    return generative.train_diffusion(None, TINY, caller="cli")
