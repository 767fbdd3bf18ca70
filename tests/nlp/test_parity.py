"""The page and the command line train the sentiment head through the same engine call: for the same
config and seed, the same metrics and the same logged parameters."""

from __future__ import annotations

import json

import pytest

from dl_core import cli, tracking
from dl_core.nlp import sentiment
from tests.conftest import exceptions, open_page

CONFIG = {"hidden": 64, "epochs": 4, "lr": 0.003, "seed": 5, "reviews": 1_000}


@pytest.mark.slow
def test_page_and_cli_train_the_same_head(model, monkeypatch, capsys):
    at = open_page("pages/nlp.py")
    at.select_slider(key="nlp_rt_hidden").set_value(CONFIG["hidden"]).run()
    at.slider(key="nlp_rt_epochs").set_value(CONFIG["epochs"]).run()
    at.select_slider(key="nlp_rt_lr").set_value(CONFIG["lr"]).run()
    at.number_input(key="nlp_rt_seed").set_value(CONFIG["seed"]).run()
    at.select_slider(key="nlp_rt_reviews").set_value(CONFIG["reviews"]).run()
    at.button(key="nlp_rt_go").click().run(timeout=600)
    assert not exceptions(at) and not at.error
    page = at.session_state["result::nlp_rt"]

    saved = []
    monkeypatch.setattr(sentiment, "save_sentiment", saved.append)  # keep the session's default head
    capsys.readouterr()
    code = cli.main(["nlp", "train", "--hidden", str(CONFIG["hidden"]), "--epochs", str(CONFIG["epochs"]),
                     "--lr", str(CONFIG["lr"]), "--seed", str(CONFIG["seed"]), "--reviews", str(CONFIG["reviews"]),
                     "--json"])
    assert code == 0 and len(saved) == 1
    report = json.loads(capsys.readouterr().out)

    assert {k: report[k] for k in page.metrics} == page.metrics
    assert report["config"] == page.details["report"]["config"]
    runs = tracking.runs("nlp/minilm-sentiment")
    cli_run = runs[runs["param.seed"] == str(CONFIG["seed"])].iloc[0]  # newest first: the CLI's
    page_run = tracking.client().get_run(page.run_id)
    cli_params = tracking.client().get_run(cli_run["run_id"]).data.params
    assert cli_run["run_id"] != page.run_id and page_run.data.params == cli_params
    assert page_run.data.params["hidden"] == "64" and page_run.data.params["n_reviews"] == "1000"
    assert page_run.data.tags["dlx.source"] == "app"
    assert tracking.client().get_run(cli_run["run_id"]).data.tags["dlx.source"] == "cli"
