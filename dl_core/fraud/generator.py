"""A realistic synthetic card-transaction generator: the bundled data of the fraud page.

Ordinary customers spend by day near home with amounts typical for the shop; fraud follows four
patterns a bank sees (card-not-present at night, card testing with tiny amounts, skimmed cards cashed
out far from home, account takeover); `difficulty` makes fraudsters copy normal behaviour. All draws
come from one local generator (`np.random.default_rng(seed)`), never the global one.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from ..errors import InputError

if TYPE_CHECKING:
    import pandas as pd

MAX_ROWS = 1_000_000
CATEGORIES = ["grocery", "restaurant", "fuel", "online_retail", "electronics", "travel", "atm",
              "pharmacy", "jewelry"]
_CAT_P = np.array([0.26, 0.16, 0.12, 0.18, 0.05, 0.05, 0.08, 0.08, 0.02])
_CAT_LOG_AMOUNT = np.array([3.5, 3.3, 3.7, 3.8, 5.3, 5.8, 4.3, 3.0, 5.5])  # log of a typical spend
_CAT_PRESENT = np.array([0.97, 0.95, 0.97, 0.0, 0.5, 0.3, 1.0, 0.95, 0.8])  # P(card physically present)
PATTERNS = ["card-not-present", "card-testing", "skimmed-card", "account-takeover"]
_PATTERN_P = np.array([0.4, 0.25, 0.2, 0.15])


@dataclass
class GeneratorConfig:
    rows: int = 20_000
    fraud_rate: float = 0.02  # share of fraudulent transactions, 0.1 % to 10 %
    difficulty: float = 0.5  # 0 = fraud stands out; 1 = fraudsters mimic normal customers
    seed: int = 0

    def check(self) -> None:
        if not 500 <= self.rows <= MAX_ROWS:
            raise InputError(f"rows must be between 500 and {MAX_ROWS:,}, got {self.rows:,}.")
        if not 0.001 <= self.fraud_rate <= 0.10 or math.isnan(self.fraud_rate):
            raise InputError(f"fraud rate must be between 0.001 (0.1 %) and 0.10 (10 %), got {self.fraud_rate}.")
        if not 0.0 <= self.difficulty <= 1.0:
            raise InputError(f"difficulty must be between 0 and 1, got {self.difficulty}.")


def _legit(rng: np.random.Generator, n: int) -> dict[str, np.ndarray]:
    """Ordinary customers: daytime spending near home, amounts typical for the shop and the person."""
    cat = rng.choice(len(CATEGORIES), size=n, p=_CAT_P)
    avg = np.exp(rng.normal(3.9, 0.5, n))  # the customer's 90-day average spend
    amount = np.exp(_CAT_LOG_AMOUNT[cat] + 0.35 * (np.log(avg) - 3.9) + rng.normal(0, 0.55, n))
    hour = np.where(rng.random(n) < 0.9, rng.normal(14, 3.5, n), rng.uniform(0, 24, n))
    distance = np.exp(rng.normal(1.4, 1.0, n))
    distance = np.where(cat == CATEGORIES.index("travel"), np.exp(rng.normal(5.5, 1.0, n)), distance)
    present = rng.random(n) < _CAT_PRESENT[cat]
    new_device = (~present) & (rng.random(n) < 0.04)
    velocity = rng.poisson(2.0, n) + 1
    # Look-alikes make it realistic: travellers, big one-off buys, night owls (not fraud).
    odd = rng.random(n) < 0.03
    distance = np.where(odd & (rng.random(n) < 0.5), np.exp(rng.normal(6.0, 0.8, n)), distance)
    amount = np.where(odd & (rng.random(n) < 0.4), amount * np.exp(rng.uniform(1, 2.5, n)), amount)
    hour = np.where(odd & (rng.random(n) < 0.4), rng.uniform(0, 5, n), hour)
    return {"cat": cat, "avg": avg, "amount": amount, "hour": hour, "distance": distance,
            "present": present, "new_device": new_device, "velocity": velocity}


def _fraud(rng: np.random.Generator, n: int) -> dict[str, np.ndarray]:
    """Four fraud patterns a bank sees, each with its own fingerprint."""
    pattern = rng.choice(len(PATTERNS), size=n, p=_PATTERN_P)
    c = CATEGORIES.index
    out = _legit(rng, n)  # start from a normal transaction; overwrite what the pattern changes
    cnp, testing, skim, ato = (pattern == i for i in range(4))
    night = np.mod(rng.normal(2.5, 2.5, n), 24)
    # card-not-present: online/electronics at night, from a new device, amounts well above usual
    out["cat"] = np.where(cnp, np.where(rng.random(n) < 0.6, c("online_retail"), c("electronics")), out["cat"])
    # card testing: tiny amounts online, many in a row
    out["cat"] = np.where(testing, c("online_retail"), out["cat"])
    # skimmed card: cashed out at ATMs or jewellers far from home, at night
    out["cat"] = np.where(skim, np.where(rng.random(n) < 0.7, c("atm"), c("jewelry")), out["cat"])
    # account takeover: travel/electronics many times the person's usual spend, new device
    out["cat"] = np.where(ato, np.where(rng.random(n) < 0.5, c("travel"), c("electronics")), out["cat"])
    base = np.exp(_CAT_LOG_AMOUNT[out["cat"]] + rng.normal(0, 0.55, n))
    out["amount"] = np.select(
        [cnp, testing, skim, ato],
        [base * np.exp(rng.uniform(0.5, 1.5, n)), rng.uniform(0.5, 5.0, n),
         base * np.exp(rng.uniform(0.7, 1.5, n)), out["avg"] * rng.uniform(6, 25, n)])
    out["hour"] = np.where(cnp | skim | (testing & (rng.random(n) < 0.6)), night, out["hour"])
    out["distance"] = np.select([cnp, skim, ato], [np.exp(rng.normal(4.0, 1.2, n)),
                                                   np.exp(rng.normal(6.0, 0.8, n)),
                                                   np.exp(rng.normal(3.5, 1.5, n))], out["distance"])
    out["present"] = np.where(skim, True, np.where(cnp | testing | ato, False, out["present"]))
    out["new_device"] = np.where(cnp, rng.random(n) < 0.7, np.where(testing, rng.random(n) < 0.5,
                                 np.where(ato, rng.random(n) < 0.85, False)))
    out["velocity"] = np.select([testing, skim, ato, cnp],
                                [rng.poisson(12, n) + 3, rng.poisson(5, n) + 1, rng.poisson(4, n) + 1,
                                 rng.poisson(3, n) + 1], out["velocity"])
    out["pattern"] = pattern
    return out


def generate(config: GeneratorConfig | None = None) -> "pd.DataFrame":
    """Synthetic card transactions with an `is_fraud` label (and a `transaction_id`, an identifier)."""
    import pandas as pd

    cfg = config or GeneratorConfig()
    cfg.check()
    rng = np.random.default_rng(cfg.seed)
    n_fraud = max(1, round(cfg.rows * cfg.fraud_rate))
    legit, fraud = _legit(rng, cfg.rows - n_fraud), _fraud(rng, n_fraud)
    # Difficulty: each fraud feature is, with this probability, replaced by an ordinary customer's
    # value: the fraudster mimics normal behaviour and the patterns blur.
    camouflage = 0.1 + 0.65 * cfg.difficulty
    mimic = _legit(rng, n_fraud)
    for key in ("cat", "amount", "hour", "distance", "present", "new_device", "velocity"):
        swap = rng.random(n_fraud) < camouflage
        fraud[key] = np.where(swap, mimic[key], fraud[key])
    cols = {k: np.concatenate([legit[k], fraud[k]]) for k in legit}
    label = np.r_[np.zeros(cfg.rows - n_fraud, int), np.ones(n_fraud, int)]
    atm = cols["cat"] == CATEGORIES.index("atm")
    amount = np.where(atm, np.maximum(20, np.round(cols["amount"] / 20) * 20), np.round(cols["amount"], 2))
    frame = pd.DataFrame({
        "hour": np.mod(np.floor(cols["hour"]), 24).astype(int),
        "amount": np.clip(amount, 0.5, 50_000),
        "merchant_category": np.array(CATEGORIES)[cols["cat"]],
        "distance_from_home_km": np.round(cols["distance"], 1),
        "txn_count_24h": cols["velocity"].astype(int),
        "avg_amount_90d": np.round(cols["avg"], 2),
        "card_present": cols["present"].astype(int),
        "new_device": cols["new_device"].astype(int),
        "is_fraud": label,
    })
    frame = frame.sample(frac=1.0, random_state=cfg.seed).reset_index(drop=True)
    frame.insert(0, "transaction_id", [f"T{i:07d}" for i in rng.permutation(cfg.rows) + 1])
    return frame

