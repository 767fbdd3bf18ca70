"""AppTest of the Vision page: every tab renders, real interactions work, bad uploads give st.error."""

from __future__ import annotations

import io
import json
import re
import zipfile
from html.parser import HTMLParser

import numpy as np
import pytest
from PIL import Image

from dl_core import vision
from tests.conftest import exceptions, open_page
from tests.ui.helpers import fragments_drawn, tab_labels

pytestmark = pytest.mark.slow  # the page loads torch and EfficientNet (a few seconds on 2 cores)

PAGE = "pages/vision.py"
BAD = ("broken.png", b"this is not an image", "image/png")
CATS = ("cat", "mau", "tabby", "tiger", "lynx")


def png(colour: tuple[int, int, int], seed: int = 0) -> bytes:
    rng = np.random.default_rng(seed)
    arr = (np.array(colour, np.int16) + rng.integers(-25, 25, (48, 48, 3))).clip(0, 255).astype(np.uint8)
    return vision.image_bytes(Image.fromarray(arr))


@pytest.fixture(scope="module")
def at():
    return open_page(PAGE, timeout=300)


def tab(at, label: str):
    at.session_state["vision_tab"] = label
    at.run()
    assert not exceptions(at), exceptions(at)
    return at


def frame_with(at, column: str):
    """The first table on the page that has `column` (st.dataframe has no key in AppTest)."""
    frames = [d.value for d in at.dataframe if column in d.value.columns]
    assert frames, f"no table with a {column!r} column"
    return frames[0]


def errors(at) -> list[str]:
    return [e.value for e in at.error]


def test_default_photo_tab_classifies_the_example_cat(at) -> None:
    assert not exceptions(at)
    assert tab_labels(at, "vision_tab") == ["Classify a photo", "Train a CNN on digits", "Teach your own classifier",
                                          "Semi-supervised"]
    top = [m for m in at.markdown if m.value.startswith("**Top class:**")]
    assert top and any(w in top[0].value.lower() for w in CATS), top
    assert "a cat having" not in top[0].value  # short ImageNet names, the long one as the tooltip
    assert top[0].help and len(top[0].help) > len(top[0].value) - 20
    assert at.selectbox(key="photo_model").value == "efficientnet-lite0"
    assert at.selectbox(key="photo_example").value == "cat (chelsea)"
    labels, scores, tips = bars(at)  # the top-k bars: HTML, no chart before a click
    assert len(labels) == 5 and labels[0] in top[0].value and f"({scores[0]:.1f}%)" in top[0].value
    assert scores == sorted(scores, reverse=True) and 50 < sum(scores) <= 100.5
    assert tips[0][:30] in top[0].help.replace("\n", " ") and len(tips[0]) > 30  # the class's description
    assert at.slider(key="photo_opacity").value == 0.5
    at.slider(key="photo_opacity").set_value(0.9)  # integrated gradients: unit-tested (slow here)
    at.run()
    assert not exceptions(at) and not errors(at)
    assert at.slider(key="photo_opacity").value == 0.9
    assert len(at.get("image")) == 3  # the photo, what the network sees, the overlay


class _Bars(HTMLParser):
    """Reads `figures.predictions_html`: each row's label, its hover text, its bar's width and its percentage."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[dict] = []
        self.said = ""
        self._field: str | None = None

    def handle_starttag(self, tag: str, attrs: list) -> None:
        a = dict(attrs)
        if a.get("role") == "list":
            self.said = a["aria-label"]
        elif a.get("role") == "listitem":
            self.rows.append({"cells": 0})
        elif self.rows and tag == "span" and "width:" in a.get("style", ""):
            self.rows[-1]["width"] = float(re.search(r"width:([\d.]+)%", a["style"]).group(1))
        elif self.rows and tag == "span" and "title" in a:
            self.rows[-1]["tip"], self._field = a["title"], "label"
        elif self.rows and tag == "span" and "width" in self.rows[-1] and "share" not in self.rows[-1]:
            self._field = "share"

    def handle_data(self, data: str) -> None:
        if self._field:
            self.rows[-1][self._field] = data
            self._field = None


def bars(at) -> tuple[list[str], list[float], list[str]]:
    """(labels top to bottom, percentages, hover texts) of the photo tab's prediction bars: HTML, no chart
    (no chart script for a new browser to load before a click)."""
    assert not at.get("plotly_chart") and not at.get("echarts_chart")
    (html,) = [m.value for m in at.markdown if 'role="list"' in m.value]
    parser = _Bars()
    parser.feed(html)
    rows = parser.rows
    assert parser.said == f"Top {len(rows)} classes by probability"
    for row in rows:  # the bar's length is the percentage it shows
        assert row["width"] == pytest.approx(float(row["share"].rstrip("%")), abs=0.051), row
    return [r["label"] for r in rows], [float(r["share"].rstrip("%")) for r in rows], [r["tip"] for r in rows]


def test_prediction_bars_escape_what_a_model_calls_its_classes() -> None:
    """A hub model's config names its classes: a name is text on the page, never markup."""
    from dl_core.vision import Prediction
    from ui.vision import figures

    html = figures.predictions_html([Prediction(label="<img src=x onerror=alert(1)>", score=0.9,
                                                description='say "hi" <b>'),
                                     Prediction(label="cat", score=0.1, description="")])
    assert "<img" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    assert 'title="say &quot;hi&quot; &lt;b&gt;"' in html and "<b>" not in html
    parser = _Bars()
    parser.feed(html)
    assert [r["label"] for r in parser.rows] == ["<img src=x onerror=alert(1)>", "cat"]
    assert [r["width"] for r in parser.rows] == [90.0, 10.0]


