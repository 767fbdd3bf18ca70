"""Generative models: make new images, and watch generative networks learn.

Tabs: faces from a pretrained GAN · diffusion trained here on digits · optional hub text-to-image ·
a VAE's latent space · a 2-D GAN lab. Each tab's view is a module in ui/generative/; everything they
compute comes from dl_core.generative (its tests: tests/generative/).
"""

import streamlit as st

from ui import tabs
from ui.generative import diffusion, faces, gan_lab, text_to_image, vae

st.title("Generative models")
st.markdown(
    "Generative networks learn what a kind of data looks like well enough to **make new examples**. "
    "Below: a GAN that draws faces, a diffusion model you can train here on handwritten digits, a "
    "variational autoencoder whose latent space you can explore, and a small GAN you can watch learn. "
    "Everything runs offline; only the text-to-image tab needs a download."
)

# Only the open tab runs (?generative_tab=... in the URL): a slider on the faces tab no longer redraws the
# diffusion, VAE and GAN labs too (issue 13); what was set in the other tabs is kept (ui/tabs.py).
tabs.show("generative_tab", [
    tabs.Tab("Faces (GAN)", faces.faces_tab, ("gen_face_", "gen_interp_")),
    tabs.Tab("Diffusion on digits", diffusion.diffusion_tab, ("gen_diff_",)),
    tabs.Tab("Text-to-image (online)", text_to_image.text_to_image_tab, ("gen_t2i_",)),
    tabs.Tab("VAE latent space", vae.vae_tab, ("gen_vae_",)),
    tabs.Tab("GAN lab (2-D)", gan_lab.gan_lab_tab, ("gen_gan_",)),
])
