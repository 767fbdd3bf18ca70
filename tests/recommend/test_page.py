"""Recommendations page in AppTest: bundled data, an uploaded CSV trained on, recommendations for a
new person, and bad files shown as messages. The page's tabs are lazy (ui/tabs.py): only the open one
runs, so a test opens a tab before using it."""

from __future__ import annotations

import json

import numpy as np
import pytest

from tests.conftest import exceptions, open_page
from tests.ui.helpers import assert_each_tab_keeps_its_settings, fragments_drawn, tab_labels

PAGE = "pages/recommend.py"
TAB = "recommend_tab"
LABELS = ["Data", "Train & compare", "For me", "Embedding map"]


def _open(at, label: str):
    at.session_state[TAB] = label
    at.run()
    assert not exceptions(at), exceptions(at)
    return at


@pytest.fixture(scope="module")
def csv_bytes(small_csv) -> bytes:
    return small_csv.read_bytes()


def _errors(at) -> list[str]:
    return [e.value for e in at.error]


def _data_charts(at) -> dict[str, dict]:
    """The Data tab's charts (st.echarts_chart: AppTest sees UnknownElements) by key: their ECharts options."""
    return {c.proto.id.rsplit("-", 1)[-1]: json.loads(c.proto.spec) for c in at.get("echarts_chart")}


def _assert_summary_charts(at, data) -> None:
    """The long tail is every item's count, most-had first, on a log axis; the ratings bars count each value."""
    charts = _data_charts(at)
    assert set(charts) == ({"rec_data_tail", "rec_data_ratings"} if data.has_ratings else {"rec_data_tail"})
    tail = charts["rec_data_tail"]
    assert tail["yAxis"]["type"] == "log" and tail["xAxis"]["name"] == "item rank"
    assert tail["title"]["text"].startswith("The long tail")
    ranks, counts = zip(*tail["series"][0]["data"], strict=True)
    assert list(ranks) == list(range(1, data.n_items + 1))
    assert list(counts) == sorted(data.item_counts().tolist(), reverse=True) and sum(counts) == len(data)
    if data.has_ratings:
        bars = charts["rec_data_ratings"]
        values, n = np.unique(data.ratings, return_counts=True)
        assert bars["xAxis"]["data"] == [f"{v:g}" for v in values] and bars["xAxis"]["name"] == "rating"
        assert bars["series"][0]["data"] == n.tolist() and sum(bars["series"][0]["data"]) == len(data)


def test_bundled_movielens_with_its_data_card_and_guides_to_training():
    at = open_page(PAGE, timeout=300)
    assert not exceptions(at)
    assert at.title[0].value == "Recommendations"
    assert tab_labels(at, "recommend_tab") == LABELS
    values = {m.label: m.value for m in at.metric}
    assert values["Interactions"] == "100,004" and values["Users"] == "671" and values["Items"] == "9,066"
    from dl_core import recommend

    movielens = recommend.load_movielens()
    _assert_summary_charts(at, movielens)
    bars = _data_charts(at)["rec_data_ratings"]
    assert dict(zip(bars["xAxis"]["data"], bars["series"][0]["data"], strict=True))["4"] == 28_750
    assert _data_charts(at)["rec_data_tail"]["series"][0]["data"][0] == [1, 341]  # the most-had film
    card = " ".join(m.value for m in at.markdown)
    assert "GroupLens" in card and "research and education only" in card
    # Issue 13: no table on the first open (a new browser would load the table script): the collapsed
    # "First rows" draws its table only once it is opened.
    assert not at.dataframe
    at.session_state["rec_data_rows"] = True
    at.run()
    assert len(at.dataframe) == 1 and len(at.dataframe[0].value) == 50
    infos = " ".join(i.value for i in _open(at, "Train & compare").info)
    assert "Press **Train**" in infos and at.button(key="rec_train")
    infos += " ".join(i.value for i in _open(at, "Embedding map").info)
    assert "Press **Train**" in infos and "Train a deep model" in infos
    assert _open(at, "For me").button(key="rec_me_train")
    assert _open(at, "Data").session_state["rec_data_rows"] is True and len(at.dataframe) == 1  # still open


def _upload(at, csv_bytes: bytes, name: str = "ratings.csv"):
    at.radio(key="rec_source").set_value("My CSV of interactions").run()
    at.file_uploader(key="rec_upload").set_value((name, csv_bytes, "text/csv"))
    return at.run()


