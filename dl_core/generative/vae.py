"""A variational autoencoder on scikit-learn's 8x8 digits, small enough to train in seconds.

Encoder x (64 pixels) -> (mu, log_var) of a Gaussian in a latent space of `latent` dimensions; a
sample z = mu + sigma * eps (the reparameterisation trick) is decoded back to 64 pixels. Loss =
reconstruction (binary cross-entropy on pixels in [0, 1]) + KL(q(z|x) || N(0, I)), which is what
makes the latent space smooth enough to walk around in.

    trained = train_vae(None, VAEConfig(latent=2, epochs=60), caller="cli")   # train, evaluate, log
    trained.metrics["test_reconstruction_loss"]
    images, axis = latent_grid(trained.model, size=15)                        # (15, 15, 8, 8)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import InputError
from .checks import check_seed
from .digits import PIXELS, digits_flat
from .judge import on_model_device

if TYPE_CHECKING:
    import torch
    from torch import nn

    from ..tracking import Caller
    from ..training import CancelToken, TrainedModel

EXPERIMENT = "generative/vae-digits"


@dataclass
class VAEConfig:
    latent: int = 2  # 2 lets the latent space be drawn as a map
    hidden: int = 128
    epochs: int = 60
    lr: float = 3e-3
    batch_size: int = 64
    beta: float = 1.0  # weight of the KL term
    seed: int = 0
    device: str | None = field(default=None, metadata={"log": False})  # None = dl_core.device.get()

    def check(self) -> None:
        if not 1 <= self.latent <= 16:
            raise InputError(f"Latent size must be between 1 and 16, got {self.latent}.")
        if not 8 <= self.hidden <= 1024:
            raise InputError(f"Hidden size must be between 8 and 1,024, got {self.hidden}.")
        if not 1 <= self.epochs <= 1000:
            raise InputError(f"Epochs must be between 1 and 1,000, got {self.epochs}.")
        if not 0.0 < self.beta <= 10.0:
            raise InputError(f"beta must be in (0, 10], got {self.beta}.")
        if not 1e-5 <= self.lr <= 0.1:
            raise InputError(f"Learning rate must be between 0.00001 and 0.1, got {self.lr}.")
        if not 8 <= self.batch_size <= 2048:
            raise InputError(f"Batch size must be between 8 and 2,048, got {self.batch_size}.")
        check_seed(self.seed, "seed")


def build_vae(latent: int = 2, hidden: int = 128) -> "nn.Module":
    import torch
    from torch import nn

    class VAE(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.latent = latent
            self.encoder = nn.Sequential(nn.Linear(PIXELS, hidden), nn.ReLU(), nn.Linear(hidden, hidden), nn.ReLU())
            self.mu = nn.Linear(hidden, latent)
            self.log_var = nn.Linear(hidden, latent)
            self.decoder = nn.Sequential(nn.Linear(latent, hidden), nn.ReLU(), nn.Linear(hidden, hidden),
                                         nn.ReLU(), nn.Linear(hidden, PIXELS))  # logits of pixels

        def encode(self, x):  # (B, 64) -> mu, log_var (B, latent)
            h = self.encoder(x)
            return self.mu(h), self.log_var(h).clamp(-10, 10)

        def decode(self, z):  # (B, latent) -> (B, 64) pixels in [0, 1]
            return torch.sigmoid(self.decoder(z))

        def forward(self, x):
            mu, log_var = self.encode(x)
            z = mu + torch.exp(0.5 * log_var) * torch.randn_like(mu) if self.training else mu
            return self.decoder(z), mu, log_var

    return VAE()


def vae_loss(model: "nn.Module", batch: tuple, beta: float = 1.0) -> "torch.Tensor":
    """Per-image ELBO terms, averaged: BCE summed over pixels + beta * KL."""
    import torch
    import torch.nn.functional as F

    x = batch[0]
    logits, mu, log_var = model(x)
    rec = F.binary_cross_entropy_with_logits(logits, x, reduction="sum") / len(x)
    kl = -0.5 * torch.sum(1 + log_var - mu.pow(2) - log_var.exp()) / len(x)
    return rec + beta * kl


def reconstruction_loss(model: "nn.Module", x: "torch.Tensor") -> float:
    """Mean BCE per image (summed over the 64 pixels) when decoding each image's mean code."""
    import torch
    import torch.nn.functional as F

    model.eval()
    dev = next(model.parameters()).device
    with torch.no_grad():
        x = x.to(dev)
        mu, _ = model.encode(x)
        logits = model.decoder(mu)
        return float(F.binary_cross_entropy_with_logits(logits, x, reduction="sum") / len(x))


