"""scikit-learn's 1,797 handwritten 8x8 digits, in the two shapes the generative models here use.

Both splits are fixed (stratified, `random_state=seed`), so every run and every session sees the same
train/test digits.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import torch

IMAGE_SIZE = 16  # the diffusion model's digits: 8x8 upsampled, since a UNet needs room to downsample
PIXELS = 64  # the VAE's digits: 8 x 8, flattened


def digits_16(seed: int = 0, test_size: float = 0.1) -> tuple["torch.Tensor", ...]:
    """(x_train, y_train, x_test, y_test): 16x16 digits in [-1, 1], shape (N, 1, 16, 16)."""
    import torch
    import torch.nn.functional as F
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    digits = load_digits()
    x = torch.tensor(digits.images, dtype=torch.float32).unsqueeze(1) / 16.0  # (N, 1, 8, 8) in [0, 1]
    x = F.interpolate(x, size=(IMAGE_SIZE, IMAGE_SIZE), mode="bilinear", align_corners=False)
    x = x.clamp(0, 1) * 2 - 1
    y = torch.tensor(digits.target, dtype=torch.long)
    tr, te = train_test_split(np.arange(len(y)), test_size=test_size, random_state=seed, stratify=digits.target)
    return x[tr], y[tr], x[te], y[te]


def digits_flat(seed: int = 0) -> tuple["torch.Tensor", ...]:
    """(x_train, y_train, x_test, y_test): flattened 8x8 digits in [0, 1], shape (N, 64); 80/20 split."""
    import torch
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    d = load_digits()
    x = torch.tensor(d.data / 16.0, dtype=torch.float32)
    y = torch.tensor(d.target, dtype=torch.long)
    tr, te = train_test_split(np.arange(len(y)), test_size=0.2, random_state=seed, stratify=d.target)
    return x[tr], y[tr], x[te], y[te]
