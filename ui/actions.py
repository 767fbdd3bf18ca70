"""The page pattern in one place: a button starts engine work, errors become messages, the result is
kept in this person's session and redrawn on every rerun until the next click.

    result = actions.on_click("Train", key="digits", compute=lambda: vision.train_digits(cfg, ...))
    if result is not None:
        views.show_digits(result)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import streamlit as st

from . import errors

T = TypeVar("T")


def _key(key: str) -> str:
    return f"result::{key}"


def kept(key: str) -> Any:
    """The result kept under `key` in this session, or None."""
    return st.session_state.get(_key(key))


def keep(key: str, value: Any) -> None:
    st.session_state[_key(key)] = value


def forget(key: str) -> None:
    st.session_state.pop(_key(key), None)


def run(key: str, clicked: bool, compute: Callable[[], T], stop: bool = False) -> T | None:
    """When `clicked`, run `compute` inside the error boundary and keep what it returns.

    Returns the kept result (the new one, or the previous one on reruns), None before the first
    success. An `InputError` shows its message; with `stop=False` the rest of the page still draws
    and the previous result stays (a bad setting never throws away a trained model).
    """
    if clicked:
        with errors.guard(stop=stop):
            keep(key, compute())
    return kept(key)


def on_click(label: str, key: str, compute: Callable[[], T], *, stop: bool = False,
             **button: Any) -> T | None:
    """`run` behind a button drawn here (`button` goes to st.button: type, icon, help, disabled)."""
    button.setdefault("type", "primary")
    clicked = st.button(label, key=f"button::{key}", **button)
    return run(key, clicked, compute, stop=stop)


def results_match(matches: bool, same: str, changed: str) -> None:
    """One line above kept results that says whether they are of the settings shown: `same` in a green box,
    else `changed` in an orange one. Always the same element, one line in both states, so that a setting's
    step changes its colour and text in place: a warning box that came and went moved everything below it,
    and the browser drew the whole page again (fraud's data sliders after a training, 0.163 against
    0.132 s without the box, bench/ab_reruns.py; issue 13). Keep both texts short enough for one line."""
    if matches:
        st.success(same, icon=":material/check_circle:")
    else:
        st.warning(changed, icon=":material/history:")
