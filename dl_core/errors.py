"""Errors a person can act on.

Everything that comes from a person (an upload, a slider, a command-line argument) is checked where it
enters the core, and a refusal is an `InputError` whose message says what was wrong *and what to do*.
Pages turn these into `st.error`; the command line prints them on one line and exits with status 2.
Any other exception is a bug and should surface in tests, not be swallowed.
"""

from __future__ import annotations


class InputError(ValueError):
    """Something the person gave us cannot be used; the message tells them how to fix it."""


class UnknownModelError(InputError, KeyError):
    """A model name that is not in the registry; the message lists the valid names."""

    def __str__(self) -> str:  # KeyError would otherwise wrap the message in quotes
        return str(self.args[0]) if self.args else ""


class ModelUnavailableError(RuntimeError):
    """A model exists in the registry but cannot be loaded here (offline, or not installed/trained)."""
