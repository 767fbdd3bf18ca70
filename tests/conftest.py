"""Shared test set-up: an isolated data folder, no network, small thread pools, GPU marker."""

from __future__ import annotations

import contextlib
import io
import os
import subprocess
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# Before anything imports dl_core: our own data folder (MLflow store, trained weights) per test
# session, never the developer's; the Hub is offline as in CI; 1 thread is steadiest on 2 cores.
# xdist workers (`make test`) inherit the folder the controller made: each makes its own, so that no test
# sees another worker's MLflow runs or models (a test that read "the newest app run" read the other's).
_worker = os.environ.get("PYTEST_XDIST_WORKER", "")
_inherited = os.environ.get("DLX_TESTS_OWN_DATA_DIR") == "1"  # made by the controller, not the developer
if "DLX_DATA_DIR" not in os.environ or (_worker and _inherited):
    os.environ["DLX_DATA_DIR"] = tempfile.mkdtemp(prefix=f"dlx-tests-{_worker}")
    os.environ["DLX_TESTS_OWN_DATA_DIR"] = "1"
os.environ["HF_HUB_OFFLINE"] = "1"
# A Hugging Face cache of our own: no test may pass because of what a developer happens to have cached.
os.environ["HF_HOME"] = tempfile.mkdtemp(prefix="dlx-hf-")
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
os.environ["DLX_DEBUG"] = "1"  # a bug in a page raises in tests instead of showing the incident message


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not any(item.get_closest_marker("gpu") for item in items):
        return
    import torch

    if torch.cuda.is_available():
        return
    skip = pytest.mark.skip(reason="needs a CUDA GPU (none visible)")
    for item in items:
        if item.get_closest_marker("gpu"):
            item.add_marker(skip)


def run_cli(*argv: str, timeout: float | None = None) -> subprocess.CompletedProcess:
    """`python -m dl_core ARGV`, run in this process: (returncode, stdout, stderr) as a subprocess gives.

    A fresh interpreter per call cost 10-20 s of imports (torch, transformers) each time; the entry
    point itself (`python -m dl_core`) is still run as a real process in tests/core/test_cli.py.
    `timeout` is accepted for the callers' sake; pytest-timeout bounds the test."""
    from dl_core import cli

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = cli.main(list(argv))
        except SystemExit as exc:  # argparse errors (2) and --help (0)
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    return subprocess.CompletedProcess(["python", "-m", "dl_core", *argv], code, out.getvalue(), err.getvalue())


def open_page(script: str | None = None, timeout: float = 120):
    """Run app.py in AppTest and switch to `script` (e.g. "pages/vision.py"), as a person would."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=timeout)
    at.run()
    if script is not None:
        at.switch_page(script)
        at.run()
    return at


def exceptions(at) -> list[str]:
    """The exception boxes an AppTest run shows (empty when the page is healthy)."""
    return [e.value for e in at.exception]