def test_prediction_bars_follow_top_k(at) -> None:
    tab(at, "Classify a photo")
    five, scores, _ = bars(at)
    at.slider(key="photo_top_k").set_value(2).run()
    assert not exceptions(at)
    assert bars(at)[:2] == (five[:2], scores[:2])
    at.selectbox(key="photo_example").set_value("coffee cup").run()
    labels, _, _ = bars(at)
    top = next(m.value for m in at.markdown if m.value.startswith("**Top class:**"))
    assert len(labels) == 2 and labels[0] in top and labels != five[:2]
    at.slider(key="photo_top_k").set_value(5)
    at.selectbox(key="photo_example").set_value("cat (chelsea)").run()


def test_photo_uploads(at) -> None:
    tab(at, "Classify a photo")
    at.radio(key="photo_source").set_value("Upload my own")
    at.run()
    at.file_uploader(key="photo_upload").set_value([BAD])
    at.run()
    assert not exceptions(at) and any("broken.png" in e for e in errors(at))
    at.file_uploader(key="photo_upload").set_value([("red.png", png((220, 30, 30)), "image/png"),
                                                    ("blue.png", png((30, 30, 220)), "image/png")])
    at.run()
    assert not exceptions(at) and not errors(at)
    assert frame_with(at, "file")["file"].tolist() == ["red.png", "blue.png"]
    assert [b.label for b in at.get("download_button")] == ["Download the results (CSV)"]
    at.radio(key="photo_source").set_value("Example photo")
    at.run()


def _counting(monkeypatch, *names: str) -> dict[str, int]:
    """Count the calls of dl_core.vision functions (the views call them as `vision.<name>`)."""
    import dl_core.vision

    calls = dict.fromkeys(names, 0)
    for name in names:
        real = getattr(dl_core.vision, name)

        def counting(*args, _real=real, _name=name, **kwargs):
            calls[_name] += 1
            return _real(*args, **kwargs)

        monkeypatch.setattr(dl_core.vision, name, counting)
    return calls


def test_uploaded_photos_and_their_predictions_survive_a_visit_to_another_tab(at, monkeypatch) -> None:
    """An uploader is empty again when its tab reopens (ui/tabs.py): the tab keeps the decoded photos."""
    tab(at, "Classify a photo")
    at.radio(key="photo_source").set_value("Upload my own")
    at.run()
    at.file_uploader(key="photo_upload").set_value([("red.png", png((220, 30, 30)), "image/png"),
                                                    ("blue.png", png((30, 30, 220)), "image/png")])
    at.run()
    assert not exceptions(at) and not errors(at)
    table = frame_with(at, "file")
    assert table["file"].tolist() == ["red.png", "blue.png"]
    shown = bars(at)
    calls = _counting(monkeypatch, "read_photo", "classify")
    tab(at, "Train a CNN on digits")
    tab(at, "Classify a photo")
    assert not errors(at) and at.radio(key="photo_source").value == "Upload my own"
    assert not at.file_uploader(key="photo_upload").value  # what Streamlit itself kept: nothing
    assert frame_with(at, "file").equals(table) and bars(at) == shown  # the same photos, the same answers
    assert calls == {"read_photo": 0, "classify": 0}  # from the session: nothing decoded or classified again
    assert any(c.value.startswith("Using 2 photos (uploaded earlier)") for c in at.caption)
    forget = at.button(key="photo_upload_forget")
    assert forget.label == "Use the example instead"
    forget.click()
    at.run()
    assert not exceptions(at) and at.radio(key="photo_source").value == "Example photo"
    assert not [b for b in at.button if b.key == "photo_upload_forget"]
    top = next(m.value for m in at.markdown if m.value.startswith("**Top class:**"))
    assert any(w in top.lower() for w in CATS)  # the example cat again
    at.radio(key="photo_source").set_value("Upload my own")
    at.run()
    assert not [b for b in at.button if b.key == "photo_upload_forget"] and not at.dataframe  # dropped for good
    at.radio(key="photo_source").set_value("Example photo")
    at.run()


