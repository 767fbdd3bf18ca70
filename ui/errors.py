"""The error boundary: what a person can fix becomes a message on the page, never a traceback."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator

import streamlit as st

from dl_core.errors import InputError, ModelUnavailableError


@contextlib.contextmanager
def guard(stop: bool = True) -> Iterator[None]:
    """Show `InputError` as st.error and `ModelUnavailableError` as st.warning, then stop this run
    of the page (other widgets and st.session_state survive). Other exceptions are bugs: they pass."""
    try:
        yield
    except InputError as exc:
        st.error(str(exc), icon=":material/error:")
        if stop:
            st.stop()
    except ModelUnavailableError as exc:
        st.warning(str(exc), icon=":material/cloud_off:")
        if stop:
            st.stop()


def notices(messages: Iterable[str]) -> None:
    """Non-fatal notes about the input (encoding guessed, rows dropped, text truncated)."""
    for m in messages:
        st.info(m, icon=":material/info:")
