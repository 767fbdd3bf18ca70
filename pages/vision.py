"""Vision: classify photos with a pretrained CNN, train a CNN on digits live, teach your own classifier,
and see what unlabelled data buys (semi-supervised learning). One view module per tab in ui/vision/."""

from __future__ import annotations

import streamlit as st

from ui import errors
from ui.vision import digits, photos, semi_supervised, transfer

TABS = {  # tab label -> the view that draws it
    "Classify a photo": photos.show,
    "Train a CNN on digits": digits.show,
    "Teach your own classifier": transfer.show,
    "Semi-supervised": semi_supervised.show,
}

st.title("Vision")
st.markdown(
    "Convolutional networks slide small learned filters over an image: early layers react to edges "
    "and colours, later ones to textures, parts and whole objects. Try a network trained on 1.28 "
    "million photos, train a small one yourself, and reuse a big one for your own classes."
)

# Tabs track state (only the open one runs: hidden tabs cost nothing) and live in the URL
# (?vision_tab=...), so they can be linked.
tabs = st.tabs(list(TABS), key="vision_tab", on_change="rerun", bind="query-params")
for tab, view in zip(tabs, TABS.values()):
    if tab.open is False:
        continue
    with tab, errors.guard(stop=False):
        view()
