"""The NLP page in AppTest: every tab's main action, bad inputs as messages, uploads parsed once,
the first-use note that measures instead of promising."""

from __future__ import annotations

import numpy as np
import pytest

from dl_core import nlp
from tests.conftest import exceptions, open_page
from tests.ui.helpers import echarts_spec

BUTTONS = ("nlp_sent_go", "nlp_zs_go", "nlp_search_go", "nlp_sim_go", "nlp_map_go", "nlp_gen_go", "nlp_tr_go",
           "nlp_sum_go", "nlp_abs_go", "nlp_att_go", "nlp_rt_go", "nlp_ft_go")


LABELS = ["Sentiment", "Your own labels", "Search & similarity", "Generate", "Translate & summarise", "Attention"]


def tab(at, label: str):
    """Open one tab (ui/tabs.py: only the open tab's view runs)."""
    at.session_state["nlp_tab"] = label
    at.run()
    assert not exceptions(at), exceptions(at)
    return at


def table(at, column: str):
    """The data of the table that has `column` (AppTest does not keep dataframes' keys)."""
    found = [df.value for df in at.dataframe if column in df.value.columns]
    assert len(found) == 1, f"{len(found)} tables with a {column!r} column"
    return found[0]


@pytest.mark.slow
def test_page_sentiment_and_bad_inputs(model):
    at = open_page("pages/nlp.py")
    assert not exceptions(at)
    drawn = set()
    for label in LABELS:  # only the open tab is drawn
        drawn |= {b.key for b in tab(at, label).button}
    assert drawn >= set(BUTTONS)
    tab(at, "Sentiment")
    at.button(key="nlp_sent_go").click().run()
    assert not exceptions(at)
    verdict = [m for m in at.metric if m.label == "Sentiment"]
    assert verdict and verdict[0].value == "positive"  # "A gorgeous, witty film with a heart, ..."
    result = table(at, "TF-IDF says")
    assert result.shape[0] == 1 and result["TF-IDF says"][0] in nlp.LABELS
    at.text_area(key="nlp_sent_text").set_value("Loved it.\n\n   \nHated it.").run()
    at.button(key="nlp_sent_go").click().run()
    assert table(at, "TF-IDF says")["label"].tolist() == ["positive", "negative"]
    at.text_area(key="nlp_sent_text").set_value("   ").run()
    at.button(key="nlp_sent_go").click().run()
    assert at.error and "empty" in at.error[0].value
    at.radio(key="nlp_sent_source").set_value("Upload a file").run()
    at.file_uploader(key="nlp_sent_file").set_value(("x.txt", bytes(range(256)) * 4, "text/plain")).run()
    assert not exceptions(at) and any("binary" in e.value for e in at.error)
    # The optional online model: offline here, so a clear warning, never a traceback.
    at.radio(key="nlp_sent_source").set_value("Type text").run()
    at.text_area(key="nlp_sent_text").set_value("Great fun from start to finish.").run()
    at.radio(key="nlp_sent_model").set_value("DistilBERT SST-2 (online download)").run()
    at.button(key="nlp_sent_go").click().run()
    assert not exceptions(at) and any("offline" in w.value for w in at.warning)


@pytest.mark.slow
def test_an_upload_is_parsed_once_not_on_every_rerun(model, monkeypatch):
    calls = []
    real = nlp.texts_from_upload

    def counting(data, name, column=None, **kw):
        calls.append((name, column))
        return real(data, name, column, **kw)

    monkeypatch.setattr(nlp, "texts_from_upload", counting)
    at = open_page("pages/nlp.py")
    at.radio(key="nlp_sent_source").set_value("Upload a file").run()
    at.file_uploader(key="nlp_sent_file").set_value(("r.csv", b"id,review\n1,Loved it\n2,Hated it\n",
                                                     "text/csv")).run()
    assert at.selectbox(key="nlp_sent_column").value == "review"
    for _ in range(3):  # unrelated reruns: a visit to another tab, whose slider moves
        tab(at, "Search & similarity").slider(key="nlp_topk").set_value(7).run()
        tab(at, "Sentiment")
    # The uploader is empty again after the visit (ui/tabs.py), but the upload is still used (ui/uploads.py).
    assert not at.file_uploader(key="nlp_sent_file").value
    assert any(c.value.startswith("Using r.csv (uploaded earlier)") for c in at.caption)
    assert at.selectbox(key="nlp_sent_column").value == "review"
    at.button(key="nlp_sent_go").click().run()
    assert not exceptions(at)
    assert table(at, "TF-IDF says")["text"].tolist() == ["Loved it", "Hated it"]
    assert calls == [("r.csv", None), ("r.csv", "review")]  # once for the columns, once for the chosen one
    at.button(key="nlp_sent_file_forget").click().run()  # drop it: the page asks for a file again
    assert not any(c.value.startswith("Using r.csv") for c in at.caption)
    at.button(key="nlp_sent_go").click().run()
    assert any("Upload a .txt or .csv file first" in e.value for e in at.error)


