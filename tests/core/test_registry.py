"""The model table: bundled models load offline, unknown names list the valid ones, hub models
load from a local folder (a tiny model built from a config) and fail clearly when offline."""

import pytest
import torch

from dl_core import registry
from dl_core.errors import InputError, ModelUnavailableError, UnknownModelError

BUNDLED = ["efficientnet-lite0", "minilm-l6", "smollm2-135m-instruct", "bergamot-en-pt", "dcgan-faces-64",
           "whisper-tiny-en", "pocketsphinx"]  # the speech recognisers load in tests/speech


def test_every_spec_is_complete():
    for spec in registry.specs():
        assert spec.source in ("bundled", "hub", "local")
        assert spec.licence and spec.description and spec.size_mb > 0
        assert ":" in spec.loader
        if spec.source == "hub":
            assert spec.hub_id
        if spec.source == "local":
            assert spec.local_file.endswith(".safetensors")


@pytest.mark.parametrize("name", BUNDLED)
def test_bundled_models_are_available_offline(name):
    assert registry.available(name)


def test_hub_models_are_not_claimed_available_offline():
    for spec in registry.specs(source="hub"):
        assert not registry.available(spec.name), spec.name


def test_unknown_name_lists_valid_ones():
    with pytest.raises(UnknownModelError) as err:
        registry.load("no-such-model")
    assert isinstance(err.value, InputError)
    assert "efficientnet-lite0" in str(err.value) and "no-such-model" in str(err.value)


def test_efficientnet_classifies_the_bundled_cat():
    from PIL import Image
    from skimage import data

    clf = registry.load("efficientnet-lite0", "cpu")
    x = clf.preprocess(Image.fromarray(data.chelsea()))
    assert x.shape == (3, 224, 224)
    with torch.no_grad():
        probs = clf.model(x[None]).softmax(-1)[0]
    top5 = [clf.labels[i].lower() for i in probs.topk(5).indices]
    assert any("cat" in t or "tabby" in t or "mau" in t for t in top5), top5


def test_face_gan_generates_images():
    g = registry.load("dcgan-faces-64", "cpu")
    with torch.no_grad():
        out = g(torch.randn(2, 100, 1, 1))
    assert out.shape == (2, 3, 64, 64)
    assert out.min() >= -1.0001 and out.max() <= 1.0001 and out.std() > 0.05


@pytest.mark.slow
def test_minilm_embeds_meaning():
    enc = registry.load("minilm-l6", "cpu")
    e = enc.encode(["I love this movie", "This film was fantastic", "The invoice is due on Monday"])
    assert e.shape == (3, 384)
    assert e[0] @ e[1] > e[0] @ e[2] + 0.3


def _tiny_hub_model(tmp_path):
    from transformers import BertConfig, BertForSequenceClassification, BertTokenizerFast

    vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "good", "bad", "movie", "the"]
    (tmp_path / "vocab.txt").write_text("\n".join(vocab))
    # from_pretrained(folder): transformers 5 ignores BertTokenizerFast(vocab_file=...), every word -> [UNK]
    tok = BertTokenizerFast.from_pretrained(str(tmp_path))
    cfg = BertConfig(vocab_size=len(vocab), hidden_size=16, num_hidden_layers=1, num_attention_heads=2,
                     intermediate_size=32, max_position_embeddings=32, num_labels=2,
                     id2label={0: "NEGATIVE", 1: "POSITIVE"}, label2id={"NEGATIVE": 0, "POSITIVE": 1})
    torch.manual_seed(0)
    BertForSequenceClassification(cfg).save_pretrained(tmp_path)
    tok.save_pretrained(tmp_path)
    return tmp_path


def test_hub_loading_path_with_a_tiny_local_model(tmp_path):
    folder = _tiny_hub_model(tmp_path)
    spec = registry.ModelSpec(name="tiny-test-hub", task="text-classification", source="hub",
                              licence="test", size_mb=0.1, description="tiny", hub_id=str(folder),
                              loader="dl_core.pretrained:load_hub_pipeline")
    registry.register(spec)
    try:
        assert registry.available("tiny-test-hub")
        pipe = registry.load("tiny-test-hub", "cpu")
        assert pipe.tokenizer.tokenize("the good movie") == ["the", "good", "movie"]  # the saved vocabulary
        out = pipe("good movie")
        assert out[0]["label"] in ("NEGATIVE", "POSITIVE") and 0 <= out[0]["score"] <= 1
    finally:
        registry.unregister("tiny-test-hub")


def test_hub_model_offline_raises_a_clear_error():
    spec = registry.ModelSpec(name="tiny-missing-hub", task="text-classification", source="hub",
                              licence="test", size_mb=1, description="x",
                              hub_id="dlx-tests/definitely-not-cached",
                              loader="dl_core.pretrained:load_hub_pipeline")
    registry.register(spec)
    try:
        assert not registry.available("tiny-missing-hub")
        with pytest.raises(ModelUnavailableError, match="offline"):
            registry.load("tiny-missing-hub", "cpu")
    finally:
        registry.unregister("tiny-missing-hub")


def test_local_model_not_trained_yet_says_so(tmp_path, monkeypatch):
    monkeypatch.setenv("DLX_DATA_DIR", str(tmp_path))
    spec = registry.ModelSpec(name="tiny-local", task="image-classification", source="local",
                              licence="x", size_mb=1, description="x", loader="x:y",
                              local_file="tiny_local.safetensors")
    registry.register(spec)
    try:
        assert not registry.available("tiny-local")
        with pytest.raises(ModelUnavailableError, match="not been trained"):
            registry.load("tiny-local", "cpu")
    finally:
        registry.unregister("tiny-local")
