"""Your own table: reading (duplicate names), preparing, clustering, scanning k, profiles, downloads."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from dl_core import clustering as cl
from dl_core.errors import InputError
from tests.clustering.data import blobs_frame, duplicate_header_csv


def test_run_csv_uses_label_only_for_scores():
    frame = blobs_frame()
    prepared, result = cl.run_csv(frame, "kmeans", 3, label_col="group")
    assert prepared.columns == ["a", "b"]  # text column left out, label never a feature
    assert any("name" in n for n in result.notices)
    assert result.ari > 0.95 and result.nmi > 0.9 and result.silhouette > 0.5
    assert len(result.labels) == len(frame)
    with pytest.raises(InputError, match="label column"):
        cl.prepare(frame, ["group"], label_col="group")


def test_duplicate_names_after_trimming_are_renamed():
    """Issue 12, finding 13: `a,a ,b` used to end in a TypeError; now both columns are used."""
    table = cl.read_table(duplicate_header_csv(), name="dup.csv")
    assert list(table.frame.columns) == ["a", "a (2)", "b"]
    assert any("repeat" in n for n in table.notices)
    prepared, result = cl.run_csv(table.frame, "kmeans", 3)
    assert prepared.columns == ["a", "a (2)", "b"] and result.n_clusters == 3
    # A frame built elsewhere with repeated names gets a clear message, not a TypeError.
    frame = blobs_frame(30)[["a", "b"]]
    frame.columns = ["a", "a"]
    with pytest.raises(InputError, match="'a' appear more than once"):
        cl.prepare(frame)


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


def test_example_table_is_the_wine_data():
    frame = cl.example_table()
    assert frame.shape == (178, 14) and set(frame["cultivar"]) == {"class_0", "class_1", "class_2"}


def test_profile_scores_are_cluster_means_in_standard_deviations():
    frame = pd.DataFrame({"x": [0.0, 0.0, 10.0, 10.0], "flat": [5.0] * 4})
    labels = np.array([0, 0, 1, 1])
    scores = cl.profile_scores(frame, labels)
    assert list(scores.index) == ["cluster 0", "cluster 1"] and list(scores.columns) == ["x", "flat"]
    assert scores.loc["cluster 0", "x"] == pytest.approx(-1.0)  # mean 0 against 5 overall, sd 5
    assert scores.loc["cluster 1", "x"] == pytest.approx(1.0)
    assert (scores["flat"] == 0).all()  # a constant column sets no cluster apart (not NaN)
    noisy = cl.profile_scores(frame, np.array([-1, 0, 0, 0]))
    assert list(noisy.index) == ["noise", "cluster 0"]
