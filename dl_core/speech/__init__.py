"""Speech: record or upload a voice, see what the network hears, transcribe it offline with Whisper
tiny.en (deep) beside PocketSphinx (classical), and score both with the word error rate.

    from dl_core import speech

    audio = speech.read_audio(Path("talk.m4a"))               # 16 kHz mono float32, checked
    whisper = speech.load(speech.WHISPER)                     # once per process
    t = speech.transcribe(audio, whisper, speech.DecodeOptions(beam_size=5))
    score = speech.word_error_rate("what was said", t.text)   # .wer, .alignment
    mel = speech.log_mel(audio)                               # what Whisper takes as input

Modules: audio (decoding + checks), features (log-mel), whisper, sphinx, models (names, loading,
model cards), wer (normalisation, WER, alignment), samples (bundled clips), followup (the
transcript carried on to the NLP engine), cli (`python -m dl_core speech transcribe`).
Nothing here imports torch; faster-whisper, ctranslate2, av, pocketsphinx and jiwer are imported
when first used.
"""

from .audio import (
    FORMATS_HINT,
    MAX_BYTES,
    MAX_SECONDS,
    SAMPLE_RATE,
    Audio,
    envelope,
    from_samples,
    read_audio,
    to_wav_bytes,
)
from .features import LogMel, log_mel
from .followup import FollowUp, Mood, carry_on
from .models import MODELS, POCKETSPHINX, WHISPER, ModelCard, Recogniser, check_name, load, model_card, transcribe
from .samples import Sample, librivox_clips, sample, samples
from .sphinx import SphinxRecogniser
from .transcript import Segment, Transcript, Word
from .wer import AlignedWord, WordErrorRate, check_reference, corpus_word_error_rate, normalise, word_error_rate
from .whisper import DecodeOptions, WhisperRecogniser

__all__ = [
    "FORMATS_HINT", "MAX_BYTES", "MAX_SECONDS", "MODELS", "POCKETSPHINX", "SAMPLE_RATE", "WHISPER",
    "AlignedWord", "Audio", "DecodeOptions", "FollowUp", "LogMel", "ModelCard", "Mood", "Recogniser", "Sample",
    "Segment", "SphinxRecogniser", "Transcript", "WhisperRecogniser", "Word", "WordErrorRate",
    "carry_on", "check_name", "check_reference", "corpus_word_error_rate", "envelope", "from_samples",
    "librivox_clips", "load", "log_mel", "model_card", "normalise", "read_audio", "sample", "samples",
    "to_wav_bytes", "transcribe", "word_error_rate",
]
