"""AppTest of the shell: the app starts on Home, lists the built pages, and each shared page works."""

from tests.conftest import ROOT, exceptions, open_page
from tests.ui.helpers import echarts_spec


def test_home_renders_without_exception():
    at = open_page()
    assert not exceptions(at)
    assert at.title[0].value == "Deep Learning Explorer"
    headers = [h.value for h in at.subheader]
    assert "Four ways to learn" in headers and "Models on this machine" in headers
    assert not at.dataframe  # a static Markdown table: no grid script for a first visitor (ui/markdown.py)
    (table,) = [m.value for m in at.markdown if m.value.startswith("| model |")]
    rows = [[c.strip() for c in line.strip("|").split(" | ")] for line in table.splitlines()]
    head, body = rows[0], rows[2:]
    assert head == ["model", "what it does", "source", "ready now", "licence", "size (MB)"]
    ready = {r[0]: r[3] for r in body}
    assert ready["efficientnet-lite0"] == "yes" and ready["sd-turbo"] == "no"
    assert all(len(r) == len(head) for r in body)
    assert any("Computing on" in c.value for c in at.sidebar.caption)


def _fresh(at) -> None:
    """Rerun: the page reads the store again because a run was logged or deleted since (its cache is
    keyed on the SQLite file's version, not on time)."""
    at.run()


def test_the_store_version_changes_with_a_write_not_with_a_first_read(tmp_path):
    """SQLite creates the empty write-ahead log when a store is first read: that read must not make its own
    cache entry stale (the warm-up's read was missed by the page that way)."""
    from ui.experiments import runs

    db = tmp_path / "mlflow.db"
    db.write_bytes(b"sqlite")
    uri = f"sqlite:///{db}"
    before = runs._store_version(uri)
    (tmp_path / "mlflow.db-wal").write_bytes(b"")  # a reader's connection opens the log
    assert runs._store_version(uri) == before
    (tmp_path / "mlflow.db-wal").write_bytes(b"frame")  # a writer appends to it
    assert runs._store_version(uri) != before


def test_experiments_page_shows_this_sessions_runs_by_default_and_everyones_on_request():
    from dl_core import tracking

    with tracking.start_run("tests/pages", {"lr": 0.5, "seed": 1}, source="cli") as other:
        other.log_final({"accuracy": 0.75})
    with tracking.start_run("tests/pages-b", {"width": 8}, source="cli") as third:
        third.log_final({"loss": 0.25})
    at = open_page("pages/experiments.py")
    assert not exceptions(at)
    mine_id = at.session_state["dlx_session_id"]
    tracking.set_session(mine_id)  # as app.py does for this browser session's script runs
    try:
        with tracking.start_run("tests/pages", {"lr": 0.1, "seed": 1}) as mine:
            mine.log_metrics({"val_loss": 1.0}, step=1)
            mine.log_metrics({"val_loss": 0.5}, step=2)
            mine.log_final({"accuracy": 0.5})
    finally:
        tracking.set_session(None)
    _fresh(at)
    df = at.dataframe[0].value
    assert set(df["run_id"]) == {mine.run_id}  # someone else's run is not shown by default
    # Only this session's own runs can be deleted, by id and experiment.
    assert at.multiselect(key="exp_delete_pick").options == [f"{mine.run_id[:8]} · tests/pages"]
    at.toggle(key="exp_everyone").set_value(True).run()
    several = at.dataframe[0].value  # runs of several experiments: the run columns, not every setting
    assert {third.run_id, other.run_id} <= set(several["run_id"]) and "final_accuracy" not in several.columns
    assert any("Choose an experiment above" in c.value for c in at.caption)
    assert any(f"{len(several)} run(s) shown, 1 of them from this browser session" in c.value for c in at.caption)
    assert at.multiselect(key="exp_delete_pick").options == [f"{mine.run_id[:8]} · tests/pages"]
    at.selectbox(key="exp_choice").select("tests/pages").run()
    assert not exceptions(at)
    df = at.dataframe[0].value
    assert {mine.run_id, other.run_id} <= set(df["run_id"])
    assert {0.75, 0.5} <= set(df["final_accuracy"])
    assert {"0.5", "0.1"} <= set(df["param.lr"])  # settings are text, kept as MLflow logged them
    at.selectbox(key="exp_source").select("cli").run()
    assert set(at.dataframe[0].value["run_id"]) == {other.run_id}
    # no server paths on the page
    texts = " ".join(str(e.value) for e in [*at.markdown, *at.caption, *at.info])
    assert tracking.tracking_uri() not in texts and "sqlite:" not in texts


