"""`python -m dl_core prepare`: builds what is missing, reports ready next time, refuses unknown names."""

import json
import os
import subprocess
import sys

import pytest

from dl_core import prepare
from tests.conftest import ROOT


def _prepare(*args, data_dir):
    return subprocess.run([sys.executable, "-m", "dl_core", "prepare", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=600, env={**os.environ, "DLX_DATA_DIR": str(data_dir)})


@pytest.mark.slow
def test_prepare_builds_then_reports_ready(tmp_path):
    first = _prepare("--only", "digits-cnn", "--json", data_dir=tmp_path)
    assert first.returncode == 0, first.stderr[-1500:]
    assert json.loads(first.stdout)["models"]["digits-cnn"]["status"] == "built"
    assert (tmp_path / "models" / "digits_cnn.safetensors").is_file()
    again = _prepare("--only", "digits-cnn", "--json", data_dir=tmp_path)
    assert json.loads(again.stdout)["models"]["digits-cnn"]["status"] == "ready"


def test_unknown_names_are_refused_with_the_valid_ones(tmp_path):
    out = _prepare("--only", "no-such-model", data_dir=tmp_path)
    assert out.returncode == 2 and "digits-cnn" in out.stderr and "Traceback" not in out.stderr


def test_a_failing_build_is_reported_and_the_others_still_run(monkeypatch):
    calls = []

    def boom(callbacks):
        raise RuntimeError("disk full")

    fake = (prepare.Preparable("broken", "fails", lambda: False, boom),
            prepare.Preparable("fine", "works", lambda: bool(calls), lambda cb: calls.append(1)))
    monkeypatch.setattr(prepare, "PREPARABLE", fake)
    results = prepare.prepare()
    assert results["broken"]["status"] == "failed" and "disk full" in results["broken"]["error"]
    assert results["fine"]["status"] == "built"


def _fakes(calls):
    return tuple(prepare.Preparable(name, name, lambda n=name: n in calls, lambda cb, n=name: calls.append(n))
                 for name in ("a", "b", "c"))


def test_only_is_repeatable_and_each_name_is_built_once(monkeypatch, capsys):
    from dl_core import cli

    calls: list[str] = []
    monkeypatch.setattr(prepare, "PREPARABLE", _fakes(calls))
    assert cli.main(["prepare", "--only", "a", "--only", "c", "a", "--json"]) == 0
    assert calls == ["a", "c"]  # both --only kept (not just the last), "a" once
    assert list(json.loads(capsys.readouterr().out)["models"]) == ["a", "c"]


def test_every_repeated_only_is_checked_from_the_command_line(tmp_path):
    out = _prepare("--only", "no-such-model", "--only", "nor-this-one", data_dir=tmp_path)
    assert out.returncode == 2 and "no-such-model, nor-this-one" in out.stderr
