"""The tunable models: for each, the search space (the same ranges as its page's sliders), the
validation metric and its direction, and how to train it through its one engine call."""

from __future__ import annotations

import functools

from ..errors import InputError
from .study import Tunable


@functools.cache
def tunables() -> dict[str, Tunable]:
    """Every tunable model by name (built on first use: it imports the use cases)."""
    found: dict[str, Tunable] = {}
    return found


def get(name: str) -> Tunable:
    table = tunables()
    if name not in table:
        raise InputError(f"Unknown model to tune {name!r}. Valid: {', '.join(sorted(table)) or 'none'}.")
    return table[name]
