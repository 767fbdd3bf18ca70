"""Generative models: the bundled face GAN, a diffusion model trained here, and hub text-to-image.

- Faces: the registry's `dcgan-faces-64` maps a 100-d Gaussian vector z to a 64x64 face. Here: grids
  from a seed, the truncation trick, spherical interpolation between two faces (strip and GIF), and
  latent directions found by measuring what the generator does (GANSpace-style principal directions
  of its first layer, and regression of measured brightness/warmth on z).
- Diffusion on digits: see `generative_diffusion` (re-exported here, including the registry loader
  `load_diffusion_model`).
- VAE and the 2-D GAN lab live in `generative_vae` and `generative_gan2d`.
- Text-to-image: `text_to_image(pipe, ...)` runs any diffusers text-to-image pipeline (the registry's
  optional `sd-turbo`, or a tiny one in tests), with bounds on its settings.
"""

from __future__ import annotations

import io
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from .errors import InputError
from .generative_diffusion import (  # noqa: F401 (re-exported: the registry names this module)
    CONFIDENCE,
    DiffusionConfig,
    DiffusionDigits,
    Quality,
    Samples,
    digit_judge,
    evaluate_model,
    judge_samples,
    load_diffusion_model,
    sample,
    save_model,
    to_uint8,
    train_diffusion,
)

if TYPE_CHECKING:
    import torch
    from PIL import Image

FACE_MODEL = "dcgan-faces-64"
LATENT_DIM = 100
MAX_FACES = 64
MAX_FRAMES = 60
MAX_SEED = 2**32 - 1


# ---- checks --------------------------------------------------------------------------------------

def check_seed(seed: int, what: str = "Seed") -> int:
    if not isinstance(seed, (int, np.integer)) or not 0 <= int(seed) <= MAX_SEED:
        raise InputError(f"{what} must be a whole number between 0 and {MAX_SEED}, got {seed!r}.")
    return int(seed)


def check_count(n: int, top: int, what: str = "Number of images") -> int:
    if not isinstance(n, (int, np.integer)) or not 1 <= int(n) <= top:
        raise InputError(f"{what} must be between 1 and {top}, got {n!r}.")
    return int(n)


def check_truncation(psi: float) -> float:
    if not 0.0 <= float(psi) <= 2.0:
        raise InputError(f"Truncation must be between 0 and 2 (1 = none), got {psi}.")
    return float(psi)


# ---- faces ---------------------------------------------------------------------------------------

def face_latents(n: int, seed: int = 0, truncation: float = 1.0) -> "torch.Tensor":
    """n latent vectors (n, 100) from N(0, I), scaled by the truncation psi.

    Truncation trick: z <- psi * z pulls samples towards the average face; psi < 1 trades variety for
    cleaner, more typical faces, psi > 1 gives stranger ones.
    """
    import torch

    n = check_count(n, MAX_FACES, "Number of faces")
    gen = torch.Generator().manual_seed(check_seed(seed))
    return torch.randn(n, LATENT_DIM, generator=gen) * check_truncation(truncation)


def render_faces(generator: "torch.nn.Module", z: "torch.Tensor") -> np.ndarray:
    """z (N, 100) -> (N, 64, 64, 3) uint8 RGB faces."""
    import torch

    dev = next(generator.parameters()).device
    with torch.inference_mode():
        images = generator(z.to(dev).float().reshape(len(z), LATENT_DIM, 1, 1))  # (N, 3, 64, 64) in [-1, 1]
    arr = images.float().clamp(-1, 1).permute(0, 2, 3, 1).cpu().numpy()
    return ((arr + 1) * 127.5).round().astype(np.uint8)


def faces(generator: "torch.nn.Module", n: int = 16, seed: int = 0, truncation: float = 1.0) -> np.ndarray:
    """n faces from a seed: (n, 64, 64, 3) uint8."""
    return render_faces(generator, face_latents(n, seed, truncation))


