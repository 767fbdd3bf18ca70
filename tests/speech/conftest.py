"""Speech test fixtures: models loaded once per test session, a spoken sentence made with espeak-ng."""

from __future__ import annotations

import pytest

from .makeaudio import espeak

SENTENCE = "Please call me back tomorrow morning about the train tickets."


@pytest.fixture(scope="session")
def spoken():
    """(samples, rate) of espeak-ng saying SENTENCE (22,050 Hz mono float32)."""
    return espeak(SENTENCE)


@pytest.fixture(scope="session")
def whisper():
    from dl_core import speech

    return speech.load(speech.WHISPER)


@pytest.fixture(scope="session")
def sphinx():
    from dl_core import speech

    return speech.load(speech.POCKETSPHINX)
