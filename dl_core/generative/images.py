"""Pictures out of arrays: a grid of small images (PIL or PNG bytes) and an animated GIF."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from PIL import Image


def image_grid(images: np.ndarray, cols: int = 8, pad: int = 2, scale: int = 1) -> "Image.Image":
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


def gif_bytes(frames: np.ndarray, ms_per_frame: int = 120, scale: int = 2, bounce: bool = True,
              max_seconds: float | None = None) -> bytes:
    """An animated GIF (there and back again when `bounce`) of (N, H, W, 3) uint8 frames: looping for ever,
    or with `max_seconds` as many whole plays as fit in that time (at least one), then still on its
    last frame."""
    from PIL import Image

    seq = list(frames) + (list(frames[-2:0:-1]) if bounce and len(frames) > 2 else [])
    pics = [Image.fromarray(f).resize((f.shape[1] * scale, f.shape[0] * scale), Image.NEAREST) for f in seq]
    # A GIF's loop count is how often it plays again after the first play (0: for ever; none: once).
    again = {"loop": 0}
    if max_seconds is not None:
        plays = max(1, int(max_seconds * 1000 // (ms_per_frame * len(pics))))
        again = {"loop": plays - 1} if plays > 1 else {}
    buf = io.BytesIO()
    pics[0].save(buf, format="GIF", save_all=True, append_images=pics[1:], duration=ms_per_frame, **again)
    return buf.getvalue()


def png_bytes(image: "Image.Image") -> bytes:
    """A PIL image as PNG bytes (what a page caches, so reruns skip the encoding)."""
    buf = io.BytesIO()
    image.save(buf, format="PNG")
    return buf.getvalue()
