"""VAE tab: train a variational autoencoder on digits, then walk around its latent space."""

from __future__ import annotations

from typing import Any

import numpy as np
import streamlit as st

from dl_core import generative

from .. import actions, echarts, fragments
from .. import training as live
from .common import grid_png, show_png

VAE_RUN = "gen_vae"  # ui.training name (live curves, the model) and ui.actions key of the VAE training


def _train(config: generative.VAEConfig) -> Any:
    slot = st.empty()
    with slot.container():
        run_ui = live.LiveTraining(VAE_RUN, config.epochs, title="VAE loss (reconstruction + KL)")
        trained = generative.train_vae(None, config, callbacks=[run_ui])
        run_ui.finish(trained.model, trained.fit, extra={"config": config, **trained.metrics})
    slot.empty()  # the Stop button and the live chart go once the training is over
    return trained


@st.cache_data(show_spinner=False)
def _test_digits() -> tuple[np.ndarray, np.ndarray]:
    _, _, x_te, y_te = generative.digits_flat()
    return x_te.numpy(), y_te.numpy()


def vae_tab() -> None:
    st.markdown(
        "A **variational autoencoder** squeezes each 8×8 digit into a few numbers (its *latent code*) "
        "and learns to rebuild the digit from them. A penalty (the KL term) keeps codes close to a "
        "standard normal cloud, so that every point of the latent space decodes to something "
        "digit-like: a map you can walk around in.")
    # The settings redraw alone (ui/fragments.py): a trained VAE's views below are of the settings it was
    # trained with; the Train click is a full run, which reads them.
    config = fragments.alone(_settings, shown_below=lambda: False)
    clicked = st.button("Train the VAE", key="gen_vae_train", type="primary", icon=":material/play_arrow:")
    actions.run(VAE_RUN, clicked, lambda: _train(config))
    if not _trained_shown():
        st.info("Press **Train the VAE** (a few seconds) to see its latent space.", icon=":material/info:")
        return
    state = live.state(VAE_RUN)
    live.show_history(VAE_RUN)
    if "test_reconstruction_loss" in state.extra:
        st.caption(f"Test reconstruction loss: {state.extra['test_reconstruction_loss']:.2f} "
                   "(binary cross-entropy summed over 64 pixels, lower is better)")
    st.subheader("Latent map and the decoded point")
    if state.model.latent > 2:
        st.caption(f"First 2 of {state.model.latent} latent dimensions (the others held at 0 when decoding).")
    _explorer()
    _overview()


def _settings() -> generative.VAEConfig:
    c1, c2 = st.columns(2)
    # Each a fragment of its own (fragments.own): only the Train click reads them.
    latent = fragments.own(lambda: st.slider(
        "Latent size", 1, 16, 2, key="gen_vae_latent",
        help="2 lets us draw the latent space as a map; more dimensions rebuild better."), c1)
    epochs = fragments.own(lambda: st.slider("Epochs", 5, 200, 60, 5, key="gen_vae_epochs",
                                             help="An epoch takes a fraction of a second here."), c2)
    return generative.VAEConfig(latent=int(latent), epochs=int(epochs))


def _trained_shown() -> bool:
    """Whether a trained VAE (finished or stopped) is on the page: its curves, latent map and grids."""
    state = live.state(VAE_RUN)  # also holds a model stopped mid-training, which `actions` does not keep
    return state is not None and state.model is not None


def _views(model: Any) -> dict[str, Any]:
    """What the explorer draws that depends only on the model: computed once per model, per session."""
    import torch

    memo = st.session_state.get("gen_vae_views")
    if memo is not None and memo["model"] is model:
        return memo
    x_te, y_te = _test_digits()
    codes = generative.latent_codes(model, torch.from_numpy(x_te))
    codes2 = np.c_[codes[:, 0], np.zeros(len(codes))] if model.latent == 1 else codes[:, :2]
    memo = {"model": model, "codes2": codes2, "labels": y_te}
    if model.latent >= 2:
        images, axis = generative.latent_grid(model, size=15, span=2.5)
        memo["grid"] = (grid_png((images.reshape(-1, 8, 8) * 255).astype(np.uint8), cols=15, pad=1, scale=4), axis)
    rebuilt = generative.decode_latents(model, generative.latent_codes(model, torch.from_numpy(x_te[:10])))
    both = (np.concatenate([x_te[:10].reshape(-1, 8, 8), rebuilt]) * 255).astype(np.uint8)
    memo["rebuilt"] = grid_png(both, cols=10, pad=1, scale=6)
    st.session_state["gen_vae_views"] = memo
    return memo


