"""NLP page in Chromium: type a review, analyse it, read the sentiment."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import exception_texts, goto, settle


@pytest.mark.slow
def test_type_a_review_and_read_its_sentiment(page, app_url):
    from tests.nlp.helpers import ensure_tiny_head

    ensure_tiny_head()  # the same small head the unit tests train (once per session), saved on disk
    goto(page, app_url, "nlp")
    box = page.get_by_label("One text per line")
    box.fill("What a joyful, beautifully acted film. I loved every minute.")
    box.press("Control+Enter")  # commit the text area before clicking
    settle(page)
    page.get_by_role("button", name="Analyse sentiment").click()
    settle(page, 240)
    verdict = page.locator("[data-testid='stMetric']", has_text="Sentiment")
    verdict.wait_for(timeout=120_000)
    assert "positive" in verdict.inner_text()
    assert page.locator("[data-testid='stDataFrame']").count() >= 1  # the table is drawn on a canvas
    assert page.get_by_text("pushed towards").count() == 1  # the word highlights under the verdict
    assert not exception_texts(page)


@pytest.mark.slow
def test_upload_a_labelled_csv_and_read_both_models_scores(page, app_url, tmp_path):
    from tests.nlp.helpers import ensure_tiny_head

    ensure_tiny_head()
    f = tmp_path / "tweets.csv"
    f.write_text("id,tweet,sentiment\n1,What a joyful and beautifully acted film,positive\n"
                 "2,The plot made no sense and the acting was wooden,negative\n3,Loved every minute,\n",
                 encoding="utf-8")
    goto(page, app_url, "nlp")
    page.get_by_text("Upload a file").click()
    settle(page)
    page.locator("input[type=file]").first.set_input_files(str(f))
    settle(page)
    assert page.get_by_text("Labels from column “sentiment”").count() == 1  # found without being asked
    page.get_by_role("button", name="Analyse sentiment").click()
    settle(page, 240)
    for name in ("MiniLM accuracy", "TF-IDF accuracy"):
        metric = page.locator("[data-testid='stMetric']", has_text=name)
        metric.wait_for(timeout=120_000)
        assert "%" in metric.inner_text()
    assert page.get_by_text("1 of 3 text(s) have no label").count() == 1
    assert page.locator("[data-testid='stPlotlyChart']").count() == 2  # a confusion matrix per model
    assert not exception_texts(page)
