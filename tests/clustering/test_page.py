"""The clustering page in AppTest: opens cleanly, bad uploads give messages, each upload is parsed once,
a grid control re-fits only its own panels, the page and the CLI train the same encoder, and the deep
tab's settings redraw alone (ui/fragments.py), before and after a training."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from dl_core import clustering as cl
from tests.clustering.data import csv_bytes, duplicate_header_csv
from tests.conftest import ROOT, exceptions
from tests.ui.helpers import alone_calls, tab_labels

# A small grid keeps the page's first run short in tests (the full 6 x 12 grid is the bench's job).
SMALL_GRID = {"cl_grid_n": 100, "cl_grid_algos": ["kmeans", "dbscan", "gmm"]}
TAB = "clustering_tab"  # the page's lazy tabs (ui/tabs.py): only the open one runs
GRID, DEEP, TABLE, TEXTS = "Compare algorithms", "Deep clustering (digits)", "Your table (CSV)", "Text lines"


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


def tab(at, label: str):
    """Open a tab as a click does (a rerun with that tab open)."""
    at.session_state[TAB] = label
    at.run()
    assert not exceptions(at), exceptions(at)
    return at


@pytest.fixture(scope="module")
def at():
    return open_clustering()


@pytest.fixture
def sections(monkeypatch):
    """How each `fragments.alone` call of a run drew its section (tests/ui/helpers.alone_calls)."""
    return alone_calls(monkeypatch)


def errors_of(at) -> list[str]:
    return [e.value for e in at.error]


def test_page_opens_with_working_defaults(at):
    assert not exceptions(at)
    assert not errors_of(at)
    assert tab_labels(at, TAB) == [GRID, DEEP, TABLE, TEXTS]
    assert at.slider(key="cl_grid_n").value == 100 and at.slider(key="cl_grid_noise").value == 0.05
    assert any("18 panels" in c.value for c in at.caption)  # 6 data sets x the 3 chosen algorithms
    # Issue 13: the hidden tabs do not run, so no Plotly chart is drawn (nor its 4.7 MB script loaded).
    assert not at.get("plotly_chart") and not at.get("button")
    tab(at, TABLE)
    assert at.selectbox(key="cl_csv_algo").value == "kmeans" and at.slider(key="cl_csv_k").value == 3
    labels = {m.label: m.value for m in at.metric}
    assert labels["clusters found"] == "3"
    assert float(labels["ARI vs label"]) > 0.8  # wine example, k-means on standardised columns
    # One ECharts chart (issue 13: k changes both): the profiles heatmap beside the 2-D scatter.
    (chart,) = at.get("echarts_chart")
    spec = json.loads(chart.proto.spec)
    # The profiles heatmap: the 13 columns down, the 3 clusters across with their sizes (all 178 wines).
    assert len(spec["yAxis"][0]["data"]) == 13 and len(spec["xAxis"][0]["data"]) == 3
    assert sum(int(x.split("\n")[1].split()[0]) for x in spec["xAxis"][0]["data"]) == 178
    # The scatter: every wine once, a series per cluster, the cultivar in the tooltip.
    scatter = [s for s in spec["series"] if s["type"] == "scatter"]
    assert [s["name"] for s in scatter] == spec["legend"]["data"] == ["cluster 0", "cluster 1", "cluster 2"]
    assert not at.dataframe  # the profiles' table is drawn only while its expander is open
    at.session_state["cl_csv_profiles_open"] = True
    at.run()
    table = at.dataframe[0].value  # the same numbers, columns down as in the chart
    assert table.loc["size"].sum() == 178 and list(table.columns) == ["cluster 0", "cluster 1", "cluster 2"]
    at.session_state["cl_csv_profiles_open"] = False
    at.run()
    points = [p for s in scatter for p in s["data"]]
    assert len(points) == 178 and all(p[2].startswith("cultivar: ") for p in points)
    assert spec["xAxis"][1]["name"] == "PC 1"  # 13 columns projected on their principal components
    at.radio(key="cl_csv_dims").set_value("3-D").run()
    assert not exceptions(at) and len(at.get("plotly_chart")) == 2  # the elbow and the 3-D scatter
    (alone,) = at.get("echarts_chart")  # the heatmap, on its own beside it
    assert len(json.loads(alone.proto.spec)["yAxis"]["data"]) == 13
    at.radio(key="cl_csv_dims").set_value("2-D").run()
    assert tab(at, DEEP).button(key="cl_deep_train").label == "Train the encoder"
    assert tab(at, TEXTS).button(key="cl_text_go").label == "Cluster the lines"
    assert tab(at, GRID).slider(key="cl_grid_n").value == 100


def test_settings_survive_a_visit_to_another_tab(at):
    """Issue 13: lazy tabs draw the open tab only; what was set in the others is kept (ui/tabs.py)."""
    tab(at, TABLE)
    at.slider(key="cl_csv_k").set_value(5)
    at.selectbox(key="cl_csv_algo").set_value("agglomerative")
    at.run()
    tab(at, TEXTS)
    at.slider(key="cl_text_k").set_value(3)
    at.run()
    tab(at, GRID)
    tab(at, TABLE)
    assert at.slider(key="cl_csv_k").value == 5 and at.selectbox(key="cl_csv_algo").value == "agglomerative"
    assert {m.label: m.value for m in at.metric}["clusters found"] == "5"
    assert tab(at, TEXTS).slider(key="cl_text_k").value == 3
    tab(at, TABLE)
    at.slider(key="cl_csv_k").set_value(3)
    at.selectbox(key="cl_csv_algo").set_value("kmeans")
    at.run()


def test_feature_columns_are_chosen_in_an_expander_drawn_only_while_open(at):
    """Issue 13: the multiselect (a chip per column) is drawn only while its expander is open; closed, the
    choice still applies. A column chosen as the label leaves the features."""
    tab(at, TABLE)
    key, label = "cl_csv_cols_example:wine", "cl_csv_label_example:wine"
    wine = [c for c in cl.example_table().columns if c != "cultivar"]
    assert not at.multiselect and at.expander[0].label == "Feature columns"
    assert not any("Clustering on" in c.value for c in at.caption)
    every = _scores(at)
    at.session_state["cl_csv_cols_open"] = True
    at.run()
    assert at.multiselect(key=key).value == wine
    at.multiselect(key=key).set_value(["alcohol", "proline"]).run()
    fewer = _scores(at)
    assert fewer != every  # two columns cluster otherwise than thirteen
    at.session_state["cl_csv_cols_open"] = False
    at.run()
    assert not at.multiselect and not exceptions(at)
    assert any(c.value == "Clustering on 2 of the 13 numeric columns: alcohol, proline." for c in at.caption)
    assert _scores(at) == fewer  # closed, the choice still applies
    at.selectbox(key=label).set_value("proline").run()  # now the label, no longer a feature
    assert not exceptions(at)
    assert any(c.value == "Clustering on 1 of the 12 numeric columns: alcohol." for c in at.caption)
    at.session_state["cl_csv_cols_open"] = True
    at.run()
    assert at.multiselect(key=key).value == ["alcohol"] and not exceptions(at)
    at.selectbox(key=label).set_value("cultivar")  # as the other tests expect the tab
    at.multiselect(key=key).set_value(wine)
    at.session_state["cl_csv_cols_open"] = False
    at.run()
    assert _scores(at) == every


def _scores(at) -> dict:
    return {m.label: m.value for m in at.metric if m.label != "fit time"}


def test_an_upload_and_its_settings_survive_a_visit_to_another_tab(at):
    """A file cannot go back into its uploader: the tab keeps what it parsed, says so, and can drop it."""
    tab(at, TABLE)
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(np.repeat([[0, 0], [9, 0], [0, 9], [9, 9]], 10, axis=0) + rng.normal(0, 0.3, (40, 2)),
                         columns=["x", "y"])
    at.file_uploader(key="cl_csv").set_value(("four.csv", csv_bytes(frame), "text/csv"))
    at.slider(key="cl_csv_k").set_value(4)
    at.run()
    assert {m.label: m.value for m in at.metric}["clusters found"] == "4"
    tab(at, GRID)
    tab(at, TABLE)
    assert not errors_of(at)
    assert at.slider(key="cl_csv_k").value == 4
    assert {m.label: m.value for m in at.metric}["clusters found"] == "4"  # the same file, the same k
    forget = at.button(key="cl_csv_forget")
    assert "four.csv" in forget.label
    forget.click()
    at.run()
    assert not exceptions(at) and not [b for b in at.button if b.key == "cl_csv_forget"]
    assert at.selectbox(key="cl_csv_label_example:wine").value == "cultivar"  # the wine example again
    at.slider(key="cl_csv_k").set_value(3)
    at.run()


def test_deep_settings_redraw_alone_before_any_training(at, sections):
    """Nothing trained yet: the encoder settings are a fragment (a slider redraws only them, issue 13); the
    Train button stays outside it (its click is a full run that reads them)."""
    tab(at, DEEP)
    assert sections == [("config_from_widgets", False)]
    assert at.slider(key="cl_deep_epochs").value == 40 and at.button(key="cl_deep_train")


def test_every_setting_of_each_tab_is_kept_while_another_is_open(at):
    """Guards the page's key prefixes: a new widget with a key outside its tab's prefixes fails here."""
    from tests.ui.helpers import assert_each_tab_keeps_its_settings

    assert_each_tab_keeps_its_settings(at, TAB, [GRID, DEEP, TABLE, TEXTS])


@pytest.mark.parametrize("name, data, message", [
    ("words.csv", csv_bytes(pd.DataFrame({"city": ["Lisbon", "Porto"], "country": ["PT", "PT"]})),
     "No numeric column"),
    ("one.csv", b"a,b\n1,2\n", "at least 2 rows"),
    ("binary.csv", bytes(range(256)) * 4, "binary"),
    ("flat.csv", b"a,b\n1,5\n1,5\n1,5\n", "constant"),
])
def test_bad_csv_uploads_give_messages(at, name, data, message):
    tab(at, TABLE)
    at.file_uploader(key="cl_csv").set_value((name, data, "text/csv"))
    at.run()
    assert not exceptions(at)
    assert any(message in e for e in errors_of(at)), errors_of(at)
    assert tab(at, TEXTS).button(key="cl_text_go").label == "Cluster the lines"  # the other tabs still work


def test_k_larger_than_rows_and_nan_rows(at):
    frame = pd.DataFrame({"x": [1.0, 2.0, np.nan, 4.0], "y": [1.0, 0.0, 3.0, np.inf]})
    tab(at, TABLE)
    at.file_uploader(key="cl_csv").set_value(("few.csv", csv_bytes(frame), "text/csv"))
    at.run()  # k is drawn once the data is usable (a bad file before left none)
    at.slider(key="cl_csv_k").set_value(5)
    at.run()
    assert not exceptions(at)
    assert any("larger than the number of usable rows" in e for e in errors_of(at))
    assert any("left out" in i.value for i in at.info)


def test_duplicate_column_names_are_clustered(at):
    tab(at, TABLE)
    at.file_uploader(key="cl_csv").set_value(("dup.csv", duplicate_header_csv(), "text/csv"))
    at.slider(key="cl_csv_k").set_value(3)
    at.run()
    assert not exceptions(at) and not errors_of(at)
    assert any("repeat" in i.value for i in at.info)
    assert {m.label: m.value for m in at.metric}["clusters found"] == "3"


def test_text_tab_refuses_too_few_lines(at):
    tab(at, TEXTS)
    at.text_area(key="cl_text_area").set_value("only one line here\nand a second")
    at.slider(key="cl_text_k").set_value(4)
    at.button(key="cl_text_go").click()
    at.run()
    assert not exceptions(at)
    assert any("larger than the number of usable rows" in e for e in errors_of(at))


def test_binary_text_upload_is_refused(at):
    tab(at, TEXTS)
    at.file_uploader(key="cl_text_file").set_value(("notes.txt", b"\x00\x01\x02" * 100, "text/plain"))
    at.run()
    assert not exceptions(at)
    assert any("binary" in e for e in errors_of(at))


def _counting(monkeypatch, name: str) -> list:
    calls = []
    real = getattr(cl, name)

    def counted(*args, **kwargs):
        calls.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(cl, name, counted)
    return calls


def test_each_upload_is_parsed_once(monkeypatch):
    """Issue 12, finding 5: reruns (a slider, another tab's widget) reuse the parsed upload."""
    tables, texts = _counting(monkeypatch, "read_table"), _counting(monkeypatch, "read_lines_file")
    at = tab(open_clustering(), TABLE)
    at.file_uploader(key="cl_csv").set_value(("blobs.csv", csv_bytes(pd.DataFrame(
        {"a": np.arange(30.0), "b": np.arange(30.0) % 7})), "text/csv"))
    at.run()
    tab(at, TEXTS)
    at.file_uploader(key="cl_text_file").set_value(("lines.txt", b"red apple pie\nrocket to the moon\n"
                                                    b"apple crumble\nmoon landing\n", "text/plain"))
    at.run()
    for k in (2, 4, 5):  # reruns in each tab, and tab switches (each tab keeps its parsed upload)
        tab(at, TABLE).slider(key="cl_csv_k").set_value(k)
        at.run()
        tab(at, TEXTS).slider(key="cl_text_k").set_value(k - 1 if k > 2 else 2)
        at.run()
    assert not exceptions(at) and not errors_of(at)
    assert len(tables) == 1 and len(texts) == 1
    assert "lines.txt" in at.button(key="cl_text_forget").label  # the text tab shows its kept upload
    assert "blobs.csv" in tab(at, TABLE).button(key="cl_csv_forget").label
    # A bad file is not parsed again on every rerun either.
    tab(at, TABLE).file_uploader(key="cl_csv").set_value(("bad.csv", bytes(range(256)) * 4, "text/csv"))
    at.run()
    at.run()
    assert len(tables) == 2 and any("binary" in e for e in errors_of(at))


def test_a_grid_control_refits_only_its_own_panels(monkeypatch):
    """Issue 13: moving DBSCAN's eps re-fits the DBSCAN row only; moving it back re-fits nothing."""
    fits = _counting(monkeypatch, "fit_panel")
    at = open_clustering(cl_grid_seed=11)  # a seed no other test uses: nothing cached yet
    assert not exceptions(at)
    assert len(fits) == 6 * 3
    fitted = lambda: [(p.dataset, p.algorithm) for p, *_ in fits]  # noqa: E731
    assert not [c for c in at.checkbox if c.key == "cl_grid_own_dbscan"]  # its expander is closed: not drawn
    fits.clear()
    at.session_state["cl_grid_more_open"] = True
    at.run()
    assert fits == []  # opening it changes no setting
    at.checkbox(key="cl_grid_own_dbscan").check()
    at.run()
    fits.clear()
    at.slider(key="cl_grid_dbscan_eps").set_value(0.5)
    at.run()
    assert not exceptions(at)
    assert sorted(fitted()) == sorted((d, "dbscan") for d in cl.DATASETS)
    fits.clear()
    at.slider(key="cl_grid_dbscan_eps").set_value(0.3)
    at.run()
    assert fitted() == []  # that setting's panels are in the cache
    at.slider(key="cl_grid_dbscan_eps").set_value(0.5)
    at.session_state["cl_grid_more_open"] = False  # closed again: its settings still apply
    at.run()
    assert fitted() == [] and not [s for s in at.slider if s.key == "cl_grid_dbscan_eps"]
    assert at.session_state["cl_grid_dbscan_eps"] == 0.5 and not exceptions(at)
    at.toggle(key="cl_grid_truek").set_value(False)
    at.run()
    assert {a for _, a in fitted()} == {"kmeans", "gmm"}  # k matters to these two only


def _run_of(run_id: str):
    from dl_core import tracking

    run = tracking.client().get_run(run_id)
    return run.data.params, {k: v for k, v in run.data.metrics.items() if k.startswith("final_")}, run.data.tags


@pytest.mark.slow
def test_page_and_cli_train_the_same_encoder(capsys):
    """Issue 11: the page and `clustering deep` call the same engine function: for one config and
    seed they give the same metrics and log the same params."""
    from dl_core import tracking
    from dl_core.cli import main

    at = open_clustering(cl_deep_epochs=5, cl_deep_latent=8, cl_deep_temp=0.3, cl_deep_seed=4, **{TAB: DEEP})
    at.button(key="cl_deep_train").click()
    at.run()
    assert not exceptions(at) and not errors_of(at)
    page = at.session_state["result::clustering_deep"]
    table = [d.value for d in at.dataframe if "features" in getattr(d.value, "columns", [])]
    assert table and list(table[0]["features"]) == ["raw pixels", "pca", "latent"]
    assert any(m.label == "ARI gain over raw pixels" for m in at.metric)

    assert main(["clustering", "deep", "--epochs", "5", "--latent", "8", "--temperature", "0.3", "--seed", "4",
                 "--json"]) == 0
    cli = json.loads(capsys.readouterr().out)
    untimed = lambda rows: [{k: v for k, v in r.items() if k != "seconds"} for r in rows]  # noqa: E731
    assert untimed(cli["rows"]) == untimed(page.details["comparison"])
    assert cli["epochs_run"] == len(page.history) == 5

    runs = tracking.client().search_runs(
        [tracking.client().get_experiment_by_name("clustering/contrastive").experiment_id],
        order_by=["attributes.start_time DESC"], max_results=10)
    cli_run = next(r for r in runs if r.data.tags.get("dlx.source") == "cli")
    page_params, page_metrics, page_tags = _run_of(page.run_id)
    cli_params, cli_metrics, _ = _run_of(cli_run.info.run_id)
    assert page_tags["dlx.source"] == "app"
    assert page_params == cli_params and page_params["temperature"] == "0.3" and page_params["seed"] == "4"
    assert page_metrics == cli_metrics and page_metrics["final_ari"] == page.metrics["ari"]


def test_default_grid_is_fitted_once_then_read(monkeypatch, tmp_path):
    """Issue 13: the page opens on the default grid: the first visit on a data folder fits it (with a
    progress bar) and saves it; later sessions, and a restarted server, read it instead of fitting."""
    from dl_core.clustering import grid as grid_module
    from ui.clustering import grid as grid_view

    monkeypatch.setenv("DLX_DATA_DIR", str(tmp_path))
    real, built = grid_module.comparison_grid, []

    def small_default(**kwargs):  # 4 of the 72 default panels: enough to follow the path
        built.append(kwargs)
        return real(["blobs", "noisy-moons"], ["kmeans", "dbscan"], **kwargs)

    monkeypatch.setattr(grid_module, "comparison_grid", small_default)
    fits = _counting(monkeypatch, "fit_panel")
    grid_view._saved_default.clear()  # as in a freshly started server
    try:
        chosen = {"cl_grid_n": cl.DEFAULT_N_SAMPLES, "cl_grid_datasets": ["blobs", "noisy-moons"],
                  "cl_grid_algos": ["kmeans", "dbscan"]}
        at = open_clustering(**chosen)
        assert not exceptions(at) and len(built) == 1 and fits == []
        assert grid_module.default_grid_path().is_file()
        grid_view._saved_default.clear()  # a restarted server: nothing in memory, the file on disk
        again = open_clustering(**chosen)
        assert not exceptions(again) and len(built) == 1 and fits == []
        assert any("4 panels" in c.value for c in again.caption)
    finally:
        grid_view._saved_default.clear()


def test_a_stopped_training_is_evaluated_and_shown(sections):
    """Stop keeps the partly trained encoder in the session (ui.training); the tab evaluates it with
    the same engine call as a finished one and says that it was stopped. The settings stay a fragment: the
    results below show the encoder as it was trained, so a slider redraws only the settings."""
    from dl_core.clustering.deep import fit_encoder
    from ui.training import TrainingState

    cfg = cl.DeepConfig(epochs=1, latent_dim=8, batch_size=64)
    model, fit = fit_encoder(cl.load_digits_data(n=200), cfg)
    at = open_clustering(**{"training::clustering_deep": TrainingState(model=model, history=fit.history),
                            "clustering_deep::config": cfg, TAB: DEEP})
    assert not exceptions(at) and not errors_of(at)
    assert any("stopped after epoch 1" in w.value for w in at.warning)
    assert sections == [("config_from_widgets", False)]
    kept = at.session_state["result::clustering_deep"]
    assert kept.model is not None and kept.run_id is None  # evaluated here; its MLflow run was marked KILLED
    expected, _ = cl.evaluate_encoder(model, cl.load_digits_data(), seed=0)
    assert kept.metrics == expected
    assert any(m.label == "ARI gain over raw pixels" for m in at.metric)
