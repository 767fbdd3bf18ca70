"""Generative page, image tabs: the face GAN, diffusion on digits, optional text-to-image.

Each tab is a function the page calls inside `st.tabs`. Tabs must never `st.stop()` (that would also
stop the tabs after them), so errors are shown with `guard(stop=False)` and the tab returns early.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import streamlit as st

from dl_core import device, generative, registry
from dl_core import generative_diffusion as gd
from dl_core.errors import ModelUnavailableError

from . import cards, errors, loaders
from . import training as live

DIFF_RUN = "gen_diffusion"  # ui.training name of a person's diffusion training run


def attempt(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Call fn; show an InputError/ModelUnavailableError on the page and return None instead."""
    with errors.guard(stop=False):
        return fn(*args, **kwargs)
    return None


# ---- faces ---------------------------------------------------------------------------------------

@st.cache_data(max_entries=64, show_spinner=False)
def _faces(n: int, seed: int, psi: float) -> np.ndarray:
    return generative.faces(loaders.model(generative.FACE_MODEL), n, seed, psi)


@st.cache_data(max_entries=32, show_spinner=False)
def _interpolation(seed_a: int, seed_b: int, frames: int, psi: float) -> tuple[np.ndarray, bytes]:
    strip = generative.interpolate(loaders.model(generative.FACE_MODEL), seed_a, seed_b, frames, psi)
    return strip, generative.gif_bytes(strip)


@st.cache_resource(show_spinner="Finding latent directions from 256 faces (once per machine)…")
def _directions() -> list[generative.LatentDirection]:
    return generative.face_directions(loaders.model(generative.FACE_MODEL))


def faces_tab() -> None:
    st.markdown(
        "A **GAN** (generative adversarial network) learned to turn 100 random numbers, a *latent "
        "vector* z, into a 64×64 face. Every seed gives a different z, so a different face. This "
        "generator (a DCGAN) was trained on synthetic, computer-rendered faces.")
    if not registry.available(generative.FACE_MODEL):
        attempt(loaders.model, generative.FACE_MODEL)  # shows why (package missing) as a warning
        return
    c1, c2, c3 = st.columns(3)
    seed = c1.number_input("Seed", 0, generative.MAX_SEED, 0, key="gen_face_seed")
    n = c2.slider("Number of faces", 1, generative.MAX_FACES, 16, key="gen_face_n")
    psi = c3.slider("Truncation ψ", 0.0, 2.0, 1.0, 0.05, key="gen_face_psi",
                    help="z is multiplied by ψ: below 1, faces are more typical and cleaner but less "
                         "varied; 1 is the untouched model; above 1, stranger faces.")
    images = attempt(_faces, int(n), int(seed), float(psi))
    if images is None:
        return
    st.image(generative.grid(images, cols=8, scale=2), caption=f"{n} faces from seed {seed}, ψ = {psi:.2f}")

    st.subheader("Move along latent directions")
    st.caption("Directions in z found here by measuring the generator: regression of each face's "
               "brightness / warmth on z, and the principal directions of its first layer (GANSpace). "
               "Slide to move the chosen face along them.")
    if st.toggle("Show the direction sliders", key="gen_face_dirs_on",
                 help="Computed once from 256 faces (a few seconds), then kept on disk."):
        directions = _directions()
        which = st.slider("Face from the grid", 1, int(n), 1, key="gen_face_pick")
        cols = st.columns(len(directions))
        amounts = [col.slider(d.name, -3.0, 3.0, 0.0, 0.25, key=f"gen_face_dir_{i}", help=d.description)
                   for i, (col, d) in enumerate(zip(cols, directions))]
        z = generative.face_latents(int(n), int(seed), float(psi))[which - 1: which]
        moved = generative.render_faces(loaders.model(generative.FACE_MODEL),
                                        generative.move(z, directions, amounts))
        left, right = st.columns(2)
        left.image(generative.grid(images[which - 1: which], cols=1, scale=4), caption="original")
        right.image(generative.grid(moved, cols=1, scale=4), caption="moved")

    st.subheader("Interpolate between two faces")
    c1, c2, c3 = st.columns(3)
    seed_a = c1.number_input("Seed of face A", 0, generative.MAX_SEED, 1, key="gen_interp_a")
    seed_b = c2.number_input("Seed of face B", 0, generative.MAX_SEED, 2, key="gen_interp_b")
    frames = c3.slider("Frames", 2, 30, 8, key="gen_interp_frames")
    result = attempt(_interpolation, int(seed_a), int(seed_b), int(frames), float(psi))
    if result is not None:
        strip, gif = result
        st.image(generative.grid(strip, cols=int(frames), scale=2),
                 caption="Spherical interpolation of z from face A to face B")
        c1, c2 = st.columns([1, 3])
        c1.image(gif, caption="animated")
        c2.download_button("Download the GIF", gif, file_name=f"faces_{seed_a}_to_{seed_b}.gif",
                           mime="image/gif", key="gen_interp_gif", icon=":material/download:")
    cards.model_card(generative.FACE_MODEL, expanded=True)  # licence and training data, as the issue asks


