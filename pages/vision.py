"""Vision: classify photos with a pretrained CNN, train a CNN on digits live, teach your own classifier,
and see what unlabelled data buys (semi-supervised learning). One view module per tab in ui/vision/."""

from __future__ import annotations

import streamlit as st

from ui import tabs
from ui.vision import digits, photos, semi_supervised, transfer

st.title("Vision")
st.markdown(
    "Convolutional networks slide small learned filters over an image: early layers react to edges "
    "and colours, later ones to textures, parts and whole objects. Try a network trained on 1.28 "
    "million photos, train a small one yourself, and reuse a big one for your own classes."
)

# Only the open tab runs (hidden tabs cost nothing) and it is in the URL (?vision_tab=...), so it can be
# linked; what was set in the other tabs is kept (ui/tabs.py: each tab's widget key prefixes).
tabs.show("vision_tab", [
    tabs.Tab("Classify a photo", photos.show, ("photo_",)),
    tabs.Tab("Train a CNN on digits", digits.show, ("dg_", "tune_")),
    tabs.Tab("Teach your own classifier", transfer.show, ("tl_",)),
    tabs.Tab("Semi-supervised", semi_supervised.show, ("ss_",)),
])
