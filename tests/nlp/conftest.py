"""Fixtures of the NLP tests (see helpers.py for what they cost)."""

from __future__ import annotations

import pytest

from dl_core import nlp

from .helpers import encoder, ensure_tiny_head, tiny_lm


@pytest.fixture(scope="session")
def model() -> nlp.SentimentModel:
    return ensure_tiny_head()[0]


@pytest.fixture(scope="session")
def shared_encoder():
    return encoder()


@pytest.fixture(scope="session")
def lm():
    return tiny_lm()
