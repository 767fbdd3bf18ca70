"""Speech in Chromium: upload a spoken clip, transcribe it, read the transcript; the words light up."""

from __future__ import annotations

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
    page.get_by_role("radio", name="Upload a file").click()
    settle(page)
    page.locator("input[type=file]").first.set_input_files(str(clip))
    settle(page, 240)
    assert page.locator("[data-testid='stAlertContentError']").count() == 0
    page.get_by_role("tab", name="Transcribe").click()
    page.get_by_text("Also run pocketsphinx").click()  # Whisper only: keeps the test short
    settle(page)
    page.get_by_role("button", name="Transcribe").click()
    settle(page, 300)
    quote = page.locator("[data-testid='stMarkdownContainer'] blockquote").first.inner_text()
    assert "train tickets" in quote.lower(), quote
    # The word player: the words of the transcript, each one a clickable span in the iframe.
    words = page.frame_locator("iframe[title='st.iframe']").first.locator("span.w")
    words.first.wait_for(timeout=30_000)
    assert words.count() >= 8
    assert not exception_texts(page)
