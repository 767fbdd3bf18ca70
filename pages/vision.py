"""Vision: classify photos with a pretrained CNN, train a CNN on digits live, teach your own classifier,
and see what unlabelled data buys (semi-supervised learning)."""

from __future__ import annotations

from dataclasses import asdict

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from dl_core import inputs, registry, tracking, vision, vision_digits
from dl_core.errors import InputError
from ui import cards, charts, errors, loaders
from ui import training as live
from ui import vision_views as views

DIGITS = "vision_digits"  # ui.training state names
TRANSFER = "vision_transfer"
IMAGE_TYPES = ["jpg", "jpeg", "png", "webp", "bmp", "gif"]
MAX_PHOTOS = 64  # one page of results; each photo costs ~25 ms on a CPU, more to upload
TABS = ["Classify a photo", "Train a CNN on digits", "Teach your own classifier", "Semi-supervised"]

st.title("Vision")
st.markdown(
    "Convolutional networks slide small learned filters over an image: early layers react to edges "
    "and colours, later ones to textures, parts and whole objects. Try a network trained on 1.28 "
    "million photos, train a small one yourself, and reuse a big one for your own classes."
)


# ---- 1. classify a photo -------------------------------------------------------------------------

def _photo_inputs() -> tuple[list[str], list]:
    source = st.radio("Photo", ["Example photo", "Upload my own"], horizontal=True, key="photo_source")
    if source == "Example photo":
        name = st.selectbox("Example (scikit-image's sample photos)", list(vision.EXAMPLE_PHOTOS),
                            key="photo_example")
        return [name], [vision.example_photo(name)]
    files = st.file_uploader("Upload one or more photos", type=IMAGE_TYPES, accept_multiple_files=True,
                             key="photo_upload")
    if not files:
        st.info("Upload a JPEG, PNG, WebP, BMP or GIF photo (or several) to classify it.")
        return [], []
    if len(files) > MAX_PHOTOS:
        raise InputError(f"{len(files)} photos were uploaded; classify at most {MAX_PHOTOS} at a time "
                         "(remove some with the × next to each file).")
    return [f.name for f in files], [inputs.read_image(f, name=f.name) for f in files]


def _heatmap(classifier, image, key: str, method: str, target: int) -> np.ndarray:
    """Explanations cost 0.3-5 s: keep them per session, keyed by image, method and class."""
    cache = st.session_state.setdefault("photo_heat_cache", {})
    k = (key, method, target)
    if k not in cache:
        with st.spinner("Computing the explanation…"):
            cache.clear()  # one image at a time is enough; keeps the session small
            cache[k] = vision.explain(classifier, image, target=target, method=method)
    return cache[k]


