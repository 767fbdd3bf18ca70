"""`python -m dl_core nlp ...`: JSON contracts and one-line errors with exit status 2."""

from __future__ import annotations

import json

import pytest

from dl_core import cli, nlp

from .helpers import encoder, run_cli


@pytest.mark.slow
def test_cli_sentiment_texts_and_file(model, tmp_path):
    r = run_cli("sentiment", "--json", "A wonderful, moving film.", "Dull and boring.")
    assert r.returncode == 0, r.stderr
    rows = json.loads(r.stdout)
    assert [set(x) for x in rows] == [{"text", "label", "score"}] * 2
    assert [x["label"] for x in rows] == ["positive", "negative"]
    f = tmp_path / "r.csv"
    f.write_text("id;comment\n1;Loved every minute\n2;A waste of time\n", encoding="utf-8")
    r = run_cli("sentiment", "--json", "--file", str(f), "--column", "comment")
    assert r.returncode == 0, r.stderr
    assert [x["text"] for x in json.loads(r.stdout)] == ["Loved every minute", "A waste of time"]
    f.write_text(LABELLED, encoding="utf-8")
    r = run_cli("sentiment", "--json", "--file", str(f), "--label-column", "sentiment")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert len(out["predictions"]) == 4 and 0 <= out["evaluation"]["baseline"]["accuracy"] <= 1


def test_cli_bad_inputs_exit_2_with_a_message(tmp_path, capsys):
    # In-process (the same argparse -> command -> engine path as `python -m dl_core`), to spare six
    # interpreter starts; the JSON tests above and below run the real subprocess.
    def run(*args: str) -> tuple[int, str]:
        capsys.readouterr()
        code = cli.main(["nlp", *args])
        err = capsys.readouterr().err
        assert "Traceback" not in err
        return code, err

    f = tmp_path / "r.csv"
    f.write_text("a,b\n1,2\n")
    code, err = run("sentiment", "--json", "--file", str(f), "--column", "review")
    assert code == 2 and "no column named 'review'" in err
    code, err = run("sentiment", "--json", "   ")
    assert code == 2 and "empty" in err
    code, err = run("translate", "--src", "en", "--tgt", "de", "--json", "Hello")
    assert code == 2 and "offline" in err
    code, err = run("train", "--hidden", "-3", "--json")
    assert code == 2 and "Head size" in err
    code, err = run("finetune", "--layers", "9", "--json")
    assert code == 2 and "Unfreeze between 1 and 6" in err
    code, err = run("zero-shot", "--labels", "a, b", "--template", "x" * 300, "--json", "text")
    assert code == 2 and "template" in err


LABELLED = ("review,sentiment\n"
            "\"A wonderful, moving film.\",pos\n"
            "Dull and boring.,NEG\n"
            "Loved every minute of it.,\n"
            "A waste of time.,positive\n")


def test_cli_label_column_errors_exit_2_naming_what_is_wrong(tmp_path, capsys):
    """Bad label columns fail before any model is loaded: one line, exit 2."""
    f = tmp_path / "r.csv"
    f.write_text("review,stars,sentiment\nGreat,5,pos\nBad,1,neutral\n", encoding="utf-8")

    def run(*args: str) -> tuple[int, str]:
        capsys.readouterr()
        code = cli.main(["nlp", "sentiment", "--json", *args])
        out = capsys.readouterr()
        assert "Traceback" not in out.err and out.out == "" and len(out.err.strip().splitlines()) == 1
        return code, out.err

    code, err = run("--file", str(f), "--column", "review", "--label-column", "mood")
    assert code == 2 and "no label column named 'mood'" in err and "review, stars, sentiment" in err
    code, err = run("--file", str(f), "--column", "review", "--label-column", "stars")
    assert code == 2 and "'stars'" in err and "'5', '1'" in err
    code, err = run("--file", str(f), "--column", "review", "--label-column", "sentiment")
    assert code == 2 and "'neutral'" in err
    code, err = run("--label-column", "sentiment", "Great")
    assert code == 2 and "--file" in err


