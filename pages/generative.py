"""Generative models: make new images, and watch generative networks learn.

Tabs: faces from a pretrained GAN · diffusion trained here on digits · optional hub text-to-image ·
a VAE's latent space · a 2-D GAN lab. Each tab's view is a module in ui/generative/; everything they
compute comes from dl_core.generative (its tests: tests/generative/).
"""

import streamlit as st

from ui.generative import diffusion, faces, gan_lab, text_to_image, vae

st.title("Generative models")
st.markdown(
    "Generative networks learn what a kind of data looks like well enough to **make new examples**. "
    "Below: a GAN that draws faces, a diffusion model you can train here on handwritten digits, a "
    "variational autoencoder whose latent space you can explore, and a small GAN you can watch learn. "
    "Everything runs offline; only the text-to-image tab needs a download."
)

faces_tab, diffusion_tab, text_tab, vae_tab, gan_tab = st.tabs(
    ["Faces (GAN)", "Diffusion on digits", "Text-to-image (online)", "VAE latent space", "GAN lab (2-D)"])
with faces_tab:
    faces.faces_tab()
with diffusion_tab:
    diffusion.diffusion_tab()
with text_tab:
    text_to_image.text_to_image_tab()
with vae_tab:
    vae.vae_tab()
with gan_tab:
    gan_lab.gan_lab_tab()
