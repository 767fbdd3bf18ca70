"""Model cards: what a model is, where it comes from, its licence and data."""

from __future__ import annotations

import streamlit as st

from dl_core import registry

_SOURCE = {
    "bundled": ":green-badge[offline · bundled]",
    "hub": ":orange-badge[optional · online download]",
    "local": ":blue-badge[trained here]",
}


def model_card(name: str, expanded: bool = False) -> None:
    spec = registry.get(name)
    with st.expander(f"Model card: {spec.name}", expanded=expanded, icon=":material/badge:"):
        st.markdown(f"{_SOURCE[spec.source]} &nbsp; {spec.description}")
        rows = {"Task": spec.task, "Licence": spec.licence, "Size": f"{spec.size_mb:g} MB"}
        if spec.hub_id:
            rows["Hugging Face id"] = f"`{spec.hub_id}`"
        rows.update({k.capitalize(): v for k, v in spec.card.items()})
        st.markdown("\n".join(f"- **{k}:** {v}" for k, v in rows.items()))


def model_label(name: str) -> str:
    """A selectbox label that says whether a model is offline or needs a download."""
    spec = registry.get(name)
    return {"bundled": f"{name} (offline)", "local": f"{name} (trained here)",
            "hub": f"{name} (online download)"}[spec.source]
