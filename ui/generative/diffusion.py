"""Diffusion tab: train the default model once (with measured progress), train your own, sample digits."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

import numpy as np
import streamlit as st

from dl_core import device, generative, registry

from .. import actions, fragments, loaders
from .. import training as live
from .common import TimeLeft, attempt, grid_png, show_png

OWN_RUN = "gen_diffusion"  # ui.training name of a person's own diffusion training
SAMPLES = "gen_diff_samples"  # ui.actions key of the last generated digits


@st.cache_resource(show_spinner="Training the digits classifier that judges samples (once)…")
def _judge() -> generative.DigitJudge:
    return generative.digit_judge()


def _waiting() -> None:
    st.info("Another session is training the default model right now; this page carries on as soon as "
            "it is saved (no second training).", icon=":material/hourglass_top:")


def _train_default() -> None:
    """Train and save the default model, unless another session is already doing it (then wait)."""
    config = generative.DiffusionConfig()
    slot = st.empty()
    with slot.container():
        run_ui = live.LiveTraining(OWN_RUN, config.epochs, title="Diffusion training loss (noise MSE)")
        eta = TimeLeft(config.epochs)
        with st.spinner("Training, then judging 100 samples with the digits classifier…"):
            trained = generative.build_default_diffusion(config, callbacks=[run_ui, eta], on_wait=_waiting)
    slot.empty()  # the Stop button and the live chart go once the training is over
    live.clear(OWN_RUN)
    loaders.forget(generative.MODEL_NAME)
    if trained is not None:
        st.success(f"Trained and saved: {trained.metrics['recognised_share']:.0%} of 100 samples recognised "
                   f"as the digit asked for, {trained.metrics['distinct_digits']:.0f} distinct digits.",
                   icon=":material/check_circle:")


def _train_own(config: generative.DiffusionConfig) -> generative.DiffusionDigits:
    st.session_state["gen_diff_last_config"] = config  # a Stop keeps the partly trained net: its settings
    slot = st.empty()
    with slot.container():
        run_ui = live.LiveTraining(OWN_RUN, config.epochs, title="Diffusion training loss (noise MSE)")
        eta = TimeLeft(config.epochs)
        with st.spinner("Training, then judging 100 samples with the digits classifier…"):
            trained = generative.train_diffusion(None, config, callbacks=[run_ui, eta])
        run_ui.finish(trained.model, trained.fit, extra={"config": config, "metrics": trained.metrics})
    slot.empty()  # the Stop button and the live chart go once the training is over
    return trained.model


def _training_panel() -> None:
    """The train buttons: the default model when none exists, else your own (kept in your session)."""
    if not generative.default_diffusion_exists():
        default = generative.DiffusionConfig()
        offer = st.empty()  # the offer goes as soon as the button is pressed
        with offer.container():
            st.info("No diffusion model has been trained on this machine yet. Train the default one now: "
                    f"{default.epochs} epochs over 1,617 digits (26 s measured on one H100 GPU; minutes on a small "
                    "CPU: the time per epoch is measured here and shown while it trains). It is then saved and "
                    "reused by everyone using this app.", icon=":material/model_training:")
            clicked = st.button("Train the default model now", key="gen_diff_train_default", type="primary",
                                icon=":material/play_arrow:")
        if clicked:
            offer.empty()
            attempt(_train_default)
        return
    with st.expander("Train your own diffusion model (kept in your session only)"):
        # The settings redraw alone (ui/fragments.py): nothing below reads them (a model of yours is of the
        # settings it was trained with); the Train click is a full run, which does.
        config = fragments.alone(_own_settings, shown_below=lambda: False)
        clicked = st.button("Train", key="gen_diff_train_own", icon=":material/play_arrow:")
        actions.run(OWN_RUN, clicked, lambda: _train_own(config))


def _own_settings() -> generative.DiffusionConfig:
    c1, c2, c3 = st.columns(3)
    # Each a fragment of its own (fragments.own): only the Train click reads them.
    epochs = fragments.own(lambda: st.slider(
        "Epochs", 1, 100, 10, key="gen_diff_epochs",
        help="The time per epoch is measured while it trains; 30-40 reach the default quality."), c1)
    width = fragments.own(lambda: st.select_slider("UNet width", [8, 16, 32], 16, key="gen_diff_width",
                                                   help="Channels at 16×16; doubled at 8×8."), c2)
    lr = fragments.own(lambda: st.select_slider("Learning rate", [5e-4, 1e-3, 2e-3, 4e-3], 2e-3, key="gen_diff_lr"), c3)
    return generative.DiffusionConfig(epochs=int(epochs), channels=(int(width), int(width) * 2), lr=float(lr))


def _models() -> dict[str, generative.DiffusionDigits]:
    """The models this person can sample from: the saved default, and their own from this session."""
    found: dict[str, generative.DiffusionDigits] = {}
    if registry.available(generative.MODEL_NAME):
        model = attempt(loaders.model, generative.MODEL_NAME)
        if model is not None:
            found["saved model (trained on this machine)"] = model
    own = live.state(OWN_RUN)
    if own is not None and own.model is not None and own.history:
        how = "complete" if own.complete else f"stopped at epoch {own.history[-1].epoch}"
        if isinstance(own.model, generative.DiffusionDigits):
            found[f"your model from this session ({how})"] = own.model
        else:  # stopped mid-training: the raw net that fit was training, sampled through its EMA weights
            config = own.extra.get("config") or st.session_state.get("gen_diff_last_config")
            config = config or generative.DiffusionConfig()
            found[f"your model from this session ({how})"] = generative.from_net(own.model, config, device.get())
    return found


def diffusion_tab() -> None:
    st.markdown(
        "**Diffusion** models learn to undo noise. In training, a digit gets a random amount of "
        "Gaussian noise and a small U-Net learns to predict that noise, told which digit it is. To "
        "generate, start from pure noise and remove the predicted noise step by step. The model "
        "here is a diffusers `UNet2DModel` with a `DDPMScheduler`, trained on this machine on "
        "scikit-learn's 8×8 digits enlarged to 16×16.")
    _training_panel()
    if live.state(OWN_RUN) is not None:
        live.show_history(OWN_RUN)
    models = _models()
    if not models:
        return
    # The model and sampling settings redraw alone (ui/fragments.py): generated digits below are of the
    # settings they were made with; the Generate click is a full run, which reads them.
    model, how = fragments.alone(partial(_sample_settings, models), shown_below=lambda: False)
    clicked = st.button("Generate digits", key="gen_diff_sample", type="primary", icon=":material/auto_awesome:")

    def generate() -> Generated:
        out = generative.sample(model, **how)
        return Generated.of(out, generative.judge_samples(_judge(), out.images, out.digits))

    result = actions.run(SAMPLES, clicked, generate)
    if result is not None:
        _show_samples(result)


def _sample_settings(models: dict[str, generative.DiffusionDigits]) -> tuple[generative.DiffusionDigits, dict]:
    """The model chosen (with what is known of its training) and `generative.sample`'s settings."""
    choice = st.radio("Model", list(models), key="gen_diff_model", horizontal=True)
    model = models[choice]
    if model.info:
        share = model.info.get("recognised_share")
        st.caption(f"Trained {model.info.get('epochs_trained', '?')} epochs in {model.info.get('seconds', '?')} s"
                   + (f"; {share:.0%} of 100 test samples recognised" if share is not None else ""))
    # Each a fragment of its own (fragments.own): only the Generate click reads them.
    c1, c2, c3 = st.columns(3)
    digit = fragments.own(lambda: st.selectbox("Digit", ["all (0-9 in turn)", *map(str, range(10))],
                                               key="gen_diff_digit"), c1)
    n = fragments.own(lambda: st.slider("Number of images", 1, 64, 20, key="gen_diff_n"), c2)
    sampler = fragments.own(lambda: st.radio(
        "Sampler", ["ddim", "ddpm"], key="gen_diff_sampler", horizontal=True,
        help="DDIM is deterministic and works with few steps; DDPM adds fresh noise at every step and needs "
             "more steps."), c3)
    c1, c2, c3 = st.columns(3)
    steps = fragments.own(lambda: st.slider("Inference steps", 1, 200, 25, key="gen_diff_steps"), c1)
    guidance = fragments.own(lambda: st.slider(
        "Guidance", 0.0, 6.0, 2.0, 0.5, key="gen_diff_guidance",
        help="Classifier-free guidance: 1 = plain conditional model; higher pushes harder towards the digit "
             "asked for, at some cost in variety."), c2)
    seed = fragments.own(lambda: st.number_input("Seed", 0, generative.MAX_SEED, 0, key="gen_diff_seed"), c3)
    return model, {"n": int(n), "digits": None if digit.startswith("all") else int(digit), "sampler": sampler,
                   "steps": int(steps), "seed": int(seed), "guidance": float(guidance)}


