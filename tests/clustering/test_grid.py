"""The twelve algorithms and the comparison grid: scores, overrides, per-panel keys, the saved default."""

from __future__ import annotations

import numpy as np
import pytest

from dl_core import clustering as cl
from dl_core.clustering import grid as grid_module
from dl_core.errors import InputError


@pytest.mark.slow
def test_grid_scores_every_pair_and_recovers_blobs():
    grid = cl.comparison_grid(["blobs", "no-structure"], None, n_samples=120, seed=0)
    assert len(grid.cells) == 2 * 12
    rows = {(r["dataset"], r["algorithm"]): r for r in grid.rows()}
    assert rows[("blobs", "kmeans")]["ari"] > 0.95
    assert rows[("blobs", "gmm")]["nmi"] > 0.9
    for a in cl.ALGORITHMS:  # no ground truth: silhouette (when >= 2 clusters) instead of ARI
        assert rows[("no-structure", a)]["ari"] is None
    # Each panel's fit is timed on its own, inside the whole grid's time.
    assert all(c.seconds > 0 for c in grid.cells)
    assert sum(c.seconds for c in grid.cells) <= grid.seconds
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


def test_a_panel_depends_only_on_its_own_algorithm_and_k():
    """What a cache keys on: another algorithm's parameter, or k for an algorithm without one,
    leaves a panel's key unchanged, so the page does not re-fit it."""
    base = {(p.dataset, p.algorithm): p for p in cl.panels()}
    eps = {(p.dataset, p.algorithm): p for p in cl.panels(params={"dbscan": {"eps": 0.5}})}
    changed = {key for key in base if base[key] != eps[key]}
    assert changed == {(d, "dbscan") for d in cl.DATASETS}
    k4 = {(p.dataset, p.algorithm): p for p in cl.panels(n_clusters=4)}
    changed = {key[1] for key in base if base[key] != k4[key]}
    assert changed == cl.USES_K - {a for a in cl.USES_K if all(cl.TRUE_K[d] == 4 for d in cl.DATASETS)}
    assert all(p.n_clusters == 0 for p in cl.panels() if p.algorithm not in cl.USES_K)


def test_fit_panel_equals_the_grid():
    panel = cl.panels(["noisy-moons"], ["dbscan"])[0]
    X, y = cl.make_dataset("noisy-moons", 200)
    cell = cl.fit_panel(panel, X, y)
    grid = cl.comparison_grid(["noisy-moons"], ["dbscan"], n_samples=200)
    np.testing.assert_array_equal(cell.labels, grid.cells[0].labels)
    assert cell.ari == grid.cells[0].ari


def test_default_grid_is_computed_once_and_saved(monkeypatch, tmp_path):
    monkeypatch.setenv("DLX_DATA_DIR", str(tmp_path))
    real = grid_module.comparison_grid
    calls = []

    def small(**kwargs):  # the real default is 72 fits: the bench's job, not a unit test's
        calls.append(kwargs)
        return real(["blobs", "noisy-moons"], ["kmeans", "dbscan"], n_samples=60, **kwargs)

    monkeypatch.setattr(grid_module, "comparison_grid", small)
    assert cl.load_default_grid() is None
    progress = []
    first = cl.default_grid(on_progress=lambda i, n: progress.append((i, n)))
    assert progress[-1] == (4, 4) and len(calls) == 1
    again = cl.default_grid()
    assert len(calls) == 1  # read from the data folder, not computed again
    assert [c.row() for c in again.cells] == [c.row() for c in first.cells]
    np.testing.assert_array_equal(again.data["blobs"][0], first.data["blobs"][0])
    assert again.data["blobs"][1] is not None
    # A file from another scikit-learn version (or other defaults) is stale, and so ignored.
    monkeypatch.setattr(grid_module, "_version", lambda: "something else")
    assert cl.load_default_grid() is None
    grid_module.default_grid_path().write_bytes(b"not a zip")
    assert grid_module.load_grid(grid_module.default_grid_path()) is None