def photo_section() -> None:
    choices = [s.name for s in registry.specs("image-classification") if s.source != "local"]
    left, right = st.columns([1, 2], gap="large")
    with left:
        model_name = st.selectbox("Model", choices, format_func=cards.model_label, key="photo_model")
        cards.model_card(model_name)
        top_k = st.slider("How many classes to show (top-k)", 1, 10, 5, key="photo_top_k")
        names, images = _photo_inputs()
    if not images:
        return
    classifier = loaders.model(model_name)
    preds = vision.classify(images, classifier, top_k=top_k)
    with right:
        if len(images) > 1:
            st.subheader(f"{len(images)} photos")
            rows = vision.results_table(names, preds)
            table = pd.DataFrame(rows)
            table.insert(1, "photo", [views.thumbnail_uri(im) for im in images])
            st.dataframe(table, hide_index=True, key="photo_table",
                         column_config={"photo": st.column_config.ImageColumn("photo", width="small"),
                                        "top score": st.column_config.ProgressColumn(
                                            "top score", min_value=0, max_value=1, format="percent")})
            st.download_button("Download the results (CSV)", pd.DataFrame(rows).to_csv(index=False),
                               "vision_predictions.csv", "text/csv", key="photo_csv",
                               icon=":material/download:")
            pick = st.selectbox("Look closer at", range(len(images)), format_func=lambda i: names[i],
                                key="photo_pick")
        else:
            pick = 0
        image, pred = images[pick], preds[pick]
        st.markdown(f"**Top class:** {pred[0].label} ({pred[0].score:.1%})")
        st.plotly_chart(views.predictions_figure(pred), key="photo_bars")
    if vision.is_pipeline(classifier):
        st.info("Heatmaps and the preprocessed view are shown for the bundled EfficientNet.")
        return
    st.subheader("What the network saw, and where it looked")
    k1, k2 = st.columns(2)
    method = k1.radio("Explanation", ["grad-cam", "integrated-gradients"], horizontal=True,
                      format_func={"grad-cam": "Grad-CAM", "integrated-gradients": "Integrated gradients"}.get,
                      key="photo_method")
    opacity = k2.slider("Heatmap opacity", 0.0, 1.0, 0.5, 0.05, key="photo_opacity")
    target = classifier.labels.index(pred[0].label)
    heat = _heatmap(classifier, image, f"{names[pick]}:{image.size}:{model_name}", method, target)
    seen = vision.preprocessed_view(classifier, image)
    c1, c2, c3 = st.columns(3)
    c1.image(image, caption="your photo", width="stretch")
    c2.image(seen, caption="what the network sees: short side 256 px, centre crop 224×224", width="stretch")
    c3.image(vision.overlay(seen, heat, opacity), caption=f"evidence for “{pred[0].label}”", width="stretch")
    st.caption("Grad-CAM weighs the last convolutional feature maps (7×7) by how much they raise the "
               "top class: coarse regions. Integrated gradients credits single pixels along a path from "
               "a grey image: finer, noisier. Both explain this model's decision, not the truth.")


# ---- 2. digits CNN -------------------------------------------------------------------------------

def _digits_config() -> vision_digits.DigitsCNNConfig:
    d = vision_digits.DigitsCNNConfig()
    c = st.columns(4)
    conv = c[0].slider("Conv layers", 1, 3, d.conv_layers, key="dg_conv")
    filters = c[0].select_slider("Filters (first layer)", [4, 8, 16, 32, 64], d.filters, key="dg_filters")
    kernel = c[0].select_slider("Kernel size", [1, 3, 5], d.kernel_size, key="dg_kernel")
    dropout = c[1].slider("Dropout", 0.0, 0.8, d.dropout, 0.05, key="dg_dropout")
    lr = c[1].select_slider("Learning rate", [1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 0.1], d.lr, key="dg_lr")
    batch = c[1].select_slider("Batch size", [8, 16, 32, 64, 128, 256], d.batch_size, key="dg_batch")
    epochs = c[2].slider("Epochs", 1, 60, d.epochs, key="dg_epochs")
    frac = c[2].slider("Train fraction", 0.1, 0.9, d.train_fraction, 0.05, key="dg_frac",
                       help="The rest is split half validation, half test.")
    augment = c[3].toggle("Augment (random 1-pixel shifts)", d.augment, key="dg_augment")
    seed = c[3].number_input("Seed", 0, 10_000, d.seed, key="dg_seed")
    return vision_digits.DigitsCNNConfig(conv, filters, kernel, dropout, lr, batch, epochs, frac, augment,
                                         int(seed))


@st.cache_data(show_spinner="Fitting the shallow baselines…", max_entries=8)
def _baselines(train_fraction: float, seed: int) -> list[dict]:
    data = vision_digits.load_digits_data(train_fraction, seed)
    return [asdict(b) for b in vision_digits.shallow_baselines(data, seed)]


def _train_digits(cfg: vision_digits.DigitsCNNConfig) -> None:
    st.session_state["dg_config"] = cfg
    run_ui = live.LiveTraining(DIGITS, cfg.epochs, title="Digits CNN")
    with tracking.start_run("vision/digits-cnn", asdict(cfg), seed=cfg.seed, source="app") as run:
        result = vision_digits.train_digits_cnn(cfg, callbacks=[run_ui, run.callback])
        run.log_final({"test_accuracy": result.test_accuracy}, model=result.model, extra={"config": asdict(cfg)})
    run_ui.finish(result.model, result.fit, extra={"test_accuracy": result.test_accuracy,
                                                   "seconds": result.seconds})