def test_digits_training_and_results(at) -> None:
    tab(at, "Train a CNN on digits")
    at.slider(key="dg_epochs").set_value(3)
    at.select_slider(key="dg_filters").set_value(8)
    at.button(key="dg_train").click()
    at.run()
    assert not exceptions(at) and not errors(at)
    labels = [m.label for m in at.metric]
    assert "CNN test accuracy" in labels
    acc = float(at.metric[labels.index("CNN test accuracy")].value.rstrip("%")) / 100
    assert acc > 0.5  # chance is 10%
    result = at.session_state["result::vision_digits"]
    assert acc == pytest.approx(result.metrics["test_accuracy"], abs=0.0005)
    compare = frame_with(at, "parameters")
    assert len(compare) == 3 and "logistic regression" in " ".join(compare["model"])
    assert len(frame_with(at, "recall")) == 10


def test_digit_upload(at) -> None:
    tab(at, "Train a CNN on digits")
    at.radio(key="dg_input").set_value("Upload a picture")
    at.run()
    at.file_uploader(key="dg_upload").set_value(BAD)
    at.run()
    assert not exceptions(at) and any("broken.png" in e for e in errors(at))
    one = np.full((120, 120, 3), 255, np.uint8)
    one[15:105, 52:68] = 0  # a dark "1" on white paper
    at.file_uploader(key="dg_upload").set_value(("one.png", vision.image_bytes(Image.fromarray(one)), "image/png"))
    at.run()
    assert not exceptions(at) and not errors(at)
    labels = [m.label for m in at.metric]
    assert at.metric[labels.index("Prediction")].value == "1"
    tab(at, "Semi-supervised")
    tab(at, "Train a CNN on digits")  # the uploader is empty again; the digit read from it is kept
    assert at.radio(key="dg_input").value == "Upload a picture"
    assert at.metric[[m.label for m in at.metric].index("Prediction")].value == "1"
    assert any(c.value.startswith("Using one.png (uploaded earlier)") for c in at.caption)
    forget = at.button(key="dg_upload_forget")
    assert forget.label == "Draw instead"
    forget.click()
    at.run()
    assert not exceptions(at) and at.radio(key="dg_input").value == "Draw"
    assert "Prediction" not in [m.label for m in at.metric]


