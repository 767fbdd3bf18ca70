"""`python -m dl_core`: info lists bundled models as available; errors are one line, exit 2."""

import json
import subprocess
import sys

from tests.conftest import ROOT


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "dl_core", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=300)


def test_info_json_lists_bundled_models_available():
    out = run("info", "--json")
    assert out.returncode == 0, out.stderr
    info = json.loads(out.stdout)
    assert info["device"]["type"] in ("cpu", "cuda", "mps")
    assert info["versions"]["torch"].startswith("2.13")
    models = {m["name"]: m for m in info["models"]}
    for name in ("efficientnet-lite0", "minilm-l6", "smollm2-135m-instruct", "bergamot-en-pt",
                 "dcgan-faces-64", "whisper-tiny-en", "pocketsphinx"):
        assert models[name]["source"] == "bundled" and models[name]["available"] is True
    assert all(m["available"] is False for m in models.values() if m["source"] == "hub")


def test_help_lists_commands():
    out = run("--help")
    assert out.returncode == 0 and "info" in out.stdout


def test_unknown_command_is_a_usage_error():
    out = run("no-such-command")
    assert out.returncode == 2 and "invalid choice" in out.stderr