# ---- diffusion on digits -------------------------------------------------------------------------

def _train_diffusion(config: gd.DiffusionConfig, save_as_default: bool) -> None:
    """Train with live curves and a Stop button; log to MLflow; save the default model to disk."""
    from dl_core import tracking

    run_ui = live.LiveTraining(DIFF_RUN, config.epochs, title="Diffusion training loss (noise MSE)")
    params = {k: v for k, v in vars(config).items() if k != "seed"}
    with tracking.start_run("generative/diffusion-digits", params, seed=config.seed, source="app") as run:
        model, result, net = gd.train_diffusion(config, callbacks=[run_ui, run.callback])
        with st.spinner("Judging 100 samples with the digits classifier…"):
            quality, _ = gd.evaluate_model(model)
        model.info.update(recognised_share=quality.recognised_share, distinct_digits=quality.distinct_digits)
        run.log_final({"recognised_share": quality.recognised_share,
                       "distinct_digits": quality.distinct_digits}, model=model.unet)
    run_ui.finish(net, result, extra={"config": config, "saved": save_as_default, "info": dict(model.info)})
    if save_as_default and not result.cancelled:
        gd.save_model(model)
        loaders.forget("diffusion-digits")
    st.success(f"Trained: {quality.recognised_share:.0%} of 100 samples recognised as the digit asked "
               f"for, {quality.distinct_digits} distinct digits.", icon=":material/check_circle:")


def _diffusion_models() -> dict[str, gd.DiffusionDigits]:
    """The models this person can sample from: the saved default, and their own from this session."""
    found: dict[str, gd.DiffusionDigits] = {}
    if registry.available("diffusion-digits"):
        model = attempt(loaders.model, "diffusion-digits")
        if model is not None:
            found["saved model (trained on this machine)"] = model
    own = live.state(DIFF_RUN)
    if own is not None and own.model is not None and own.history:
        config = own.extra.get("config") or st.session_state.get("gen_diff_last_config") or gd.DiffusionConfig()
        how = "complete" if own.complete else f"stopped at epoch {own.history[-1].epoch}"
        found[f"your model from this session ({how})"] = gd.from_net(own.model, config, device.get())
    return found


def _training_panel() -> bool:
    """The train buttons; True when a training ran in this run of the page (its chart is drawn)."""
    default = gd.DiffusionConfig()
    if not registry.available("diffusion-digits"):
        st.info("No diffusion model has been trained on this machine yet. Train the default one now: "
                f"{default.epochs} epochs over 1,617 digits, about 2-3 minutes on a 2-core CPU (seconds "
                "on a GPU). It is then saved and reused by everyone using this app.",
                icon=":material/model_training:")
        if st.button("Train the default model now", key="gen_diff_train_default", type="primary",
                     icon=":material/play_arrow:"):
            st.session_state["gen_diff_last_config"] = default
            _train_diffusion(default, save_as_default=True)
            return True
        return False
    with st.expander("Train your own diffusion model (kept in your session only)"):
        c1, c2, c3 = st.columns(3)
        epochs = c1.slider("Epochs", 1, 100, 10, key="gen_diff_epochs",
                           help="About 3 s per epoch on a quiet 2-core CPU; 40 reach the default quality.")
        width = c2.select_slider("UNet width", [8, 16, 32], 16, key="gen_diff_width",
                                 help="Channels at 16×16; doubled at 8×8.")
        lr = c3.select_slider("Learning rate", [5e-4, 1e-3, 2e-3, 4e-3], 2e-3, key="gen_diff_lr")
        if st.button("Train", key="gen_diff_train_own", icon=":material/play_arrow:"):
            config = gd.DiffusionConfig(epochs=int(epochs), channels=(int(width), int(width) * 2), lr=float(lr))
            st.session_state["gen_diff_last_config"] = config
            attempt(_train_diffusion, config, False)
            return True
    return False


