"""Why did the model decide that? Attributions through captum.

- `grad_cam`: which regions of an image a CNN layer looked at, as a heatmap over the photo;
- `integrated_gradients`: per-input-feature attributions (pixels, tabular features);
- `token_attributions`: per-token attributions for a text model, via its embedding layer;
- `occlusion`: model-agnostic, by hiding windows of the input.
All return plain numpy arrays so pages and the command line can draw them however they like.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    import torch
    from torch import nn


def grad_cam(model: "nn.Module", layer: "nn.Module", x: "torch.Tensor", target: int) -> np.ndarray:
    """Grad-CAM for one image x (1, C, H, W) → (H, W) heatmap in [0, 1], upsampled to the input."""
    from captum.attr import LayerAttribution, LayerGradCam

    model.eval()
    cam = LayerGradCam(model, layer).attribute(x, target=target, relu_attributions=True)  # (1, 1, h, w)
    cam = LayerAttribution.interpolate(cam, tuple(x.shape[-2:]), interpolate_mode="bilinear")
    heat = cam[0, 0].detach().float().cpu().numpy()
    return _unit(heat)


def integrated_gradients(forward: Callable[..., "torch.Tensor"], x: "torch.Tensor",
                         target: int | None = None, baseline: "torch.Tensor | float" = 0.0,
                         n_steps: int = 32) -> np.ndarray:
    """Integrated gradients of `forward(x)[target]` w.r.t. x (same shape as x)."""
    from captum.attr import IntegratedGradients

    attr = IntegratedGradients(forward).attribute(x, baselines=baseline, target=target, n_steps=n_steps)
    return attr.detach().float().cpu().numpy()


def token_attributions(forward: Callable[..., "torch.Tensor"], embeddings: "nn.Module",
                       input_ids: "torch.Tensor", baseline_ids: "torch.Tensor", target: int | None,
                       additional_forward_args: tuple[Any, ...] = (), n_steps: int = 32) -> np.ndarray:
    """Layer integrated gradients through the embedding layer, summed per token → (T,)."""
    from captum.attr import LayerIntegratedGradients

    lig = LayerIntegratedGradients(forward, embeddings)
    attr = lig.attribute(input_ids, baselines=baseline_ids, target=target,
                         additional_forward_args=additional_forward_args, n_steps=n_steps)
    return attr.sum(-1)[0].detach().float().cpu().numpy()


def occlusion(forward: Callable[..., "torch.Tensor"], x: "torch.Tensor", target: int | None,
              window: tuple[int, ...], stride: tuple[int, ...] | int = 1,
              baseline: float = 0.0) -> np.ndarray:
    """Occlusion attributions: how much the target score drops when each window is hidden."""
    from captum.attr import Occlusion

    attr = Occlusion(forward).attribute(x, sliding_window_shapes=window, strides=stride,
                                        target=target, baselines=baseline)
    return attr.detach().float().cpu().numpy()


def _unit(a: np.ndarray) -> np.ndarray:
    a = np.nan_to_num(a.astype(np.float64))
    lo, hi = a.min(), a.max()
    return ((a - lo) / (hi - lo) if hi > lo else np.zeros_like(a)).astype(np.float32)