def test_experiments_compare_overlays_curves_and_lists_only_differing_settings():
    from dl_core import tracking

    at = open_page("pages/experiments.py")
    tracking.set_session(at.session_state["dlx_session_id"])
    try:
        with tracking.start_run("tests/other", {"width": 8}) as other:
            other.log_metrics({"val_loss": 1.0}, step=1)
        ids = []
        for lr in (0.1, 0.2):
            with tracking.start_run("tests/compare", {"lr": lr, "epochs": 3, "seed": 0}) as run:
                for step, loss in enumerate((1.0, 0.8, 0.6), 1):
                    run.log_metrics({"val_loss": loss * lr * 10}, step=step)
                run.log_final({"accuracy": 0.9 - lr} if lr < 0.2 else {"accuracy": 0.7, "f1": 2 / 3})
            ids.append(run.run_id)
    finally:
        tracking.set_session(None)
    _fresh(at)
    at.session_state["experiments_tab"] = "Compare runs"  # only the open tab is drawn (ui/tabs.py)
    at.run()
    # The runs picked at first are of one experiment, the newest run's.
    assert sorted(at.multiselect(key="exp_compare").value) == sorted(ids)
    at.selectbox(key="exp_choice").select("tests/compare").run()
    assert not at.dataframe or "run_id" not in at.dataframe[0].value.columns  # the runs table is not drawn
    at.multiselect(key="exp_compare").set_value(ids).run()
    assert not exceptions(at)
    assert not at.dataframe  # the runs side by side are Markdown tables: a column per run, in the order picked
    names = " | ".join(f"{i[:8]} · tests/compare" for i in ids)
    texts = [m.value for m in at.markdown]
    assert f"| setting | {names} |\n| --- | --- | --- |\n| lr | 0.1 | 0.2 |" in texts  # epochs, seed: shared
    # Final metrics in 4 significant digits; one a run did not log is a dash.
    assert f"| metric | {names} |\n| --- | --- | --- |\n| accuracy | 0.8 | 0.7 |\n| f1 | — | 0.6667 |" in texts
    assert at.multiselect(key="exp_compare").format_func(ids[1]) == f"{ids[1][:8]} · tests/compare"
    chart = echarts_spec(at, "exp_compare_curves")
    lines = {t["name"]: t["data"] for t in chart["series"]}  # one line per run, val_loss by default
    assert lines == {f"{i[:8]} · tests/compare": [[step, round(v * lr * 10, 6)]
                                                  for step, v in enumerate((1.0, 0.8, 0.6), 1)]
                     for i, lr in zip(ids, (0.1, 0.2), strict=True)}
    assert chart["yAxis"]["name"] == "val_loss"
    assert not [c for c in at.caption if "one over the other" in c.value]

    # The same settings and curve again: the page says why only one line shows.
    tracking.set_session(at.session_state["dlx_session_id"])
    try:
        with tracking.start_run("tests/compare", {"lr": 0.1, "epochs": 3, "seed": 0}) as again:
            for step, loss in enumerate((1.0, 0.8, 0.6), 1):
                again.log_metrics({"val_loss": loss * 0.1 * 10}, step=step)
    finally:
        tracking.set_session(None)
    _fresh(at)
    at.multiselect(key="exp_compare").set_value([ids[0], ids[1], again.run_id]).run()
    said = [c.value for c in at.caption if "one over the other" in c.value]
    assert said == [f"{ids[0][:8]} · tests/compare and {again.run_id[:8]} · tests/compare logged the same val_loss at "
                    "every step: their lines lie one over the other."]


def test_every_page_script_is_listed_in_app():
    app = (ROOT / "app.py").read_text()
    for script in sorted((ROOT / "pages").glob("*.py")):
        assert f"pages/{script.name}" in app, f"{script.name} is not in app.py's PAGES"


def test_a_markdown_table_shows_each_cell_as_typed():
    """ui/markdown.table: a cell's | * _ $ :icon: < > and line breaks are text, not table or Markdown syntax."""
    from streamlit.testing.v1 import AppTest

    script = """
import streamlit as st
from ui import markdown
st.markdown(markdown.table([{"name": "a|b", "note": "*not bold* $x$ :material/home: <b>"}, {"name": "c\\nd"}]))
"""
    at = AppTest.from_string(script).run()
    assert not exceptions(at)
    text = at.markdown[0].value
    assert text.splitlines()[2] == r"| a\|b | \*not bold\* \$x\$ \:material/home\: \<b\> |"
    assert text.splitlines()[3] == "| c d |  |"  # a missing key is an empty cell; a line break is a space
