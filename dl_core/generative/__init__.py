"""Generative models: the public API that the page, the command line and tests use.

- face_gan.py           the bundled face GAN: faces from a seed, truncation, interpolation, directions
- diffusion.py          a diffusion model trained here on digits: `train_diffusion`, sampling, the default
- judge.py              the digits classifier that measures generated digits
- vae.py                a VAE on digits: `train_vae`, latent codes, decoding, the latent grid
- gan2d.py              the 2-D GAN lab: `train_gan` on toy shapes or a person's CSV of points
- hub_text_to_image.py  an optional hub pipeline (SD-Turbo), safe to share between sessions
- images.py             image grids, PNG and GIF bytes
- digits.py, checks.py  the scikit-learn digits in two shapes; bounds on seeds and counts
- cli.py                `python -m dl_core generative ...`

Names that are also module names are avoided on purpose (`faces` is a function here, never a module).

Every trainable model has one engine call, `train_<thing>(data, config, *, callbacks, cancel,
caller) -> training.TrainedModel`, that trains, evaluates and logs the run to MLflow.
Importing this package is cheap: torch and diffusers are imported inside the functions that use them.
"""

from .checks import MAX_SEED, check_count, check_seed
from .diffusion import (
    MAX_SAMPLES,
    MODEL_FILE,
    MODEL_NAME,
    SAMPLERS,
    DiffusionConfig,
    DiffusionDigits,
    Sampler,
    Samples,
    build_default_diffusion,
    check_sampling,
    default_diffusion_exists,
    evaluate_model,
    from_net,
    load_diffusion_model,
    parse_digits,
    sample,
    save_model,
    to_uint8,
    train_diffusion,
)
from .digits import digits_16, digits_flat
from .face_gan import (
    DIRECTIONS_FILE,
    FACE_MODEL,
    LATENT_DIM,
    MAX_FACES,
    MAX_FRAMES,
    LatentDirection,
    check_truncation,
    face_directions,
    face_directions_ready,
    face_latents,
    faces,
    interpolate,
    latent_directions,
    move,
    render_faces,
    slerp,
)
from .gan2d import (
    MAX_POINTS,
    MIN_POINTS,
    SHAPES,
    SHOWN,
    SPAN,
    SURFACE_GRID,
    GANConfig,
    Snapshot,
    coverage,
    gan_history,
    points_from_frame,
    read_points,
    surface_axis,
    toy_points,
    train_gan,
)
from .hub_text_to_image import T2I_MODEL, check_text_to_image, text_to_image
from .images import gif_bytes, image_grid, png_bytes
from .judge import CLASSIFIER_FILE, CONFIDENCE, DigitJudge, Quality, digit_judge, judge_samples
from .vae import VAEConfig, decode_latents, latent_codes, latent_grid, reconstruction_loss, train_vae

__all__ = [
    # checks
    "MAX_SEED", "check_count", "check_seed",
    # faces
    "DIRECTIONS_FILE", "FACE_MODEL", "LATENT_DIM", "MAX_FACES", "MAX_FRAMES", "LatentDirection", "check_truncation",
    "face_directions", "face_directions_ready", "face_latents", "faces", "interpolate", "latent_directions", "move",
    "render_faces", "slerp",
    # diffusion and its judge
    "MAX_SAMPLES", "MODEL_FILE", "MODEL_NAME", "SAMPLERS", "DiffusionConfig", "DiffusionDigits", "Sampler",
    "Samples", "build_default_diffusion", "check_sampling", "default_diffusion_exists", "evaluate_model",
    "from_net", "load_diffusion_model", "parse_digits", "sample", "save_model", "to_uint8", "train_diffusion",
    "CLASSIFIER_FILE", "CONFIDENCE", "DigitJudge", "Quality", "digit_judge", "judge_samples",
    # VAE
    "VAEConfig", "decode_latents", "latent_codes", "latent_grid", "reconstruction_loss", "train_vae",
    # 2-D GAN lab
    "MAX_POINTS", "MIN_POINTS", "SHAPES", "SHOWN", "SPAN", "SURFACE_GRID", "GANConfig", "Snapshot", "coverage",
    "gan_history", "points_from_frame", "read_points", "surface_axis", "toy_points", "train_gan",
    # text-to-image
    "T2I_MODEL", "check_text_to_image", "text_to_image",
    # data and pictures
    "digits_16", "digits_flat", "gif_bytes", "image_grid", "png_bytes",
]
