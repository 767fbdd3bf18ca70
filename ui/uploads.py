"""Uploads that survive a visit to another tab.

Only the open tab is drawn (ui/tabs.py), and an uploader that is drawn again starts empty: Streamlit cannot
put a file back into it. `kept` keeps the bytes of the last upload in this person's session (never
shared, never written to disk) and hands them back, with a note and a button to drop them, while the
uploader is empty. For small text uploads (a CSV of reviews, a few documents), where keeping what was
parsed would mean keeping each column choice's parse; at most MAX_KEPT_BYTES per uploader (a bigger
upload is not kept). Views with big uploads keep their parsed form instead (ui/vision/photos.py,
ui/speech/).

    files = st.file_uploader(..., key="nlp_docs", on_change=uploads.forget, args=("nlp_docs",))
    files = uploads.kept("nlp_docs", files)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import streamlit as st


@dataclass(frozen=True)
class KeptFile:
    """What the views read of an UploadedFile: name, file_id (what caches are keyed on), the bytes."""

    name: str
    file_id: str
    data: bytes

    def getvalue(self) -> bytes:
        return self.data

    @property
    def size(self) -> int:
        return len(self.data)


# Kept per uploader and session, so a class on one server holds at most this much per person and uploader
# while its tab is closed; a bigger upload is not kept (the person uploads it again after a tab visit).
MAX_KEPT_BYTES = 20 * 1024 * 1024


def _slot(key: str) -> str:
    return f"uploads::{key}"


def forget(key: str) -> None:
    """The uploader's callback: the person uploaded other files or removed them, so the kept ones go."""
    st.session_state.pop(_slot(key), None)


def kept(key: str, files: Any) -> Any:
    """`files` (what uploader `key` returned: a file, a list, or None/[]), kept in the session; while the
    uploader is empty, the files of its last upload, with a note and a button to drop them."""
    slot = _slot(key)
    if files:
        many = isinstance(files, list)
        ids = tuple(f.file_id for f in (files if many else [files]))
        if st.session_state.get(slot, (None, None, ()))[2] != ids:  # copied once per upload, not per rerun
            given = files if many else [files]
            if sum(f.size for f in given) > MAX_KEPT_BYTES:
                st.session_state.pop(slot, None)
            else:
                st.session_state[slot] = (many, [KeptFile(f.name, f.file_id, f.getvalue()) for f in given], ids)
        return files
    if slot not in st.session_state:
        return files
    many, held, _ = st.session_state[slot]
    what = held[0].name if len(held) == 1 else f"{len(held)} files"
    st.caption(f"Using {what} (uploaded earlier); a new upload replaces {'it' if len(held) == 1 else 'them'}.")
    st.button("Drop it" if len(held) == 1 else "Drop them", key=f"{key}_forget", on_click=forget, args=(key,),
              icon=":material/close:")
    return held if many else held[0]
