"""Recommendations page in AppTest: bundled data, an uploaded CSV trained on, recommendations for a
new person, and bad files shown as messages."""

from __future__ import annotations

import pytest

from tests.conftest import exceptions, open_page

PAGE = "pages/recommend.py"


@pytest.fixture(scope="module")
def csv_bytes(small_csv) -> bytes:
    return small_csv.read_bytes()


def _errors(at) -> list[str]:
    return [e.value for e in at.error]


def test_bundled_movielens_with_its_data_card_and_guides_to_training():
    at = open_page(PAGE, timeout=300)
    assert not exceptions(at)
    assert at.title[0].value == "Recommendations"
    values = {m.label: m.value for m in at.metric}
    assert values["Interactions"] == "100,004" and values["Users"] == "671" and values["Items"] == "9,066"
    card = " ".join(m.value for m in at.markdown)
    assert "GroupLens" in card and "research and education only" in card
    infos = " ".join(i.value for i in at.info)
    assert "Press **Train**" in infos and "Train a deep model" in infos
    assert at.button(key="rec_me_train") and at.button(key="rec_train")


def _upload(at, csv_bytes: bytes, name: str = "ratings.csv"):
    at.radio(key="rec_source").set_value("My CSV of interactions").run()
    at.file_uploader(key="rec_upload").set_value((name, csv_bytes, "text/csv"))
    return at.run()


def test_upload_train_then_rate_films_and_get_recommendations(csv_bytes):
    at = _upload(open_page(PAGE, timeout=300), csv_bytes)
    assert not exceptions(at) and not _errors(at)
    assert at.selectbox(key="rec_col_user").value == "customer"
    assert at.selectbox(key="rec_col_item").value == "film_id"
    assert at.selectbox(key="rec_col_rating").value == "stars"
    assert any("Using **ratings.csv**" in s.value for s in at.success)
    at.slider(key="rec_epochs").set_value(2)
    at.select_slider(key="rec_dim").set_value(16)
    at.button(key="rec_train").click().run()
    assert not exceptions(at) and not _errors(at)
    table = next(d.value for d in at.dataframe if "model" in d.value)
    assert "Ranking MF" in set(table["model"]) and "Popularity (baseline)" in set(table["model"])
    assert table["recall@k"].between(0, 1).all()
    assert at.download_button(key="rec_download")
    picker = next(m for m in at.multiselect if m.label.startswith("Films you have seen"))
    picker.set_value([0, 1, 2]).run()
    assert not exceptions(at)
    recs = next(d.value for d in at.dataframe if "because you liked" in d.value)
    assert len(recs) == 10 and recs["because you liked"].str.len().gt(0).any()
    assert any("3 rating(s), 3 liked" in c.value for c in at.caption)


@pytest.mark.parametrize("text, message", [
    ("customer,film_id\n1,a\n1,b\n1,c\n", "single user"),
    ("customer,film_id,stars\n1,a,5\n2,b,great\n", "non-numeric rating"),
    ("\x00\x01\x02binary", "binary"),
])
def test_bad_files_are_explained_not_crashed(text, message):
    at = _upload(open_page(PAGE, timeout=300), text.encode(), "bad.csv")
    assert not exceptions(at)
    assert any(message in e for e in _errors(at)), _errors(at)
    values = {m.label: m.value for m in at.metric}
    assert values["Interactions"] == "100,004"  # the tabs keep working on MovieLens
