"""Tab "Classify a photo": an example or uploaded photos → top-k ImageNet classes → where the network looked.

Reruns that need no new model work redraw from caches: each upload is decoded once (per file id, at the
network's input size), predictions (the top 10) are kept per (model, photo), heatmaps per (model, photo,
method, class), the example photos' results are shared by every session (`st.cache_data`). The top-k
bars and the explanation are fragments: moving the top-k slider redraws only the bars (and the table of
several photos), the opacity slider only re-blends one 224x224 picture (issue 13: reruns ≤ 150 ms).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any, TypeVar

import numpy as np
import pandas as pd
import streamlit as st
from PIL import Image

from dl_core import registry, vision
from ui import cards, fragments, loaders

from . import figures

T = TypeVar("T")
METHODS = {"grad-cam": "Grad-CAM", "integrated-gradients": "Integrated gradients"}
MAX_TOP_K = 10  # predictions are computed this deep once; the top-k slider only cuts them
KEPT = "vision_photos::upload"  # the Photos of the last good upload (decoded, short side 256 px), in this session


@dataclass(frozen=True)
class Photo:
    key: str  # "example:<name>" or "upload:<file id>": what the caches are keyed on
    name: str
    image: Image.Image
    example: bool = False


def _memo(bucket: str, key: Any, compute: Callable[[], T], max_entries: int) -> T:
    """A small least-recently-used cache in this person's session (uploads are private to a session)."""
    cache: OrderedDict = st.session_state.setdefault(f"vision_photos::{bucket}", OrderedDict())
    if key in cache:
        cache.move_to_end(key)
        return cache[key]
    value = compute()
    cache[key] = value
    while len(cache) > max_entries:
        cache.popitem(last=False)
    return value


@st.cache_resource(show_spinner=False, max_entries=8)
def _example_image(name: str) -> Image.Image:
    return vision.example_photo(name)  # shared by every session: read only (classify copies it)


@st.cache_data(show_spinner=False, max_entries=32)
def _example_predictions(model_name: str, name: str) -> list[vision.Prediction]:
    return vision.classify([_example_image(name)], loaders.model(model_name), top_k=MAX_TOP_K)[0]


@st.cache_data(show_spinner="Computing the explanation…", max_entries=32)
def _example_explanation(model_name: str, name: str, method: str, target: int) -> tuple[np.ndarray, np.ndarray]:
    clf = loaders.model(model_name)
    image = _example_image(name)
    return vision.preprocessed_view(clf, image), vision.explain(clf, image, target=target, method=method)


def _forget() -> None:
    """The person changed the uploader (other photos, or removed them): the kept upload goes."""
    st.session_state.pop(KEPT, None)


def _use_example() -> None:
    _forget()
    st.session_state["photo_source"] = "Example photo"


def _photos() -> list[Photo]:
    source = st.radio("Photo", ["Example photo", "Upload my own"], horizontal=True, key="photo_source")
    if source == "Example photo":
        name = st.selectbox("Example (scikit-image's sample photos)", list(vision.EXAMPLE_PHOTOS),
                            key="photo_example")
        return [Photo(f"example:{name}", name, _example_image(name), example=True)]
    files = st.file_uploader("Upload one or more photos", type=vision.IMAGE_TYPES, accept_multiple_files=True,
                             key="photo_upload", on_change=_forget)
    if files:
        vision.check_photo_count(len(files))
        photos = []
        for f in files:  # decoded once per upload, at the size the network needs (short side 256 px)
            image = _memo("decoded", f.file_id, lambda f=f: vision.read_photo(f, name=f.name), vision.MAX_PHOTOS)
            photos.append(Photo(f"upload:{f.file_id}", f.name, image))
        st.session_state[KEPT] = photos  # all decoded: the same pictures as the memo, at most MAX_PHOTOS
        return photos
    # An uploader is empty again when its tab is reopened (only the open tab is drawn, ui/tabs.py): the
    # photos decoded from the last upload are kept in this session, so the person's photos stay.
    kept: list[Photo] | None = st.session_state.get(KEPT)
    if kept:
        what = kept[0].name if len(kept) == 1 else f"{len(kept)} photos"
        st.caption(f"Using {what} (uploaded earlier); a new upload replaces {'it' if len(kept) == 1 else 'them'}.")
        st.button("Use the example instead", key="photo_upload_forget", on_click=_use_example, icon=":material/close:")
        return kept
    st.info("Upload a JPEG, PNG, WebP, BMP or GIF photo (or several) to classify it.")
    return []


def _predictions(model_name: str, classifier: Any, photos: list[Photo]) -> list[list[vision.Prediction]]:
    """The top MAX_TOP_K classes of each photo (the top-k slider takes the first k: no model work)."""
    if len(photos) == 1 and photos[0].example:
        return [_example_predictions(model_name, photos[0].name)]
    cache: OrderedDict = st.session_state.setdefault("vision_photos::predictions", OrderedDict())
    missing = [p for p in photos if (model_name, p.key) not in cache]
    if missing:  # one batched call for whatever is new
        for p, preds in zip(missing, vision.classify([p.image for p in missing], classifier, top_k=MAX_TOP_K)):
            cache[(model_name, p.key)] = preds
    while len(cache) > 2 * vision.MAX_PHOTOS:
        cache.popitem(last=False)
    return [cache[(model_name, p.key)] for p in photos]


