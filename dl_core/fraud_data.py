"""Fraud data: a realistic synthetic card-transaction generator, and turning any labelled CSV into
model-ready matrices (label detection, identifier removal, one-hot encoding, scaling, stratified split).

Everything a person gives us is checked here and refused with an `InputError` that says what to fix;
every silent-looking decision (a column dropped, a value chosen as "fraud") becomes a notice.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from .errors import InputError

if TYPE_CHECKING:
    import pandas as pd

MB = 1024 * 1024
CSV_MAX_BYTES = 200 * MB  # the well-known 284k-row card-fraud CSV is ~150 MB
MAX_ROWS = 1_000_000
MAX_CATEGORIES = 30  # more distinct values than this is not a category we can one-hot encode
CREDITCARD_COLUMNS = ["Time", *[f"V{i}" for i in range(1, 29)], "Amount", "Class"]
LABEL_NAMES = ("class", "label", "is_fraud", "isfraud", "fraud", "is_fraudulent", "fraudulent", "target", "y")

# ---- the generator -------------------------------------------------------------------------------

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


# ---- labels ----------------------------------------------------------------------------------------

def is_creditcard_layout(frame: "pd.DataFrame") -> bool:
    """The well-known Kaggle/ULB layout: Time, V1..V28 (PCA components), Amount, Class."""
    return set(CREDITCARD_COLUMNS) <= set(frame.columns)


def detect_label(frame: "pd.DataFrame") -> str | None:
    """The label column, if it can be recognised: the card-fraud layout's `Class`, a usual label
    name with two values, else None (the person must pick it)."""
    if is_creditcard_layout(frame):
        return "Class"
    by_lower = {str(c).lower(): c for c in frame.columns}
    for name in LABEL_NAMES:
        col = by_lower.get(name)
        if col is not None and frame[col].dropna().nunique() == 2:
            return col
    return None


def _label_strings(values: "pd.Series") -> "pd.Series":
    """Labels as strings, with 1.0 written as "1" (a float column of 0/1 is common)."""
    import pandas as pd

    if pd.api.types.is_bool_dtype(values):
        return values.map({True: "True", False: "False"})
    if pd.api.types.is_numeric_dtype(values):
        finite = values[np.isfinite(values.astype(float))]
        if len(finite) and np.all(np.mod(finite.astype(float), 1) == 0):
            return values.map(lambda v: str(int(v)) if np.isfinite(v) else None)
    return values.map(lambda v: str(v).strip())


def label_values(frame: "pd.DataFrame", label_col: str) -> list[str]:
    """The distinct values of a label column as the strings used to pick the fraud value."""
    return sorted(_label_strings(frame[label_col].dropna()).dropna().unique().tolist())


@dataclass
class Labels:
    y: np.ndarray  # (N,) 1 = positive (fraud), 0 = negative
    positive: str
    negative: str
    kept: "pd.Index"  # rows of the frame that have a label
    notices: list[str] = field(default_factory=list)


def binary_labels(frame: "pd.DataFrame", label_col: str | None, positive: str | None = None) -> Labels:
    """Check the label column and turn it into 0/1; the minority value is "fraud" unless chosen."""
    if label_col is None:
        raise InputError("No label column was recognised; choose the column that says which rows are fraud "
                         f"(the file has: {', '.join(map(str, frame.columns[:30]))}).")
    if label_col not in frame.columns:
        raise InputError(f"There is no column {label_col!r}; the file has: "
                         f"{', '.join(map(str, frame.columns[:30]))}.")
    notices: list[str] = []
    raw = frame[label_col]
    has = raw.notna()
    if raw.dtype.kind == "f":
        has &= np.isfinite(raw.astype(float))
    if not has.any():
        raise InputError(f"The label column {label_col!r} is empty; choose the column with the fraud labels.")
    if (~has).any():
        notices.append(f"{int((~has).sum()):,} row(s) without a label in {label_col!r} were left out.")
    labels = _label_strings(raw[has])
    counts = labels.value_counts()
    if len(counts) == 1:
        raise InputError(f"The label column {label_col!r} has a single value ({counts.index[0]!r}) in every "
                         "row; a model needs examples of both fraud and normal transactions.")
    if len(counts) > 2:
        shown = ", ".join(repr(v) for v in counts.index[:6])
        raise InputError(f"The label column {label_col!r} has {len(counts)} different values ({shown}"
                         f"{', ...' if len(counts) > 6 else ''}); it must have exactly two (e.g. 0/1, "
                         "Yes/No, fraud/legit). Choose another column or merge the values.")
    if positive is None:
        positive = str(counts.index[-1])  # value_counts sorts by frequency: last = minority
        notices.append(f"Fraud (the positive class) = {positive!r} in {label_col!r}, the rarer value "
                       f"({counts.iloc[-1]:,} of {counts.sum():,} rows, {counts.iloc[-1] / counts.sum():.2%}).")
    elif str(positive) not in counts.index:
        raise InputError(f"{positive!r} is not a value of {label_col!r}; its values are "
                         f"{', '.join(map(repr, counts.index))}.")
    positive = str(positive)
    negative = next(v for v in counts.index if v != positive)
    y = (labels == positive).to_numpy().astype(np.int64)
    return Labels(y=y, positive=positive, negative=str(negative), kept=labels.index, notices=notices)


# ---- features --------------------------------------------------------------------------------------

_ID_NAME = re.compile(r"(^|[_\s-])(id|uuid|guid|index|row|rownum|row_number)$|^unnamed", re.IGNORECASE)


def _is_identifier(name: str, col: "pd.Series") -> bool:
    """A row number or a unique key: it would let a model memorise rows, not learn patterns."""
    import pandas as pd

    values = col.dropna()
    n = len(values)
    if n < 20:
        return False
    unique = values.nunique() / n
    if _ID_NAME.search(name) and unique >= 0.5:
        return True
    if not pd.api.types.is_numeric_dtype(values):
        return unique >= 0.999
    if pd.api.types.is_integer_dtype(values) and unique == 1.0:
        steps = np.diff(np.sort(values.to_numpy()))
        return bool(len(steps) and np.all(steps == 1))  # 0,1,2,... or 1,2,3,...
    return False


def _numeric_text(name: str, col: "pd.Series") -> None:
    """A column that is numbers with a few words in it is a data error, not a category."""
    import pandas as pd

    values = col.dropna()
    if values.empty or pd.api.types.is_numeric_dtype(values):
        return
    num = pd.to_numeric(values, errors="coerce")
    share = num.notna().mean()
    if share >= 0.8:
        bad = values[num.isna()]
        raise InputError(f"Column {name!r} holds numbers but {len(bad):,} value(s) are text, e.g. "
                         f"{str(bad.iloc[0])[:40]!r}; fix or remove them (or delete the column) and upload again.")


@dataclass
class Preprocessor:
    """Learned on the training rows, applied the same way to validation, test and new data.

    Learned state (sklearn style, trailing underscore): which columns are numeric, which get a
    log transform, their mean/sd, the categories of each one-hot column, the output feature names.
    """

    numeric_: list[str] = field(default_factory=list)
    log_: list[str] = field(default_factory=list)
    mean_: list[float] = field(default_factory=list)
    scale_: list[float] = field(default_factory=list)
    categories_: dict[str, list[str]] = field(default_factory=dict)
    dropped_: dict[str, str] = field(default_factory=dict)  # column -> why
    feature_names_: list[str] = field(default_factory=list)

    def plan(self, frame: "pd.DataFrame") -> list[str]:
        """Decide what to do with each column (on the whole frame, label removed); returns notices."""
        import pandas as pd

        notices: list[str] = []
        self.numeric_, self.categories_, self.dropped_ = [], {}, {}
        for name in frame.columns:
            col = frame[name]
            if col.isna().all():
                self.dropped_[name] = "it is empty"
            elif _is_identifier(str(name), col):
                self.dropped_[name] = ("it looks like an identifier (a different value on almost every row); "
                                       "a model would memorise rows instead of learning patterns")
            elif pd.api.types.is_bool_dtype(col) or pd.api.types.is_numeric_dtype(col):
                if col.dropna().nunique() <= 1:
                    self.dropped_[name] = "it has the same value on every row"
                else:
                    self.numeric_.append(name)
            else:
                _numeric_text(str(name), col)
                levels = col.dropna().astype(str).str.strip().nunique()
                if levels > MAX_CATEGORIES:
                    self.dropped_[name] = (f"it is text with {levels:,} different values, too many to one-hot "
                                           f"encode (at most {MAX_CATEGORIES})")
                elif levels <= 1 and not col.isna().any():
                    self.dropped_[name] = "it has the same value on every row"
                else:
                    self.categories_[name] = []
        for name, why in self.dropped_.items():
            notices.append(f"Column {name!r} was dropped: {why}.")
        if not self.numeric_ and not self.categories_:
            raise InputError("No usable feature columns are left (all were identifiers, empty or constant); "
                             "upload a table with the transactions' attributes as columns.")
        return notices

    def fit(self, frame: "pd.DataFrame") -> "Preprocessor":
        """Learn categories, log transforms and scaling from the training rows only."""
        import pandas as pd

        for name in self.categories_:
            levels = _cat(frame[name]).value_counts()
            self.categories_[name] = sorted(levels.index.tolist())
        self.log_, self.mean_, self.scale_ = [], [], []
        for name in self.numeric_:
            v = pd.to_numeric(frame[name], errors="coerce").astype(float).to_numpy()
            v = v[np.isfinite(v)]
            # Money-like columns (non-negative, long right tail) are compared on a log scale.
            if len(np.unique(v[:10_000])) > 10 and v.min() >= 0 and _skew(v) > 2.0:
                self.log_.append(name)
                v = np.log1p(v)
            self.mean_.append(float(v.mean()) if len(v) else 0.0)
            sd = float(v.std()) if len(v) else 1.0
            self.scale_.append(sd if sd > 1e-12 else 1.0)
        self.feature_names_ = list(self.numeric_) + [f"{c}={v}" for c, vs in self.categories_.items() for v in vs]
        return self

    def fit_notices(self) -> list[str]:
        notices = []
        if self.categories_:
            parts = ", ".join(f"{c!r} ({len(v)} values)" for c, v in self.categories_.items())
            notices.append(f"Text columns one-hot encoded (one 0/1 column per value): {parts}.")
        if self.log_:
            notices.append("Skewed money-like columns put on a log scale first: "
                           f"{', '.join(map(repr, self.log_))}.")
        if self.numeric_:
            notices.append(f"{len(self.numeric_)} numeric column(s) scaled to mean 0 and standard deviation 1 "
                           "(learned on the training split only).")
        return notices

    def transform(self, frame: "pd.DataFrame") -> tuple[np.ndarray, np.ndarray, list[str]]:
        """(X (N', F) float32, mask of the rows kept (N,), notices). Rows with missing or infinite
        numbers are left out (with a notice); unknown categories become all-zero columns."""
        import pandas as pd

        needed = self.numeric_ + list(self.categories_)
        missing = [c for c in needed if c not in frame.columns]
        if missing:
            raise InputError(f"The table lacks column(s) the model was trained on: {', '.join(map(repr, missing))}. "
                             "Upload rows with the same columns as the training data.")
        notices: list[str] = []
        n = len(frame)
        num = np.empty((n, len(self.numeric_)), dtype=np.float64)
        for j, name in enumerate(self.numeric_):
            col = frame[name]
            if not pd.api.types.is_numeric_dtype(col) and not pd.api.types.is_bool_dtype(col):
                conv = pd.to_numeric(col, errors="coerce")
                bad = conv.isna() & col.notna()
                if bad.any():
                    raise InputError(f"Column {name!r} should hold numbers but has {int(bad.sum()):,} text value(s), "
                                     f"e.g. {str(col[bad].iloc[0])[:40]!r}; fix or remove them and upload again.")
                col = conv
            v = col.astype(float).to_numpy()
            if name in self.log_:
                with np.errstate(invalid="ignore", divide="ignore"):
                    v = np.log1p(np.where(v < 0, np.nan, v))  # a negative amount cannot be scored
            num[:, j] = (v - self.mean_[j]) / self.scale_[j]
        ok = np.isfinite(num).all(axis=1)
        if (~ok).any():
            notices.append(f"{int((~ok).sum()):,} row(s) with missing, infinite or invalid numbers were left out.")
        if not ok.any():
            raise InputError("No row is complete once rows with missing or infinite numbers are removed; "
                             "fill in the blanks and upload again.")
        blocks = [num]
        unseen = []
        for name, levels in self.categories_.items():
            values = _cat(frame[name])
            codes = pd.Index(levels).get_indexer(values)  # -1 = a value not seen in training
            onehot = np.zeros((n, len(levels)))
            onehot[np.flatnonzero(codes >= 0), codes[codes >= 0]] = 1.0
            new = set(values[ok & (codes < 0)])
            if new:
                unseen.append(f"{name!r}: {', '.join(sorted(map(str, new))[:5])}")
            blocks.append(onehot)
        if unseen:
            notices.append("Values not seen in training are treated as none of the known ones: " + "; ".join(unseen))
        X = np.concatenate(blocks, axis=1)[ok].astype(np.float32)
        return X, ok, notices

    def to_dict(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in ("numeric_", "log_", "mean_", "scale_", "categories_",
                                              "dropped_", "feature_names_")}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "Preprocessor":
        return cls(**d)

    def groups(self) -> list[tuple[str, list[int]]]:
        """Output columns grouped by original column (one-hot columns together), for explanations."""
        out = [(name, [j]) for j, name in enumerate(self.numeric_)]
        j = len(self.numeric_)
        for name, levels in self.categories_.items():
            out.append((name, list(range(j, j + len(levels)))))
            j += len(levels)
        return out


def _cat(col: "pd.Series") -> "pd.Series":
    return col.astype("object").where(col.notna(), "(missing)").astype(str).str.strip()


def _skew(v: np.ndarray) -> float:
    sd = v.std()
    return float(((v - v.mean()) ** 3).mean() / sd**3) if sd > 0 else 0.0


# ---- the split -------------------------------------------------------------------------------------

MIN_POSITIVES = 10  # fewer frauds than this cannot be split into train, validation and test


@dataclass
class FraudData:
    """Stratified train / validation / test matrices, and what is needed to explain and score."""

    X_train: np.ndarray
    y_train: np.ndarray
    X_val: np.ndarray
    y_val: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    test_rows: "pd.DataFrame"  # the original test rows (same order as X_test), for explanations
    preprocessor: Preprocessor
    label_col: str
    positive: str
    negative: str
    notices: list[str] = field(default_factory=list)

    @property
    def feature_names(self) -> list[str]:
        return self.preprocessor.feature_names_

    def summary(self) -> dict[str, Any]:
        return {s: {"rows": int(len(y)), "fraud": int(y.sum())}
                for s, y in (("train", self.y_train), ("validation", self.y_val), ("test", self.y_test))}


def prepare(frame: "pd.DataFrame", label_col: str | None = None, positive: str | None = None,
            seed: int = 0, val_size: float = 0.2, test_size: float = 0.2) -> FraudData:
    """Labels → 0/1, columns → features, then a stratified 60/20/20 split (by default)."""
    from sklearn.model_selection import train_test_split

    notices: list[str] = []
    if len(frame) > MAX_ROWS:
        raise InputError(f"The table has {len(frame):,} rows; the limit is {MAX_ROWS:,}. Sample it first.")
    if label_col is None:
        label_col = detect_label(frame)
        if label_col is not None:
            notices.append("Recognised the card-fraud layout (Time, V1–V28, Amount, Class): the label is 'Class'."
                           if label_col == "Class" and is_creditcard_layout(frame)
                           else f"Label column detected: {label_col!r}.")
    labels = binary_labels(frame, label_col, positive)
    notices += labels.notices
    rows = frame.loc[labels.kept]
    features = rows.drop(columns=[label_col])
    pre = Preprocessor()
    notices += pre.plan(features)
    n_pos = int(labels.y.sum())
    if n_pos < MIN_POSITIVES or len(labels.y) - n_pos < MIN_POSITIVES:
        few, what = (n_pos, "fraud") if n_pos < MIN_POSITIVES else (len(labels.y) - n_pos, "normal")
        raise InputError(f"Only {few} {what} row(s) ({labels.positive if what == 'fraud' else labels.negative!r} "
                         f"in {label_col!r}); at least {MIN_POSITIVES} are needed to split into training, "
                         "validation and test sets. Add more rows (or raise the fraud rate).")
    idx = np.arange(len(labels.y))
    try:
        rest, test = train_test_split(idx, test_size=test_size, stratify=labels.y, random_state=seed)
        train, val = train_test_split(rest, test_size=val_size / (1 - test_size), stratify=labels.y[rest],
                                      random_state=seed)
    except ValueError as exc:
        raise InputError(f"The rows cannot be split into training, validation and test sets ({exc}); "
                         "add more rows of each class.") from None
    pre.fit(features.iloc[train])
    notices += pre.fit_notices()
    parts = {}
    for name, ix in (("train", train), ("val", val), ("test", test)):
        X, ok, extra = pre.transform(features.iloc[ix])
        if extra and name == "train":
            notices += [m.replace("row(s)", "training row(s)", 1) for m in extra]
        parts[name] = (X, labels.y[ix][ok], ix[ok])
    for name in ("train", "val", "test"):
        y = parts[name][1]
        if y.sum() == 0 or y.sum() == len(y):
            raise InputError(f"The {'validation' if name == 'val' else name} split has no "
                             f"{'fraud' if y.sum() == 0 else 'normal'} rows left (after removing incomplete rows); "
                             "fix the missing values or add more labelled fraud.")
    return FraudData(X_train=parts["train"][0], y_train=parts["train"][1], X_val=parts["val"][0],
                     y_val=parts["val"][1], X_test=parts["test"][0], y_test=parts["test"][1],
                     test_rows=rows.iloc[parts["test"][2]], preprocessor=pre, label_col=label_col,
                     positive=labels.positive, negative=labels.negative, notices=notices)


def read_table(source: Any, name: str | None = None) -> tuple["pd.DataFrame", list[str]]:
    """A CSV upload (or path) as a frame plus notices; the fraud page allows larger files than usual."""
    from . import inputs

    table = inputs.read_csv(source, name=name, max_bytes=CSV_MAX_BYTES)
    frame, notices = table.frame, list(table.notices)
    if len(frame) > MAX_ROWS:
        frame = frame.sample(n=MAX_ROWS, random_state=0)
        notices.append(f"The file has more than {MAX_ROWS:,} rows; a random {MAX_ROWS:,} were kept.")
    return frame, notices