def _digits_results(cfg: vision_digits.DigitsCNNConfig, just_trained: bool) -> None:
    # Right after training, LiveTraining has drawn the curves already; on later reruns draw them again.
    state = live.state(DIGITS) if just_trained else live.show_history(DIGITS)
    if state is None or state.model is None:
        st.info("Press **Train** to watch the network learn: the curves update after every epoch.")
        return
    data = vision_digits.load_digits_data(cfg.train_fraction, cfg.seed)  # same split as the training
    report = vision_digits.evaluate_digits(state.model, data)
    params = vision_digits.count_parameters(state.model)
    base = _baselines(cfg.train_fraction, cfg.seed)
    m = st.columns(3)
    m[0].metric("CNN test accuracy", f"{report.accuracy:.1%}")
    m[1].metric("CNN parameters", f"{params:,}")
    if state.result is not None:
        m[2].metric("Training time", f"{state.result.seconds:.1f} s")
    st.markdown("**The same test digits, fitted by shallow models on the raw 64 pixels**")
    compare = [{"model": f"CNN ({cfg.conv_layers} conv layers)", "test accuracy": report.accuracy,
                "parameters": params}] + [
        {"model": b["name"], "test accuracy": b["test_accuracy"], "parameters": b["parameters"]} for b in base]
    st.dataframe(pd.DataFrame(compare), hide_index=True, key="dg_compare",
                 column_config={"test accuracy": st.column_config.ProgressColumn(
                     "test accuracy", min_value=0, max_value=1, format="percent")})
    st.caption("Convolutions share one small filter across the image, so a stroke is recognised wherever it "
               "is; a logistic regression must learn every pixel position separately.")
    left, right = st.columns(2)
    left.plotly_chart(charts.confusion_figure(report.confusion, list(range(10)), "Confusion matrix (test)"),
                      key="dg_confusion")
    right.markdown("**Per-class precision and recall (test)**")
    right.dataframe(pd.DataFrame(report.per_class).round(3), hide_index=True, key="dg_per_class")
    st.markdown(f"**Misclassified test digits** ({len(report.mistakes)} of {len(data.y_test)}, "
                "most confident first)")
    shown = report.mistakes[:16]
    if shown:
        views.digit_gallery(data.x_test[shown, 0], [
            f"true {data.y_test[i]} → {report.predicted[i]} ({report.confidence[i]:.0%})" for i in shown])
    else:
        st.success("No test digit is misclassified.")


def _digit_model():
    state = live.state(DIGITS)
    if state is not None and state.model is not None:
        return state.model, "your trained CNN"
    if not registry.available("digits-cnn"):
        with st.spinner("Training the default digits CNN once (a few seconds)…"):
            vision_digits.ensure_digits_cnn()
        loaders.forget("digits-cnn")
    return loaders.model("digits-cnn"), "the default digits CNN (train your own above to use it here)"


