"""Speech benchmarks: word error rate and real-time factor of Whisper tiny.en and pocketsphinx, side by side.

Data: the five LibriVox clips of Debian's pocketsphinx-testdata (Sense and Sensibility, 27 s in all)
with their transcripts; both texts normalised as on the page (lower case, no punctuation, Mr = mister).
Each model is loaded once (load time reported apart); one untimed warm-up pass, then `--repeats`
timed passes over all clips, the two recognisers alternating which goes first in each pass (so
neither always runs right after the other). Real-time factor = processing seconds / audio seconds
(median over passes); below 1 is faster than real time. The machine's load average is printed before
and after: timings on a busy machine are not comparable with a quiet one; the ratios in one run are.

    OMP_NUM_THREADS=1 .venv/bin/python bench/bench_speech.py [--repeats 3] [--beams 1 5] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from dl_core import speech  # noqa: E402
from dl_core.device import cpu_threads  # noqa: E402


def machine() -> dict:
    load = os.getloadavg()
    return {"cpus": os.cpu_count(), "threads": cpu_threads(), "load_1_5_15": [round(x, 2) for x in load]}


def run(beams: list[int], repeats: int) -> dict:
    clips = [(path.name, speech.read_audio(path), ref) for path, ref in speech.librivox_clips()]
    audio_seconds = sum(a.seconds for _, a, _ in clips)
    whisper = speech.load(speech.WHISPER)
    sphinx = speech.load(speech.POCKETSPHINX)
    # (label, recogniser, options)
    systems = [(f"{speech.WHISPER} beam {b}", whisper, speech.DecodeOptions(beam_size=b)) for b in beams]
    systems.append((speech.POCKETSPHINX, sphinx, None))
    texts: dict[str, list[str]] = {}
    times: dict[str, list[float]] = {label: [] for label, _, _ in systems}
    for label, rec, opts in systems:  # warm-up: first-call costs are not the model's speed
        texts[label] = [speech.transcribe(a, rec, opts).text for _, a, _ in clips]
    for r in range(repeats):
        order = systems if r % 2 == 0 else systems[::-1]
        for label, rec, opts in order:
            start = time.perf_counter()
            for _, a, _ in clips:
                speech.transcribe(a, rec, opts)
            times[label].append(time.perf_counter() - start)
    rows = []
    for label, rec, _ in systems:
        pairs = [(ref, hyp) for (_, _, ref), hyp in zip(clips, texts[label])]
        per_clip = [speech.word_error_rate(ref, hyp).wer for ref, hyp in pairs]
        rows.append({
            "model": label,
            "corpus_wer": round(speech.corpus_word_error_rate(pairs), 4),
            "mean_clip_wer": round(statistics.mean(per_clip), 4),
            "rtf_median": round(statistics.median(times[label]) / audio_seconds, 4),
            "rtf_min": round(min(times[label]) / audio_seconds, 4),
            "load_seconds": round(rec.load_seconds, 2),
            "device": rec.label(),
            "texts": texts[label],
        })
    return {"clips": len(clips), "audio_seconds": round(audio_seconds, 2), "repeats": repeats, "rows": rows}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--beams", type=int, nargs="+", default=[1, 5], help="Whisper beam sizes to compare")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--texts", action="store_true", help="print every transcript")
    args = parser.parse_args()
    before = machine()
    result = run(args.beams, args.repeats)
    result["machine_before"], result["machine_after"] = before, machine()
    if args.json:
        print(json.dumps(result, indent=2))
        return
    print(f"{result['clips']} LibriVox clips, {result['audio_seconds']} s of audio, {result['repeats']} timed passes; "
          f"{before['cpus']} CPUs, {before['threads']} thread(s); load average before "
          f"{before['load_1_5_15']}, after {result['machine_after']['load_1_5_15']}")
    print(f"{'model':<26}{'corpus WER':>11}{'mean WER':>10}{'RTF median':>12}{'RTF best':>10}{'load s':>8}  device")
    for row in result["rows"]:
        print(f"{row['model']:<26}{row['corpus_wer']:>11.3f}{row['mean_clip_wer']:>10.3f}{row['rtf_median']:>12.3f}"
              f"{row['rtf_min']:>10.3f}{row['load_seconds']:>8.2f}  {row['device']}")
    base = result["rows"][-1]
    for row in result["rows"][:-1]:
        print(f"{row['model']} vs pocketsphinx: WER x{row['corpus_wer'] / base['corpus_wer']:.2f}, "
              f"time x{row['rtf_median'] / base['rtf_median']:.2f}")
    if args.texts:
        for row in result["rows"]:
            print(f"\n{row['model']}:")
            for t in row["texts"]:
                print(f"  {t}")


if __name__ == "__main__":
    main()
