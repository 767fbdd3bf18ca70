"""`python -m dl_core generative ...`: JSON contracts, one-line errors with status 2.

The commands run through `dl_core.cli.main` in this process: `cli` (with only this use case's commands
registered, so these tests do not depend on the other use cases' command modules) and `run_cli`
(the whole command line; `python -m dl_core` itself runs as a process in tests/core/test_cli.py).
"""

from __future__ import annotations

import json
import subprocess

import pytest

from tests import conftest


def run_cli(*args: str, timeout: int = 600) -> subprocess.CompletedProcess:
    return conftest.run_cli("generative", *args)


@pytest.fixture
def cli(monkeypatch, capsys):
    """Run `python -m dl_core generative ARGS` in this process: (exit status, stdout, stderr)."""
    from dl_core import cli as core_cli

    monkeypatch.setattr(core_cli, "USE_CASES", ("generative",))

    def run(*args: str) -> tuple[int, str, str]:
        status = core_cli.main(["generative", *args])
        out = capsys.readouterr()
        return status, out.out, out.err

    return run


def test_cli_faces_writes_n_pngs(tmp_path, cli):
    from PIL import Image

    status, out, err = cli("faces", "--n", "3", "--seed", "7", "--out", str(tmp_path), "--json")
    assert status == 0, err
    payload = json.loads(out)
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
def test_cli_bad_input_is_one_line_and_status_2(tmp_path, cli, args, message):
    status, _, err = cli(*args, *(("--out", str(tmp_path)) if args[0] == "faces" else ()))
    assert status == 2 and message in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


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


def test_cli_train_vae_json_contract(cli):
    status, out, err = cli("train-vae", "--epochs", "3", "--json")
    assert status == 0, err
    payload = json.loads(out)
    assert set(payload) == {"test_reconstruction_loss", "epochs", "latent", "seconds"}
    assert 0 < payload["test_reconstruction_loss"] < 45  # 64 pixels; an untrained decoder scores ~44
    assert payload["epochs"] == 3 and payload["latent"] == 2


def test_cli_train_gan_on_a_csv(tmp_path, cli):
    csv = tmp_path / "points.csv"
    csv.write_text("\n".join(f"{i % 10},{(i * 3) % 11}" for i in range(60)))  # no header row
    status, out, err = cli("train-gan", "--csv", str(csv), "--epochs", "2", "--json")
    assert status == 0, err
    payload = json.loads(out)
    assert payload["epochs"] == 2 and payload["data"] == "your points" and 0 <= payload["coverage"] <= 1
    assert any("standardised" in n for n in payload["notices"])