def test_upload_train_then_rate_films_and_get_recommendations(csv_bytes, small_csv, monkeypatch, capsys):
    at = _upload(open_page(PAGE, timeout=300), csv_bytes)
    assert not exceptions(at) and not _errors(at)
    assert at.selectbox(key="rec_col_user").value == "customer"
    assert at.selectbox(key="rec_col_item").value == "film_id"
    assert at.selectbox(key="rec_col_rating").value == "stars"
    assert any("Using **ratings.csv**" in s.value for s in at.success)
    _assert_summary_charts(at, at.session_state["rec_data"].data)  # the charts show the upload, not MovieLens
    assert sum(_data_charts(at)["rec_data_ratings"]["series"][0]["data"]) == len(small_csv.read_text().splitlines()) - 1
    chosen = at.session_state["rec_data"]
    _open(at, "Train & compare").slider(key="rec_epochs").set_value(2)
    at.button(key="rec_train").click().run()
    assert not exceptions(at) and not _errors(at)
    table = next(d.value for d in at.dataframe if "model" in d.value)
    assert "Ranking MF" in set(table["model"]) and "Popularity (baseline)" in set(table["model"])
    assert table["recall@k"].between(0, 1).all()
    assert at.download_button(key="rec_download")
    picker = next(m for m in _open(at, "For me").multiselect if m.label.startswith("Films you have seen"))
    picker.set_value([0, 1, 2]).run()
    assert not exceptions(at)
    recs = next(d.value for d in at.dataframe if "because you liked" in d.value)
    assert len(recs) == 10 and recs["because you liked"].str.len().gt(0).any()
    assert any("3 rating(s), 3 liked" in c.value for c in at.caption)
    star = next(k for k in at.session_state if isinstance(k, str) and k.startswith("rec_star_"))
    at.session_state[star] = 0  # one star: rated, not liked
    at.run()
    assert any("3 rating(s), 2 liked" in c.value for c in at.caption)
    # A round trip: the uploader is empty again on the Data tab, but the parsed upload, its columns, the
    # trained model and the ratings are kept.
    _open(at, "Data")
    assert at.file_uploader(key="rec_upload").value is None
    assert any("Using **ratings.csv** (uploaded earlier" in s.value for s in at.success)
    assert at.selectbox(key="rec_col_user").value == "customer" and at.session_state["rec_data"] is chosen
    assert {m.label: m.value for m in at.metric}["Interactions"] == f"{len(chosen.data):,}"
    _open(at, "Embedding map")
    assert at.get("plotly_chart")  # the Ranking MF trained above has item vectors
    _open(at, "For me")
    assert next(m for m in at.multiselect if m.label.startswith("Films you have seen")).value == [0, 1, 2]
    assert any("3 rating(s), 2 liked" in c.value for c in at.caption)
    assert_each_tab_keeps_its_settings(at, TAB, LABELS)
    _same_as_the_command_line(at.session_state["result::rec_train"], small_csv, monkeypatch, capsys)


def _same_as_the_command_line(page_result, small_csv, monkeypatch, capsys):
    """The page and `python -m dl_core recommend train` make the same engine call: same settings and
    seed give the same metrics and the same logged params."""
    from dl_core import recommend, tracking
    from dl_core.cli import main

    seen = []
    real = recommend.train_recommender
    monkeypatch.setattr(recommend, "train_recommender", lambda *a, **kw: seen.append(real(*a, **kw)) or seen[-1])
    assert main(["recommend", "train", str(small_csv), "--user-col", "customer", "--item-col", "film_id",
                 "--rating-col", "stars", "--time-col", "when", "--model", "bpr", "--epochs", "2", "--seed", "0",
                 "--json"]) == 0
    capsys.readouterr()
    cli_result = seen[0]
    drop = {"seconds"}
    assert {k: v for k, v in cli_result.metrics.items() if k not in drop} == \
        {k: v for k, v in page_result.metrics.items() if k not in drop}
    def scores(result):
        return {name: {k: v for k, v in values.items() if k not in drop}
                for name, values in result.details["baselines"].items()}

    assert scores(cli_result) == scores(page_result)
    params = [tracking.client().get_run(r.run_id).data.params for r in (page_result, cli_result)]
    assert params[0] == params[1] and params[0]["model"] == "bpr" and params[0]["epochs"] == "2"
    tags = [tracking.client().get_run(r.run_id).data.tags["dlx.source"] for r in (page_result, cli_result)]
    assert tags == ["app", "cli"]


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


