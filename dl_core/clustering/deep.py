"""Deep clustering on scikit-learn's 8x8 digits: learn a representation, then k-means in it.

Two encoders, both trained with `training.fit` (so pages show them live and MLflow logs them):
- "contrastive" (default): an MLP whose output puts each digit close to one of its nearest
  neighbours in pixel space (both randomly shifted by a pixel) and far from the rest of the batch
  (InfoNCE with neighbour positives, as in NNCLR / SCAN). Pixel-space neighbours share the digit
  ~96% of the time, so the encoder learns to pull each class together: k-means then finds the
  digits much better than on pixels.
- "autoencoder": a denoising MLP autoencoder; k-means in its bottleneck. It compresses well but
  does not, by itself, make clusters more separable: a useful honest contrast.

Labels are never used for training; they only score the clusterings (ARI/NMI) and colour plots.

    digits = load_digits_data()
    trained = train_encoder(digits, DeepConfig(kind="contrastive", epochs=40), caller="cli")
    trained.metrics                  # {"ari": ..., "nmi": ...}: k-means (k=10) on the learned codes
    trained.details["comparison"]    # the same k-means on raw pixels, on PCA and on the codes

`train_encoder` is the one call that trains, evaluates and logs (MLflow) an encoder: the page and
`python -m dl_core clustering deep` both use it.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from ..errors import InputError

if TYPE_CHECKING:
    import torch
    from torch import nn

    from ..tracking import Caller
    from ..training import Callback, CancelToken, TrainedModel

Kind = Literal["contrastive", "autoencoder"]


@dataclass
class DeepConfig:
    kind: Kind = "contrastive"
    latent_dim: int = 16  # small enough for k-means, large enough to keep 10 classes apart
    epochs: int = 40
    lr: float = 1e-3
    batch_size: int = 256  # contrastive: the other 255 rows of a batch are the negatives
    temperature: float = 0.2  # InfoNCE sharpness; 0.1-0.5 all work, lower = tighter clusters
    neighbours: int = 5  # positives are drawn among this many nearest pixel-space neighbours
    noise: float = 0.1  # Gaussian pixel noise added to inputs (denoising / augmentation)
    shift: float = 0.5  # contrastive: share of digits moved by a pixel (teaches shift invariance)
    val_share: float = 0.15  # held out from training, for the validation loss and val ARI
    seed: int = 0

    def check(self) -> None:
        """Raise InputError naming the first bad value and its valid range."""
        if self.kind not in ("contrastive", "autoencoder"):
            raise InputError(f"kind must be 'contrastive' or 'autoencoder', got {self.kind!r}.")
        if not 2 <= self.latent_dim <= 64:
            raise InputError(f"latent size must be between 2 and 64, got {self.latent_dim}.")
        if not 0.01 <= self.temperature <= 2:
            raise InputError(f"temperature must be between 0.01 and 2, got {self.temperature}.")
        if not 1 <= self.neighbours <= 50:
            raise InputError(f"neighbours must be between 1 and 50, got {self.neighbours}.")
        if not 0 <= self.shift <= 1:
            raise InputError(f"shift must be between 0 and 1, got {self.shift}.")
        if not 0 <= self.noise <= 1:
            raise InputError(f"noise must be between 0 and 1, got {self.noise}.")
        if not 0.05 <= self.val_share <= 0.5:
            raise InputError(f"val_share must be between 0.05 and 0.5, got {self.val_share}.")
        if not 1 <= self.epochs <= 1_000:
            raise InputError(f"epochs must be between 1 and 1,000, got {self.epochs}.")
        if not 0 < self.lr <= 1:
            raise InputError(f"learning rate must be in (0, 1], got {self.lr}.")
        if not 8 <= self.batch_size <= 4_096:
            raise InputError(f"batch size must be between 8 and 4,096, got {self.batch_size}.")


@dataclass
class DigitsData:
    X: np.ndarray  # (n, 64) float32 in [0, 1]
    y: np.ndarray  # (n,) the digit, used only for scores and colours
    images: np.ndarray  # (n, 8, 8) float in [0, 16], as sklearn ships them


def load_digits_data(n: int | None = None, seed: int = 0) -> DigitsData:
    """sklearn's 1,797 digits (bundled, offline); `n` draws a random subset (tests)."""
    from sklearn.datasets import load_digits

    d = load_digits()
    idx = np.arange(len(d.target))
    if n is not None and n < len(idx):
        idx = np.sort(np.random.default_rng(seed).choice(len(idx), n, replace=False))
    return DigitsData(X=(d.data[idx] / 16.0).astype(np.float32), y=d.target[idx].copy(), images=d.images[idx])


