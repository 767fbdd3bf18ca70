"""Clustering core: comparison grid, own-table path and its bad inputs, text lines, deep clustering, CLI."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from dl_core import clustering as cl
from dl_core.errors import InputError

ROOT = Path(__file__).resolve().parents[2]


def blobs_frame(n: int = 150, seed: int = 0) -> pd.DataFrame:
    from sklearn.datasets import make_blobs

    X, y = make_blobs(n_samples=n, centers=3, cluster_std=0.6, random_state=seed)
    return pd.DataFrame({"a": X[:, 0], "b": X[:, 1], "name": [f"row{i}" for i in range(n)],
                         "group": np.array(["x", "y", "z"])[y]})


# ---- grid ----------------------------------------------------------------------------------------

@pytest.mark.slow
def test_grid_scores_every_pair_and_recovers_blobs():
    grid = cl.comparison_grid(["blobs", "no-structure"], None, n_samples=120, seed=0)
    assert len(grid.cells) == 2 * 12
    rows = {(r["dataset"], r["algorithm"]): r for r in grid.rows()}
    assert rows[("blobs", "kmeans")]["ari"] > 0.95
    assert rows[("blobs", "gmm")]["nmi"] > 0.9
    for a in cl.ALGORITHMS:  # no ground truth: silhouette (when >= 2 clusters) instead of ARI
        assert rows[("no-structure", a)]["ari"] is None
        assert rows[("blobs", a)]["seconds"] >= 0
    assert all(len(c.labels) == 120 for c in grid.cells)


def test_grid_overrides_change_the_result():
    base = cl.comparison_grid(["noisy-moons"], ["dbscan"], n_samples=200)
    tiny_eps = cl.comparison_grid(["noisy-moons"], ["dbscan"], n_samples=200, params={"dbscan": {"eps": 0.05}})
    assert base.cells[0].ari > 0.9
    assert tiny_eps.cells[0].ari < base.cells[0].ari  # almost everything becomes noise


def test_spectral_beats_kmeans_on_circles():
    grid = cl.comparison_grid(["noisy-circles"], ["kmeans", "spectral"], n_samples=300)
    ari = {c.algorithm: c.ari for c in grid.cells}
    assert ari["spectral"] > 0.9 > 0.2 > ari["kmeans"]


@pytest.mark.parametrize("dataset", ["noisy-moons", "varied", "no-structure"])
def test_fast_optics_matches_sklearn(dataset):
    from sklearn.cluster import OPTICS

    X, _ = cl.make_dataset(dataset, 200, 0.05, seed=3)
    p = {**cl.BASE_PARAMS, **cl.TUNED[dataset]}
    expected = OPTICS(min_samples=int(p["min_samples"]), xi=p["xi"], min_cluster_size=p["min_cluster_size"]).fit(X)
    got = cl.optics_labels(X, int(p["min_samples"]), p["xi"], p["min_cluster_size"])
    np.testing.assert_array_equal(got, expected.labels_)


@pytest.mark.parametrize("kwargs, match", [
    ({"n_samples": 5}, "n_samples"), ({"noise": 2.0}, "noise"), ({"datasets": ["spirals"]}, "Unknown data set"),
    ({"algorithms": ["kmedoids"]}, "Unknown algorithm"), ({"n_clusters": 0}, "between 1 and 20")])
def test_grid_bad_arguments(kwargs, match):
    with pytest.raises(InputError, match=match):
        cl.comparison_grid(**{"datasets": ["blobs"], "algorithms": ["kmeans"], **kwargs})


def test_algorithm_names_are_forgiving():
    assert cl.canonical("KMeans") == "kmeans"
    assert cl.canonical("Gaussian mixture") == "gmm"
    assert cl.canonical("MiniBatchKMeans") == "minibatch-kmeans"
    assert cl.canonical("affinity_propagation") == "affinity-propagation"


# ---- your own table ------------------------------------------------------------------------------

def test_run_csv_uses_label_only_for_scores():
    frame = blobs_frame()
    prepared, result = cl.run_csv(frame, "kmeans", 3, label_col="group")
    assert prepared.columns == ["a", "b"]  # text column left out, label never a feature
    assert any("name" in n for n in result.notices)
    assert result.ari > 0.95 and result.nmi > 0.9 and result.silhouette > 0.5
    assert len(result.labels) == len(frame)
    with pytest.raises(InputError, match="label column"):
        cl.prepare(frame, ["group"], label_col="group")


def test_bad_rows_and_columns_are_explained():
    frame = blobs_frame(30)
    frame.loc[0, "a"] = np.nan
    frame.loc[1, "b"] = np.inf
    frame["const"] = 7.0
    prepared = cl.prepare(frame, ["a", "b", "const"])
    assert len(prepared.X) == 28 and prepared.columns == ["a", "b"]
    text = " ".join(prepared.notices)
    assert "2 row(s)" in text and "Constant column" in text
    with pytest.raises(InputError, match="constant"):
        cl.prepare(frame, ["const"])
    with pytest.raises(InputError, match="non-numeric"):
        cl.prepare(frame, ["name"])
    with pytest.raises(InputError, match="No numeric column"):
        cl.prepare(frame[["name", "group"]])


def test_single_row_and_k_too_large():
    with pytest.raises(InputError, match="at least 2 rows"):
        cl.prepare(blobs_frame().head(1))
    prepared = cl.prepare(blobs_frame(5))
    with pytest.raises(InputError, match="larger than the number of usable rows"):
        cl.cluster_matrix(prepared.X, "kmeans", 6)


@pytest.mark.slow
def test_200k_rows_slow_algorithm_is_sampled_with_a_notice():
    rng = np.random.default_rng(0)
    centres = rng.normal(0, 10, (3, 2))
    X = np.concatenate([c + rng.normal(0, 0.5, (200_000 // 3 + 1, 2)) for c in centres])[:200_000]
    result = cl.cluster_matrix(X, "ward", 3)
    assert len(result.labels) == 200_000 and result.n_clusters == 3
    assert any("sample" in n for n in result.notices)
    fast = cl.cluster_matrix(X, "minibatch-kmeans", 3)
    assert not fast.notices


def test_k_scan_profiles_and_download():
    frame = blobs_frame()
    prepared = cl.prepare(frame, label_col="group")
    scan = cl.k_scan(prepared.X, 6)
    assert list(scan["k"]) == [1, 2, 3, 4, 5, 6]
    assert scan["inertia"].is_monotonic_decreasing
    assert scan["silhouette"].iloc[1:].idxmax() == 2  # k=3 wins on three blobs
    result = cl.cluster_matrix(prepared.X, "kmeans", 3)
    prof = cl.profiles(prepared.raw, result.labels)
    assert prof["size"].sum() == len(frame) and list(prof.columns) == ["size", "a", "b"]
    frame.loc[0, "a"] = np.nan
    prepared = cl.prepare(frame)
    out = cl.with_clusters(frame, prepared, cl.cluster_matrix(prepared.X, "kmeans", 3).labels)
    assert out["cluster"].isna().sum() == 1 and len(out) == len(frame)


def test_density_algorithms_report_noise():
    X = np.vstack([np.random.default_rng(0).normal(0, 0.1, (50, 2)), [[10, 10]]])
    result = cl.cluster_matrix(X, "dbscan", 2, {"eps": 0.5, "min_samples": 5})
    assert result.labels[-1] == -1 and result.n_clusters == 1
    assert result.silhouette is None and any("Fewer than 2" in n for n in result.notices)


# ---- text lines ----------------------------------------------------------------------------------

VOCAB = ["red", "apple", "pie", "tart", "crumble", "rocket", "launch", "orbit", "moon", "mars", "one", "line"]


def _bag_of_words(lines: list[str]) -> np.ndarray:
    """A plain, deterministic encoder for the fast test (the real MiniLM runs in the slow test)."""
    M = np.array([[ln.lower().split().count(w) for w in VOCAB] for ln in lines], dtype=float) + 1e-3
    return M / np.linalg.norm(M, axis=1, keepdims=True)


def test_cluster_texts_terms_and_examples():
    lines = ["red apple pie", "apple tart red", "apple crumble red"] + ["rocket launch orbit",
                                                                       "orbit rocket moon", "rocket orbit mars"]
    res = cl.cluster_texts(lines, 2, _bag_of_words)
    assert res.labels[0] == res.labels[1] == res.labels[2] != res.labels[3] == res.labels[4] == res.labels[5]
    fruit = res.labels[0]
    assert set(res.terms[fruit][:2]) == {"apple", "red"}  # in every fruit line, so nearest the centre
    assert "rocket" in res.terms[1 - fruit][:2] and "orbit" in res.terms[1 - fruit][:2]
    assert res.examples[fruit][0] in lines[:3]
    with pytest.raises(InputError, match="at least 2 lines"):
        cl.cluster_texts(["one line"], 2, _bag_of_words)
    with pytest.raises(InputError, match="larger than"):
        cl.cluster_texts(lines, 7, _bag_of_words)


def test_split_lines_notices():
    lines, notes = cl.split_lines("ok line\n\nx\n  another line  \n")
    assert lines == ["ok line", "another line"] and "shorter" in notes[0]


@pytest.mark.slow
def test_minilm_groups_the_example_topics():
    from sklearn.metrics import adjusted_rand_score

    from dl_core import registry

    lines, _ = cl.split_lines((ROOT / "assets/clustering/example_lines.txt").read_text())
    topics = np.repeat(np.arange(4), 8)  # the example file: sport, cooking, space, money, 8 lines each
    res = cl.cluster_texts(lines, 4, registry.load("minilm-l6", "cpu").encode)
    assert adjusted_rand_score(topics, res.labels) > 0.8


# ---- deep clustering (tiny) ----------------------------------------------------------------------

@pytest.mark.parametrize("kind", ["contrastive", "autoencoder"])
def test_deep_training_runs_and_compares(kind):
    from dl_core import clustering_deep as deep

    data = deep.load_digits_data(n=300)
    cfg = deep.DeepConfig(kind=kind, epochs=2, latent_dim=8, batch_size=64)
    model, result = deep.train(data, cfg)
    assert len(result.history) == 2 and "val_ari" in result.history[-1].metrics
    Z = deep.embed(model, data.X)
    assert Z.shape == (300, 8) and np.isfinite(Z).all()
    rows = deep.compare(data, Z)
    assert [r["features"] for r in rows] == ["raw pixels", "pca", "latent"]
    assert all(-1 <= r["ari"] <= 1 and 0 <= r["nmi"] <= 1 for r in rows)
    assert deep.embedding_2d(Z, "pca").shape == (300, 2)


def test_deep_config_is_checked():
    from dl_core import clustering_deep as deep

    with pytest.raises(InputError, match="latent"):
        deep.DeepConfig(latent_dim=1).check()
    with pytest.raises(InputError, match="kind"):
        deep.DeepConfig(kind="gan").check()  # type: ignore[arg-type]


# ---- command line --------------------------------------------------------------------------------

def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "dl_core", "clustering", *args], capture_output=True, text=True,
                          cwd=ROOT, timeout=300)


@pytest.mark.slow
def test_cli_run_json_contract(tmp_path):
    path = tmp_path / "blobs.csv"
    blobs_frame().to_csv(path, index=False)
    done = _cli("run", str(path), "--algorithm", "KMeans", "--k", "3", "--label-col", "group", "--json")
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert len(out["labels"]) == 150 and out["ari"] > 0.95 and out["silhouette"] > 0.5 and out["seconds"] >= 0
    assert "group" not in out["columns"]
    bad = _cli("run", str(path), "--k", "500", "--json")
    assert bad.returncode == 2 and "error:" in bad.stderr and "Traceback" not in bad.stderr


@pytest.mark.slow
def test_cli_compare_json_contract():
    done = _cli("compare", "--datasets", "blobs,noisy-moons", "--algorithms", "kmeans,dbscan,gmm",
                "--n-samples", "150", "--json")
    assert done.returncode == 0, done.stderr
    rows = json.loads(done.stdout)
    assert len(rows) == 6
    assert {"dataset", "algorithm", "ari", "nmi", "seconds"} <= set(rows[0])