@dataclass
class Generated:
    """Generated digits, their judgement and their pictures (PNG bytes made once, redrawn on reruns)."""

    out: generative.Samples
    quality: generative.Quality
    grid: bytes
    trajectory: bytes  # the first (up to 4) samples, one row each, from noise to digit

    @classmethod
    def of(cls, out: generative.Samples, quality: generative.Quality) -> Generated:
        rows = min(4, len(out.digits))
        frames = [generative.to_uint8(x[:rows].clamp(-1, 1)) for _, x in out.trajectory]  # each (rows, 16, 16)
        ordered = np.stack([frames[j][i] for i in range(rows) for j in range(len(frames))])
        return cls(out, quality, grid_png(generative.to_uint8(out.images), cols=10, scale=4),
                   grid_png(ordered, cols=len(frames), scale=4))


def _show_samples(generated: Generated) -> None:
    out, quality = generated.out, generated.quality
    c1, c2, c3 = st.columns(3)
    c1.metric("Recognised as the digit asked for", f"{quality.recognised_share:.0%}",
              help=f"The digits classifier (trained here) gives the asked digit ≥ {generative.CONFIDENCE:.0%} "
                   "probability.")
    c2.metric("Distinct digits recognised", quality.distinct_digits)
    c3.metric("Sampling time", f"{out.seconds:.2f} s")
    show_png(generated.grid, caption="Generated digits")
    st.caption("Asked → classifier: " + ", ".join(
        f"{a}→{p}{'' if a == p and c >= generative.CONFIDENCE else ' ✗'}"
        for a, p, c in zip(out.digits, quality.predicted, quality.confidence)))
    st.subheader("Denoising trajectory")
    st.caption("x_t of the first samples at several steps, from pure noise (left) to the final digit.")
    show_png(generated.trajectory)
    total = out.trajectory[-1][0]
    st.caption("after step: " + " → ".join("0 (pure noise)" if k == 0 else f"{k}/{total}"
                                            for k, _ in out.trajectory))
