"""Attributions point at what actually drives a model's output."""

import numpy as np
import torch
from torch import nn

from dl_core import explain


def test_integrated_gradients_finds_the_only_used_feature():
    model = nn.Linear(4, 2)
    with torch.no_grad():
        model.weight.zero_()
        model.weight[1, 2] = 3.0
        model.bias.zero_()
    attr = explain.integrated_gradients(model, torch.ones(1, 4), target=1)
    assert attr.shape == (1, 4)
    assert np.argmax(np.abs(attr[0])) == 2
    assert abs(attr[0, 2] - 3.0) < 1e-2  # completeness: attributions sum to f(x) - f(baseline)


def test_grad_cam_highlights_the_bright_corner():
    conv = nn.Conv2d(1, 1, 3, padding=1, bias=False)
    with torch.no_grad():
        conv.weight.fill_(1.0)
    model = nn.Sequential(conv, nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(1, 2))
    with torch.no_grad():
        model[4].weight.copy_(torch.tensor([[1.0], [-1.0]]))
    x = torch.zeros(1, 1, 16, 16)
    x[..., :4, :4] = 1.0
    heat = explain.grad_cam(model, conv, x, target=0)
    assert heat.shape == (16, 16) and heat.min() >= 0 and heat.max() <= 1
    assert heat[:4, :4].mean() > heat[8:, 8:].mean() + 0.5


def test_occlusion_shape_and_sign():
    model = nn.Linear(6, 1)
    with torch.no_grad():
        model.weight.copy_(torch.tensor([[0.0, 0, 0, 5, 0, 0]]))
    attr = explain.occlusion(model, torch.ones(1, 6), target=0, window=(1,))
    assert attr.shape == (1, 6) and np.argmax(attr[0]) == 3