def _attention_cells(at) -> tuple[str, dict[tuple[int, int], float]]:
    """(title, {(row, column): weight}) of the attention heatmap (ECharts)."""
    spec = echarts_spec(at, "nlp_att_heat")
    return spec["title"]["text"], {(r, c): v for c, r, v, _ in spec["series"][0]["data"]}


def _check_attention(at) -> None:
    """Each token's attention sums to 1 over the tokens; the layer slider shows another layer's."""
    title, last = _attention_cells(at)
    n = max(r for r, _ in last) + 1
    assert title == "Layer 6, head average" and len(last) == n * n and n > 10
    for r in range(n):
        assert sum(last[(r, c)] for c in range(n)) == pytest.approx(1, abs=0.02)
    at.slider(key="nlp_att_layer").set_value(1).run()
    title, first = _attention_cells(at)
    assert title == "Layer 1, head average" and first != last


@pytest.mark.slow
def test_page_other_tabs():
    at = open_page("pages/nlp.py")
    for label, key in (("Your own labels", "nlp_zs_go"), ("Search & similarity", "nlp_search_go"),
                       ("Search & similarity", "nlp_sim_go"), ("Translate & summarise", "nlp_tr_go"),
                       ("Attention", "nlp_att_go"), ("Translate & summarise", "nlp_sum_go")):
        tab(at, label).button(key=key).click().run()
        assert not exceptions(at), key
        if key == "nlp_zs_go":
            assert table(at, "best label")["best label"].tolist() == ["product problem", "praise", "disappointment"]
        if key == "nlp_search_go":
            assert table(at, "passage")["document"][0] == "cycling.md"
        if key == "nlp_tr_go":
            assert at.success and "cidade" in at.success[0].value.lower()  # "I love this city..." in Portuguese
        if key == "nlp_att_go":
            _check_attention(at)
    assert any(m.value.startswith("**Extractive:**") for m in at.markdown)
    assert at.success and "cidade" in at.success[0].value.lower()  # a result stays while the tab is reopened
    at.selectbox(key="nlp_tr_pair").set_value("English → German (online download)").run()
    at.button(key="nlp_tr_go").click().run()
    assert at.warning and "offline" in at.warning[0].value and not exceptions(at)
    assert at.success and "cidade" in at.success[0].value.lower()  # the last good result stays
    tab(at, "Your own labels").text_input(key="nlp_zs_labels").set_value("one").run()
    at.button(key="nlp_zs_go").click().run()
    assert any("two labels" in e.value for e in at.error)
    at.text_input(key="nlp_zs_labels").set_value("sports, food").run()
    at.text_input(key="nlp_zs_template").set_value("A {} {").run()
    at.button(key="nlp_zs_go").click().run()
    assert not exceptions(at) and not at.error
    tab(at, "Search & similarity").text_area(key="nlp_sim_text").set_value("only one line").run()
    at.button(key="nlp_sim_go").click().run()
    assert any("at least two sentences" in e.value for e in at.error)
    at.radio(key="nlp_map_what").set_value("Passages of the searched documents").run()
    at.button(key="nlp_map_go").click().run()
    assert not exceptions(at)


def test_first_use_shows_measured_progress_not_a_promise(model, monkeypatch):
    """Without a saved head, the page says what happens and shows measured progress, no promised time."""
    from ui.nlp import common

    seen = []

    def first_use(encoder=None, *, progress=None, callbacks=(), on_wait=None, **kw):
        progress(0, 1_024)
        progress(512, 1_024)
        progress(1_024, 1_024)
        seen.append(True)
        return model

    monkeypatch.setattr(nlp, "saved_report", lambda: None)
    monkeypatch.setattr(nlp, "default_sentiment_model", first_use)
    assert common.nlp is nlp
    at = open_page("pages/nlp.py")
    at.button(key="nlp_sent_go").click().run()
    assert not exceptions(at) and seen
    note = " ".join(i.value for i in at.info)
    assert "measured" in note and "minute" not in note
    assert [m for m in at.metric if m.label == "Sentiment"]


LABELLED = (b"id,review,sentiment\n1,A wonderful and moving film,pos\n2,Dull and boring from start to end,NEG\n"
            b"3,Loved every minute,\n4,A waste of time,positive\n")  # row 4's label is wrong on purpose


