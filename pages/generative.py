"""Generative models: make new images, and watch generative networks learn.

Tabs: faces from a pretrained GAN · diffusion trained here on digits · optional hub text-to-image ·
a VAE's latent space · a 2-D GAN lab. The tab bodies live in ui/generative_images.py and
ui/generative_labs.py; everything they compute comes from dl_core.generative*.
"""

import streamlit as st

from ui import generative_images as images
from ui import generative_labs as labs

st.title("Generative models")
st.markdown(
    "Generative networks learn what a kind of data looks like well enough to **make new examples**. "
    "Below: a GAN that draws faces, a diffusion model you can train here on handwritten digits, a "
    "variational autoencoder whose latent space you can explore, and a small GAN you can watch learn. "
    "Everything runs offline; only the text-to-image tab needs a download."
)

faces, diffusion, text2img, vae, gan_lab = st.tabs(
    ["Faces (GAN)", "Diffusion on digits", "Text-to-image (online)", "VAE latent space", "GAN lab (2-D)"])
with faces:
    images.faces_tab()
with diffusion:
    images.diffusion_tab()
with text2img:
    images.text_to_image_tab()
with vae:
    labs.vae_tab()
with gan_lab:
    labs.gan_lab_tab()
