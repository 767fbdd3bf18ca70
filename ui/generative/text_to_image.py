"""Text-to-image tab: the optional SD-Turbo from the Hugging Face Hub (online only)."""

from __future__ import annotations

import streamlit as st

from dl_core import generative, registry
from dl_core.errors import ModelUnavailableError

from .. import actions, cards, loaders

IMAGE = "gen_t2i_image"  # ui.actions key of the last generated image


def _waiting() -> None:
    st.info("Someone else is generating an image with this model; yours starts when theirs is done.",
            icon=":material/hourglass_top:")


def text_to_image_tab() -> None:
    spec = registry.get(generative.T2I_MODEL)
    st.markdown(
        f"An optional extra for people who are online: **{spec.hub_id}**, a distilled Stable "
        "Diffusion that makes a 512×512 image from a sentence in 1-4 steps. It is a "
        f"{spec.size_mb / 1000:.1f} GB download from the Hugging Face Hub and is slow without a GPU.")
    cards.model_card(generative.T2I_MODEL)
    if not registry.available(generative.T2I_MODEL):
        st.info("This machine has no copy of SD-Turbo. Loading it downloads it once (needs internet); "
                "offline, you get a message instead (after up to a minute of retries), and every other "
                "tab still works.", icon=":material/cloud_download:")
        failed = st.session_state.get("gen_t2i_failed")
        clicked = st.button("Try to download and load SD-Turbo", key="gen_t2i_load",
                            icon=":material/cloud_download:")
        if not clicked:
            if failed:  # shown again on reruns, without trying the network again
                st.warning(failed, icon=":material/cloud_off:")
            return
    try:
        pipe = loaders.model(generative.T2I_MODEL)
    except ModelUnavailableError as exc:
        st.session_state["gen_t2i_failed"] = str(exc)
        st.warning(str(exc), icon=":material/cloud_off:")
        return
    prompt = st.text_input("Prompt", "a watercolour painting of a lighthouse at dawn", key="gen_t2i_prompt")
    c1, c2, c3 = st.columns(3)
    steps = c1.slider("Steps", 1, 8, 1, key="gen_t2i_steps")
    guidance = c2.slider("Guidance", 0.0, 10.0, 0.0, 0.5, key="gen_t2i_guidance",
                         help="SD-Turbo was trained without guidance: keep 0.")
    seed = c3.number_input("Seed", 0, generative.MAX_SEED, 0, key="gen_t2i_seed")
    clicked = st.button("Generate image", key="gen_t2i_go", type="primary")

    def generate() -> tuple[object, float, str]:
        with st.spinner("Generating…"):
            image, seconds = generative.text_to_image(pipe, prompt, int(steps), float(guidance), int(seed),
                                                      on_wait=_waiting)
        return image, seconds, prompt

    result = actions.run(IMAGE, clicked, generate)
    if result is not None:
        image, seconds, asked = result
        st.image(image, caption=f"{asked} · {seconds:.1f} s")

