"""Speech in Chromium: upload a spoken clip, transcribe it, read the transcript; the words light up."""

from __future__ import annotations

import re

import pytest

from tests.e2e.conftest import exception_texts, goto, settle
from tests.speech.makeaudio import encode, espeak

SENTENCE = "Please call me back tomorrow morning about the train tickets."


@pytest.mark.slow
def test_upload_clip_and_read_transcript(page, app_url, tmp_path) -> None:
    x, rate = espeak(SENTENCE)
    clip = tmp_path / "voicemail.ogg"
    clip.write_bytes(encode(x, rate, "ogg-opus"))
    goto(page, app_url, "speech", seconds=240)
    assert not exception_texts(page)
    page.get_by_role("tab", name="Your audio").click()
    # What the network hears: an ECharts chart (no Plotly script on first open) of the bundled sample.
    chart = page.locator("[data-testid='stEChartsChart']").first
    chart.wait_for(timeout=120_000)
    assert page.locator("[data-testid='stPlotlyChart']").count() == 0
    assert "of 16.6 s of audio" in chart.get_attribute("aria-label")
    page.get_by_role("radio", name="Upload a file").click()
    settle(page)
    page.locator("input[type=file]").first.set_input_files(str(clip))
    settle(page, 240)
    assert page.locator("[data-testid='stAlertContentError']").count() == 0
    length = page.locator("[data-testid='stMetric']", has_text="Length").locator(
        "[data-testid='stMetricValue']").inner_text()
    page.wait_for_function("(s) => document.querySelector(\"[data-testid='stEChartsChart']\")"
                           ".getAttribute('aria-label').includes(s)", arg=f"of {length} of audio", timeout=60_000)
    page.get_by_role("tab", name="Transcribe").click()
    settle(page)
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