def test_a_stopped_training_is_scored_beside_the_baselines_and_recommends(small):
    """Stop reruns the page mid-training: the live view kept the network (ui.training) and the page had noted
    the data and settings; the rerun has the engine score that network (as `train_recommender` would), shows
    it marked as stopped after N of M epochs, and "For me" recommends with it."""
    from streamlit.testing.v1 import AppTest

    from dl_core import recommend
    from dl_core.training import CancelToken
    from tests.conftest import ROOT
    from tests.recommend.conftest import tiny_config
    from ui.recommend.state import Chosen
    from ui.training import TrainingState

    class StopAfterEpoch1:
        def on_batch_end(self, *args):
            pass

        def on_epoch_end(self, log, history, model):
            token.cancel()

    token, cfg = CancelToken(), tiny_config(epochs=3)
    partial = recommend.train_recommender(small, cfg, callbacks=[StopAfterEpoch1()], cancel=token)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
    at.run()
    for key, value in {"rec_source": "My CSV of interactions", "rec_data": Chosen("small", small, bundled=False),
                       "training::recommend": TrainingState(model=partial.model.net, history=partial.history),
                       "rec_training": ("small", small, cfg)}.items():
        at.session_state[key] = value
    at.switch_page(PAGE)
    at.run()
    _open(at, "Train & compare")  # where Stop is pressed
    assert not exceptions(at) and not _errors(at)
    assert any("stopped after 1 of 3 epochs" in w.value for w in at.warning)
    kept = at.session_state["rec_results"]["small"]["bpr"]
    assert kept.details["stopped"] == {"epochs_done": 1, "epochs": 3} and "rec_training" not in at.session_state
    assert {k: v for k, v in kept.metrics.items() if k != "seconds"} == \
        {k: v for k, v in partial.metrics.items() if k != "seconds"}
    table = next(d.value for d in at.dataframe if "model" in d.value)
    assert "Ranking MF (stopped after 1 of 3 epochs)" in set(table["model"])
    assert "Popularity (baseline)" in set(table["model"]) and table["recall@k"].between(0, 1).all()
    picker = next(m for m in _open(at, "For me").multiselect if m.label.startswith("Films you have seen"))
    picker.set_value([0, 1, 2]).run()
    assert not exceptions(at) and at.session_state["rec_results"]["small"]["bpr"] is kept  # scored once
    recs = next(d.value for d in at.dataframe if "because you liked" in d.value)
    assert len(recs) == 10


def test_a_bad_setting_is_an_error_not_a_stopped_training():
    """An InputError from the engine call is no Stop: the next rerun has nothing to pick up."""
    rows = "\n".join(f"u{u},i{(u + j) % 6}" for u in range(12) for j in range(3))
    at = _upload(open_page(PAGE, timeout=300), f"customer,film_id\n{rows}\n".encode(), "few_items.csv")
    _assert_summary_charts(at, at.session_state["rec_data"].data)  # no ratings: the long tail alone
    assert sum(p[1] for p in _data_charts(at)["rec_data_tail"]["series"][0]["data"]) == 36
    _open(at, "Train & compare").slider(key="rec_epochs").set_value(2)
    at.button(key="rec_train").click().run()
    assert not exceptions(at) and any("must be smaller than the number of items" in e for e in _errors(at))
    assert "rec_training" not in at.session_state
    # The message is about these settings: a fragment rerun of the settings (ui/fragments.py) finds this
    # flag and reruns the tab, so the message goes as soon as a setting moves.
    assert at.session_state["recommend::train_said"] is True
    at.run()
    assert not exceptions(at) and not any("stopped" in w.value for w in at.warning) and not _errors(at)
    assert "recommend::train_said" not in at.session_state



def test_settings_redraw_alone_before_and_after_a_training(small, monkeypatch):
    """Issue 13: a settings slider reruns only the settings (a fragment), before and after a training: k is
    a training setting, and the table shows the k each model was scored with, not the slider's."""
    from ui.recommend.state import Chosen

    at = open_page(PAGE, timeout=300)
    at.session_state["rec_data"] = Chosen("small", small, bundled=False)
    seen = fragments_drawn(monkeypatch)
    _open(at, "Train & compare")
    assert seen == ["train._settings"] and at.slider(key="rec_epochs") and at.slider(key="rec_k")
    at.selectbox(key="rec_model").set_value("popularity").run()
    at.slider(key="rec_k").set_value(5).run()
    assert not exceptions(at) and at.slider(key="rec_epochs").disabled  # drawn from the model chosen above
    at.button(key="rec_train").click().run()  # the values set in the fragment reach the Train button
    assert not exceptions(at) and not _errors(at)
    assert "Popularity" in set(next(d.value for d in at.dataframe if "model" in d.value)["model"])
    assert any(c.value.startswith("k = 5 ·") for c in at.caption)
    seen.clear()
    at.slider(key="rec_k").set_value(20).run()  # results shown: still alone; they keep the k they were scored with
    assert not exceptions(at) and seen == ["train._settings"] and any(c.value.startswith("k = 5 ·") for c in at.caption)