def test_cli_json_with_and_without_label_column(model, tmp_path, capsys, monkeypatch):
    """In-process (the same argparse path as `python -m dl_core`; the slow test below runs the real
    subprocess): without --label-column the output is the plain list of before; with it, that same
    list under "predictions" and the evaluation beside it."""
    from dl_core.nlp import cli as nlp_cli

    monkeypatch.setattr(nlp_cli, "_encoder", encoder)  # the session's MiniLM, not a fresh load
    f = tmp_path / "r.csv"
    f.write_text(LABELLED, encoding="utf-8")
    capsys.readouterr()
    assert cli.main(["nlp", "sentiment", "--json", "--file", str(f), "--column", "review"]) == 0
    plain = capsys.readouterr()
    rows = json.loads(plain.out)
    assert isinstance(rows, list) and [set(r) for r in rows] == [{"text", "label", "score"}] * 4
    assert "--label-column sentiment" in plain.err  # a hint, on stderr only

    assert cli.main(["nlp", "sentiment", "--json", "--file", str(f), "--column", "review",
                     "--label-column", "sentiment"]) == 0
    labelled = capsys.readouterr()
    out = json.loads(labelled.out)
    assert set(out) == {"predictions", "evaluation"} and out["predictions"] == rows
    ev = out["evaluation"]
    assert {"accuracy", "per_class", "baseline"} <= set(ev)
    assert {"accuracy", "per_class"} <= set(ev["baseline"])
    assert set(ev["per_class"]) == set(nlp.LABELS) == set(ev["baseline"]["per_class"])
    assert set(ev["per_class"]["positive"]) == {"precision", "recall", "f1", "support"}
    assert (ev["rows"], ev["skipped"]) == (3, 1) and "1 of 4" in labelled.err
    # The numbers are those of the predictions printed: three labelled rows, one per label above.
    truth = {0: "positive", 1: "negative", 3: "positive"}
    right = sum(rows[i]["label"] == t for i, t in truth.items())
    assert ev["accuracy"] == pytest.approx(right / 3, abs=1e-6)
    assert ev["per_class"]["positive"]["support"] == 2 and ev["per_class"]["negative"]["support"] == 1
    assert sum(map(sum, ev["confusion"])) == 3


@pytest.mark.slow
def test_cli_translate_search_zero_shot_summarize(tmp_path):
    r = run_cli("translate", "--src", "en", "--tgt", "pt", "--json", "I love this movie.")
    assert r.returncode == 0, r.stderr
    assert "filme" in json.loads(r.stdout)["translation"].lower()
    r = run_cli("search", "--docs", str(nlp.ASSETS / "documents"), "--query", "caffeine keeps me awake",
                "--top-k", "2", "--json")
    assert r.returncode == 0, r.stderr
    hits = json.loads(r.stdout)
    assert len(hits) == 2 and set(hits[0]) == {"rank", "score", "document", "passage"}
    assert hits[0]["document"].endswith("sleep.md") and hits[0]["score"] >= hits[1]["score"]
    r = run_cli("zero-shot", "--labels", "sports, cooking", "--template", "{x} about {", "--json",
                "The striker scored.")
    assert r.returncode == 0, r.stderr
    row = json.loads(r.stdout)[0]
    assert set(row) == {"text", "label", "score", "scores"} and row["label"] == "sports"
    r = run_cli("summarize", "--file", str(nlp.ASSETS / "article.txt"), "--sentences", "2", "--json")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert len(out["sentences"]) == 2 and out["summary"] == " ".join(out["sentences"])


@pytest.mark.slow
def test_cli_generate_with_smollm2():
    # Plain continuation, greedy: a fact even a 135M model completes reliably.
    r = run_cli("generate", "The capital of France is", "--no-chat", "--max-new-tokens", "6", "--seed", "0",
                "--temperature", "0", "--json", timeout=600)
    assert r.returncode == 0, r.stderr
    assert set(json.loads(r.stdout)) == {"text"}
    assert "paris" in json.loads(r.stdout)["text"].lower()
    assert "6-token limit" in r.stderr  # six tokens never finish the thought: the reader is told
