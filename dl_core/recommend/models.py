"""The deep recommenders, in torch. Each scores a (user, item) pair by a dot product of two vectors:

- `FactorNet`: one embedding per user and per item (+ biases). Trained on ratings with MSE, this is the
  Netflix-prize "matrix factorisation with biases" (Koren, Bell & Volinsky 2009); trained on who-had-what
  with BPR (Rendle et al. 2009) or a sampled softmax, it is a ranking model.
- `TwoTower`: a user tower (id embedding -> MLP) and an item tower (id embedding + genres + release-year
  bucket -> MLP), as in YouTube's and most industrial retrieval models; side features let items with
  few ratings borrow from others of the same genre and decade.

Losses take one batch of (user, item[, rating]) rows; negatives are drawn uniformly from the catalogue
with the caller's own `torch.Generator` (never the global seed).
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

YEAR_BUCKETS = 12  # release decades 1900s..2010s (+ unknown)


class FactorNet(nn.Module):
    """score(u, i) = global + b_u + b_i + p_u · q_i (the biases and global only when `ratings`)."""

    def __init__(self, n_users: int, n_items: int, dim: int, ratings: bool = False,
                 global_mean: float = 0.0, init_std: float = 0.1) -> None:
        super().__init__()
        self.user = nn.Embedding(n_users, dim)
        self.item = nn.Embedding(n_items, dim)
        self.item_bias = nn.Embedding(n_items, 1)
        nn.init.normal_(self.user.weight, std=init_std)
        nn.init.normal_(self.item.weight, std=init_std)
        nn.init.zeros_(self.item_bias.weight)
        self.ratings = ratings
        if ratings:
            self.user_bias = nn.Embedding(n_users, 1)
            nn.init.zeros_(self.user_bias.weight)
            self.global_bias = nn.Parameter(torch.tensor(float(global_mean)))

    def user_vec(self, users: torch.Tensor) -> torch.Tensor:  # (B,) -> (B, d)
        return self.user(users)

    def item_vec(self, items: torch.Tensor) -> torch.Tensor:  # (...,) -> (..., d)
        return self.item(items)

    def item_b(self, items: torch.Tensor) -> torch.Tensor:  # (...,) -> (...,)
        return self.item_bias(items).squeeze(-1)

    def predict(self, users: torch.Tensor, items: torch.Tensor) -> torch.Tensor:
        """(B,) users, (B,) items -> (B,) predicted ratings."""
        out = (self.user(users) * self.item(items)).sum(-1) + self.item_b(items)
        if self.ratings:
            out = out + self.user_bias(users).squeeze(-1) + self.global_bias
        return out


def _mlp(dim: int, layers: int) -> nn.Module:
    blocks: list[nn.Module] = []
    for _ in range(layers):
        blocks += [nn.Linear(dim, dim), nn.ReLU()]
    return nn.Sequential(*blocks, nn.Linear(dim, dim)) if layers else nn.Identity()


class TwoTower(nn.Module):
    """user tower: id -> (d) -> MLP; item tower: id + genres (multi-hot) + decade -> (d) -> MLP;
    score = user · item. `genres` (n_items, G) float and `decades` (n_items,) long are fixed buffers."""

    def __init__(self, n_users: int, n_items: int, dim: int, layers: int, genres: np.ndarray,
                 decades: np.ndarray, init_std: float = 0.1) -> None:
        super().__init__()
        self.user = nn.Embedding(n_users, dim)
        self.item = nn.Embedding(n_items, dim)
        self.decade = nn.Embedding(YEAR_BUCKETS + 1, dim)
        n_genres = genres.shape[1]
        self.genre = nn.Linear(n_genres, dim, bias=False) if n_genres else None
        for emb in (self.user, self.item, self.decade):
            nn.init.normal_(emb.weight, std=init_std)
        self.register_buffer("genres", torch.as_tensor(genres, dtype=torch.float32))
        self.register_buffer("decades", torch.as_tensor(decades, dtype=torch.long))
        self.user_tower = _mlp(dim, layers)
        self.item_tower = _mlp(dim, layers)

    def user_vec(self, users: torch.Tensor) -> torch.Tensor:
        return self.user_tower(self.user(users))

    def item_vec(self, items: torch.Tensor) -> torch.Tensor:
        x = self.item(items) + self.decade(self.decades[items])
        if self.genre is not None:
            g = self.genres[items]  # (..., G)
            x = x + self.genre(g) / g.sum(-1, keepdim=True).clamp(min=1.0)
        return self.item_tower(x)

    def item_b(self, items: torch.Tensor) -> torch.Tensor:
        return torch.zeros(items.shape, device=items.device)


def side_features(genre_lists: list[tuple[str, ...]], years: np.ndarray) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Genres as a multi-hot (n_items, G) matrix and years as decade buckets (unknown = last bucket)."""
    names = sorted({g for gs in genre_lists for g in gs})
    index = {g: j for j, g in enumerate(names)}
    multi = np.zeros((len(genre_lists), len(names)), np.float32)
    for i, gs in enumerate(genre_lists):
        for g in gs:
            multi[i, index[g]] = 1.0
    decade = np.floor((np.nan_to_num(years, nan=-1.0) - 1900) / 10)
    decades = np.where(np.isfinite(years) & (decade >= 0), np.clip(decade, 0, YEAR_BUCKETS - 1), YEAR_BUCKETS)
    return multi, decades.astype(np.int64), names