def slerp(a: "torch.Tensor", b: "torch.Tensor", t: float) -> "torch.Tensor":
    """Spherical interpolation: stays at the typical radius of Gaussian vectors, where a straight
    line through the middle would pass through unusually 'average', washed-out faces."""
    import torch

    a_n, b_n = a / a.norm(), b / b.norm()
    omega = torch.arccos((a_n * b_n).sum().clamp(-1 + 1e-7, 1 - 1e-7))
    if omega.abs() < 1e-4:
        return (1 - t) * a + t * b
    return (torch.sin((1 - t) * omega) * a + torch.sin(t * omega) * b) / torch.sin(omega)


def interpolate(generator: "torch.nn.Module", seed_a: int, seed_b: int, frames: int = 8,
                truncation: float = 1.0) -> np.ndarray:
    """Faces on the way from seed_a's face to seed_b's: (frames, 64, 64, 3) uint8."""
    import torch

    frames = check_count(frames, MAX_FRAMES, "Number of frames")
    if frames < 2:
        raise InputError("An interpolation needs at least 2 frames.")
    a = face_latents(1, seed_a, truncation)[0]
    b = face_latents(1, seed_b, truncation)[0]
    z = torch.stack([slerp(a, b, t) for t in np.linspace(0, 1, frames)])
    return render_faces(generator, z)