def build_model(cfg: DeepConfig) -> "nn.Module":
    """An MLP encoder 64 -> 256 -> 128 -> latent (plus a mirrored decoder for the autoencoder)."""
    from torch import nn

    class DigitEncoder(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.encoder = nn.Sequential(nn.Linear(64, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(),
                                         nn.Linear(128, cfg.latent_dim))
            self.decoder = (nn.Sequential(nn.Linear(cfg.latent_dim, 128), nn.ReLU(), nn.Linear(128, 256),
                                          nn.ReLU(), nn.Linear(256, 64))
                            if cfg.kind == "autoencoder" else None)
            self.normalize = cfg.kind == "contrastive"  # InfoNCE works on the unit sphere

        def forward(self, x):  # (B, 64) -> (B, latent)
            z = self.encoder(x)
            return nn.functional.normalize(z, dim=1) if self.normalize else z

    return DigitEncoder()


def _split(n: int, cfg: DeepConfig) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(cfg.seed)
    perm = rng.permutation(n)
    n_val = max(2, int(round(n * cfg.val_share)))
    return np.sort(perm[n_val:]), np.sort(perm[:n_val])


def _neighbour_table(X: np.ndarray, train: np.ndarray, rows: np.ndarray, k: int, exclude_self: bool) -> np.ndarray:
    """(len(rows), k, 64): each row's k nearest *training* digits in pixel space (its positives)."""
    from sklearn.neighbors import NearestNeighbors

    k = min(k, len(train) - int(exclude_self))
    nn_ = NearestNeighbors(n_neighbors=k + int(exclude_self)).fit(X[train])
    idx = nn_.kneighbors(X[rows], return_distance=False)
    idx = idx[:, 1:] if exclude_self else idx
    return X[train][idx]


def shift_pixels(x: "torch.Tensor", generator: "torch.Generator | None" = None) -> "torch.Tensor":
    """Move each 8x8 digit (rows of x, (B, 64)) by -1, 0 or +1 pixel in each direction."""
    import torch
    import torch.nn.functional as F

    B, dev = len(x), x.device
    padded = F.pad(x.view(B, 8, 8), (1, 1, 1, 1))  # (B, 10, 10)
    dy = torch.randint(0, 3, (B,), generator=generator, device=dev)
    dx = torch.randint(0, 3, (B,), generator=generator, device=dev)
    rows = (dy[:, None] + torch.arange(8, device=dev))[:, :, None]  # (B, 8, 1)
    cols = (dx[:, None] + torch.arange(8, device=dev))[:, None, :]  # (B, 1, 8)
    return padded[torch.arange(B, device=dev)[:, None, None], rows, cols].reshape(B, 64)


# The losses draw their randomness (positives, shifts, noise) from `generator`: None = torch's global
# generator, which `training.fit` seeds per batch under its lock while training; the evaluation
# passes its own generator, so every epoch is scored on the same draws (comparable losses).

def _contrastive_loss(cfg: DeepConfig):
    import torch
    import torch.nn.functional as F

    def augment(x, gen):  # (B, 64): half the digits moved by up to a pixel, then pixel noise
        moved = torch.where(torch.rand(len(x), 1, generator=gen, device=x.device) < cfg.shift,
                            shift_pixels(x, gen), x)
        return moved + cfg.noise * torch.randn(moved.shape, generator=gen, device=x.device)

    def step(model, batch, gen=None):
        x, nbrs = batch[0], batch[1]  # (B, 64), (B, K, 64)
        pick = torch.randint(0, nbrs.shape[1], (len(x),), generator=gen, device=x.device)
        pos = nbrs[torch.arange(len(x), device=x.device), pick]  # (B, 64)
        za, zb = model(augment(x, gen)), model(augment(pos, gen))
        logits = za @ zb.T / cfg.temperature  # (B, B): the diagonal holds the positive pairs
        target = torch.arange(len(x), device=x.device)
        return (F.cross_entropy(logits, target) + F.cross_entropy(logits.T, target)) / 2

    return step


def _autoencoder_loss(cfg: DeepConfig):
    import torch
    import torch.nn.functional as F

    def step(model, batch, gen=None):
        x = batch[0]
        noisy = x + cfg.noise * torch.randn(x.shape, generator=gen, device=x.device)
        return F.mse_loss(model.decoder(model.encoder(noisy)), x)

    return step


def _evaluate(batch_loss, seed: int):
    """Validation loss, plus the ARI of k-means (k=10) on the held-out digits' codes: a live view
    of how cluster-friendly the representation is becoming (labels only score, never train)."""
    import torch

    def evaluate(model, loader):
        losses, codes, ys = [], [], []
        gen = None
        for batch in loader:
            if gen is None:  # the same random positives/noise every epoch: comparable losses
                gen = torch.Generator(device=batch[0].device).manual_seed(seed)
            losses.append(batch_loss(model, batch, gen).item() * len(batch[0]))
            codes.append(model(batch[0]).float().cpu().numpy())
            ys.append(batch[-1].cpu().numpy())
        z, y = np.concatenate(codes), np.concatenate(ys)
        ari = kmeans_scores(z, y, k=min(10, len(z)), seed=seed, n_init=3)["ari"]
        return {"val_loss": float(sum(losses) / len(z)), "val_ari": ari}

    return evaluate


def fit_encoder(data: DigitsData, cfg: DeepConfig, callbacks: Sequence["Callback"] = (),
                cancel: "CancelToken | None" = None) -> tuple["nn.Module", Any]:
    """Build and train the encoder with `training.fit` (labels unused): (model, FitResult).
    No evaluation, no logging: `train_encoder` is the call pages and the CLI use."""
    import torch

    from .. import training

    with training.seeded(cfg.seed):  # weight initialisation: the same seed, the same start
        model = build_model(cfg)
    tr, va = _split(len(data.X), cfg)
    X, y = data.X, torch.as_tensor(data.y, dtype=torch.long)
    if cfg.kind == "contrastive":
        train_set = (torch.as_tensor(X[tr]), torch.as_tensor(_neighbour_table(X, tr, tr, cfg.neighbours, True)),
                     y[tr])
        val_set = (torch.as_tensor(X[va]), torch.as_tensor(_neighbour_table(X, tr, va, cfg.neighbours, False)),
                   y[va])
        loss = _contrastive_loss(cfg)
    else:
        train_set = (torch.as_tensor(X[tr]), y[tr])
        val_set = (torch.as_tensor(X[va]), y[va])
        loss = _autoencoder_loss(cfg)
    # The best weights by validation loss (lower is better) are kept; val_ari is only watched.
    tc = training.TrainConfig(epochs=cfg.epochs, lr=cfg.lr, batch_size=cfg.batch_size, seed=cfg.seed,
                              weight_decay=1e-4, grad_clip=None, monitor="val_loss", monitor_mode="min")
    result = training.fit(model, train_set, val_set, config=tc, batch_loss=loss,
                          evaluate=_evaluate(loss, cfg.seed), callbacks=callbacks, cancel=cancel)
    return model, result


def evaluate_encoder(model: "nn.Module", data: DigitsData, k: int = 10,
                     seed: int = 0) -> tuple[dict[str, float], dict[str, Any]]:
    """k-means (k) on raw pixels, PCA and the model's codes, scored against the digits:
    (metrics of the codes {"ari", "nmi"}, details {"comparison": rows, "labels": k-means labels in
    the learned space, "codes": (n, latent)}). Also for a model whose training was stopped."""
    codes = embed(model, data.X)
    rows = compare(data, codes, k=k, seed=seed, with_labels=True)
    labels = rows[-1]["labels"]
    rows = [{key: v for key, v in r.items() if key != "labels"} for r in rows]
    latent = rows[-1]
    return {"ari": latent["ari"], "nmi": latent["nmi"]}, {"comparison": rows, "labels": labels, "codes": codes}


def train_encoder(data: DigitsData, config: DeepConfig, *, callbacks: Sequence["Callback"] = (),
                  cancel: "CancelToken | None" = None, caller: "Caller" = "app") -> "TrainedModel":
    """Train the deep clustering encoder on `data`, evaluate it (k-means in its latent space vs raw
    pixels vs PCA: metrics of the codes, the whole table in `details["comparison"]`), and log the
    run to MLflow (`clustering/<kind>`, tagged with `caller`). The one call the page and the CLI make."""
    from .. import tracking
    from ..training import TrainedModel

    config.check()
    if len(data.X) < 20:
        raise InputError(f"Deep clustering needs at least 20 digits, got {len(data.X)}.")
    with tracking.training_run(f"clustering/{config.kind}", config, caller=caller) as run:
        model, fit = fit_encoder(data, config, callbacks=[*callbacks, run.callback], cancel=cancel)
        metrics, details = evaluate_encoder(model, data, seed=config.seed)
        run.log_final(metrics, model=model)
    return TrainedModel(model=model, history=fit.history, metrics=metrics, run_id=run.run_id, fit=fit,
                        details=details)


def embed(model: "nn.Module", X: np.ndarray) -> np.ndarray:
    """(n, latent) codes of the digits."""
    import torch

    dev = next(model.parameters()).device
    model.eval()
    with torch.inference_mode():
        return model(torch.as_tensor(X, dtype=torch.float32, device=dev)).float().cpu().numpy()


def kmeans_scores(Z: np.ndarray, y: np.ndarray, k: int = 10, seed: int = 0, n_init: int = 10) -> dict[str, Any]:
    """k-means on Z, scored against y: labels, ARI, NMI and the k-means time."""
    from sklearn.cluster import KMeans
    from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

    t0 = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        labels = KMeans(n_clusters=k, n_init=n_init, random_state=seed).fit_predict(Z)
    return {"labels": labels, "ari": float(adjusted_rand_score(y, labels)),
            "nmi": float(normalized_mutual_info_score(y, labels)), "seconds": time.perf_counter() - t0}


def compare(data: DigitsData, latent: np.ndarray, k: int = 10, seed: int = 0,
            with_labels: bool = False) -> list[dict[str, Any]]:
    """k-means (same settings) on raw pixels, on PCA with as many dimensions as the latent, and on
    the learned codes: one row each with ARI, NMI and seconds."""
    from sklearn.decomposition import PCA

    dims = latent.shape[1]
    pca = PCA(n_components=min(dims, 64), random_state=seed).fit_transform(data.X)
    rows = []
    for name, Z in (("raw pixels", data.X), ("pca", pca), ("latent", latent)):
        s = kmeans_scores(Z, data.y, k, seed)
        row = {"features": name, "dims": int(Z.shape[1]), "ari": round(s["ari"], 4), "nmi": round(s["nmi"], 4),
               "seconds": round(s["seconds"], 4)}
        if with_labels:
            row["labels"] = s["labels"]
        rows.append(row)
    return rows


def embedding_2d(Z: np.ndarray, method: Literal["pca", "tsne"] = "pca", seed: int = 0) -> np.ndarray:
    """(n, 2) picture of the codes: PCA (instant) or t-SNE (seconds; shows local groups better)."""
    if method == "pca":
        from sklearn.decomposition import PCA

        return PCA(n_components=2, random_state=seed).fit_transform(Z)
    if method == "tsne":
        from sklearn.manifold import TSNE

        perplexity = float(min(30, max(2, (len(Z) - 1) // 3)))
        return TSNE(n_components=2, perplexity=perplexity, init="pca", random_state=seed).fit_transform(Z)
    raise InputError(f"method must be 'pca' or 'tsne', got {method!r}.")