def per_class(truth, said) -> list[list[float]]:
    """precision, recall, F1 of negative then positive, by hand."""
    out = []
    for c in nlp.LABELS:
        tp = sum(t == c and s == c for t, s in zip(truth, said))
        p, r = tp / max(sum(s == c for s in said), 1), tp / sum(t == c for t in truth)
        out.append([p, r, 2 * p * r / (p + r) if p + r else 0.0])
    return out


@pytest.mark.slow
def test_a_csv_with_a_label_column_is_scored_against_its_labels(model):
    at = open_page("pages/nlp.py")
    at.radio(key="nlp_sent_source").set_value("Upload a file").run()
    at.file_uploader(key="nlp_sent_file").set_value(("tweets.csv", LABELLED, "text/csv")).run()
    assert at.selectbox(key="nlp_sent_column").value == "review"
    assert at.selectbox(key="nlp_sent_label").value == "sentiment"  # found by itself
    assert any("2 positive" in c.value and "1 negative" in c.value for c in at.caption)
    at.button(key="nlp_sent_go").click().run()
    assert not exceptions(at) and not at.error
    predictions = table(at, "TF-IDF says")
    assert predictions["your label"].fillna("").tolist() == ["positive", "negative", "", "positive"]
    scored = predictions.dropna(subset=["your label"])
    assert scored["label"].tolist()[:2] == ["positive", "negative"]  # clear texts; the tiny head gets them
    accuracy = {m.label: m.value for m in at.metric if m.label.endswith("accuracy")}
    classes = [df.value for df in at.dataframe if "F1" in df.value.columns]  # model's, then the baseline's
    assert len(classes) == 2 and len(at.get("plotly_chart")) == 2  # a confusion matrix per model
    for name, column, got in (("MiniLM", "label", classes[0]), ("TF-IDF", "TF-IDF says", classes[1])):
        truth, said = scored["your label"].tolist(), scored[column].tolist()
        assert accuracy[f"{name} accuracy"] == f"{sum(t == s for t, s in zip(truth, said)) / 3:.1%}"
        assert got["class"].tolist() == list(nlp.LABELS) and got["support"].tolist() == [1, 2]
        np.testing.assert_allclose(got[["precision", "recall", "F1"]].to_numpy(float), per_class(truth, said),
                                   atol=1e-6, err_msg=name)
    assert accuracy["MiniLM accuracy"] != "100.0%"  # row 4 is labelled wrong: the scores must show it
    assert any("1 of 4" in i.value for i in at.info)  # the unlabelled row: predicted, not scored
    disagree = (scored["label"] != scored["TF-IDF says"]).sum()
    if disagree:
        assert len(table(at, "right")) == disagree
    # An unclear column is refused naming its values; "none" is the plain page of before.
    at.selectbox(key="nlp_sent_label").set_value("id").run()
    assert any("'id'" in e.value and "'1', '2', '3', '4'" in e.value for e in at.error)
    at.selectbox(key="nlp_sent_label").set_value("none").run()
    at.button(key="nlp_sent_go").click().run()
    assert not exceptions(at) and not at.error
    assert "your label" not in table(at, "TF-IDF says").columns
    assert not [m for m in at.metric if m.label.endswith("accuracy")] and not at.get("plotly_chart")


def test_each_tab_keeps_its_settings_while_another_is_open():
    from tests.ui.helpers import assert_each_tab_keeps_its_settings

    at = open_page("pages/nlp.py")
    tab(at, "Generate").slider(key="nlp_gen_temp").set_value(1.2).run()
    assert_each_tab_keeps_its_settings(at, "nlp_tab", LABELS)
    assert at.session_state["nlp_gen_temp"] == 1.2


def test_an_upload_bigger_than_the_keep_limit_is_not_kept_across_tabs(monkeypatch):
    from ui import uploads

    monkeypatch.setattr(uploads, "MAX_KEPT_BYTES", 16)  # r.csv below is 36 bytes
    at = open_page("pages/nlp.py")
    at.radio(key="nlp_sent_source").set_value("Upload a file").run()
    at.file_uploader(key="nlp_sent_file").set_value(("r.csv", b"id,review\n1,Loved it\n2,Hated it\n",
                                                     "text/csv")).run()
    assert at.selectbox(key="nlp_sent_column").value == "review" and "uploads::nlp_sent_file" not in at.session_state
    tab(at, "Generate")
    tab(at, "Sentiment")
    assert not any("uploaded earlier" in c.value for c in at.caption)
    at.button(key="nlp_sent_go").click().run()
    assert any("Upload a .txt or .csv file first" in e.value for e in at.error)
