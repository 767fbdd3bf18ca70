"""Small static tables as Markdown: text the page draws with the rest of its Markdown.

Why not `st.dataframe` for a table nobody sorts: its grid and Arrow scripts (~1.5 MB) cost a new browser
~0.3 s to load on 2 cores before the page settles (issue 13: Home's open 2.31 / 2.42 -> 2.04 / 2.06 s, two
alternating `bench_pages.py` runs), and a grid cuts long text where a Markdown table wraps it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

_SPECIAL = re.compile(r"([\\`*_\[\]<>|#~$:])")  # Markdown, Streamlit's :icons: and $maths$: shown as typed


def cell(value: object) -> str:
    """A value as the literal text of one table cell."""
    return _SPECIAL.sub(r"\\\1", " ".join(str(value).split()))


def table(rows: Sequence[Mapping[str, object]]) -> str:
    """A Markdown table of `rows` (the first row's keys are the columns, in order)."""
    if not rows:
        return ""
    columns = list(rows[0])
    lines = ["| " + " | ".join(cell(c) for c in columns) + " |", "|" + " --- |" * len(columns)]
    lines += ["| " + " | ".join(cell(row.get(c, "")) for c in columns) + " |" for row in rows]
    return "\n".join(lines)
