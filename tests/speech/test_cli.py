"""`python -m dl_core speech transcribe`: the JSON contract and one-line errors with exit status 2."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from dl_core import speech
from dl_core.cli import main

from .makeaudio import encode

ROOT = speech.samples()[0].path.parents[2]
CONTRACT = {"file", "model", "text", "segments", "seconds", "audio_seconds"}


def test_transcribe_json_contract(capsys):
    sample = speech.sample("librivox-ill-disposed.flac")
    assert main(["speech", "transcribe", str(sample.path), "--reference", sample.reference, "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert set(out) == CONTRACT | {"wer"}
    assert out["model"] == "whisper-tiny-en" and out["file"] == str(sample.path)
    assert out["segments"] and set(out["segments"][0]) == {"start", "end", "text"}
    assert out["audio_seconds"] == pytest.approx(2.99, abs=0.02) and out["seconds"] > 0
    assert 0 <= out["wer"] <= 0.5 and "young man" in out["text"].lower()


def test_pocketsphinx_without_reference_has_no_wer(capsys):
    sample = speech.sample("librivox-ill-disposed.flac")
    assert main(["speech", "transcribe", str(sample.path), "--model", "pocketsphinx", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert set(out) == CONTRACT and out["model"] == "pocketsphinx" and "young man" in out["text"]


@pytest.mark.parametrize(("content", "message"), [
    (b"", "empty"),
    (b"ID3 this is not really an mp3" * 10, "not an audio file"),
    (None, "silent"),
])
def test_damaged_or_silent_audio_is_one_line_and_exit_2(tmp_path, content, message):
    path = tmp_path / "clip.mp3"
    path.write_bytes(content if content is not None else encode(np.zeros(16_000, np.float32), 16_000, "mp3"))
    proc = subprocess.run([sys.executable, "-m", "dl_core", "speech", "transcribe", str(path), "--json"],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    assert proc.stdout == ""
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and message in lines[0], proc.stderr


def test_bad_flags_fail_before_loading(capsys):
    sample = speech.sample("librivox-ill-disposed.flac")
    assert main(["speech", "transcribe", str(sample.path), "--beam-size", "0"]) == 2
    assert "beam size" in capsys.readouterr().err
    assert main(["speech", "transcribe", str(sample.path), "--reference", " ?! "]) == 2
    assert "reference" in capsys.readouterr().err


def test_readable_output(capsys):
    sample = speech.sample("librivox-ill-disposed.flac")
    assert main(["speech", "transcribe", str(sample.path), "--reference", sample.reference]) == 0
    out = capsys.readouterr().out
    assert "real-time factor" in out and "word error rate" in out
