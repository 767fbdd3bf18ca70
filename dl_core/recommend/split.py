"""Per-user hold-out: each user keeps most of their interactions for training and hides a share for the
test, chosen at random or as their latest ones ("by time": predict what they watch next).

    split = holdout(data, share=0.2, by="random", seed=0)
    split.train, split.test          # Interactions with the same user and item numbering

A user with a single interaction stays entirely in training (a test item needs something to learn from).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from ..errors import InputError
from .data import Interactions, align

SplitBy = Literal["random", "time"]


@dataclass
class Split:
    train: Interactions
    test: Interactions
    how: str  # said on the page and logged: "random 20% of each user's interactions"
    notices: list[str] = field(default_factory=list)
    test_users: np.ndarray | None = None  # a test file's users the training data knows; None: those of `test`

    def users_to_list(self) -> np.ndarray:
        """The users a top-k export lists: every known user of the test data."""
        return np.unique(self.test.users if self.test_users is None else self.test_users)

    @property
    def n_users(self) -> int:
        return self.train.n_users

    @property
    def n_items(self) -> int:
        return self.train.n_items


def check_share(share: float, what: str = "test share") -> None:
    if not (0.05 <= share <= 0.5):
        raise InputError(f"{what} must be between 0.05 and 0.5, got {share}.")


def holdout_mask(data: Interactions, share: float, by: SplitBy = "random", seed: int = 0) -> np.ndarray:
    """(N,) bool: True for the rows held out, `share` of each user's rows (at least 1, at most all but 1)."""
    if by not in ("random", "time"):
        raise InputError(f"split must be 'random' or 'time', got {by!r}.")
    if by == "time" and data.times is None:
        raise InputError("A split by time needs a time column; pick one, or split at random.")
    rng = np.random.default_rng(seed)
    tiebreak = rng.random(len(data))
    # Sort by user, then the held-out candidates first: random order, or the latest interactions first.
    key = tiebreak if by == "random" else -data.times
    order = np.lexsort((tiebreak, key, data.users))
    users_sorted = data.users[order]
    counts = np.bincount(data.users, minlength=data.n_users)
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    rank = np.arange(len(data)) - starts[users_sorted]  # position within the user's rows
    n_out = np.clip(np.rint(share * counts), 1, np.maximum(counts - 1, 0)).astype(np.int64)
    mask = np.zeros(len(data), bool)
    mask[order] = rank < n_out[users_sorted]
    return mask


def holdout(data: Interactions, share: float = 0.2, by: SplitBy = "random", seed: int = 0) -> Split:
    check_share(share)
    mask = holdout_mask(data, share, by, seed)
    if not mask.any():
        raise InputError("No user has two or more interactions, so nothing can be held out for testing; "
                         "upload more interactions per user.")
    kept = int((np.bincount(data.users, minlength=data.n_users) == 1).sum())
    notices = [f"{kept:,} user(s) with a single interaction stay in training only."] if kept else []
    what = "at random" if by == "random" else "latest first"
    return Split(train=data.rows(~mask), test=data.rows(mask),
                 how=f"{share:.0%} of each user's interactions held out ({what})", notices=notices)


def given(train: Interactions, test: Interactions) -> Split:
    """A split from a separate test file (`--test`): its rows renumbered to the training data's ids."""
    aligned = align(test, train)
    known = {u: i for i, u in enumerate(train.user_ids)}
    users = np.array(sorted({known[test.user_ids[u]] for u in np.unique(test.users) if test.user_ids[u] in known}))
    return Split(train=train, test=aligned, how=f"held-out file {test.name}", notices=aligned.notices,
                 test_users=users)
