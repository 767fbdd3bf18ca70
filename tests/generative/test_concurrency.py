"""Two people training at the same moment each get what they would get alone (seeds never leak).

Streamlit serves every session from a thread of one process; the engine draws weight init under
`training.seeded` and everything else from local generators, so a seed means the same model
whatever runs beside it. Here two trainings with different seeds run in two threads at once, and
each must equal its solo run exactly.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
import torch

from dl_core import generative
from tests.generative.conftest import TINY


def _side_by_side(jobs: list[Callable[[], Any]]) -> list[Any]:
    barrier = threading.Barrier(len(jobs))
    results: list[Any] = [None] * len(jobs)
    errors: list[BaseException] = []

    def run(i: int) -> None:
        barrier.wait()
        try:
            results[i] = jobs[i]()
        except BaseException as exc:  # surfaced below, not lost in the thread
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(jobs))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=600)
    assert not errors, errors
    return results


def _same_weights(a: torch.nn.Module, b: torch.nn.Module) -> bool:
    sa, sb = a.state_dict(), b.state_dict()
    return sa.keys() == sb.keys() and all(torch.equal(sa[k], sb[k]) for k in sa)


def test_two_vae_trainings_at_once_equal_their_solo_runs():
    configs = [generative.VAEConfig(epochs=2, seed=s, device="cpu") for s in (0, 1)]
    solo = [generative.train_vae(None, c) for c in configs]
    together = _side_by_side([lambda c=c: generative.train_vae(None, c) for c in configs])
    for alone, beside in zip(solo, together):
        assert beside.metrics == alone.metrics and _same_weights(beside.model, alone.model)
    assert solo[0].metrics != solo[1].metrics  # the seeds really differ


def test_two_gan_labs_at_once_equal_their_solo_runs():
    configs = [generative.GANConfig(epochs=2, steps=15, hidden=16, layers=2, seed=s) for s in (0, 1)]
    solo = [generative.train_gan("two moons", c) for c in configs]
    together = _side_by_side([lambda c=c: generative.train_gan("two moons", c) for c in configs])
    for alone, beside in zip(solo, together):
        assert beside.metrics == alone.metrics and _same_weights(beside.model, alone.model)
        assert np.array_equal(beside.details["snapshots"][-1].surface, alone.details["snapshots"][-1].surface)


@pytest.mark.slow
def test_a_diffusion_training_beside_a_vae_equals_its_solo_run(quick_judge):
    alone = generative.train_diffusion(None, TINY)
    beside, _ = _side_by_side([lambda: generative.train_diffusion(None, TINY),
                               lambda: generative.train_vae(None, generative.VAEConfig(epochs=3, device="cpu"))])
    assert beside.metrics == alone.metrics and _same_weights(beside.model.unet, alone.model.unet)