# ---- losses --------------------------------------------------------------------------------------

def mse_loss(net: FactorNet, batch, reg: float) -> torch.Tensor:
    users, items, ratings = batch[0], batch[1], batch[2]
    pred = net.predict(users, items)
    penalty = net.user(users).pow(2).sum(-1) + net.item(items).pow(2).sum(-1) \
        + net.user_bias(users).squeeze(-1).pow(2) + net.item_b(items).pow(2)
    return F.mse_loss(pred, ratings) + reg * penalty.mean()


def ranking_loss(net: nn.Module, batch, loss: str, negatives: int, n_items: int, gen: torch.Generator,
                 reg: float) -> torch.Tensor:
    """BPR: -log σ(s_pos - s_neg), averaged over `negatives` random items drawn for each positive.
    Softmax: each positive against `negatives` random items shared by the whole batch, cross-entropy
    (a sampled softmax over the catalogue; sharing makes hundreds of negatives cheap: one (B, d) x (d, n)
    product instead of B x n gathered vectors)."""
    users, pos = batch[0], batch[1]
    u = net.user_vec(users)  # (B, d)
    v_pos = net.item_vec(pos)  # (B, d)
    s_pos = (u * v_pos).sum(-1) + net.item_b(pos)  # (B,)
    if loss == "bpr":
        neg = torch.randint(n_items, (len(users), negatives), generator=gen).to(users.device)  # (B, n)
        v_neg = net.item_vec(neg)  # (B, n, d)
        s_neg = (u[:, None, :] * v_neg).sum(-1) + net.item_b(neg)  # (B, n)
        main = -F.logsigmoid(s_pos[:, None] - s_neg).mean()
        penalty = v_neg.pow(2).sum(-1).mean()
    else:
        neg = torch.randint(n_items, (negatives,), generator=gen).to(users.device)  # (n,) shared
        v_neg = net.item_vec(neg)  # (n, d)
        s_neg = u @ v_neg.T + net.item_b(neg)[None, :]  # (B, n)
        logits = torch.cat([s_pos[:, None], s_neg], 1)  # (B, 1 + n): the positive is class 0
        main = F.cross_entropy(logits, torch.zeros(len(users), dtype=torch.long, device=users.device))
        penalty = v_neg.pow(2).sum(-1).mean()
    penalty = penalty + u.pow(2).sum(-1).mean() + v_pos.pow(2).sum(-1).mean()
    return main + reg * penalty


@torch.no_grad()
def factors(net: nn.Module, n_users: int, n_items: int) -> dict[str, np.ndarray | float]:
    """The trained net as numpy arrays: user/item vectors and biases (what `Recommender` scores with)."""
    net.eval()
    dev = next(net.parameters()).device
    users = torch.arange(n_users, device=dev)
    items = torch.arange(n_items, device=dev)
    out: dict[str, np.ndarray | float] = {
        "user_factors": net.user_vec(users).float().cpu().numpy().copy(),  # copies: never views of the weights
        "item_factors": net.item_vec(items).float().cpu().numpy().copy(),
        "item_bias": net.item_b(items).float().cpu().numpy().copy()}
    if isinstance(net, FactorNet) and net.ratings:
        out["user_bias"] = net.user_bias.weight.squeeze(-1).float().cpu().numpy().copy()
        out["global_bias"] = float(net.global_bias.item())
    return out