@st.fragment
def _explorer() -> None:
    """A fragment: moving z₁/z₂ redraws the sliders and one chart (the map with the decoded point beside
    it), not the whole page. One chart, not a chart and an image: both change with every step, and each
    element a step changes costs the browser (a bare copy: 0.148-0.170 s a step as a chart, two headings
    and an image; 0.130-0.135 s as one chart; issue 13)."""
    model = live.state(VAE_RUN).model.eval()
    views = _views(model)
    c1, c2, _ = st.columns([1, 1, 2])
    zx = c1.slider("z₁", -3.0, 3.0, 0.0, 0.1, key="gen_vae_z1")
    zy = c2.slider("z₂", -3.0, 3.0, 0.0, 0.1, key="gen_vae_z2", disabled=model.latent < 2)
    if model.latent < 2:
        zy = 0.0
    point = np.zeros((1, model.latent), np.float32)
    point[0, :2] = (zx, zy)[:model.latent]
    decoded = generative.decode_latents(model, point)[0]
    echarts.show(_explorer_option(views["codes2"], views["labels"], zx, zy, decoded), key="gen_vae_map",
                 height=420)


def _overview() -> None:
    views = _views(live.state(VAE_RUN).model.eval())
    if "grid" in views:
        png, axis = views["grid"]
        st.subheader("Decoded grid across the latent plane")
        show_png(png, caption=f"z₁ from {axis[0]:.1f} (left) to {axis[-1]:.1f}; z₂ from {axis[-1]:.1f} (top) "
                         f"to {axis[0]:.1f}")
    st.subheader("Reconstructions of test digits")
    show_png(views["rebuilt"], caption="top: test digits · bottom: rebuilt")


# Plotly's default colours: ten digits, ten distinct colours (ECharts' own palette has nine).
DIGIT_COLOURS = ["#636efa", "#ef553b", "#00cc96", "#ab63fa", "#ffa15a", "#19d3f3", "#ff6692", "#b6e880", "#ff97ff",
                 "#fecb52"]


def _explorer_option(codes2: np.ndarray, labels: np.ndarray, zx: float, zy: float, decoded: np.ndarray) -> dict:
    """One chart: on the left the test digits' codes on (z₁, z₂), one series per digit, and the chosen point as
    a black cross; on the right the digit the decoder makes of that point (8×8, ink white on black).

    z₁ and z₂ change both: ECharts (ui/echarts.py says why)."""
    series = [{"type": "scatter", "name": str(d), "symbolSize": 6, "itemStyle": {"color": DIGIT_COLOURS[d]},
               "data": codes2[labels == d].astype(float).round(3).tolist()} for d in range(10)]
    series.append({"type": "scatter", "name": "you", "symbol": "path://M0,0L10,10M10,0L0,10", "symbolSize": 16,
                   "itemStyle": {"color": "black", "borderColor": "black", "borderWidth": 3},
                   "data": [[round(zx, 2), round(zy, 2)]], "z": 10, "tooltip": {"formatter": "you: ({c})"}})
    side = decoded.shape[0]
    pixels = [[col, side - 1 - row, round(float(decoded[row, col]), 3)] for row in range(side) for col in range(side)]
    series.append({"type": "heatmap", "name": "decoded", "xAxisIndex": 1, "yAxisIndex": 1, "data": pixels,
                   "tooltip": {"formatter": "decoded pixel (column, row from the bottom, ink): {c}"}})
    pixel_axis = {"type": "category", "data": list(range(side)), "show": False}
    return echarts.option(
        title=echarts.title(f"decoder(z₁={zx:.1f}, z₂={zy:.1f})", left="64%"),
        tooltip={"trigger": "item", "confine": True, "formatter": "digit {a}: ({c})"},
        legend={"type": "scroll", "orient": "vertical", "left": "53%", "top": "middle",
                "data": [s["name"] for s in series[:-1]]},
        grid=[{"left": 10, "right": "50%", "top": 10, "bottom": 30, "containLabel": True},
              {"left": "64%", "right": "2%", "top": 45, "bottom": 45}],
        xAxis=[{"type": "value", "name": "z₁", "nameLocation": "middle", "nameGap": 22, "scale": True},
               {**pixel_axis, "gridIndex": 1}],
        yAxis=[{"type": "value", "name": "z₂", "nameLocation": "middle", "nameGap": 30, "scale": True},
               {**pixel_axis, "gridIndex": 1}],
        visualMap={"show": False, "min": 0, "max": 1, "seriesIndex": len(series) - 1,
                   "inRange": {"color": ["#000000", "#ffffff"]}},
        series=series)