def diffusion_tab() -> None:
    st.markdown(
        "**Diffusion** models learn to undo noise. In training, a digit gets a random amount of "
        "Gaussian noise and a small U-Net learns to predict that noise, told which digit it is. To "
        "generate, start from pure noise and remove the predicted noise step by step. The model "
        "here is a diffusers `UNet2DModel` with a `DDPMScheduler`, trained on this machine on "
        "scikit-learn's 8×8 digits enlarged to 16×16.")
    models = _diffusion_models()
    trained_now = _training_panel()
    if trained_now:
        models = _diffusion_models()
    elif live.state(DIFF_RUN) is not None:
        live.show_history(DIFF_RUN)
    if not models:
        return
    choice = st.radio("Model", list(models), key="gen_diff_model", horizontal=True)
    model = models[choice]
    if model.info:
        share = model.info.get("recognised_share")
        st.caption(f"Trained {model.info.get('epochs_trained', '?')} epochs in {model.info.get('seconds', '?')} s"
                   + (f"; {share:.0%} of 100 test samples recognised" if share is not None else ""))
    c1, c2, c3 = st.columns(3)
    digit = c1.selectbox("Digit", ["all (0-9 in turn)", *map(str, range(10))], key="gen_diff_digit")
    n = c2.slider("Number of images", 1, 64, 20, key="gen_diff_n")
    sampler = c3.radio("Sampler", ["ddim", "ddpm"], key="gen_diff_sampler", horizontal=True,
                       help="DDIM is deterministic and works with few steps; DDPM adds fresh noise at "
                            "every step and needs more steps.")
    c1, c2, c3 = st.columns(3)
    steps = c1.slider("Inference steps", 1, 200, 25, key="gen_diff_steps")
    guidance = c2.slider("Guidance", 0.0, 6.0, 2.0, 0.5, key="gen_diff_guidance",
                         help="Classifier-free guidance: 1 = plain conditional model; higher pushes "
                              "harder towards the digit asked for, at some cost in variety.")
    seed = c3.number_input("Seed", 0, generative.MAX_SEED, 0, key="gen_diff_seed")
    if st.button("Generate digits", key="gen_diff_sample", type="primary", icon=":material/auto_awesome:"):
        digits = None if digit.startswith("all") else int(digit)
        out = attempt(gd.sample, model, n=int(n), digits=digits, sampler=sampler, steps=int(steps),
                      seed=int(seed), guidance=float(guidance))
        if out is not None:
            quality = gd.judge_samples(_judge(), out.images, out.digits)
            st.session_state["gen_diff_result"] = (out, quality)
    if "gen_diff_result" in st.session_state:
        _show_samples(*st.session_state["gen_diff_result"])


@st.cache_resource(show_spinner="Training the digits classifier that judges samples (once)…")
def _judge() -> gd.DigitJudge:
    return gd.digit_judge()


def _show_samples(out: gd.Samples, quality: gd.Quality) -> None:
    pixels = gd.to_uint8(out.images)
    c1, c2, c3 = st.columns(3)
    c1.metric("Recognised as the digit asked for", f"{quality.recognised_share:.0%}",
              help=f"The digits classifier (trained here) gives the asked digit ≥ {gd.CONFIDENCE:.0%} probability.")
    c2.metric("Distinct digits recognised", quality.distinct_digits)
    c3.metric("Sampling time", f"{out.seconds:.2f} s")
    st.image(generative.grid(pixels, cols=10, scale=4), caption="Generated digits")
    st.caption("Asked → classifier: " + ", ".join(
        f"{a}→{p}{'' if a == p and c >= gd.CONFIDENCE else ' ✗'}"
        for a, p, c in zip(out.digits, quality.predicted, quality.confidence)))
    st.subheader("Denoising trajectory")
    st.caption("x_t of the first samples at several steps, from pure noise (left) to the final digit.")
    rows = min(4, len(out.digits))
    frames = [gd.to_uint8(x[:rows].clamp(-1, 1)) for _, x in out.trajectory]  # each (rows, 16, 16)
    ordered = np.stack([frames[j][i] for i in range(rows) for j in range(len(frames))])
    st.image(generative.grid(ordered, cols=len(frames), scale=4))
    total = out.trajectory[-1][0]
    st.caption("after step: " + " → ".join("0 (pure noise)" if k == 0 else f"{k}/{total}"
                                            for k, _ in out.trajectory))


# ---- text-to-image (optional, online) ------------------------------------------------------------

T2I = "sd-turbo"


def text_to_image_tab() -> None:
    spec = registry.get(T2I)
    st.markdown(
        f"An optional extra for people who are online: **{spec.hub_id}**, a distilled Stable "
        "Diffusion that makes a 512×512 image from a sentence in 1-4 steps. It is a "
        f"{spec.size_mb / 1000:.1f} GB download from the Hugging Face Hub and is slow without a GPU.")
    cards.model_card(T2I)
    if not registry.available(T2I):
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
        pipe = loaders.model(T2I)
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
    if st.button("Generate image", key="gen_t2i_go", type="primary"):
        with st.spinner("Generating…"):
            out = attempt(generative.text_to_image, pipe, prompt, int(steps), float(guidance), int(seed))
        if out is not None:
            image, seconds = out
            st.image(image, caption=f"{prompt} · {seconds:.1f} s")
