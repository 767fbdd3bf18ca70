"""Views of the Generative page, one module per tab: faces, diffusion, text_to_image, vae, gan_lab."""
