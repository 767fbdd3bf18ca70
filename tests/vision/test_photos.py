"""Photo classification and explanations with the bundled EfficientNet-Lite0; ImageNet display names;
uploads decoded at the size the network needs."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from dl_core import registry, vision
from dl_core.errors import InputError
from dl_core.vision import imagenet_names

CATS = ("cat", "mau", "tabby", "tiger", "lynx")


def png(colour: tuple[int, int, int], seed: int = 0, size: int = 48) -> bytes:
    rng = np.random.default_rng(seed)
    arr = (np.array(colour, np.int16) + rng.integers(-25, 25, (size, size, 3))).clip(0, 255).astype(np.uint8)
    return vision.image_bytes(Image.fromarray(arr))


@pytest.fixture(scope="module")
def classifier():
    return registry.load("efficientnet-lite0", "cpu")


def test_imagenet_short_names_read_as_people_say_them() -> None:
    names = imagenet_names.short_names()
    assert len(names) == 1000 and len(set(names)) == 1000  # a name identifies its class
    assert names[281] == "tabby cat" and names[282] == "tiger cat" and names[285] == "Egyptian Mau"
    assert not [n for n in names if n.lower().startswith(("a ", "an ")) or len(n.split()) > 5]
    assert "striped" in imagenet_names.description(282).lower()
    assert "sunglasses" in imagenet_names.description(837)  # no paragraph there: the WordNet names


@pytest.mark.slow
def test_classify_cat_photo_and_batch_consistency(classifier) -> None:
    cat = vision.example_photo("cat (chelsea)")
    coffee = vision.example_photo("coffee")
    single = vision.classify_image(cat, classifier, top_k=5)
    assert any(w in single[0].label.lower() for w in CATS), single[0]
    assert all(p.label == imagenet_names.short_names()[p.index] and p.description for p in single)
    scores = [p.score for p in single]
    assert scores == sorted(scores, reverse=True) and 0 < sum(scores) <= 1 + 1e-6
    batch = vision.classify([coffee, cat], classifier, top_k=5)
    assert [p.label for p in batch[1]] == [p.label for p in single]
    assert batch[1][0].score == pytest.approx(single[0].score, abs=1e-4)
    rows = vision.results_table(["coffee", "cat"], batch)
    assert rows[1]["top label"] == single[0].label and "score 5" in rows[0]
    with pytest.raises(InputError, match="top-k"):
        vision.classify([cat], classifier, top_k=0)


@pytest.mark.slow
def test_explanations_and_overlay(classifier) -> None:
    cat = vision.example_photo("chelsea")
    seen = vision.preprocessed_view(classifier, cat)
    assert seen.shape == (224, 224, 3) and seen.dtype == np.uint8
    cam = vision.explain(classifier, cat, method="grad-cam")
    assert cam.shape == (224, 224) and cam.min() >= 0 and cam.max() == pytest.approx(1.0)
    top = vision.classify_image(cat, classifier, top_k=1)[0]
    np.testing.assert_array_equal(vision.explain(classifier, cat, target=top.label), cam)  # by its shown name
    ig = vision.explain(classifier, cat, method="integrated-gradients", n_steps=4)
    assert ig.shape == (224, 224) and ig.min() >= 0 and ig.max() <= 1 and ig.std() > 0
    np.testing.assert_array_equal(vision.overlay(seen, cam, 0.0), seen)
    assert not np.array_equal(vision.overlay(seen, cam, 0.8), seen)
    with pytest.raises(InputError, match="opacity"):
        vision.overlay(seen, cam, 1.5)
    with pytest.raises(InputError, match="magic"):
        vision.explain(classifier, cat, method="magic")
    with pytest.raises(InputError, match="not one of the model's classes"):
        vision.explain(classifier, cat, target="unicorn")


def _jpeg(w: int, h: int) -> bytes:
    rng = np.random.default_rng(0)
    small = rng.integers(0, 255, (h // 16 + 1, w // 16 + 1, 3), dtype=np.uint8)
    buf = io.BytesIO()
    Image.fromarray(small).resize((w, h), Image.BILINEAR).save(buf, "JPEG", quality=85)
    return buf.getvalue()


def test_read_photo_decodes_at_the_network_size() -> None:
    big = vision.read_photo(_jpeg(4000, 3000), name="phone.jpg")  # a 12-megapixel phone photo
    assert big.size == (341, 256) and big.mode == "RGB"
    small = vision.read_photo(png((10, 200, 10), size=48), name="small.png")
    assert small.size == (48, 48)  # never enlarged
    wide = vision.read_photo(_jpeg(4000, 400), name="panorama.jpg")
    assert max(wide.size) <= 4 * vision.MODEL_SIDE


@pytest.mark.slow
def test_downscaled_decoding_gives_the_same_network_input(classifier) -> None:
    """A PNG read at the network's size feeds it exactly what the full-size image would."""
    cat = vision.example_photo("chelsea").resize((904, 600))
    buf = io.BytesIO()
    cat.save(buf, "PNG")
    small = vision.read_photo(buf.getvalue(), name="cat.png")
    assert min(small.size) == vision.MODEL_SIDE
    np.testing.assert_array_equal(classifier.preprocess(small).numpy(), classifier.preprocess(cat).numpy())


@pytest.mark.slow
def test_classify_with_a_hub_pipeline(tmp_path) -> None:
    """The optional online models are transformers pipelines: same contract, with a tiny local ViT."""
    from transformers import ViTConfig, ViTForImageClassification, ViTImageProcessor, pipeline

    config = ViTConfig(image_size=32, patch_size=8, hidden_size=32, num_hidden_layers=1, num_attention_heads=2,
                       intermediate_size=64, num_labels=3, id2label={0: "red", 1: "green", 2: "blue"},
                       label2id={"red": 0, "green": 1, "blue": 2})
    ViTForImageClassification(config).save_pretrained(tmp_path)
    ViTImageProcessor(size={"height": 32, "width": 32}).save_pretrained(tmp_path)
    pipe = pipeline("image-classification", model=str(tmp_path), device="cpu")
    images = [Image.open(io.BytesIO(png(c))) for c in ((200, 0, 0), (0, 0, 200))]
    preds = vision.classify(images, pipe, top_k=2)
    assert len(preds) == 2 and all(len(p) == 2 for p in preds)
    assert all({x.label for x in p} <= {"red", "green", "blue"} for p in preds)
    assert all(p[0].score >= p[1].score for p in preds)
    assert vision.classify_image(images[0], pipe, top_k=3)[0].label in {"red", "green", "blue"}
