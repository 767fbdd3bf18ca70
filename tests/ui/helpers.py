"""AppTest checks for pages built with ui.tabs."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from typing import Any

# Widgets that hold a setting (what ui.tabs keeps); buttons, uploaders and charts are left out.
SETTINGS = {"slider", "select_slider", "selectbox", "multiselect", "radio", "checkbox", "toggle", "number_input",
            "text_input", "text_area", "date_input", "time_input", "color_picker"}


def _nodes(node: Any) -> Iterator[Any]:
    for child in getattr(node, "children", {}).values():
        yield child
        yield from _nodes(child)


def echarts_spec(at, key: str) -> dict:
    """The option of the ECharts chart drawn under `key` (st.echarts_chart: AppTest sees an UnknownElement
    whose id ends with the key)."""
    return next(json.loads(c.proto.spec) for c in at.get("echarts_chart") if c.proto.id.endswith(key))


def settings_drawn(at) -> set[str]:
    """Keys of the setting widgets this run drew."""
    return {n.key for n in _nodes(at.main) if getattr(n, "key", None) and getattr(n, "type", None) in SETTINGS}


def assert_each_tab_keeps_its_settings(at, tab_key: str, labels: Sequence[str]) -> None:
    """Every setting drawn in a tab is still in the session while each other tab is open: so no widget
    of a page has a key outside its tab's prefixes (it would be reset by a visit to another tab)."""
    for label in labels:
        at.session_state[tab_key] = label
        at.run()
        drawn = settings_drawn(at)
        assert drawn, f"no setting drawn in {label!r}"
        for other in labels:
            if other == label:
                continue
            at.session_state[tab_key] = other
            at.run()
            lost = sorted(k for k in drawn if k not in at.session_state)
            assert not lost, f"{label!r}: {lost} reset by a visit to {other!r} (a key outside the tab's prefixes?)"


def fragments_drawn(monkeypatch) -> list[str]:
    """The sections that the next runs draw as fragments (ui/fragments.alone), as "module.function"."""
    from ui import fragments

    seen: list[str] = []
    real = fragments._fragment

    def spy(draw, shown_below):
        fn = getattr(draw, "func", draw)  # (or a partial)
        seen.append(f"{fn.__module__.rsplit('.', 1)[-1]}.{fn.__name__}")
        return real(draw, shown_below)

    monkeypatch.setattr(fragments, "_fragment", spy)
    return seen


def alone_calls(monkeypatch) -> list[tuple[str, bool]]:
    """[(draw function, shown_below())] of each `fragments.alone` call of the next runs: while shown_below()
    is False the section is a fragment (a slider in it redraws only it), else a plain part of the tab."""
    from ui import fragments

    calls: list[tuple[str, bool]] = []
    real = fragments.alone

    def recording(draw, shown_below):
        calls.append((getattr(draw, "__name__", None) or draw.func.__name__, shown_below()))  # (or a partial)
        return real(draw, shown_below)

    monkeypatch.setattr(fragments, "alone", recording)
    return calls


def tab_labels(at, key: str) -> list[str]:
    """The labels of a ui.tabs choice (a segmented control under `key`), in the order shown."""
    return list(at.button_group(key=key).options)
