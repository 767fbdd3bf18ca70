"""Recommendation data: the bundled MovieLens, a person's CSV with any column names, and clear refusals."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from dl_core import recommend
from dl_core.errors import InputError


def test_bundled_movielens_has_its_documented_size_and_side_features():
    data = recommend.load_movielens()
    assert (len(data), data.n_users, data.n_items) == (100_004, 671, 9_066)
    cat = data.catalogue
    toy = cat.search("toy story", limit=3)
    assert "Toy Story (1995)" in cat.labels(toy)
    toy = [i for i in toy if cat.label(i) == "Toy Story (1995)"]
    assert "Animation" in cat.genres[toy[0]] and "Drama" in cat.genre_names
    assert data.ratings.min() == 0.5 and data.ratings.max() == 5.0 and data.times is not None
    assert "research" in recommend.MOVIELENS_CARD["terms"] and "Harper" in recommend.MOVIELENS_CARD["terms"]


def test_a_csv_with_its_own_column_names(small_csv, small):
    frame = pd.read_csv(small_csv)
    guess = recommend.guess_columns(list(frame.columns))
    assert guess["user"] == "customer" and guess["item"] == "film_id" and guess["rating"] == "stars"
    data = recommend.read_interactions(small_csv, "customer", "film_id", "stars", "when", "title")
    assert (len(data), data.n_users, data.n_items) == (len(small), small.n_users, small.n_items)
    assert set(data.catalogue.titles) == set(small.catalogue.titles)


def _csv(text: str) -> bytes:
    return text.encode()


def test_duplicates_keep_the_latest_row_and_say_so():
    raw = _csv("u,i,r,t\n1,a,5,10\n1,a,2,20\n2,a,4,5\n2,b,3,6\n")
    data = recommend.read_interactions(raw, "u", "i", "r", "t", name="dup.csv")
    assert len(data) == 3 and any("duplicate" in n for n in data.notices)
    frame = data.frame()
    assert frame.loc[(frame.user == "1") & (frame.item == "a"), "rating"].item() == 2.0


def test_ids_written_as_7_and_7_0_are_the_same_item():
    data = recommend.read_interactions(_csv("u,i\n1,7\n2,7.0\n2,8\n"), "u", "i", name="ids.csv")
    assert data.n_items == 2


@pytest.mark.parametrize("text, cols, match", [
    ("u,i\n1,a\n2,b\n", ("user", "i"), "no column 'user'"),
    ("u,i\n1,a\n1,b\n1,c\n", ("u", "i"), "single user"),
    ("u,i\n1,a\n2,a\n3,a\n", ("u", "i"), "single item"),
    ("u,i,r\n1,a,5\n2,b,great\n", ("u", "i", "r"), "non-numeric rating"),
    ("u,i,t\n1,a,yesterday\n2,b,soon\n", ("u", "i", None, "t"), "neither numbers nor dates"),
    ("u,i\n1,a\n2,b\n", ("u", "u"), "different column"),
    ("u,i\n,\n,\n", ("u", "i"), "no complete row"),
])
def test_bad_csvs_are_refused_with_what_to_do(text, cols, match):
    with pytest.raises(InputError, match=match):
        recommend.read_interactions(_csv(text), *cols, name="bad.csv")


def test_too_many_rows_is_refused_before_training(monkeypatch):
    from dl_core.recommend import data as D

    monkeypatch.setattr(D, "MAX_ROWS", 3)
    with pytest.raises(InputError, match="limit here is 3"):
        recommend.read_interactions(_csv("u,i\n1,a\n2,b\n3,c\n4,d\n"), "u", "i", name="big.csv")


def test_dates_are_read_as_times_and_a_test_file_is_aligned_to_the_training_ids():
    train = recommend.read_interactions(_csv("u,i,t\n1,a,2024-01-01\n1,b,2024-02-01\n2,a,2024-03-01\n"),
                                        "u", "i", time_col="t", name="train.csv")
    assert np.all(np.diff(train.times) > 0)
    test = recommend.read_interactions(_csv("u,i\n1,c\n2,b\n9,a\n"), "u", "i", name="test.csv")
    split = recommend.given(train, test)
    assert len(split.test) == 1 and split.test.user_ids == train.user_ids
    assert any("left out" in n for n in split.notices)
