"""Tab "Teach your own classifier": images per class → frozen features → train a head → use it.

Each uploaded image is decoded at the network's input size and turned into its 1,280 features once, as
soon as it is uploaded (kept per file id in this session; the example set's are shared by everyone):
reruns and re-training never decode again, and 1,000 uploads cost a few MB. Training is one engine
call (`vision.train_head`, the same one the CLI uses); this view draws what it returns.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
import streamlit as st

from dl_core import vision
from dl_core.errors import InputError
from ui import actions, charts, errors, fragments, loaders
from ui import training as live

from . import figures

LIVE = "vision_transfer"  # ui.training state (live curves, partly trained head)
RESULT = "vision_transfer"  # ui.actions: the last finished TrainedModel
FEATURE_MODEL = "efficientnet-lite0"
EXAMPLE_PER_CLASS = 30
EXAMPLE = "Example: faces vs. not faces"
# What the uploads gave, kept in this session: an uploader is empty again when its tab is reopened (only
# the open tab is drawn, ui/tabs.py), and the person's images must not vanish with it. Features only
# (1,280 float32 per image): no decoded picture and no raw file or archive outlives the run that read it.
CLASS_KEPT = "vision_transfer::class_{}"  # per class index: [(file name, cache key, feature row)]
ZIP_KEPT = "vision_transfer::zip"  # (file id, zip name, LabelledFeatures, images per class, notices)
NEW_KEPT = "vision_transfer::new_upload"  # [(file name, feature row, thumbnail)] of the images the head classified


@st.cache_data(show_spinner="Extracting features of the example images…", max_entries=2)
def _example() -> tuple[vision.LabelledFeatures, dict[str, int]]:
    """scikit-image's lfw_subset: 100 face crops then 100 non-face crops, 25x25 grayscale."""
    from PIL import Image
    from skimage import data

    crops = (data.lfw_subset() * 255).astype(np.uint8)

    def png(i: int) -> bytes:
        return vision.image_bytes(Image.fromarray(crops[i]).convert("RGB"))

    groups = {"face": [(f"face_{i}.png", png(i)) for i in range(EXAMPLE_PER_CLASS)],
              "not a face": [(f"other_{i}.png", png(100 + i)) for i in range(EXAMPLE_PER_CLASS)]}
    files = vision.collect_classes(groups)
    return vision.labelled_features(files, loaders.model(FEATURE_MODEL)), files.counts()


def _features(files: vision.LabelledFiles, keys: Sequence[str],
              known: dict[str, np.ndarray] | None = None) -> vision.LabelledFeatures:
    """Features of every file, computed once per upload (keyed by file id) and kept in this session;
    `known` holds rows computed earlier (a class's kept upload): those files are never read."""
    known = known or {}
    cache: OrderedDict = st.session_state.setdefault("vision_transfer::features", OrderedDict())
    missing = [i for i, k in enumerate(keys) if k not in cache and k not in known]
    if missing:
        bar = st.progress(0.0, text=f"Extracting features of {len(missing)} image(s) with the frozen CNN…")
        feats = vision.image_features([files.files[i] for i in missing], loaders.model(FEATURE_MODEL),
                                      on_progress=lambda done, n: bar.progress(done / n, text=(
                                          f"Extracting features with the frozen CNN: {done}/{n} images")))
        bar.empty()
        for i, row in zip(missing, feats):
            cache[keys[i]] = row
    rows = [known[k] if k in known else cache[k] for k in keys]
    for k in keys:
        if k in cache:
            cache.move_to_end(k)
    while len(cache) > 2 * vision.MAX_IMAGES:  # 1,280 float32 each: at most ~10 MB
        cache.popitem(last=False)
    return vision.LabelledFeatures(np.stack(rows), list(files.labels), list(files.classes))


def _images(n: int) -> str:
    return f"{n} image" if n == 1 else f"{n} images"


def _forget(key: str) -> None:
    """The person changed an uploader (other files, or removed them): what it gave before goes."""
    st.session_state.pop(key, None)


def _use_example(key: str) -> None:
    _forget(key)
    st.session_state["tl_source"] = EXAMPLE


def _inputs() -> tuple[vision.LabelledFeatures, dict[str, int], list[str]] | None:
    """(features, images per class, notices), or None before there is anything to train on."""
    source = st.radio("Images", [EXAMPLE, "Upload per class", "One zip, a folder per class"],
                      horizontal=True, key="tl_source")
    if source == EXAMPLE:
        st.caption(f"{EXAMPLE_PER_CLASS} face crops and {EXAMPLE_PER_CLASS} other crops from scikit-image's "
                   "bundled `lfw_subset`.")
        data, counts = _example()
        return data, counts, []
    if source == "Upload per class":
        return _per_class()
    return _zip()


