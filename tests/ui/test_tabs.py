"""ui.tabs: only the open tab's view runs, and the widget values of the closed tabs survive a visit to
another tab (Streamlit alone drops them: `test_without_keeping_the_values_are_lost`)."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.ui.helpers import tab_labels
from ui import tabs

APP = '''
import datetime as dt
import streamlit as st
from ui import tabs

def view_a():
    st.session_state["runs_a"] = st.session_state.get("runs_a", 0) + 1
    st.slider("a", 0, 10, 1, key="a_x")

def view_b():
    st.session_state["runs_b"] = st.session_state.get("runs_b", 0) + 1
    st.slider("x", 0, 10, 2, key="b_x")
    st.slider("range", 0, 10, (2, 8), key="b_range")
    st.selectbox("pick", ["one", "two", "three"], key="b_pick")
    st.selectbox("maybe", [None, "col"], index=1, key="b_maybe")
    st.toggle("on", True, key="b_on")
    st.multiselect("many", ["p", "q", "r"], ["p"], key="b_many")
    st.number_input("n", 0, 100, 5, key="b_n")
    st.text_area("text", "hello", key="b_text")
    st.radio("mode", ["fast", "slow"], key="b_mode")
    st.date_input("day", dt.date(2024, 1, 1), key="b_day")
    st.button("go", key="b_go")
    st.download_button("save", b"x", "x.txt", key="b_save")
    f = st.file_uploader("file", key="b_file")
    st.caption(f"file: {f.name if f else None}")

tabs.show("t", [tabs.Tab("A", view_a, ("a_",)), tabs.Tab("B", view_b, ("b_",))])
'''

CHANGED = {"b_x": 7, "b_range": (3, 4), "b_pick": "three", "b_maybe": None, "b_on": False, "b_many": ["q", "r"],
           "b_n": 42, "b_text": "changed", "b_mode": "slow", "b_day": dt.date(2020, 5, 17)}


def _app():
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_string(APP, default_timeout=60)
    at.run()
    return at


def _open(at, label: str):
    at.session_state["t"] = label
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at




def _widget(at, key: str):
    for kind in ("slider", "selectbox", "toggle", "multiselect", "number_input", "text_area", "radio", "date_input"):
        found = [w for w in getattr(at, kind) if w.key == key]
        if found:
            return found[0]
    raise KeyError(key)


def _set_b(at):
    _open(at, "B")
    for key, value in CHANGED.items():
        w = _widget(at, key)
        w.select_index(0) if value is None else w.set_value(value)  # AppTest reads set_value(None) as "unset"
    at.run()
    assert {k: _widget(at, k).value for k in CHANGED} == CHANGED


def test_only_the_open_tab_runs():
    at = _app()
    assert tab_labels(at, "t") == ["A", "B"]
    assert at.session_state["runs_a"] == 1 and "runs_b" not in at.session_state
    _open(at, "B")
    assert at.session_state["runs_a"] == 1 and at.session_state["runs_b"] == 1
    assert not [s for s in at.slider if s.key == "a_x"]  # A draws nothing while closed


def test_closed_tab_values_survive_a_visit_to_another_tab():
    at = _app()
    _set_b(at)
    _open(at, "A")
    _widget(at, "a_x").set_value(9)  # more runs while B is closed
    at.run()
    _open(at, "A")
    _open(at, "B")
    assert {k: _widget(at, k).value for k in CHANGED} == CHANGED
    _open(at, "A")
    assert _widget(at, "a_x").value == 9  # and the other way round


def test_a_value_changed_after_coming_back_is_the_one_kept_next_time():
    at = _app()
    _set_b(at)
    _open(at, "A")
    _open(at, "B")
    _widget(at, "b_x").set_value(1)
    _widget(at, "b_pick").set_value("two")
    at.run()
    _open(at, "A")
    _open(at, "B")
    assert _widget(at, "b_x").value == 1 and _widget(at, "b_pick").value == "two"


def test_without_keeping_the_values_are_lost(monkeypatch):
    """The test above can fail: with keep_closed doing nothing, Streamlit resets B's widgets."""
    monkeypatch.setattr(tabs, "keep_closed", lambda *a, **k: [])
    at = _app()
    _set_b(at)
    _open(at, "A")
    _open(at, "B")
    assert _widget(at, "b_x").value == 2 and _widget(at, "b_pick").value == "one" and _widget(at, "b_on").value


def test_buttons_and_uploads_are_not_kept_and_still_work():
    at = _app()
    _open(at, "B")
    at.file_uploader(key="b_file").set_value(("notes.txt", b"hi", "text/plain"))
    at.run()
    assert any(c.value == "file: notes.txt" for c in at.caption)
    _open(at, "A")
    for key in ("b_go", "b_save", "b_file"):  # an event or a file: left to Streamlit, which drops it
        assert key not in at.session_state, key
    assert at.session_state["b_x"] == 2  # while the plain values stay
    _open(at, "B")
    assert any(c.value == "file: None" for c in at.caption)  # an upload cannot come back into its uploader
    at.button(key="b_go").click()
    at.run()
    assert not at.exception and at.button(key="b_go").value is True
    at.file_uploader(key="b_file").set_value(("again.txt", b"hi", "text/plain"))
    at.run()
    assert not at.exception and any(c.value == "file: again.txt" for c in at.caption)


def test_a_link_opens_its_tab():
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_string(APP, default_timeout=60)
    at.query_params["t"] = "B"  # ?t=B
    at.run()
    assert not at.exception and "runs_a" not in at.session_state and at.session_state["runs_b"] == 1


@pytest.mark.parametrize("key, owner", [("rl_env", "train"), ("rl_q_alpha", "grid"), ("rl_tabular_download", "grid"),
                                        ("rl_watch_seed", "watch"), ("stop::rl_deep", None), ("rl", None)])
def test_a_key_belongs_to_the_tab_with_the_longest_matching_prefix(key, owner):
    def view():
        return None

    page = [tabs.Tab("train", view, ("rl_",)), tabs.Tab("watch", view, ("rl_watch_",)),
            tabs.Tab("grid", view, ("rl_q_", "rl_tabular_"))]
    found = tabs.owner(key, page)
    assert (found.label if found else None) == owner


@pytest.mark.parametrize("value, plain", [(3, True), (0.5, True), ("x", True), (None, True), (False, True),
                                          ((1, 2), True), (["a", "b"], True), (dt.date(2024, 1, 1), True),
                                          ({"selection": {}}, False), ([{"a": 1}], False), (object(), False)])
def test_plain_values(value, plain):
    assert tabs.is_plain(value) is plain


def test_a_widget_drawn_in_this_run_is_never_touched():
    """A widget drawn before the tabs whose key looks like a closed tab's: Streamlit refuses to set it
    (the helper's test), so it is left alone and keeps working."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_string(APP.replace('tabs.show(', 'st.slider("outside", 0, 10, 4, key="b_outside")\ntabs.show('),
                             default_timeout=60)
    at.run()
    at.slider(key="b_outside").set_value(6)
    at.run()
    _open(at, "A")
    assert at.slider(key="b_outside").value == 6
    assert not any("set via the Session State API" in w.value for w in at.warning)
