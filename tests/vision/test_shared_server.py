"""One server, many people (issue 12): shared models stay untouched by attributions, seeds stay local,
the default digits CNN is trained once however many sessions ask, uploads cost bounded memory, and a
broken EXIF block is a clear message."""

from __future__ import annotations

import io
import subprocess
import sys
import threading
import time

import numpy as np
import pytest
from PIL import Image, PngImagePlugin

from dl_core import inputs, registry, vision
from dl_core.errors import InputError
from tests.conftest import ROOT


def _run_threads(targets) -> list[str]:
    errors: list[str] = []

    def wrap(fn):
        def run():
            try:
                fn()
            except Exception as exc:  # collected: a thread's exception would otherwise vanish
                errors.append(f"{type(exc).__name__}: {exc}")
        return run

    threads = [threading.Thread(target=wrap(t)) for t in targets]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=600)
    return errors


@pytest.mark.slow
def test_attributions_beside_classification_on_the_shared_model_equal_their_solo_results() -> None:
    import torch

    clf = registry.load("efficientnet-lite0", "cpu")  # one object, as st.cache_resource shares it
    cat, coffee, rocket = (vision.example_photo(n) for n in ("chelsea", "coffee", "rocket"))
    batch = torch.stack([clf.preprocess(im) for im in (coffee, rocket)])
    alone = {"probs": vision.predict_proba(clf, batch),
             "cam": vision.explain(clf, cat, target=281, method="grad-cam"),
             "ig": vision.explain(clf, coffee, target=967, method="integrated-gradients", n_steps=4)}
    done = threading.Event()
    seen: dict[str, list] = {"probs": [], "cam": [], "ig": [], "hooks": []}

    def classify() -> None:
        while not done.is_set():
            seen["probs"].append(vision.predict_proba(clf, batch))
            # a captum hook on the shared model would run inside this thread's forward pass
            seen["hooks"].append(sum(len(m._forward_hooks) + len(m._forward_pre_hooks) + len(m._backward_hooks)
                                     for m in clf.model.modules()))

    def attribute(kind: str, n: int) -> None:
        for _ in range(n):
            if kind == "cam":
                seen["cam"].append(vision.explain(clf, cat, target=281, method="grad-cam"))
            else:
                seen["ig"].append(vision.explain(clf, coffee, target=967, method="integrated-gradients", n_steps=4))

    errors: list[str] = []

    def guarded(fn, *args):
        def run():
            try:
                fn(*args)
            except Exception as exc:
                errors.append(f"{type(exc).__name__}: {exc}")
                done.set()
        return run

    attributors = [threading.Thread(target=guarded(attribute, "cam", 4)),
                    threading.Thread(target=guarded(attribute, "cam", 4)),
                    threading.Thread(target=guarded(attribute, "ig", 3))]
    classifiers = [threading.Thread(target=guarded(classify)) for _ in range(2)]
    for t in classifiers + attributors:
        t.start()
    for t in attributors:
        t.join(timeout=600)
    done.set()
    for t in classifiers:
        t.join(timeout=60)
    assert not errors, errors
    assert len(seen["cam"]) == 8 and len(seen["ig"]) == 3 and len(seen["probs"]) > 3
    assert max(seen["hooks"]) == 0  # nothing ever hooked the shared model
    for p in seen["probs"]:
        torch.testing.assert_close(p, alone["probs"], atol=1e-6, rtol=0)
    for key in ("cam", "ig"):
        for heat in seen[key]:
            np.testing.assert_allclose(heat, alone[key], atol=1e-5)


def test_two_concurrent_seeded_trainings_equal_their_solo_runs() -> None:
    cfgs = [vision.DigitsCNNConfig(filters=4, epochs=2, seed=s, device="cpu") for s in (11, 12)]
    feats = vision.LabelledFeatures(np.random.default_rng(0).normal(size=(24, 1280)).astype(np.float32),
                                    [i % 2 for i in range(24)], ["a", "b"])
    heads = [vision.HeadConfig(epochs=4, seed=s, dropout=0.5) for s in (1, 2)]
    solo = [vision.train_digits_cnn(None, c) for c in cfgs] + [vision.train_head(feats, h) for h in heads]
    together: list = [None] * 4

    def job(i: int):
        def run():
            together[i] = (vision.train_digits_cnn(None, cfgs[i]) if i < 2 else vision.train_head(feats, heads[i - 2]))
        return run

    assert not _run_threads([job(i) for i in range(4)])
    for a, b in zip(solo, together):
        assert [h.train_loss for h in a.history] == [h.train_loss for h in b.history]
        assert [h.val_loss for h in a.history] == [h.val_loss for h in b.history]
        assert a.metrics == b.metrics
    assert solo[0].history[-1].train_loss != solo[1].history[-1].train_loss  # the seeds do matter


