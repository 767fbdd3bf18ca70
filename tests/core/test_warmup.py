"""The server-start warm-up (ui/warmup.py, started by `python -m ui.serve`): it loads the shared models
into the very caches the pages read, so a first click loads nothing, and it runs before any browser."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time

import pytest

from tests.conftest import ROOT, exceptions, open_page


def test_after_the_warm_up_a_first_transcription_loads_no_model(monkeypatch):
    from dl_core import registry, speech
    from ui import warmup
    from ui.speech.shared import recogniser

    recogniser.clear()  # recognisers other tests loaded must not count as warmed up (only these: cheap)
    loads: list[str] = []
    real_registry, real_speech = registry.load, speech.load
    monkeypatch.setattr(registry, "load", lambda name, *a, **k: loads.append(name) or real_registry(name, *a, **k))
    monkeypatch.setattr(speech, "load", lambda name: loads.append(name) or real_speech(name))

    report = warmup.run({"speech": warmup._speech})
    assert all(isinstance(v, float) for v in report.values()), report
    assert set(loads) >= {speech.WHISPER, speech.POCKETSPHINX}
    loads.clear()

    at = open_page("pages/speech.py", timeout=300)
    at.session_state["speech_tab"] = "Transcribe"  # lazy tabs: only the open tab is drawn
    at.run(timeout=300)
    at.checkbox(key="speech_both").uncheck()  # Whisper only: keeps the test short
    at.button(key="speech_go").click().run(timeout=300)
    assert exceptions(at) == []
    assert any("library" in m.value for m in at.markdown)  # the default sample was transcribed
    assert loads == []  # ...with the recogniser the warm-up loaded


def test_after_the_warm_up_the_speech_page_opens_on_a_ready_picture(monkeypatch):
    """matplotlib's first import and figure take ~1 s: the warm-up draws the default sample's picture into
    the cache entry the page reads, so the first visitor's page draws none."""
    from ui import warmup
    from ui.speech import render, source

    source.bundled_hearing.clear()
    drawn: list[int] = []
    real = render.hearing_jpeg
    monkeypatch.setattr(render, "hearing_jpeg", lambda *a: drawn.append(1) or real(*a))

    report = warmup.run({"speech": warmup._speech})
    assert isinstance(report["speech"], float), report
    assert drawn == [1]
    at = open_page("pages/speech.py", timeout=300)  # opens on "Your audio" with the default sample
    assert exceptions(at) == []
    assert len(at.get("image")) == 1 and drawn == [1]


def test_after_the_warm_up_the_experiments_page_reads_no_store(monkeypatch):
    from dl_core import tracking
    from ui import warmup
    from ui.experiments import runs

    runs._runs.clear()  # what other tests read must not count as warmed up
    reads: list[int] = []
    real = tracking.runs
    monkeypatch.setattr(tracking, "runs", lambda *a, **k: reads.append(1) or real(*a, **k))

    report = warmup.run({"experiments": warmup._experiments})
    assert isinstance(report["experiments"], float), report
    assert reads == [1]
    at = open_page("pages/experiments.py")
    assert exceptions(at) == []
    assert reads == [1]  # the page drew from what the warm-up read


def test_a_failing_step_is_reported_and_the_rest_still_run():
    from ui import warmup

    def broken() -> None:
        raise ModuleNotFoundError("No module named 'not_installed'")

    report = warmup.run({"broken": broken, "fine": lambda: None})
    assert report["broken"] == "ModuleNotFoundError: No module named 'not_installed'"
    assert isinstance(report["fine"], float)


@pytest.mark.slow
def test_the_launcher_warms_up_before_any_browser_connects(tmp_path):
    """`python -m ui.serve` (make run) starts Streamlit and the warm-up at once; no page is opened."""
    from ui import warmup

    env = {**os.environ, "DLX_DATA_DIR": str(tmp_path), "HF_HUB_OFFLINE": "1"}
    env.pop("DLX_WARMUP", None)
    log = tmp_path / "server.log"
    with open(log, "w") as out:
        proc = subprocess.Popen([sys.executable, "-m", "ui.serve", "--server.headless", "true", "--server.port",
                                 "0", "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false"],
                                cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.time() + 240
        while warmup.DONE not in log.read_text() and time.time() < deadline and proc.poll() is None:
            time.sleep(0.5)
        text = log.read_text()
    finally:
        proc.terminate()
        proc.wait(20)
    done = re.search(rf"{warmup.DONE}: (.*)", text)
    assert done, text[-2000:]
    steps = dict(re.findall(r"(\w+) ([\d.]+) s", done.group(1)))
    assert {"nlp", "speech", "vision", "captum", "experiments"} <= set(steps), done.group(1)
    assert "missing ScriptRunContext" not in text  # the expected warnings of cached calls outside a page


def _collected(objects: list) -> int:
    """How many of these objects a collection still walks: the permanent generation is not in
    gc.get_objects(). (Counting gc.get_freeze_count() instead is off whenever some frozen object
    of an earlier test dies meanwhile.)"""
    import gc

    ids = {id(o) for o in objects}
    return sum(id(o) in ids for o in gc.get_objects())


def test_what_survives_full_collections_leaves_the_collectors_way():
    """Streamlit collects garbage after every run while holding the GIL: app.py moves many long-lived
    objects (models, modules) into the permanent generation, and so does the warm-up once it is done."""
    import gc

    from ui import warmup

    kept: list[list[int]] = []
    report = warmup.run({"load": lambda: kept.extend([i] for i in range(30_000))})
    assert isinstance(report["load"], float)
    assert len(kept) == 30_000 and _collected(kept) == 0  # frozen by the warm-up itself
    survivors = [[i] for i in range(60_000)]
    gc.collect()  # they survived a full collection: the oldest generation
    assert _collected(survivors) == len(survivors)  # the check can fail: not frozen yet
    at = open_page()  # app.py runs (the home page)
    assert exceptions(at) == []
    assert _collected(survivors) == 0
