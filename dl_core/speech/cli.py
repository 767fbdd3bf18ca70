"""`python -m dl_core speech ...`: transcribe an audio file offline.

    python -m dl_core speech transcribe talk.m4a --json
    python -m dl_core speech transcribe clip.wav --model pocketsphinx --reference "what was said" --json

JSON: {"file", "model", "text", "segments": [{"start", "end", "text"}], "seconds", "audio_seconds"}
(+ "wer" when --reference is given). Damaged, empty, silent or too-long audio: one line on stderr,
exit status 2.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from ..cli import emit


def register(subparsers: argparse._SubParsersAction) -> None:
    from .models import MODELS, WHISPER

    speech = subparsers.add_parser("speech", help="speech: transcribe audio offline (Whisper tiny.en, pocketsphinx)")
    sub = speech.add_subparsers(dest="speech_command", required=True, metavar="ACTION")

    p = sub.add_parser("transcribe", help="transcribe an audio file (wav, mp3, ogg/opus, m4a, flac, webm)")
    p.add_argument("file", type=Path, metavar="FILE")
    p.add_argument("--model", choices=MODELS, default=WHISPER, help=f"recogniser (default: {WHISPER})")
    p.add_argument("--reference", metavar="TEXT", help="what was said: adds the word error rate (\"wer\")")
    p.add_argument("--beam-size", type=int, default=5, help="Whisper beam size, 1-10 (default 5; 1 = greedy, faster)")
    p.add_argument("--temperature", type=float, default=0.0, help="Whisper sampling temperature, 0-1 (default 0)")
    p.add_argument("--vad", action="store_true", help="Whisper: skip silences with voice-activity detection")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=_transcribe)


def _transcribe(args: argparse.Namespace) -> int:
    from . import audio as audio_io
    from .models import load, transcribe
    from .wer import check_reference, word_error_rate
    from .whisper import DecodeOptions

    options = DecodeOptions(beam_size=args.beam_size, temperature=args.temperature, vad_filter=args.vad)
    options.check()  # before loading anything: a bad flag fails at once
    if args.reference is not None:
        check_reference(args.reference)
    audio = audio_io.read_audio(args.file)
    score = None
    result = transcribe(audio, load(args.model), options)
    payload = {"file": str(args.file), **result.as_dict()}
    if args.reference is not None:
        score = word_error_rate(args.reference, result.text)
        payload["wer"] = round(score.wer, 4)
    if args.json:
        emit(payload, True)
        return 0
    for note in audio.notices:
        print(f"note: {note}")
    print(result.text or "(no speech recognised)")
    for s in result.segments:
        print(f"  [{s.start:6.2f} - {s.end:6.2f}] {s.text}")
    print(f"{result.model}: {result.seconds:.2f} s for {result.audio_seconds:.2f} s of audio "
          f"(real-time factor {result.real_time_factor:.2f})")
    if score is not None:
        print(f"word error rate {score.wer:.1%}: {score.substitutions} substituted, {score.deletions} missed, "
              f"{score.insertions} inserted of {score.reference_words} reference words")
    return 0