def _zip(files: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, data in files.items():
            z.writestr(name, data)
    return buf.getvalue()


def test_transfer_example_trains_and_downloads(at) -> None:
    tab(at, "Teach your own classifier")
    at.radio(key="tl_source").set_value("Example: faces vs. not faces")
    at.slider(key="tl_epochs").set_value(5)
    at.run()
    at.button(key="tl_train").click()
    at.run()
    assert not exceptions(at) and not errors(at)
    assert "Validation accuracy" in [m.label for m in at.metric]
    assert [b.label for b in at.get("download_button")] == ["Download the trained head (safetensors + labels)"]
    at.file_uploader(key="tl_new").set_value([BAD])
    at.run()
    assert not exceptions(at) and any("broken.png" in e for e in errors(at))
    at.file_uploader(key="tl_new").set_value([("face.png", png((200, 170, 150)), "image/png")])
    at.run()
    assert not exceptions(at) and frame_with(at, "photo")["top label"].iloc[0] in (
        "face", "not a face")


def test_transfer_bad_uploads(at) -> None:
    tab(at, "Teach your own classifier")
    at.radio(key="tl_source").set_value("Upload per class")
    at.run()
    at.file_uploader(key="tl_files_0").set_value([BAD] * 3)
    at.file_uploader(key="tl_files_1").set_value([("b.png", png((0, 0, 200)), "image/png")] * 3)
    at.run()
    assert not exceptions(at) and any("broken.png" in e for e in errors(at))
    at.file_uploader(key="tl_files_0").set_value([("r.png", png((200, 0, 0)), "image/png")])
    at.run()
    assert any("Too few" in e for e in errors(at))
    at.radio(key="tl_source").set_value("One zip, a folder per class")
    at.run()
    at.file_uploader(key="tl_zip").set_value(("x.zip", _zip({"../up/a.png": png((1, 2, 3))}), "application/zip"))
    at.run()
    assert not exceptions(at) and any("unsafe" in e for e in errors(at))
    at.file_uploader(key="tl_zip").set_value(("one.zip", _zip({f"cats/{i}.png": png((9, 9, 9), i)
                                                               for i in range(3)}), "application/zip"))
    at.run()
    assert any("two classes" in e for e in errors(at))


def _caption(at, start: str) -> str:
    return next(c.value for c in at.caption if c.value.startswith(start))


def test_transfer_uploads_head_and_predictions_survive_a_visit_to_another_tab(at, monkeypatch) -> None:
    tab(at, "Teach your own classifier")
    at.radio(key="tl_source").set_value("Upload per class")
    at.run()
    at.number_input(key="tl_n_classes").set_value(2)
    at.text_input(key="tl_name_0").set_value("red")
    at.text_input(key="tl_name_1").set_value("blue")
    at.run()
    at.file_uploader(key="tl_files_0").set_value([(f"r{i}.png", png((200, 20, 20), i), "image/png") for i in range(3)])
    at.file_uploader(key="tl_files_1").set_value([(f"b{i}.png", png((20, 20, 200), i), "image/png") for i in range(4)])
    at.slider(key="tl_epochs").set_value(5)
    at.run()
    assert not exceptions(at) and not errors(at)
    assert _caption(at, "Images per class") == "Images per class: red: 3, blue: 4"
    calls = _counting(monkeypatch, "image_features", "read_photo", "embed", "classes_from_zip")
    tab(at, "Semi-supervised")
    tab(at, "Teach your own classifier")
    assert not errors(at) and _caption(at, "Images per class") == "Images per class: red: 3, blue: 4"
    assert at.button(key="tl_files_forget_1").label.startswith("Using 4 images (uploaded earlier)")
    at.button(key="tl_train").click()  # trains on the kept features
    at.run()
    assert not exceptions(at) and not errors(at)
    accuracy = {m.label: m.value for m in at.metric}["Validation accuracy"]
    at.file_uploader(key="tl_new").set_value([("pink.png", png((230, 40, 60)), "image/png")])
    at.run()
    new = frame_with(at, "photo")
    assert new["top label"].tolist() == ["red"]
    tab(at, "Train a CNN on digits")
    tab(at, "Teach your own classifier")  # the trained head, its scores and its predictions are all still here
    assert not errors(at) and {m.label: m.value for m in at.metric}["Validation accuracy"] == accuracy
    assert frame_with(at, "photo").equals(new)
    assert at.button(key="tl_new_forget").label.startswith("Using 1 image (uploaded earlier)")
    assert calls == {"image_features": 0, "read_photo": 1, "embed": 1, "classes_from_zip": 0}  # pink.png only
    at.button(key="tl_files_forget_0").click()  # one class dropped: the set is short of a class's images
    at.run()
    assert any("'red' has no images" in e for e in errors(at))
    at.button(key="tl_new_forget").click()
    at.run()
    assert not [d for d in at.dataframe if "photo" in d.value.columns]

    at.radio(key="tl_source").set_value("One zip, a folder per class")
    at.run()
    at.file_uploader(key="tl_zip").set_value(("shapes.zip", _zip({
        **{f"red/{i}.png": png((200, 20, 20), i) for i in range(3)},
        **{f"blue/{i}.png": png((20, 20, 200), i) for i in range(3)}}), "application/zip"))
    at.run()
    assert not errors(at) and _caption(at, "Images per class") == "Images per class: red: 3, blue: 3"
    kept = at.session_state["vision_transfer::zip"]
    assert not any(isinstance(v, bytes | vision.LabelledFiles) for v in kept)  # features only, no archive
    tab(at, "Classify a photo")
    tab(at, "Teach your own classifier")
    assert not errors(at) and _caption(at, "Images per class") == "Images per class: red: 3, blue: 3"
    assert calls["classes_from_zip"] == 1  # read once, while it was uploaded
    forget = at.button(key="tl_zip_forget")
    assert forget.label.startswith("Using shapes.zip (uploaded earlier)")
    forget.click()
    at.run()
    assert not exceptions(at) and at.radio(key="tl_source").value == "Example: faces vs. not faces"
    assert "vision_transfer::zip" not in at.session_state


def test_semi_supervised_tab(at) -> None:
    tab(at, "Semi-supervised")
    at.slider(key="ss_n").set_value(30)
    at.multiselect(key="ss_methods").set_value(["label spreading"])
    at.run()
    assert not exceptions(at) and not errors(at)
    labels = [m.label for m in at.metric]
    assert "Supervised only, N = 30" in labels and "Label spreading" in labels
    # The curve (ECharts): a line per method over the same N's, 30 among them and marked.
    spec = json.loads(at.get("echarts_chart")[-1].proto.spec)
    assert [s["name"] for s in spec["series"]] == ["supervised only (logistic regression)", "label spreading"]
    ns = [x for x, _ in spec["series"][0]["data"]]
    assert 30 in ns and ns == sorted(ns) and spec["series"][0]["markLine"]["data"] == [{"xAxis": 30}]
    assert all(0 < acc <= 100 for s in spec["series"] for _, acc in s["data"])


def test_settings_survive_a_visit_to_another_tab(at) -> None:
    """Issue 13: only the open tab runs; what was set in the others is kept (ui/tabs.py)."""
    tab(at, "Train a CNN on digits")
    at.slider(key="dg_epochs").set_value(7)
    at.toggle(key="dg_augment").set_value(True)
    at.run()
    tab(at, "Semi-supervised")
    at.slider(key="ss_n").set_value(40)
    at.run()
    tab(at, "Classify a photo")
    assert tab(at, "Train a CNN on digits").slider(key="dg_epochs").value == 7 and at.toggle(key="dg_augment").value
    assert tab(at, "Semi-supervised").slider(key="ss_n").value == 40


def test_every_setting_of_each_tab_is_kept_while_another_is_open(at) -> None:
    """Guards the page's key prefixes: a new widget with a key outside its tab's prefixes fails here."""
    from tests.ui.helpers import assert_each_tab_keeps_its_settings

    assert_each_tab_keeps_its_settings(at, "vision_tab", ["Classify a photo", "Train a CNN on digits",
                                                          "Teach your own classifier", "Semi-supervised"])


def test_online_model_offline_gives_a_warning(at) -> None:
    tab(at, "Classify a photo")
    at.selectbox(key="photo_model").set_value("resnet-50")
    at.run()
    assert not exceptions(at) and any("offline" in w.value or "download" in w.value for w in at.warning)
    at.selectbox(key="photo_model").set_value("efficientnet-lite0")
    at.run()
    assert not exceptions(at) and not at.warning


def test_moving_the_opacity_slider_neither_decodes_nor_classifies_again(at, monkeypatch) -> None:
    """Only the blend of a cached heatmap is redone; top-k re-classifies, nothing re-decodes."""
    calls = _counting(monkeypatch, "read_photo", "classify", "explain")
    tab(at, "Classify a photo")
    at.radio(key="photo_source").set_value("Upload my own")
    at.run()
    big = Image.fromarray(np.random.default_rng(1).integers(0, 255, (60, 80, 3), dtype=np.uint8)).resize((1600, 1200))
    buf = io.BytesIO()
    big.save(buf, "JPEG")
    at.file_uploader(key="photo_upload").set_value([("phone.jpg", buf.getvalue(), "image/jpeg")])
    at.run()
    assert not exceptions(at) and not errors(at)
    assert calls == {"read_photo": 1, "classify": 1, "explain": 1}
    assert len(at.get("image")) == 3
    for opacity in (0.2, 0.7, 0.95):
        at.slider(key="photo_opacity").set_value(opacity)
        at.run()
        assert not exceptions(at)
    assert calls == {"read_photo": 1, "classify": 1, "explain": 1}
    at.slider(key="photo_top_k").set_value(3)
    at.run()
    assert calls == {"read_photo": 1, "classify": 1, "explain": 1}  # top-k cuts the kept top 10; same heatmap
    at.radio(key="photo_source").set_value("Example photo")
    at.run()



def test_settings_redraw_alone_unless_something_below_reads_them(at, monkeypatch) -> None:
    """Issue 13: a settings slider reruns only the settings (a fragment), also once a training's results are
    shown (they show the settings they were trained with); only the "Repeat with 3 seeds" table, which says
    when the settings changed since its seeds, makes them a plain part of the tab, so a slider redraws it."""
    from ui.repeat import Repeat
    from ui.training import TrainingState

    results = ("result::vision_digits", "training::vision_digits", "repeat::digits", "tuning::digits",
               "result::vision_transfer", "training::vision_transfer")
    for key in results:  # what earlier tests trained
        if key in at.session_state:
            del at.session_state[key]
    seen = fragments_drawn(monkeypatch)
    tab(at, "Train a CNN on digits")
    assert "digits._settings" in seen and at.slider(key="dg_epochs")
    at.slider(key="dg_epochs").set_value(2).run()  # a value set in the fragment reaches the Repeat table
    assert not exceptions(at) and not errors(at)
    for key, value, plain in [
            ("repeat::digits", Repeat(seeds=(0, 1, 2), metric="test_accuracy", label="test accuracy"), True),
            ("training::vision_digits", TrainingState(), False)]:
        at.session_state[key] = value
        seen.clear()
        at.run()
        assert not exceptions(at) and ("digits._settings" not in seen) == plain
        assert at.slider(key="dg_epochs").value == 2
        del at.session_state[key]

    seen.clear()
    tab(at, "Teach your own classifier")
    assert "transfer._config" in seen and at.slider(key="tl_epochs")
    at.session_state["training::vision_transfer"] = TrainingState()  # a training started: its curves show
    seen.clear()
    at.run()
    assert not exceptions(at) and "transfer._config" in seen and at.slider(key="tl_epochs")
    del at.session_state["training::vision_transfer"]

    seen.clear()
    tab(at, "Semi-supervised")  # no Train button: the curve and scores are inside the fragment, with the settings
    assert "semi_supervised._compare" in seen and any(m.label.startswith("Supervised only, N = ") for m in at.metric)


def _canvas_page():
    """The digits tab's canvas logic with a scripted browser: `browser` is what the canvas sends back."""
    import streamlit as st

    from ui.vision import digits

    def canvas(**kw):
        st.session_state.setdefault("initial", []).append(kw["initial_drawing"])
        # A real widget under the canvas's key: like the component's, its state leaves the session after a
        # run that did not draw it (another tab open, "Upload" chosen).
        st.checkbox("canvas", key="dg_canvas")
        return st.session_state["browser"]

    if st.session_state.get("canvas_on", True):
        st.session_state["x8"] = digits._drawn_digit(canvas)


def test_a_drawing_comes_back_when_the_canvas_is_drawn_again() -> None:
    """The canvas's drawing lives in the browser: it came back empty after a tab switch. Now the last
    drawing is put back as the canvas's initial drawing when it is mounted again, the same one for the
    whole visit, and its digit answers until the browser sends the pixels."""
    from types import SimpleNamespace

    from streamlit.testing.v1 import AppTest

    at = AppTest.from_function(_canvas_page, default_timeout=30)
    at.session_state["browser"] = SimpleNamespace(image_data=None, json_data=None)
    at.run()
    assert at.session_state["x8"] is None and at.session_state["initial"] == [None]
    ink = np.zeros((200, 200, 4), dtype=np.uint8)
    ink[90:110, 40:160] = 255  # a white bar
    drawing = {"objects": [{"type": "path"}]}
    at.session_state["browser"] = SimpleNamespace(image_data=ink, json_data=drawing)
    at.run()
    x8 = at.session_state["x8"]
    assert x8 is not None and x8.max() > 0
    at.session_state["canvas_on"] = False  # another tab
    at.run()
    at.session_state["canvas_on"] = True  # back: a new canvas, nothing from the browser yet
    at.session_state["browser"] = SimpleNamespace(image_data=None, json_data=drawing)
    at.run()
    assert at.session_state["initial"][-1] == drawing and np.array_equal(at.session_state["x8"], x8)
    at.run()  # the same initial drawing while the canvas stays (a new one would reload it under the pen)
    assert at.session_state["initial"][-1] == drawing
    at.session_state["browser"] = SimpleNamespace(image_data=np.zeros_like(ink), json_data={"objects": []})
    at.run()  # wiped with the bin button: nothing left to put back
    assert at.session_state["x8"] is None and "vision_digits::drawing" not in at.session_state
    assert not at.exception
