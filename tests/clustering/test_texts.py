"""Text lines: splitting, reading files, k-means on embeddings, typical terms."""

from __future__ import annotations

import numpy as np
import pytest

from dl_core import clustering as cl
from dl_core.errors import InputError
from tests.conftest import ROOT

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


def test_lines_from_files():
    text = cl.read_lines_file(b"first line\nsecond line\n", "notes.txt")
    assert text.frame is None and cl.split_lines(text.text)[0] == ["first line", "second line"]
    table = cl.read_lines_file(b"id,review\n1,\"good\nfood\"\n2,\n3,slow service\n", "reviews.csv")
    lines, _ = cl.lines_of_column(table.frame, "review")
    assert lines == ["good food", "slow service"]  # one cell = one line, empty cells skipped
    with pytest.raises(InputError, match="No column 'text'"):
        cl.lines_of_column(table.frame, "text")
    with pytest.raises(InputError, match="binary"):
        cl.read_lines_file(b"\x00\x01\x02" * 100, "notes.txt")


@pytest.mark.slow
def test_minilm_groups_the_example_topics():
    from sklearn.metrics import adjusted_rand_score

    from dl_core import registry

    lines, _ = cl.split_lines((ROOT / "assets/clustering/example_lines.txt").read_text())
    topics = np.repeat(np.arange(4), 8)  # the example file: sport, cooking, space, money, 8 lines each
    res = cl.cluster_texts(lines, 4, registry.load("minilm-l6", "cpu").encode)
    assert adjusted_rand_score(topics, res.labels) > 0.8