def test_default_digits_cnn_is_trained_once_when_sessions_arrive_together(tmp_path, monkeypatch) -> None:
    from dl_core.vision import digits

    monkeypatch.setenv("DLX_DATA_DIR", str(tmp_path))
    real_train = digits.train_digits_cnn
    trained: list[float] = []

    def slow_small_training(data, config, **kwargs):
        trained.append(time.perf_counter())
        time.sleep(1.0)  # long enough for the other session to arrive while this one trains
        return real_train(data, digits.DigitsCNNConfig(filters=4, epochs=1, device="cpu"), **kwargs)

    monkeypatch.setattr(digits, "train_digits_cnn", slow_small_training)
    waited: list[int] = []
    built: list[bool] = []

    def session() -> None:
        built.append(vision.ensure_digits_cnn(on_wait=lambda: waited.append(1)))

    assert not _run_threads([session, session, session])
    assert len(trained) == 1 and sorted(built) == [False, False, True]
    assert len(waited) == 2  # each later session was told it waits for the first one
    assert registry.available("digits-cnn")
    files = sorted(p.name for p in (tmp_path / "models").iterdir())
    assert files == [vision.DIGITS_FILE]  # written atomically: no temporary file left behind
    model = registry.load("digits-cnn", "cpu")
    assert vision.predict_digits(model, np.zeros((1, 8, 8))).shape == (1, 10)
    assert vision.ensure_digits_cnn() is False and len(trained) == 1  # later sessions find it


def _png_with_exif_text(text: str) -> bytes:
    info = PngImagePlugin.PngInfo()
    info.add_text("Raw profile type exif", text)
    buf = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 10, 10)).save(buf, "PNG", pnginfo=info)
    return buf.getvalue()


def _png_with_exif_chunk(data: bytes) -> bytes:
    import struct
    import zlib

    buf = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 10, 10)).save(buf, "PNG")
    raw = buf.getvalue()
    i = raw.index(b"IDAT") - 4
    chunk = struct.pack(">I", len(data)) + b"eXIf" + data + struct.pack(">I", zlib.crc32(b"eXIf" + data))
    return raw[:i] + chunk + raw[i:]


@pytest.mark.parametrize("data", [_png_with_exif_text("\nexif\n      10\nzzzz-not-hex\n"),
                                  _png_with_exif_chunk(b"hello world")], ids=["not-hex", "not-tiff"])
def test_a_broken_exif_block_is_a_clear_input_error(data: bytes) -> None:
    with pytest.raises(InputError, match=r"photo\.png looks damaged"):
        inputs.read_image(data, name="photo.png")
    with pytest.raises(InputError, match=r"photo\.png looks damaged"):
        vision.read_photo(data, name="photo.png")


BOUNDED_MEMORY = """
import io, resource, sys
import numpy as np
from PIL import Image
from dl_core import registry, vision

rng = np.random.default_rng(0)
buf = io.BytesIO()  # one 12-megapixel phone photo, uploaded N times (the bytes are shared)
Image.fromarray(rng.integers(0, 255, (188, 250, 3), dtype=np.uint8)).resize((4000, 3000)).save(buf, "JPEG")
photo = buf.getvalue()
clf = registry.load("efficientnet-lite0", "cpu")
vision.image_features([("warm-up.jpg", photo)] * 2, clf)
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
feats = vision.image_features([(f"{i}.jpg", photo) for i in range(int(sys.argv[1]))], clf)
grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
print(feats.shape[0], round(grown_mb, 1))
"""


@pytest.mark.slow
def test_features_of_many_phone_photos_take_bounded_memory() -> None:
    """64 twelve-megapixel uploads: decoded at 1/8 scale a batch at a time, the peak barely moves
    (decoded at full size and kept, as before, they would take 64 x 36 MB = 2.3 GB)."""
    out = subprocess.run([sys.executable, "-c", BOUNDED_MEMORY, "64"], cwd=ROOT, capture_output=True, text=True,
                         timeout=600)
    assert out.returncode == 0, out.stderr
    n, grown_mb = out.stdout.split()
    assert int(n) == 64 and float(grown_mb) < 150, grown_mb
