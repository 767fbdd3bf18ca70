"""The error boundary: what a person can fix becomes a message on the page, never a traceback."""

from __future__ import annotations

import contextlib
import logging
import os
import uuid
from collections.abc import Iterable, Iterator

import streamlit as st

from dl_core.errors import InputError, ModelUnavailableError
from ui import fragments


@contextlib.contextmanager
def guard(stop: bool = True) -> Iterator[None]:
    """Show `InputError` as st.error and `ModelUnavailableError` as st.warning, then stop this run
    of the page (other widgets and st.session_state survive; `fragments.stop`, which also stops the page
    from a fragment rerun). Other exceptions are bugs: they pass."""
    try:
        yield
    except InputError as exc:
        st.error(str(exc), icon=":material/error:")
        if stop:
            fragments.stop()
    except ModelUnavailableError as exc:
        st.warning(str(exc), icon=":material/cloud_off:")
        if stop:
            fragments.stop()


def notices(messages: Iterable[str]) -> None:
    """Non-fatal notes about the input (encoding guessed, rows dropped, text truncated), in one box: a
    list when there are several (fraud's data has five; each element on a page costs every rerun)."""
    messages = list(messages)
    if messages:
        st.info(messages[0] if len(messages) == 1 else "\n".join(f"- {m}" for m in messages), icon=":material/info:")


log = logging.getLogger("dlx.app")
DEBUG_VAR = "DLX_DEBUG"  # set (the tests do): unexpected errors surface with their traceback


@contextlib.contextmanager
def unexpected_errors() -> Iterator[None]:
    """Around a whole page: a bug shows the app's own short message with an incident id, never
    server code or paths; the traceback goes to the server log under that id. The person's
    session (inputs, trained models) is untouched, so they can change a setting and go on."""
    try:
        yield
    except (InputError, ModelUnavailableError) as exc:  # escaped a guard: still the person's to fix
        st.error(str(exc), icon=":material/error:")
    except Exception:
        if os.environ.get(DEBUG_VAR):
            raise
        incident = uuid.uuid4().hex[:8]
        log.exception("unexpected error, incident %s", incident)
        st.error(f"Something went wrong on our side (incident {incident}). Your inputs and trained "
                 "models are kept: try again, or change a setting. The server log has the details "
                 "under this incident id.", icon=":material/bug_report:")