def _explanation_data(model_name: str, photo: Photo, method: str, target: int) -> tuple[np.ndarray, np.ndarray]:
    if photo.example:
        return _example_explanation(model_name, photo.name, method, target)

    def compute() -> tuple[np.ndarray, np.ndarray]:
        clf = loaders.model(model_name)
        with st.spinner("Computing the explanation…"):
            return vision.preprocessed_view(clf, photo.image), vision.explain(clf, photo.image, target=target,
                                                                              method=method)

    return _memo("explanations", (model_name, photo.key, method, target), compute, 8)


def _explanation(model_name: str, photo: Photo, top: vision.Prediction) -> None:
    """The method redraws only this part of the page (a fragment section), the opacity only the heatmap
    under which it sits (a fragment of its own inside it, fragments.own)."""
    from ui import errors

    st.subheader("What the network saw, and where it looked")
    method = st.radio("Explanation", list(METHODS), horizontal=True, format_func=METHODS.get, key="photo_method")
    with errors.guard(stop=False):
        seen, heat = _explanation_data(model_name, photo, method, top.index)
        c1, c2, c3 = st.columns(3)
        # JPEG: Streamlit's "auto" sends these as PNG, which took 80-280 ms per picture to encode here.
        c1.image(photo.image, caption="your photo", width="stretch", output_format="JPEG")
        c2.image(seen, caption="what the network sees: short side 256 px, centre crop 224×224", width="stretch",
                 output_format="JPEG")
        fragments.own(partial(_overlay, seen, heat, top.label), c3)
    st.caption("Grad-CAM weighs the last convolutional feature maps (7×7) by how much they raise the "
               "top class: coarse regions. Integrated gradients credits single pixels along a path from "
               "a grey image: finer, noisier. Both explain this model's decision, not the truth.")


def _overlay(seen: np.ndarray, heat: np.ndarray, label: str) -> None:
    """The heatmap over what the network sees, and its opacity slider below it."""
    slot = st.empty()  # the picture above the slider that sets it
    opacity = st.slider("Heatmap opacity", 0.0, 1.0, 0.5, 0.05, key="photo_opacity")
    slot.image(vision.overlay(seen, heat, opacity), caption=f"evidence for “{label}”", width="stretch",
               output_format="JPEG")


def _results_table(photos: list[Photo], preds: list[list[vision.Prediction]]) -> None:
    st.subheader(f"{len(photos)} photos")
    rows = vision.results_table([p.name for p in photos], preds)
    table = pd.DataFrame(rows)
    thumbs = [_memo("thumbnails", p.key, lambda p=p: figures.thumbnail_uri(p.image), vision.MAX_PHOTOS)
              for p in photos]
    table.insert(1, "photo", thumbs)
    st.dataframe(table, hide_index=True, key="photo_table",
                 column_config={"photo": st.column_config.ImageColumn("photo", width="small"),
                                "top score": st.column_config.ProgressColumn(
                                    "top score", min_value=0, max_value=1, format="percent")})
    st.download_button("Download the results (CSV)", pd.DataFrame(rows).to_csv(index=False),
                       "vision_predictions.csv", "text/csv", key="photo_csv", icon=":material/download:")


def photo_models() -> list[str]:
    """The pretrained ImageNet classifiers the tab offers; the first is its default."""
    return [s.name for s in registry.specs("image-classification") if s.source != "local"]


def show() -> None:
    choices = photo_models()
    left, right = st.columns([1, 2], gap="large")
    with left:
        model_name = st.selectbox("Model", choices, format_func=cards.model_label, key="photo_model")
        cards.model_card(model_name)
        photos = _photos()
    if not photos:
        return
    classifier = loaders.model(model_name)
    preds = _predictions(model_name, classifier, photos)
    with right:
        pick = 0
        if len(photos) > 1:
            pick = st.selectbox("Look closer at", range(len(photos)), format_func=lambda i: photos[i].name,
                                key="photo_pick")
        _top_classes(photos, preds, pick)
    if vision.is_pipeline(classifier):
        st.info("Heatmaps and the preprocessed view are shown for the bundled EfficientNet.")
        return
    fragments.alone(partial(_explanation, model_name, photos[pick], preds[pick][0]), shown_below=lambda: False)


@st.fragment
def _top_classes(photos: list[Photo], preds: list[list[vision.Prediction]], pick: int) -> None:
    """The top-k slider and what it changes (the bars, the table of several photos): a fragment."""
    top_k = st.slider("How many classes to show (top-k)", 1, MAX_TOP_K, 5, key="photo_top_k")
    shown = [p[:top_k] for p in preds]
    top = shown[pick][0]
    st.markdown(f"**Top class:** {top.label} ({top.score:.1%})", help=top.description or None)
    figures.show_predictions(shown[pick])
    if len(photos) > 1:
        _results_table(photos, shown)