def _try_digit() -> None:
    st.subheader("Try it: draw a digit")
    how = st.radio("Input", ["Draw", "Upload a picture"], horizontal=True, key="dg_input")
    left, right = st.columns([1, 2])
    with left:
        if how == "Draw":
            from streamlit_drawable_canvas import st_canvas

            canvas = st_canvas(stroke_width=28, stroke_color="#FFFFFF", background_color="#000000",
                               width=200, height=200, drawing_mode="freedraw", key="dg_canvas",
                               return_image_data=True)
            pixels = canvas.image_data
            if pixels is None or np.asarray(pixels)[..., :3].max() == 0:
                st.caption("Draw one digit with the mouse, large and centred.")
                return
        else:
            upload = st.file_uploader("A picture of one digit", type=IMAGE_TYPES, key="dg_upload")
            if upload is None:
                st.caption("Dark on light or light on dark both work.")
                return
            pixels = np.asarray(inputs.read_image(upload, name=upload.name))
    x8 = vision_digits.digit_from_image(pixels)
    model, which = _digit_model()
    probs = vision_digits.predict_digits(model, x8)[0]
    with right:
        a, b = st.columns([1, 2])
        a.image(views.digit_picture(x8, 16), caption="as the network sees it (8×8)")
        a.metric("Prediction", int(probs.argmax()), f"{probs.max():.0%} sure", delta_color="off")
        fig = go.Figure(go.Bar(x=list(range(10)), y=probs, marker_color="#4c78a8"))
        fig.update_layout(height=260, xaxis={"dtick": 1, "title": "digit"},
                          yaxis={"range": [0, 1], "tickformat": ".0%"}, margin={"l": 10, "r": 10, "t": 30, "b": 10},
                          title=f"Probabilities from {which}")
        b.plotly_chart(fig, key="dg_probs")


def digits_section() -> None:
    st.markdown("scikit-learn's **1,797 handwritten digits**, 8×8 pixels each. Choose an architecture and "
                "training settings, then watch the loss and accuracy curves as it trains.")
    cfg = _digits_config()
    train = st.button("Train", type="primary", key="dg_train", icon=":material/play_arrow:")
    trained = False
    with errors.guard(stop=False):
        cfg.check()
        cfg.train_config().check()
        if train:
            _train_digits(cfg)
            trained = True
    _digits_results(st.session_state.get("dg_config", cfg), trained)
    with errors.guard(stop=False):
        _try_digit()


# ---- 3. transfer learning ------------------------------------------------------------------------

@st.cache_data(show_spinner=False, max_entries=2)
def _example_faces(per_class: int = 30) -> dict[str, list[tuple[str, bytes]]]:
    """scikit-image's lfw_subset: 100 face crops then 100 non-face crops, 25x25 grayscale."""
    from PIL import Image
    from skimage import data

    crops = (data.lfw_subset() * 255).astype(np.uint8)
    def png(i: int) -> bytes:
        return vision.image_bytes(Image.fromarray(crops[i]).convert("RGB"))
    return {"face": [(f"face_{i}.png", png(i)) for i in range(per_class)],
            "not a face": [(f"other_{i}.png", png(100 + i)) for i in range(per_class)]}


def _transfer_inputs() -> vision.LabelledImages | None:
    source = st.radio("Images", ["Example: faces vs. not faces", "Upload per class", "One zip, a folder per class"],
                      horizontal=True, key="tl_source")
    if source.startswith("Example"):
        st.caption("30 face crops and 30 other crops from scikit-image's bundled `lfw_subset`.")
        return vision.collect_classes(_example_faces())
    if source == "Upload per class":
        n = st.number_input("Number of classes", 2, 8, 2, key="tl_n_classes")
        groups: dict[str, list[tuple[str, bytes]]] = {}
        cols = st.columns(min(int(n), 4))
        for i in range(int(n)):
            with cols[i % len(cols)]:
                name = st.text_input(f"Class {i + 1} name", f"class {i + 1}", key=f"tl_name_{i}")
                files = st.file_uploader(f"Images of class {i + 1}", type=IMAGE_TYPES, accept_multiple_files=True,
                                         key=f"tl_files_{i}")
                if name.strip() in groups:
                    raise InputError(f"Two classes are both called {name.strip()!r}; rename one.")
                groups[name.strip() or f"class {i + 1}"] = [(f.name, f.getvalue()) for f in files or []]
        if not any(groups.values()):
            st.info(f"Upload at least {vision.MIN_PER_CLASS} images for each class.")
            return None
        return vision.collect_classes(groups)
    upload = st.file_uploader("A zip with one folder per class (e.g. cats/1.jpg, dogs/1.jpg)", type=["zip"],
                              key="tl_zip")
    if upload is None:
        st.info("Upload a zip archive with one folder of images per class.")
        return None
    return vision.classes_from_zip(upload.getvalue(), name=upload.name)


