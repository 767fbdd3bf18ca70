"""How long the rest of the server waits while a recogniser decodes: Python's GIL, shared by every person's page.

Streamlit serves every browser session from one process, so a library call that holds the GIL for long
stops everyone's page meanwhile (a py-spy trace of the server under 4 sessions found pocketsphinx holding it in
30% of the samples). Here a second thread sleeps 1 ms in a loop while the five LibriVox clips are transcribed;
how late it wakes up is how long another person's request would have waited. Printed side by side with the
same thread on an idle process (the floor), as p50 / p99 / max in ms.

    OMP_NUM_THREADS=1 .venv/bin/python bench/bench_gil.py
"""

from __future__ import annotations

import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402

from dl_core import speech  # noqa: E402


def wake_ups(work) -> tuple[np.ndarray, float]:
    """(how late a 1 ms sleep came back, in s, each time; seconds `work` took) while `work()` runs."""
    late: list[float] = []
    stop = threading.Event()

    def tick() -> None:
        while not stop.is_set():
            t0 = time.perf_counter()
            time.sleep(0.001)
            late.append(time.perf_counter() - t0 - 0.001)

    ticker = threading.Thread(target=tick)
    ticker.start()
    start = time.perf_counter()
    work()
    took = time.perf_counter() - start
    stop.set()
    ticker.join()
    return np.array(late), took


def main() -> None:
    clips = [speech.read_audio(path) for path, _ in speech.librivox_clips()]
    whisper, sphinx = speech.load(speech.WHISPER), speech.load(speech.POCKETSPHINX)
    options = speech.DecodeOptions()
    rows = {
        "idle (the floor)": lambda: time.sleep(5),
        "pocketsphinx, 5 clips": lambda: [speech.transcribe(a, sphinx, options) for a in clips],
        "Whisper tiny.en, 5 clips": lambda: [speech.transcribe(a, whisper, options) for a in clips],
    }
    print(f"{'while':<26} {'took s':>7} {'p50 ms':>7} {'p99 ms':>7} {'max ms':>7}")
    for name, work in rows.items():
        late, took = wake_ups(work)
        ms = late * 1000
        print(f"{name:<26} {took:7.2f} {np.median(ms):7.1f} {np.percentile(ms, 99):7.1f} {ms.max():7.1f}")


if __name__ == "__main__":
    main()
