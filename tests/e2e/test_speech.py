"""Speech in Chromium: upload a spoken clip, transcribe it, read the transcript; the words light up; the
clip and its transcript are still there after a visit to another tab (tabs are lazy: ui/tabs.py)."""

from __future__ import annotations

import re

import pytest

from tests.e2e.conftest import exception_texts, goto, settle, tab
from tests.speech.makeaudio import encode, espeak

SENTENCE = "Please call me back tomorrow morning about the train tickets."


@pytest.mark.slow
def test_upload_clip_and_read_transcript(page, app_url, tmp_path) -> None:
    x, rate = espeak(SENTENCE)
    clip = tmp_path / "voicemail.ogg"
    clip.write_bytes(encode(x, rate, "ogg-opus"))
    goto(page, app_url, "speech", seconds=240)
    assert not exception_texts(page)
    # Issue 13: only the open tab is drawn, so the hidden Transcribe tab's model-card tables cost nothing.
    assert page.locator("[data-testid='stDataFrame']").count() == 0
    # What the network hears: one picture of the bundled sample, no chart (no chart script on first open).
    hearing = page.locator("[data-testid='stImage'] img[alt*='log-mel spectrogram']")
    hearing.wait_for(timeout=120_000)
    assert "of 16.6 s of audio" in hearing.get_attribute("alt")
    assert hearing.evaluate("img => img.complete && img.naturalWidth") == 1_200  # decoded, not a broken image
    assert page.locator("[data-testid='stPlotlyChart'], [data-testid='stEChartsChart']").count() == 0
    page.get_by_role("radio", name="Upload a file").click()
    settle(page)
    page.locator("input[type=file]").first.set_input_files(str(clip))
    settle(page, 240)
    assert page.locator("[data-testid='stAlertContentError']").count() == 0
    length = page.locator("[data-testid='stMetric']", has_text="Length").locator(
        "[data-testid='stMetricValue']").inner_text()
    page.wait_for_function("(s) => document.querySelector(\"[data-testid='stImage'] img\").alt.includes(s)",
                           arg=f"of {length} of audio", timeout=60_000)
    _open_tab(page, "Transcribe")
    assert page.locator("[data-testid='stDataFrame']").count() == 0  # the model cards are closed
    page.get_by_role("button", name="Transcribe").click()
    # Whisper's transcript shows while pocketsphinx (several times slower) is still listening.
    still = page.get_by_text("Still listening")
    still.wait_for(timeout=240_000)
    quote = page.locator("[data-testid='stMarkdownContainer'] blockquote").first.inner_text()
    assert "train tickets" in quote.lower(), quote
    assert still.count() == 1
    settle(page, 300)
    assert still.count() == 0  # pocketsphinx's answer replaced the note
    assert page.get_by_role("heading", name=re.compile("PocketSphinx", re.I)).count() == 1
    # The word player: the words of the transcript, each one a clickable span in the iframe.
    words = page.frame_locator("iframe[title='st.iframe']").first.locator("span.w")
    words.first.wait_for(timeout=30_000)
    assert words.count() >= 8
    assert not exception_texts(page)
    # The uploader is empty when its tab is reopened; the decoded clip is kept, with a button to drop it.
    _open_tab(page, "Your audio")
    assert page.get_by_role("button", name="Using voicemail.ogg (uploaded earlier)").is_visible()
    assert page.locator("[data-testid='stMetric']", has_text="Length").locator(
        "[data-testid='stMetricValue']").inner_text() == length
    _open_tab(page, "Transcribe")  # the transcripts are kept too
    quote = page.locator("[data-testid='stMarkdownContainer'] blockquote").first.inner_text()
    assert "train tickets" in quote.lower(), quote
    assert page.get_by_role("heading", name=re.compile("PocketSphinx", re.I)).count() == 1
    assert not exception_texts(page)


def _open_tab(page, name: str) -> None:
    tab(page, name).click()  # reruns the page (lazy tabs): wait for it
    settle(page)