def train_vae(data: "tuple[torch.Tensor, torch.Tensor] | None" = None, config: VAEConfig | None = None, *,
              callbacks: Sequence[Any] = (), cancel: "CancelToken | None" = None,
              caller: "Caller" = "app") -> "TrainedModel":
    """Train the VAE, measure its test reconstruction loss and log the run to MLflow: the one engine
    call for the VAE (page and CLI).

    `data` is (x_train, x_test), each (N, 64) pixels in [0, 1]; None = the bundled digits' fixed
    split. Labels are never used for training (the page only colours the latent map with them).
    Returns a `TrainedModel` with `metrics` {"test_reconstruction_loss"} (mean BCE per image, summed
    over the 64 pixels, decoding each test image's mean code).
    """
    import torch

    from .. import device as devices
    from .. import tracking, training

    config = config or VAEConfig()
    config.check()
    x_tr, x_te = _check_data(data)
    dev = torch.device(config.device) if config.device else devices.get()
    with training.seeded(config.seed):  # weight init draws from torch's global generator
        model = build_vae(config.latent, config.hidden)
    cfg = training.TrainConfig(epochs=config.epochs, lr=config.lr, batch_size=config.batch_size,
                               seed=config.seed, device=str(dev), monitor="val_loss", monitor_mode="min")
    beta = config.beta

    def step(m, batch):
        return vae_loss(m, batch, beta)

    def evaluate(m, batches):
        losses = [vae_loss(m, b, beta).item() for b in batches]
        rec = float(np.mean([reconstruction_loss(m, b[0]) for b in batches]))
        return {"val_loss": float(np.mean(losses)), "val_reconstruction": rec}

    with tracking.training_run(EXPERIMENT, config, caller=caller) as run:
        result = training.fit(model, (x_tr,), (x_te,), config=cfg, batch_loss=step,
                              evaluate=on_model_device(evaluate),
                              callbacks=[*callbacks, run.callback], cancel=cancel)
        metrics = {"test_reconstruction_loss": reconstruction_loss(model, x_te)}
        run.log_final(metrics, model=model)
    return training.TrainedModel(model=model.eval(), history=result.history, metrics=metrics,
                                 run_id=run.run_id, fit=result, details={"config": config})


def _check_data(data: Any) -> tuple["torch.Tensor", "torch.Tensor"]:
    if data is None:
        x_tr, _, x_te, _ = digits_flat()
        return x_tr, x_te
    try:
        x_tr, x_te = data
        ok = all(x.ndim == 2 and x.shape[1] == PIXELS and len(x) >= 1 for x in (x_tr, x_te))
    except (TypeError, ValueError, AttributeError):
        ok = False
    if not ok:
        raise InputError(f"VAE data must be (x_train, x_test), each of shape (N, {PIXELS}) with pixels in [0, 1].")
    return x_tr, x_te


def latent_codes(model: "nn.Module", x: "torch.Tensor") -> np.ndarray:
    """Mean codes (N, latent) of images (N, 64)."""
    import torch

    dev = next(model.parameters()).device
    with torch.no_grad():
        mu, _ = model.encode(x.to(dev))
    return mu.cpu().numpy()


def decode_latents(model: "nn.Module", z: np.ndarray) -> np.ndarray:
    """Codes (N, latent) -> images (N, 8, 8) in [0, 1]."""
    import torch

    z = np.asarray(z, dtype=np.float32)
    if z.ndim != 2 or z.shape[1] != model.latent:
        raise InputError(f"Codes must have {model.latent} numbers each, got shape {z.shape}.")
    dev = next(model.parameters()).device
    with torch.no_grad():
        return model.decode(torch.from_numpy(z).to(dev)).cpu().numpy().reshape(-1, 8, 8)


def latent_grid(model: "nn.Module", size: int = 15, span: float = 2.5) -> tuple[np.ndarray, np.ndarray]:
    """Decode a size x size grid over the first two latent dimensions (others held at 0).

    Returns (images (size, size, 8, 8), axis values). Rows go from +span (top) to -span (bottom)."""
    if not 2 <= size <= 30:
        raise InputError(f"Grid size must be between 2 and 30, got {size}.")
    if model.latent < 2:
        raise InputError("A latent grid needs a latent size of at least 2.")
    axis = np.linspace(-span, span, size)
    z = np.zeros((size * size, model.latent), np.float32)
    for i, yv in enumerate(axis[::-1]):
        for j, xv in enumerate(axis):
            z[i * size + j, :2] = (xv, yv)
    return decode_latents(model, z).reshape(size, size, 8, 8), axis