def _per_class() -> tuple[vision.LabelledFeatures, dict[str, int], list[str]] | None:
    """Each class's uploader, or the features of what it held when this tab was last open."""
    n = int(st.number_input("Number of classes", 2, 8, 2, key="tl_n_classes"))
    groups: dict[str, list[tuple[str, Any]]] = {}
    keys: dict[str, list[str]] = {}
    index: dict[str, int] = {}
    known: dict[str, np.ndarray] = {}
    cols = st.columns(min(n, 4))
    for i in range(n):
        with cols[i % len(cols)]:
            name = st.text_input(f"Class {i + 1} name", f"class {i + 1}", key=f"tl_name_{i}")
            uploads = st.file_uploader(f"Images of class {i + 1}", type=vision.IMAGE_TYPES,
                                       accept_multiple_files=True, key=f"tl_files_{i}", on_change=_forget,
                                       args=(CLASS_KEPT.format(i),))
            if name.strip() in groups:
                raise InputError(f"Two classes are both called {name.strip()!r}; rename one.")
            label = name.strip() or f"class {i + 1}"
            index[label] = i
            kept = None if uploads else st.session_state.get(CLASS_KEPT.format(i))
            if kept:
                st.button(f"Using {_images(len(kept))} (uploaded earlier): drop them", key=f"tl_files_forget_{i}",
                          on_click=_forget, args=(CLASS_KEPT.format(i),), icon=":material/close:",
                          help="Or upload other images above to replace them.")
                groups[label] = [(fname, None) for fname, _, _ in kept]  # counted and named, never read
                keys[label] = [k for _, k, _ in kept]
                known.update({k: row for _, k, row in kept})
            else:
                groups[label] = [(f.name, f) for f in uploads or []]  # file objects: nothing copied yet
                keys[label] = [f"upload:{f.file_id}" for f in uploads or []]
    if not any(groups.values()):
        st.info(f"Upload at least {vision.MIN_PER_CLASS} images for each class.")
        return None
    files = vision.collect_classes(groups)
    data = _features(files, [k for label in files.classes for k in keys[label]], known)
    # Keep each class's images as features, for the classes in use only (at most MAX_IMAGES in all).
    rows = iter(data.features)
    for label in files.classes:
        st.session_state[CLASS_KEPT.format(index[label])] = [
            (fname, k, next(rows)) for (fname, _), k in zip(groups[label], keys[label], strict=True)]
    for i in range(n, 8):
        st.session_state.pop(CLASS_KEPT.format(i), None)
    return data, files.counts(), []


def _zip() -> tuple[vision.LabelledFeatures, dict[str, int], list[str]] | None:
    """The zip's features, read once per file; the archive itself is dropped as soon as they are made."""
    upload = st.file_uploader("A zip with one folder per class (e.g. cats/1.jpg, dogs/1.jpg)", type=["zip"],
                              key="tl_zip", on_change=_forget, args=(ZIP_KEPT,))
    kept = st.session_state.get(ZIP_KEPT)
    if upload is not None:
        if kept is None or kept[0] != upload.file_id:
            st.session_state.pop(ZIP_KEPT, None)
            files = vision.classes_from_zip(upload.getvalue(), name=upload.name)
            data = _features(files, [f"zip:{upload.file_id}:{name}" for name, _ in files.files])
            kept = st.session_state[ZIP_KEPT] = (upload.file_id, upload.name, data, files.counts(), files.notices)
    elif kept is not None:
        st.button(f"Using {kept[1]} (uploaded earlier): use the example instead", key="tl_zip_forget",
                  on_click=_use_example, args=(ZIP_KEPT,), icon=":material/close:",
                  help="Or upload another zip above to replace it.")
    else:
        st.info("Upload a zip archive with one folder of images per class.")
        return None
    _, _, data, counts, notices = kept
    return data, counts, list(notices)


def _config() -> vision.HeadConfig:
    c = st.columns(3)
    # Each a fragment of its own (fragments.own): only the Train click reads them.
    epochs = fragments.own(lambda: st.slider("Epochs", 5, 200, 40, key="tl_epochs"), c[0])
    lr = fragments.own(lambda: st.select_slider("Learning rate", [1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2], 3e-3,
                                                key="tl_lr"), c[1])
    val = fragments.own(lambda: st.slider("Validation share", 0.1, 0.5, 0.25, 0.05, key="tl_val"), c[2])
    return vision.HeadConfig(epochs=epochs, lr=lr, val_fraction=val)


def _train(data: vision.LabelledFeatures, cfg: vision.HeadConfig):
    st.session_state["tl_trained_on"] = (data, cfg)  # for a stopped run's partly trained head
    run_ui = live.LiveTraining(LIVE, cfg.epochs, title="Classifier head")
    result = vision.train_head(data, cfg, callbacks=[run_ui], caller="app")
    run_ui.finish(result.model, result.fit, extra={"classes": data.classes})
    return result


