"""`python -m dl_core clustering run|compare|deep`: the JSON contracts and one-line errors."""

from __future__ import annotations

import json
import subprocess

import pytest

from tests.clustering.data import blobs_frame, duplicate_header_csv
from tests.conftest import run_cli


def _cli(*args: str) -> subprocess.CompletedProcess:
    return run_cli("clustering", *args)


@pytest.mark.slow
def test_cli_run_json_contract(tmp_path):
    path = tmp_path / "blobs.csv"
    blobs_frame().to_csv(path, index=False)
    done = _cli("run", str(path), "--algorithm", "KMeans", "--k", "3", "--label-col", "group", "--json")
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert len(out["labels"]) == 150 and out["ari"] > 0.95 and out["silhouette"] > 0.5 and out["seconds"] > 0
    assert "group" not in out["columns"]
    bad = _cli("run", str(path), "--k", "500", "--json")
    assert bad.returncode == 2 and "error:" in bad.stderr and "Traceback" not in bad.stderr


def test_cli_run_duplicate_column_names(tmp_path, capsys):
    from dl_core.cli import main

    path = tmp_path / "dup.csv"
    path.write_bytes(duplicate_header_csv())
    assert main(["clustering", "run", str(path), "--k", "3", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["columns"] == ["a", "a (2)", "b"] and out["n_clusters"] == 3
    assert any("repeat" in n for n in out["notices"])


@pytest.mark.slow
def test_cli_compare_json_contract():
    done = _cli("compare", "--datasets", "blobs,noisy-moons", "--algorithms", "kmeans,dbscan,gmm",
                "--n-samples", "150", "--json")
    assert done.returncode == 0, done.stderr
    rows = json.loads(done.stdout)
    assert len(rows) == 6
    assert {"dataset", "algorithm", "ari", "nmi", "seconds"} <= set(rows[0])


def test_cli_deep_options_build_the_config():
    """The CLI's options map onto the same config the page builds, temperature included."""
    import argparse

    from dl_core.clustering import cli

    parser = argparse.ArgumentParser()
    cli.register(parser.add_subparsers())
    args = parser.parse_args(["clustering", "deep", "--kind", "contrastive", "--epochs", "7", "--latent", "8",
                              "--temperature", "0.5", "--seed", "3"])
    from dl_core import clustering as cl

    assert cli.deep_config(args) == cl.DeepConfig(epochs=7, latent_dim=8, temperature=0.5, seed=3)
    bad = parser.parse_args(["clustering", "deep", "--temperature", "5"])
    from dl_core.errors import InputError

    with pytest.raises(InputError, match="temperature must be between 0.01 and 2"):
        bad.func(bad)