def grid(images: np.ndarray, cols: int = 8, pad: int = 2, scale: int = 1) -> "Image.Image":
    """(N, H, W[, 3]) uint8 -> one PIL image with the images in rows of `cols`."""
    from PIL import Image

    images = np.asarray(images)
    if images.ndim == 3:
        images = np.repeat(images[..., None], 3, axis=-1)
    n, h, w, _ = images.shape
    cols = max(1, min(cols, n))
    rows = -(-n // cols)
    canvas = np.full((rows * (h + pad) + pad, cols * (w + pad) + pad, 3), 255, np.uint8)
    for i, im in enumerate(images):
        r, c = divmod(i, cols)
        canvas[pad + r * (h + pad): pad + r * (h + pad) + h, pad + c * (w + pad): pad + c * (w + pad) + w] = im
    out = Image.fromarray(canvas)
    return out.resize((out.width * scale, out.height * scale), Image.NEAREST) if scale > 1 else out


def gif_bytes(frames: np.ndarray, ms_per_frame: int = 120, scale: int = 2, bounce: bool = True) -> bytes:
    """An animated GIF (looping; there and back again when `bounce`) of (N, H, W, 3) uint8 frames."""
    from PIL import Image

    seq = list(frames) + (list(frames[-2:0:-1]) if bounce and len(frames) > 2 else [])
    pics = [Image.fromarray(f).resize((f.shape[1] * scale, f.shape[0] * scale), Image.NEAREST) for f in seq]
    buf = io.BytesIO()
    pics[0].save(buf, format="GIF", save_all=True, append_images=pics[1:], duration=ms_per_frame, loop=0)
    return buf.getvalue()


@dataclass
class LatentDirection:
    name: str
    description: str
    vector: np.ndarray  # (100,), unit length; amounts are in units of z's standard deviation


def latent_directions(generator: "torch.nn.Module", n: int = 256, seed: int = 12345,
                      components: int = 3) -> list[LatentDirection]:
    """Directions in z that change something visible, found from n random faces.

    - brightness / warmth: least-squares regression of a measured image statistic on z;
    - principal directions (GANSpace): PCA of the first layer's activations, mapped back to z by
      regression, i.e. the ways the generator's early features vary most.
    """
    import torch

    z = torch.randn(n, LATENT_DIM, generator=torch.Generator().manual_seed(seed))
    imgs = render_faces(generator, z).astype(np.float32) / 255.0  # (n, 64, 64, 3)
    zn = z.numpy().astype(np.float64)
    found = []
    brightness = imgs.mean(axis=(1, 2, 3))
    warmth = imgs[..., 0].mean(axis=(1, 2)) - imgs[..., 2].mean(axis=(1, 2))
    for name, desc, target in (
        ("brightness", "darker ↔ lighter faces and lighting (regression of mean brightness on z)", brightness),
        ("warmth", "cooler ↔ warmer colours (regression of red minus blue on z)", warmth),
    ):
        found.append(LatentDirection(name, desc, _regress_direction(zn, target)))
    dev = next(generator.parameters()).device
    with torch.inference_mode():
        first = generator.main[:3](z.to(dev).reshape(n, LATENT_DIM, 1, 1))  # (n, 512, 4, 4)
    feats = first.reshape(n, -1).float().cpu().numpy().astype(np.float64)
    feats -= feats.mean(0)
    _, _, vt = np.linalg.svd(feats, full_matrices=False)
    coords = feats @ vt[:components].T  # (n, components) principal coordinates
    for k in range(components):
        found.append(LatentDirection(
            f"principal direction {k + 1}",
            f"the generator's #{k + 1} direction of largest variation in its first layer (GANSpace)",
            _regress_direction(zn, coords[:, k])))
    return found


def _regress_direction(z: np.ndarray, target: np.ndarray) -> np.ndarray:
    coef, *_ = np.linalg.lstsq(z - z.mean(0), target - target.mean(), rcond=None)
    return (coef / (np.linalg.norm(coef) + 1e-12)).astype(np.float32)


def move(z: "torch.Tensor", directions: Sequence[LatentDirection], amounts: Sequence[float]) -> "torch.Tensor":
    """z (N, 100) moved along each direction by its amount (in standard deviations of z)."""
    import torch

    if len(directions) != len(amounts):
        raise InputError("Give one amount per latent direction.")
    out = z.clone()
    for d, a in zip(directions, amounts):
        if not -5.0 <= float(a) <= 5.0:
            raise InputError(f"A move along '{d.name}' must be between -5 and 5, got {a}.")
        out += float(a) * torch.from_numpy(d.vector)
    return out


# ---- text-to-image (optional hub model) ----------------------------------------------------------

MAX_PROMPT_CHARS = 500


def check_text_to_image(prompt: str, steps: int, guidance: float, size: int) -> str:
    prompt = (prompt or "").strip()
    if not prompt:
        raise InputError("The prompt is empty; describe the image you want, e.g. 'a red bicycle'.")
    if len(prompt) > MAX_PROMPT_CHARS:
        raise InputError(f"The prompt has {len(prompt)} characters; keep it under {MAX_PROMPT_CHARS}.")
    if not 1 <= steps <= 50:
        raise InputError(f"Steps must be between 1 and 50, got {steps}.")
    if not 0.0 <= guidance <= 20.0:
        raise InputError(f"Guidance must be between 0 and 20, got {guidance}.")
    if size % 8 or not 64 <= size <= 1024:
        raise InputError(f"Image size must be a multiple of 8 between 64 and 1024, got {size}.")
    return prompt


def text_to_image(pipe: Any, prompt: str, steps: int = 1, guidance: float = 0.0, seed: int = 0,
                  size: int = 512) -> tuple["Image.Image", float]:
    """Run a diffusers text-to-image pipeline once; returns (image, seconds)."""
    import torch

    prompt = check_text_to_image(prompt, steps, guidance, size)
    gen = torch.Generator(device="cpu").manual_seed(check_seed(seed))
    started = time.perf_counter()
    out = pipe(prompt=prompt, num_inference_steps=steps, guidance_scale=guidance, generator=gen,
               height=size, width=size)
    return out.images[0], time.perf_counter() - started


DIRECTIONS_FILE = "face_gan_directions.safetensors"


def face_directions(generator: "torch.nn.Module") -> list[LatentDirection]:
    """`latent_directions` of the bundled face GAN, computed once and kept in the models folder."""
    import torch

    from . import store

    try:
        state, meta = store.load(DIRECTIONS_FILE)
        return [LatentDirection(d["name"], d["description"], state[f"d{i}"].numpy())
                for i, d in enumerate(meta["directions"])]
    except (FileNotFoundError, InputError, KeyError):
        pass
    found = latent_directions(generator)
    store.save(DIRECTIONS_FILE, {f"d{i}": torch.from_numpy(d.vector) for i, d in enumerate(found)},
               {"directions": [{"name": d.name, "description": d.description} for d in found]})
    return found
