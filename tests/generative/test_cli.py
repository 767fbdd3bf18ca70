"""`python -m dl_core generative ...`: JSON contracts, one-line errors with status 2.

The commands run in a subprocess through `dl_core.cli.main`, with only this use case's commands
registered, so these tests do not depend on the other use cases' command modules.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.conftest import ROOT

RUN_CLI = ("import sys; from dl_core import cli; cli.USE_CASES = ('generative',); "
           "sys.exit(cli.main(sys.argv[1:]))")


def run_cli(*args: str, timeout: int = 600) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", RUN_CLI, "generative", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=timeout)


def test_cli_faces_writes_n_pngs(tmp_path):
    from PIL import Image

    done = run_cli("faces", "--n", "3", "--seed", "7", "--out", str(tmp_path), "--json")
    assert done.returncode == 0, done.stderr
    payload = json.loads(done.stdout)
    files = sorted(tmp_path.glob("*.png"))
    assert payload == {"files": [str(f) for f in files], "n": 3, "seed": 7, "truncation": 1.0}
    assert Image.open(files[0]).size == (64, 64)


@pytest.mark.parametrize("args, message", [
    (("faces", "--n", "0"), "between 1 and 64"),
    (("faces", "--seed", "-3"), "--seed must be a whole number"),
    (("train-vae", "--latent", "0"), "Latent size must be between 1 and 16"),
    (("train-gan", "--shape", "square"), "Unknown shape 'square'"),
    (("train-gan", "--epochs", "0"), "epochs must be between 1 and 500"),
])
def test_cli_bad_input_is_one_line_and_status_2(tmp_path, args, message):
    done = run_cli(*args, *(("--out", str(tmp_path)) if args[0] == "faces" else ()))
    assert done.returncode == 2 and message in done.stderr and "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


@pytest.mark.slow
def test_cli_train_diffusion_json_contract(tmp_path, quick_judge):
    done = run_cli("train-diffusion", "--epochs", "1", "--limit", "64", "--seed", "0", "--out", str(tmp_path),
                   "--no-save", "--json")
    assert done.returncode == 0, done.stderr
    payload = json.loads(done.stdout)
    assert set(payload) == {"recognised_share", "distinct_digits", "seconds", "epochs", "final_loss", "per_digit",
                            "grid", "saved"}
    assert payload["epochs"] == 1 and payload["saved"] is None and (tmp_path / "diffusion_samples.png").is_file()
    assert sorted(payload["per_digit"]) == [str(d) for d in range(10)]  # 100 samples: 10 of each digit
    assert payload["recognised_share"] == pytest.approx(sum(payload["per_digit"].values()) / 10)


def test_cli_train_vae_json_contract():
    done = run_cli("train-vae", "--epochs", "3", "--json")
    assert done.returncode == 0, done.stderr
    payload = json.loads(done.stdout)
    assert set(payload) == {"test_reconstruction_loss", "epochs", "latent", "seconds"}
    assert 0 < payload["test_reconstruction_loss"] < 45  # 64 pixels; an untrained decoder scores ~44
    assert payload["epochs"] == 3 and payload["latent"] == 2


def test_cli_train_gan_on_a_csv(tmp_path):
    csv = tmp_path / "points.csv"
    csv.write_text("\n".join(f"{i % 10},{(i * 3) % 11}" for i in range(60)))  # no header row
    done = run_cli("train-gan", "--csv", str(csv), "--epochs", "2", "--json")
    assert done.returncode == 0, done.stderr
    payload = json.loads(done.stdout)
    assert payload["epochs"] == 2 and payload["data"] == "your points" and 0 <= payload["coverage"] <= 1
    assert any("standardised" in n for n in payload["notices"])