def _features(data: vision.LabelledImages) -> np.ndarray:
    key = views.digest(*[vision.image_bytes(im.resize((32, 32))) for im in data.images],
                       str(data.labels).encode())
    cached = st.session_state.get("tl_features")
    if cached is None or cached[0] != key:
        with st.spinner(f"Extracting features of {len(data.images)} images with the frozen CNN…"):
            feats = vision.embed(data.images, loaders.model("efficientnet-lite0"))
        st.session_state["tl_features"] = (key, feats)
    return st.session_state["tl_features"][1]


def _train_transfer(data: vision.LabelledImages, cfg: vision.HeadConfig) -> None:
    feats = _features(data)
    st.session_state["tl_trained_on"] = (feats, list(data.labels), list(data.classes), cfg)
    run_ui = live.LiveTraining(TRANSFER, cfg.epochs, title="Classifier head")
    params = {**asdict(cfg), "classes": ", ".join(data.classes), "images": len(data.images)}
    with tracking.start_run("vision/transfer-head", params, seed=cfg.seed, source="app") as run:
        result = vision.train_head(feats, data.labels, data.classes, cfg, callbacks=[run_ui, run.callback])
        run.log_final({"val_accuracy": result.val_accuracy}, model=result.head, extra={"classes": data.classes})
    run_ui.finish(result.head, result.fit, extra={"classes": data.classes})


def _transfer_results(just_trained: bool) -> None:
    state = live.state(TRANSFER) if just_trained else live.show_history(TRANSFER)
    trained_on = st.session_state.get("tl_trained_on")
    if state is None or state.model is None or trained_on is None:
        return
    feats, labels, classes, cfg = trained_on
    _, val = vision.split_indices(labels, cfg.val_fraction, cfg.seed)
    y_val = np.asarray(labels)[val]
    pred = vision.predict_head(state.model, feats[val]).argmax(1)
    from sklearn.metrics import confusion_matrix

    left, right = st.columns(2)
    with left:
        st.metric("Validation accuracy", f"{(pred == y_val).mean():.1%}", f"{len(val)} held-out images",
                  delta_color="off")
        st.download_button("Download the trained head (safetensors + labels)",
                           vision.head_to_bytes(state.model, classes), "vision_head.safetensors",
                           "application/octet-stream", key="tl_download", icon=":material/download:")
        st.caption("The labels are stored in the file's metadata; the features come from EfficientNet-Lite0 "
                   "(average-pooled, 1,280 numbers per image).")
    right.plotly_chart(charts.confusion_figure(confusion_matrix(y_val, pred, labels=range(len(classes))), classes,
                                               "Confusion matrix (validation)"), key="tl_confusion")
    st.subheader("Classify new images with your classifier")
    files = st.file_uploader("New images", type=IMAGE_TYPES, accept_multiple_files=True, key="tl_new")
    if files:
        images = [inputs.read_image(f, name=f.name) for f in files]
        preds = vision.classify_with_head(images, loaders.model("efficientnet-lite0"), state.model, classes)
        table = pd.DataFrame(vision.results_table([f.name for f in files], preds))
        table.insert(1, "photo", [views.thumbnail_uri(im) for im in images])
        st.dataframe(table, hide_index=True, key="tl_new_table",
                     column_config={"photo": st.column_config.ImageColumn("photo", width="small")})


def transfer_section() -> None:
    st.markdown("Reuse the pretrained CNN as a **frozen feature extractor** and train only a small head on "
                "your own classes: a few images per class are often enough, because the features already "
                "describe shapes and textures.")
    with errors.guard(stop=False):
        data = _transfer_inputs()
        c = st.columns(3)
        epochs = c[0].slider("Epochs", 5, 200, 40, key="tl_epochs")
        lr = c[1].select_slider("Learning rate", [1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2], 3e-3, key="tl_lr")
        val = c[2].slider("Validation share", 0.1, 0.5, 0.25, 0.05, key="tl_val")
        if data is not None:
            errors.notices(data.notices)
            st.caption("Images per class: " + ", ".join(f"{k}: {v}" for k, v in data.counts().items()))
        if st.button("Train the classifier", type="primary", key="tl_train", icon=":material/play_arrow:",
                     disabled=data is None):
            _train_transfer(data, vision.HeadConfig(epochs=epochs, lr=lr, val_fraction=val))
            st.session_state["tl_just_trained"] = True
    with errors.guard(stop=False):
        _transfer_results(st.session_state.pop("tl_just_trained", False))


