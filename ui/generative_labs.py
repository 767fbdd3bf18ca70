"""Generative page, lab tabs: the VAE latent space and the 2-D GAN lab."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import streamlit as st
from plotly.subplots import make_subplots

from dl_core import generative
from dl_core import generative_gan2d as g2
from dl_core import generative_vae as gv

from . import errors
from . import training as live
from .generative_images import attempt

VAE_RUN = "gen_vae"
GAN_KEY = "gen_gan_run"  # session_state: the person's GAN lab run (snapshots so far)


# ---- VAE -----------------------------------------------------------------------------------------

def _train_vae(config: gv.VAEConfig) -> None:
    from dl_core import tracking

    run_ui = live.LiveTraining(VAE_RUN, config.epochs, title="VAE loss (reconstruction + KL)")
    params = {k: v for k, v in vars(config).items() if k != "seed"}
    with tracking.start_run("generative/vae-digits", params, seed=config.seed, source="app") as run:
        trained = gv.train_vae(config, callbacks=[run_ui, run.callback])
        run.log_final({"test_reconstruction_loss": trained.test_reconstruction_loss}, model=trained.model)
    run_ui.finish(trained.model, trained.result,
                  extra={"config": config, "test_reconstruction_loss": trained.test_reconstruction_loss})


@st.cache_data(show_spinner=False)
def _test_digits() -> tuple[np.ndarray, np.ndarray]:
    _, _, x_te, y_te = gv.digits_flat()
    return x_te.numpy(), y_te.numpy()


def vae_tab() -> None:
    st.markdown(
        "A **variational autoencoder** squeezes each 8×8 digit into a few numbers (its *latent code*) "
        "and learns to rebuild the digit from them. A penalty (the KL term) keeps codes close to a "
        "standard normal cloud, so that every point of the latent space decodes to something "
        "digit-like: a map you can walk around in.")
    c1, c2 = st.columns(2)
    latent = c1.slider("Latent size", 1, 16, 2, key="gen_vae_latent",
                       help="2 lets us draw the latent space as a map; more dimensions rebuild better.")
    epochs = c2.slider("Epochs", 5, 200, 60, 5, key="gen_vae_epochs",
                       help="An epoch takes a fraction of a second here.")
    trained_now = False
    if st.button("Train the VAE", key="gen_vae_train", type="primary", icon=":material/play_arrow:"):
        attempt(_train_vae, gv.VAEConfig(latent=int(latent), epochs=int(epochs)))
        trained_now = True
    state = live.state(VAE_RUN)
    if state is None or state.model is None:
        st.info("Press **Train the VAE** (a few seconds) to see its latent space.", icon=":material/info:")
        return
    if not trained_now:
        live.show_history(VAE_RUN)
    model = state.model.eval()
    x_te, y_te = _test_digits()
    if "test_reconstruction_loss" in state.extra:
        st.caption(f"Test reconstruction loss: {state.extra['test_reconstruction_loss']:.2f} "
                   "(binary cross-entropy summed over 64 pixels, lower is better)")
    import torch

    codes = gv.latent_codes(model, torch.from_numpy(x_te))
    left, right = st.columns(2)
    with left:
        st.subheader("Latent map")
        codes2 = np.c_[codes[:, 0], np.zeros(len(codes))] if model.latent == 1 else codes[:, :2]
        if model.latent > 2:
            st.caption(f"First 2 of {model.latent} latent dimensions (the others held at 0 when decoding).")
        c1, c2 = st.columns(2)
        zx = c1.slider("z₁", -3.0, 3.0, 0.0, 0.1, key="gen_vae_z1")
        zy = c2.slider("z₂", -3.0, 3.0, 0.0, 0.1, key="gen_vae_z2", disabled=model.latent < 2)
        fig = go.Figure()
        for d in range(10):
            pts = codes2[y_te == d]
            fig.add_trace(go.Scattergl(x=pts[:, 0], y=pts[:, 1], mode="markers", name=str(d),
                                       marker={"size": 5}))
        fig.add_trace(go.Scatter(x=[zx], y=[zy if model.latent > 1 else 0], mode="markers", name="you",
                                 marker={"size": 16, "symbol": "x", "color": "black"}))
        fig.update_layout(height=420, margin={"l": 10, "r": 10, "t": 10, "b": 10},
                          xaxis_title="z₁", yaxis_title="z₂", legend_title="digit")
        st.plotly_chart(fig, key="gen_vae_map")
    with right:
        point = np.zeros((1, model.latent), np.float32)
        point[0, 0] = zx
        if model.latent > 1:
            point[0, 1] = zy
        st.subheader("Decoded point")
        st.image(generative.grid((gv.decode(model, point) * 255).astype(np.uint8), cols=1, pad=0, scale=24),
                 caption=f"decoder(z₁={zx:.1f}, z₂={zy:.1f})")
    if model.latent >= 2:
        st.subheader("Decoded grid across the latent plane")
        images, axis = gv.latent_grid(model, size=15, span=2.5)
        flat = (images.reshape(-1, 8, 8) * 255).astype(np.uint8)
        st.image(generative.grid(flat, cols=15, pad=1, scale=4),
                 caption=f"z₁ from {axis[0]:.1f} (left) to {axis[-1]:.1f}; z₂ from {axis[-1]:.1f} (top) "
                         f"to {axis[0]:.1f}")
    st.subheader("Reconstructions of test digits")
    originals = x_te[:10]
    with torch.no_grad():
        rebuilt = gv.decode(model, gv.latent_codes(model, torch.from_numpy(originals)))
    both = (np.concatenate([originals.reshape(-1, 8, 8), rebuilt]) * 255).astype(np.uint8)
    st.image(generative.grid(both, cols=10, pad=1, scale=6), caption="top: test digits · bottom: rebuilt")


# ---- GAN lab -------------------------------------------------------------------------------------

def _lab_figure(real: np.ndarray, snap: g2.Snapshot, snapshots: list[g2.Snapshot]) -> go.Figure:
    fig = make_subplots(rows=1, cols=2, column_widths=[0.5, 0.5], horizontal_spacing=0.16,
                        subplot_titles=(f"Epoch {snap.epoch}: real vs generated, D's view",
                                        "Losses and D's average output"))
    axis = g2.grid_axis()
    fig.add_trace(go.Contour(x=axis, y=axis, z=snap.surface, zmin=0, zmax=1, colorscale="RdBu",
                             opacity=0.55, contours={"start": 0, "end": 1, "size": 0.1},
                             colorbar={"title": "D: real?", "x": 0.43, "len": 0.9, "thickness": 12}, name="D"), 1, 1)
    show = real[:500]
    fig.add_trace(go.Scatter(x=show[:, 0], y=show[:, 1], mode="markers", name="real",
                             marker={"size": 4, "color": "black"}), 1, 1)
    fig.add_trace(go.Scatter(x=snap.generated[:, 0], y=snap.generated[:, 1], mode="markers",
                             name="generated", marker={"size": 4, "color": "orange"}), 1, 1)
    hist = g2.history(snapshots)
    for key, name in (("d_loss", "D loss"), ("g_loss", "G loss"), ("d_real", "D(real)"), ("d_fake", "D(fake)")):
        fig.add_trace(go.Scatter(x=hist["epoch"], y=hist[key], name=name, mode="lines"), 1, 2)
    fig.update_xaxes(range=[-g2.SPAN, g2.SPAN], row=1, col=1)
    fig.update_yaxes(range=[-g2.SPAN, g2.SPAN], row=1, col=1, scaleanchor="x", scaleratio=1)
    fig.update_xaxes(title_text="epoch", row=1, col=2)
    fig.update_layout(height=460, margin={"l": 10, "r": 10, "t": 40, "b": 10},
                      legend={"orientation": "h", "y": -0.15})
    return fig


def _real_points(shape: str) -> np.ndarray | None:
    if shape != "upload a CSV":
        return g2.toy_points(shape, 1000)
    upload = st.file_uploader("CSV of points: two numeric columns, x and y (header optional)", type=["csv", "txt"],
                              key="gen_gan_csv")
    if upload is None:
        st.info("Upload a CSV with two numeric columns (at least 20 rows) to train on your own points.",
                icon=":material/upload_file:")
        return None
    with errors.guard(stop=False):
        points, notices = g2.read_points(upload, name=upload.name)
        errors.notices(notices)
        return points
    return None


def gan_lab_tab() -> None:
    st.markdown(
        "Two small networks play a game on a flat 2-D point cloud. The **generator** turns random noise "
        "into points; the **discriminator** scores each point of the plane: real (blue) or fake (red). "
        "The generator learns to push its points where the discriminator still says *real*. When it "
        "wins, D can only guess, and its map turns a uniform 0.5.")
    c1, c2, c3, c4 = st.columns(4)
    shape = c1.selectbox("Real data", [*g2.SHAPES, "upload a CSV"], key="gen_gan_shape")
    lr_g = c2.select_slider("G learning rate", [1e-4, 3e-4, 1e-3, 3e-3, 1e-2], 1e-3, key="gen_gan_lr_g")
    lr_d = c3.select_slider("D learning rate", [1e-4, 3e-4, 1e-3, 3e-3, 1e-2], 1e-3, key="gen_gan_lr_d")
    epochs = c4.slider("Epochs", 1, 100, 30, key="gen_gan_epochs", help="50 rounds of updates each")
    c1, c2, c3, c4 = st.columns(4)
    d_steps = c1.slider("D steps per round", 1, 5, 1, key="gen_gan_d_steps")
    g_steps = c2.slider("G steps per round", 1, 5, 1, key="gen_gan_g_steps")
    layers = c3.slider("Hidden layers", 1, 5, 3, key="gen_gan_layers")
    noise = c4.slider("Noise size", 1, 32, 8, key="gen_gan_noise")
    real = _real_points(shape)
    if real is None:
        return
    if st.button("Train the GAN", key="gen_gan_train", type="primary", icon=":material/play_arrow:"):
        config = g2.GANConfig(lr_g=float(lr_g), lr_d=float(lr_d), d_steps=int(d_steps), g_steps=int(g_steps),
                              layers=int(layers), noise=int(noise), epochs=int(epochs))
        attempt(_train_gan, real, config, shape)
        return
    run = st.session_state.get(GAN_KEY)
    if run is None or not run.snapshots:
        st.info("Press **Train the GAN** to watch it learn, epoch by epoch.", icon=":material/info:")
        return
    if run.cancelled or len(run.snapshots) < run.config.epochs:
        st.warning(f"Training was stopped after epoch {run.snapshots[-1].epoch}.", icon=":material/stop_circle:")
    pick = st.slider("Show epoch", 1, len(run.snapshots), len(run.snapshots), key="gen_gan_show") \
        if len(run.snapshots) > 1 else 1
    snap = run.snapshots[pick - 1]
    st.plotly_chart(_lab_figure(run.real, snap, run.snapshots[:pick]), key="gen_gan_fig")
    st.caption(f"Coverage: {g2.coverage(run.real, snap.generated):.0%} of real points have a generated point "
               f"nearby (a collapsed generator scores low) · {run.seconds:.1f} s of training")


def _train_gan(real: np.ndarray, config: g2.GANConfig, shape: str) -> None:
    from dl_core import tracking

    st.button("Stop training", key="gen_gan_stop", icon=":material/stop_circle:")  # a click reruns = stops
    bar = st.progress(0.0, text="Starting…")
    chart = st.empty()
    params = {**{k: v for k, v in vars(config).items() if k != "seed"}, "data": shape}

    with tracking.start_run("generative/gan-lab", params, seed=config.seed, source="app") as tracked:
        def on_epoch(snap: g2.Snapshot, run: g2.GANRun) -> None:
            st.session_state[GAN_KEY] = run  # kept after each epoch: a Stop click keeps what was learned
            tracked.log_metrics({"d_loss": snap.d_loss, "g_loss": snap.g_loss, "d_real": snap.d_real,
                                 "d_fake": snap.d_fake}, step=snap.epoch)
            bar.progress(snap.epoch / config.epochs, text=f"Epoch {snap.epoch}/{config.epochs} · "
                                                          f"D loss {snap.d_loss:.3f} · G loss {snap.g_loss:.3f}")
            chart.plotly_chart(_lab_figure(real, snap, run.snapshots))

        run = g2.train_gan(real, config, on_epoch=on_epoch)
        last = run.snapshots[-1] if run.snapshots else None
        if last is not None:
            tracked.log_final({"coverage": g2.coverage(real, last.generated), "d_loss": last.d_loss,
                               "g_loss": last.g_loss})
    st.session_state[GAN_KEY] = run
    bar.progress(1.0, text=f"Done: {len(run.snapshots)} epochs in {run.seconds:.1f} s. Move "
                           "'Show epoch' (appears on the next interaction) to replay.")
