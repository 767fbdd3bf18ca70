"""The clustering page in AppTest: opens cleanly, key widgets, bad uploads give messages, tiny training."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest

from tests.conftest import ROOT, exceptions

# A small grid keeps the page's first run short in tests (the full 6 x 12 grid is the bench's job).
SMALL_GRID = {"cl_grid_n": 100, "cl_grid_algos": ["kmeans", "dbscan", "gmm"]}


def open_clustering(**state):
    """app.py -> the clustering page, with widget values set before the page first draws them."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
    at.run()
    for k, v in {**SMALL_GRID, **state}.items():
        at.session_state[k] = v
    at.switch_page("pages/clustering.py")
    at.run()
    return at


@pytest.fixture(scope="module")
def at():
    return open_clustering()


def csv_bytes(frame: pd.DataFrame) -> bytes:
    buf = io.StringIO()
    frame.to_csv(buf, index=False)
    return buf.getvalue().encode()


def errors_of(at) -> list[str]:
    return [e.value for e in at.error]


def test_page_opens_with_working_defaults(at):
    assert not exceptions(at)
    assert not errors_of(at)
    for key in ("cl_grid_n", "cl_grid_noise", "cl_csv_algo", "cl_csv_k", "cl_text_k"):
        assert at.slider(key) if key.endswith(("_n", "_noise", "_k")) else at.selectbox(key)
    assert at.button(key="cl_deep_train") and at.button(key="cl_text_go")
    labels = {m.label: m.value for m in at.metric}
    assert labels["clusters found"] == "3"
    assert float(labels["ARI vs label"]) > 0.8  # wine example, k-means on standardised columns


@pytest.mark.parametrize("name, data, message", [
    ("words.csv", csv_bytes(pd.DataFrame({"city": ["Lisbon", "Porto"], "country": ["PT", "PT"]})),
     "No numeric column"),
    ("one.csv", b"a,b\n1,2\n", "at least 2 rows"),
    ("binary.csv", bytes(range(256)) * 4, "binary"),
    ("flat.csv", b"a,b\n1,5\n1,5\n1,5\n", "constant"),
])
def test_bad_csv_uploads_give_messages(at, name, data, message):
    at.file_uploader(key="cl_csv").set_value((name, data, "text/csv"))
    at.run()
    assert not exceptions(at)
    assert any(message in e for e in errors_of(at)), errors_of(at)
    assert at.button(key="cl_text_go")  # the other tabs still render


def test_k_larger_than_rows_and_nan_rows(at):
    frame = pd.DataFrame({"x": [1.0, 2.0, np.nan, 4.0], "y": [1.0, 0.0, 3.0, np.inf]})
    at.file_uploader(key="cl_csv").set_value(("few.csv", csv_bytes(frame), "text/csv"))
    at.slider(key="cl_csv_k").set_value(5)
    at.run()
    assert not exceptions(at)
    assert any("larger than the number of usable rows" in e for e in errors_of(at))
    assert any("left out" in i.value for i in at.info)


def test_text_tab_refuses_too_few_lines(at):
    at.text_area(key="cl_text_area").set_value("only one line here\nand a second")
    at.slider(key="cl_text_k").set_value(4)
    at.button(key="cl_text_go").click()
    at.run()
    assert not exceptions(at)
    assert any("larger than the number of usable rows" in e for e in errors_of(at))


def test_binary_text_upload_is_refused(at):
    at.file_uploader(key="cl_text_file").set_value(("notes.txt", b"\x00\x01\x02" * 100, "text/plain"))
    at.run()
    assert not exceptions(at)
    assert any("binary" in e for e in errors_of(at))


@pytest.mark.slow
def test_tiny_deep_training_shows_the_comparison():
    at = open_clustering(cl_deep_epochs=5, cl_deep_latent=8)
    at.button(key="cl_deep_train").click()
    at.run()
    assert not exceptions(at)
    assert not errors_of(at)
    table = [d.value for d in at.dataframe if "features" in getattr(d.value, "columns", [])]
    assert table and list(table[0]["features"]) == ["raw pixels", "pca", "latent"]
    assert any(m.label == "ARI gain over raw pixels" for m in at.metric)