# ---- 4. semi-supervised --------------------------------------------------------------------------

@st.cache_data(show_spinner="Training supervised and semi-supervised models…", max_entries=16)
def _semi_curve(ns: tuple[int, ...], methods: tuple[str, ...], seed: int) -> dict:
    return asdict(vision_digits.semi_supervised_curve(ns, methods, seed=seed))


def semi_section() -> None:
    st.markdown("Labels are expensive, unlabelled images are cheap. With only **N labelled digits**, compare "
                "a classifier trained on those N alone with semi-supervised methods that also use the other "
                "(unlabelled) training digits. All work on the same 30-d PCA embedding of the pixels.")
    c = st.columns(3)
    n = c[0].slider("Labelled examples N", 10, 500, 50, 10, key="ss_n")
    methods = c[1].multiselect("Semi-supervised methods", ["label spreading", "self-training"],
                               ["label spreading", "self-training"], key="ss_methods")
    seed = c[2].number_input("Seed", 0, 10_000, 0, key="ss_seed")
    ns = tuple(sorted({10, 20, 50, 100, 200, 500, int(n)}))
    res = _semi_curve(ns, tuple(methods), int(seed))
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=res["n_labels"], y=res["supervised"], name="supervised only (logistic regression)",
                             mode="lines+markers"))
    for m, acc in res["semi"].items():
        fig.add_trace(go.Scatter(x=res["n_labels"], y=acc, name=m, mode="lines+markers"))
    # A marker trace, not add_vline: shapes on log axes are placed in log10 units and wreck the range.
    fig.add_trace(go.Scatter(x=[int(n), int(n)], y=[0, 1], mode="lines", name=f"N = {int(n)}",
                             line={"dash": "dot", "color": "grey"}, hoverinfo="skip"))
    lows = [min(v) for v in [res["supervised"], *res["semi"].values()]]
    fig.update_layout(xaxis={"type": "log", "title": "labelled training digits (log scale)"},
                      yaxis_range=[max(0.0, min(lows) - 0.05), 1.0],
                      yaxis_title="test accuracy", yaxis_tickformat=".0%", height=380,
                      margin={"l": 10, "r": 10, "t": 30, "b": 10}, legend={"orientation": "h", "y": -0.25})
    st.plotly_chart(fig, key="ss_plot")
    i = res["n_labels"].index(int(n))
    cols = st.columns(1 + len(res["semi"]))
    cols[0].metric(f"Supervised only, N = {int(n)}", f"{res['supervised'][i]:.1%}")
    for col, (m, acc) in zip(cols[1:], res["semi"].items()):
        col.metric(m.capitalize(), f"{acc[i]:.1%}", f"{acc[i] - res['supervised'][i]:+.1%}")
    st.caption(f"{res['n_unlabelled']:,} training digits ({int(n)} labelled), {res['n_test']} test digits. "
               "Label spreading passes labels along a nearest-neighbour graph; self-training adds the "
               "classifier's own confident predictions (pseudo-labels) as labels and refits; when the first "
               "classifier is weak, its confident mistakes get reinforced (confirmation bias).")


# Tabs track state (only the open one runs) and live in the URL (?vision_tab=...), so they can be linked.
tabs = st.tabs(TABS, key="vision_tab", on_change="rerun", bind="query-params")
sections = [photo_section, digits_section, transfer_section, semi_section]
for tab, section in zip(tabs, sections):
    # Only the open tab runs (tabs track state): hidden tabs cost nothing.
    if tab.open is False:
        continue
    with tab, errors.guard(stop=False):
        section()