def _shown() -> tuple[Any, dict[str, float], dict[str, Any]] | None:
    """(head, metrics, details) of the finished run, or of a stopped run's partly trained head."""
    state = live.show_history(LIVE)  # the curves (and a note if the run was stopped)
    trained_on = st.session_state.get("tl_trained_on")
    if state is not None and state.model is not None and state.stopped and trained_on is not None:
        data, cfg = trained_on
        metrics, details = vision.evaluate_head(state.model, data, cfg)
        return state.model, metrics, details
    result = actions.kept(RESULT)
    return None if result is None else (result.model, result.metrics, result.details)


def _results(head: Any, metrics: dict[str, float], details: dict[str, Any]) -> None:
    classes = details["classes"]
    left, right = st.columns(2)
    with left:
        st.metric("Validation accuracy", f"{metrics['val_accuracy']:.1%}", f"{details['n_val']} held-out images",
                  delta_color="off")
        base = ", ".join(f"{b['name']} {b['val_accuracy']:.0%}" for b in details["baselines"])
        st.caption(f"For comparison, on the same held-out images: {base}.")
        st.download_button("Download the trained head (safetensors + labels)",
                           vision.head_to_bytes(head, classes), "vision_head.safetensors",
                           "application/octet-stream", key="tl_download", icon=":material/download:")
        st.caption("The labels are stored in the file's metadata; the features come from EfficientNet-Lite0 "
                   "(average-pooled, 1,280 numbers per image).")
    right.plotly_chart(charts.confusion_figure(details["confusion"], classes, "Confusion matrix (validation)"),
                       key="tl_confusion")
    st.subheader("Classify new images with your classifier")
    uploads = st.file_uploader("New images", type=vision.IMAGE_TYPES, accept_multiple_files=True, key="tl_new",
                               on_change=_forget, args=(NEW_KEPT,))
    if uploads:
        if len(uploads) > vision.MAX_PHOTOS:
            raise InputError(f"{len(uploads)} images were uploaded; classify at most {vision.MAX_PHOTOS} at a time.")
        cache: OrderedDict = st.session_state.setdefault("vision_transfer::new", OrderedDict())
        for f in uploads:  # decoded and embedded once per upload; only the features and a thumbnail are kept
            if f.file_id not in cache:
                image = vision.read_photo(f, name=f.name)
                cache[f.file_id] = (vision.embed([image], loaders.model(FEATURE_MODEL))[0],
                                    figures.thumbnail_uri(image))
            cache.move_to_end(f.file_id)
        while len(cache) > vision.MAX_PHOTOS:
            cache.popitem(last=False)
        new = st.session_state[NEW_KEPT] = [(f.name, *cache[f.file_id]) for f in uploads]
    else:
        new = st.session_state.get(NEW_KEPT)
        if not new:
            return
        st.button(f"Using {_images(len(new))} (uploaded earlier): clear them", key="tl_new_forget", on_click=_forget,
                  args=(NEW_KEPT,), icon=":material/close:", help="Or upload other images above to replace them.")
    preds = vision.classify_features(np.stack([row for _, row, _ in new]), head, classes)
    table = pd.DataFrame(vision.results_table([name for name, _, _ in new], preds))
    table.insert(1, "photo", [thumb for _, _, thumb in new])
    st.dataframe(table, hide_index=True, key="tl_new_table",
                 column_config={"photo": st.column_config.ImageColumn("photo", width="small")})


def show() -> None:
    st.markdown("Reuse the pretrained CNN as a **frozen feature extractor** and train only a small head on "
                "your own classes: a few images per class are often enough, because the features already "
                "describe shapes and textures.")
    clicked = False
    result = before = actions.kept(RESULT)
    with errors.guard(stop=False):
        inputs = _inputs()  # uploads stay out of the fragment: what they give is read below
        # The training settings redraw alone (ui/fragments.py): nothing below reads them (a trained head's
        # results show the settings it was trained with); the Train click is a full run, which does.
        cfg = fragments.alone(_config, shown_below=lambda: False)
        if inputs is not None:
            data, counts, notices = inputs
            errors.notices(notices)
            st.caption("Images per class: " + ", ".join(f"{k}: {v}" for k, v in counts.items()))
        clicked = st.button("Train the classifier", type="primary", key="tl_train", icon=":material/play_arrow:",
                            disabled=inputs is None)
        before = actions.kept(RESULT)
        result = actions.run(RESULT, clicked and inputs is not None, lambda: _train(inputs[0], cfg))
    if result is not before:
        st.rerun()  # draw the finished run's results without the live view's Stop button
    with errors.guard(stop=False):
        shown = _shown()
        if shown is not None:
            _results(*shown)
