"""AppTest of the shell: the app starts on Home, lists the built pages, and each shared page works."""

from tests.conftest import ROOT, exceptions, open_page


def test_home_renders_without_exception():
    at = open_page()
    assert not exceptions(at)
    assert at.title[0].value == "Deep Learning Explorer"
    headers = [h.value for h in at.subheader]
    assert "Four ways to learn" in headers and "Models on this machine" in headers
    table = at.dataframe[0].value
    assert "efficientnet-lite0" in set(table["model"])
    ready = dict(zip(table["model"], table["ready now"]))
    assert ready["efficientnet-lite0"] == "yes" and ready["sd-turbo"] == "no"
    assert any("Computing on" in c.value for c in at.sidebar.caption)


def test_experiments_page_lists_runs():
    from dl_core import tracking

    with tracking.start_run("tests/pages", {"lr": 0.5}) as run:
        run.log_final({"accuracy": 0.75})
    at = open_page("pages/experiments.py")
    assert not exceptions(at)
    at.selectbox(key="exp_choice").select("tests/pages").run()
    assert not exceptions(at)
    df = at.dataframe[0].value
    assert run.run_id in set(df["run_id"])
    assert 0.75 in set(df["final_accuracy"])
    assert at.selectbox(key="exp_run").value == run.run_id
    assert [c.value for c in at.caption if "no per-epoch" in c.value]  # this run had no epochs


def test_every_page_script_is_listed_in_app():
    app = (ROOT / "app.py").read_text()
    for script in sorted((ROOT / "pages").glob("*.py")):
        assert f"pages/{script.name}" in app, f"{script.name} is not in app.py's PAGES"
