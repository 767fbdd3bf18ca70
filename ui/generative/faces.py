"""Faces tab: faces from a seed, the truncation trick, latent directions, interpolation (the bundled GAN)."""

from __future__ import annotations

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from dl_core import generative, registry

from .. import cards, loaders
from .common import MAX_WIDTH, attempt, grid_png, show_png


@st.cache_data(max_entries=64, show_spinner=False)
def _faces_png(n: int, seed: int, psi: float) -> bytes:
    """The grid of faces as PNG bytes, cached on the settings (a rerun redraws from here)."""
    return grid_png(generative.faces(loaders.model(generative.FACE_MODEL), n, seed, psi), cols=8, scale=2)


# The GIF on the page stops after about this long: WCAG 2.2.2 asks that motion which starts by itself and
# lasts more than 5 s can be stopped, and an endless GIF keeps the browser redrawing it while the tab is
# open. The download loops for ever.
GIF_SECONDS = 5.0


@st.cache_data(max_entries=32, show_spinner=False)
def _interpolation(seed_a: int, seed_b: int, frames: int, psi: float) -> tuple[bytes, bytes, bytes]:
    """The strip as PNG bytes (no wider than the page), the animated GIF to show and the one to download."""
    strip = generative.interpolate(loaders.model(generative.FACE_MODEL), seed_a, seed_b, frames, psi)
    cols = min(frames, 15)
    return (grid_png(strip, cols=cols, scale=2 if cols * 66 * 2 <= MAX_WIDTH else 1),
            generative.gif_bytes(strip, max_seconds=GIF_SECONDS), generative.gif_bytes(strip))


@st.cache_resource(show_spinner="Finding latent directions from 256 faces (once per machine)…")
def _directions() -> list[generative.LatentDirection]:
    # No message from inside a cached function (Streamlit would replay it on every later call): if
    # another session is computing them, the spinner above stays up a few seconds longer.
    return generative.face_directions(loaders.model(generative.FACE_MODEL))


@st.cache_data(max_entries=256, show_spinner=False)
def _moved(n: int, seed: int, psi: float, which: int, amounts: tuple[float, ...]) -> tuple[bytes, bytes]:
    """(original, moved) face `which` as PNG bytes."""
    directions = _directions()
    z = generative.face_latents(n, seed, psi)[which - 1: which]
    generator = loaders.model(generative.FACE_MODEL)
    moved = generative.render_faces(generator, generative.move(z, directions, amounts))
    return grid_png(generative.render_faces(generator, z), cols=1, scale=4), grid_png(moved, cols=1, scale=4)


def faces_tab() -> None:
    st.markdown(
        "A **GAN** (generative adversarial network) learned to turn 100 random numbers, a *latent "
        "vector* z, into a 64×64 face. Every seed gives a different z, so a different face. This "
        "generator (a DCGAN) was trained on synthetic, computer-rendered faces.")
    if not registry.available(generative.FACE_MODEL):
        attempt(loaders.model, generative.FACE_MODEL)  # shows why (package missing) as a warning
        return
    _faces()
    cards.model_card(generative.FACE_MODEL, expanded=True)  # licence and training data


@st.fragment
def _faces() -> None:
    """ψ changes every face on the tab, so it reruns this fragment (the grid and the interpolation, not the
    text and model card around them); seed and count only the grid (a fragment that draws them into c1
    and c2), and the interpolation's controls only the strip (issue 13)."""
    c1, c2, c3 = st.columns(3)
    psi = float(c3.slider("Truncation ψ", 0.0, 2.0, 1.0, 0.05, key="gen_face_psi",
                          help="z is multiplied by ψ: below 1, faces are more typical and cleaner but less "
                               "varied; 1 is the untouched model; above 1, stranger faces."))
    _grid(c1, c2, psi)
    _interpolation_view(psi)


@st.fragment
def _grid(seed_at: DeltaGenerator, count_at: DeltaGenerator, psi: float) -> None:
    """Seed, number of faces, the grid and the latent directions of one of its faces."""
    seed = int(seed_at.number_input("Seed", 0, generative.MAX_SEED, 0, key="gen_face_seed"))
    n = int(count_at.slider("Number of faces", 1, generative.MAX_FACES, 16, key="gen_face_n"))
    drawn = attempt(_faces_png, n, seed, psi)
    if drawn is None:
        return
    show_png(drawn, caption=f"{n} faces from seed {seed}, ψ = {psi:.2f}")

    st.subheader("Move along latent directions")
    st.caption("Directions in z found here by measuring the generator: regression of each face's "
               "brightness / warmth on z, and the principal directions of its first layer (GANSpace). "
               "Slide to move the chosen face along them.")
    _directions_view(n, seed, psi)


@st.fragment
def _interpolation_view(psi: float) -> None:
    st.subheader("Interpolate between two faces")
    c1, c2, c3 = st.columns(3)
    seed_a = int(c1.number_input("Seed of face A", 0, generative.MAX_SEED, 1, key="gen_interp_a"))
    seed_b = int(c2.number_input("Seed of face B", 0, generative.MAX_SEED, 2, key="gen_interp_b"))
    frames = int(c3.slider("Frames", 2, 30, 8, key="gen_interp_frames"))
    result = attempt(_interpolation, seed_a, seed_b, frames, psi)
    if result is not None:
        strip, shown, looping = result
        show_png(strip, caption="Spherical interpolation of z from face A to face B")
        c1, c2 = st.columns([1, 3])
        c1.image(shown, caption=f"animated, for about {GIF_SECONDS:.0f} s (the download loops)")
        c2.download_button("Download the GIF", looping, file_name=f"faces_{seed_a}_to_{seed_b}.gif",
                           mime="image/gif", key="gen_interp_gif", icon=":material/download:")


@st.fragment
def _directions_view(n: int, seed: int, psi: float) -> None:
    """A fragment: the toggle and a direction slider redraw only the two faces here, not the grid above."""
    if not st.toggle("Show the direction sliders", key="gen_face_dirs_on",
                     help="Computed once from 256 faces (a few seconds), then kept on disk."):
        return
    directions = _directions()
    which = st.slider("Face from the grid", 1, n, 1, key="gen_face_pick") if n > 1 else 1
    cols = st.columns(len(directions))
    amounts = tuple(float(col.slider(d.name, -3.0, 3.0, 0.0, 0.25, key=f"gen_face_dir_{i}", help=d.description))
                    for i, (col, d) in enumerate(zip(cols, directions)))
    original, moved = _moved(n, seed, psi, int(which), amounts)
    left, right = st.columns(2)
    show_png(original, caption="original", where=left)
    show_png(moved, caption="moved", where=right)
