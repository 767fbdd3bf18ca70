"""Faces from the bundled GAN: grids from a seed, the truncation trick, interpolation, latent directions.

The registry's `dcgan-faces-64` maps a 100-d Gaussian vector z to a 64x64 face. Everything random here
comes from a local `torch.Generator` seeded by the person's seed, so a seed always gives the same
faces, whatever other sessions do at the same moment. Latent directions are found by measuring what
the generator does (GANSpace-style principal directions of its first layer, and regression of
measured brightness/warmth on z).

    G = registry.load(FACE_MODEL)
    pictures = faces(G, n=16, seed=7, truncation=0.8)   # (16, 64, 64, 3) uint8
    strip = interpolate(G, seed_a=1, seed_b=2, frames=8)
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from ..errors import InputError
from .checks import check_count, check_seed

if TYPE_CHECKING:
    import torch

FACE_MODEL = "dcgan-faces-64"
LATENT_DIM = 100
MAX_FACES = 64
MAX_FRAMES = 60


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


DIRECTIONS_FILE = "face_gan_directions.safetensors"


def face_directions_ready() -> bool:
    """Whether `face_directions` is on disk (`python -m dl_core prepare` computes it), so costs no work."""
    from .. import store

    return store.path_for(DIRECTIONS_FILE).is_file()


def face_directions(generator: "torch.nn.Module",
                    on_wait: Callable[[], None] | None = None) -> list[LatentDirection]:
    """`latent_directions` of the bundled face GAN, computed once per machine and kept in the models
    folder (under the shared build lock: two sessions arriving together compute it once)."""
    from .. import store

    found = _load_directions()
    if found is None:
        store.build_once("face-gan-directions", exists=lambda: _load_directions() is not None,
                         build=lambda: _save_directions(latent_directions(generator)), on_wait=on_wait)
        found = _load_directions()
    return found


def _load_directions() -> list[LatentDirection] | None:
    from .. import store

    try:
        state, meta = store.load(DIRECTIONS_FILE)
        return [LatentDirection(d["name"], d["description"], state[f"d{i}"].numpy())
                for i, d in enumerate(meta["directions"])]
    except (FileNotFoundError, InputError, KeyError):
        return None


def _save_directions(found: list[LatentDirection]) -> None:
    import torch

    from .. import store

    store.save(DIRECTIONS_FILE, {f"d{i}": torch.from_numpy(d.vector) for i, d in enumerate(found)},
               {"directions": [{"name": d.name, "description": d.description} for d in found]})
