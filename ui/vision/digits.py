"""Tab "Train a CNN on digits": settings → Train (live curves, Stop) → results → try your own digit.

One engine call trains, evaluates and logs (`vision.train_digits_cnn`, the same one the CLI uses);
this view draws what it returns. A training stopped half-way is shown from the partly trained model.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd
import streamlit as st

from dl_core import registry, vision
from ui import actions, charts, errors, fragments, loaders, repeat, tuning
from ui import training as live

from . import figures

LIVE = "vision_digits"  # ui.training state (live curves, partly trained model)
RESULT = "vision_digits"  # ui.actions: the last finished TrainedModel
KEPT = "vision_digits::upload"  # (file id, name, 8x8 digit) of the last good "try it" upload
DRAWN = "vision_digits::drawing"  # (canvas drawing, 8x8 digit) of the last digit drawn
REDRAWN = "vision_digits::redrawn"  # the drawing the canvas was put back with when it was last mounted
REPEAT = "digits"  # ui.repeat: the kept "Repeat with 3 seeds" result


def _config() -> vision.DigitsCNNConfig:
    d = vision.DigitsCNNConfig()
    c = st.columns(4)
    # Each a fragment of its own (fragments.own): none reads another, and their ranges are valid values.
    conv = fragments.own(lambda: st.slider("Conv layers", 1, 3, d.conv_layers, key="dg_conv"), c[0])
    filters = fragments.own(lambda: st.select_slider("Filters (first layer)", [4, 8, 16, 32, 64], d.filters,
                                                     key="dg_filters"), c[0])
    kernel = fragments.own(lambda: st.select_slider("Kernel size", [1, 3, 5], d.kernel_size, key="dg_kernel"), c[0])
    dropout = fragments.own(lambda: st.slider("Dropout", 0.0, 0.8, d.dropout, 0.05, key="dg_dropout"), c[1])
    lr = fragments.own(lambda: st.select_slider("Learning rate", [1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 0.1], d.lr,
                                                key="dg_lr"), c[1])
    batch = fragments.own(lambda: st.select_slider("Batch size", [8, 16, 32, 64, 128, 256], d.batch_size,
                                                   key="dg_batch"), c[1])
    epochs = fragments.own(lambda: st.slider("Epochs", 1, 60, d.epochs, key="dg_epochs"), c[2])
    frac = fragments.own(lambda: st.slider("Train fraction", 0.1, 0.9, d.train_fraction, 0.05, key="dg_frac",
                                           help="The rest is split half validation, half test."), c[2])
    augment = fragments.own(lambda: st.toggle("Augment (random 1-pixel shifts)", d.augment, key="dg_augment"), c[3])
    seed = fragments.own(lambda: st.number_input("Seed", 0, 10_000, d.seed, key="dg_seed"), c[3])
    return vision.DigitsCNNConfig(conv_layers=conv, filters=filters, kernel_size=kernel, dropout=dropout, lr=lr,
                                  batch_size=batch, epochs=epochs, train_fraction=frac, augment=augment,
                                  seed=int(seed))


def _settings() -> vision.DigitsCNNConfig:
    """The settings, and at once what is wrong with them (a bad setting shows before any click)."""
    cfg = _config()
    with errors.guard(stop=False):
        cfg.check()
    return cfg


def _results_shown() -> bool:
    """Whether something below reads the settings' current values: the "Repeat with 3 seeds" table (it says
    when the settings changed since). A training's results do not: they show the settings it was trained with."""
    return repeat.kept(REPEAT) is not None


def _train(cfg: vision.DigitsCNNConfig):
    st.session_state["dg_config"] = cfg  # what a stopped run's partly trained model was trained with
    run_ui = live.LiveTraining(LIVE, cfg.epochs, title="Digits CNN")
    result = vision.train_digits_cnn(None, cfg, callbacks=[run_ui], caller="app")
    run_ui.finish(result.model, result.fit, extra={"test_accuracy": result.metrics["test_accuracy"]})
    return result


@dataclass
class _Shown:
    """What the results section draws: a finished TrainedModel's details, or a stopped run's."""

    model: Any
    config: vision.DigitsCNNConfig
    report: vision.DigitsReport
    baselines: list[vision.BaselineResult]
    data: vision.DigitsData
    parameters: int
    seconds: float | None


def _shown() -> _Shown | None:
    state = live.show_history(LIVE)  # the curves (and a note if the run was stopped)
    result = actions.kept(RESULT)
    if state is not None and state.model is not None and state.stopped:
        cfg = st.session_state.get("dg_config", vision.DigitsCNNConfig())
        data = vision.load_digits_data(cfg.train_fraction, cfg.seed)  # the split it was trained on
        return _Shown(state.model, cfg, vision.evaluate_digits(state.model, data),
                      vision.shallow_baselines(data, cfg.seed), data, vision.count_parameters(state.model), None)
    if result is None:
        return None
    d = result.details
    return _Shown(result.model, d["config"], d["report"], d["baselines"], d["data"], d["parameters"], d["seconds"])


def _results(shown: _Shown) -> None:
    report, data = shown.report, shown.data
    m = st.columns(3)
    m[0].metric("CNN test accuracy", f"{report.accuracy:.1%}")
    m[1].metric("CNN parameters", f"{shown.parameters:,}")
    if shown.seconds is not None:
        m[2].metric("Training time", f"{shown.seconds:.1f} s")
    st.markdown("**The same test digits, fitted by shallow models on the raw 64 pixels**")
    compare = [{"model": f"CNN ({shown.config.conv_layers} conv layers)", "test accuracy": report.accuracy,
                "parameters": shown.parameters}] + [
        {"model": b.name, "test accuracy": b.test_accuracy, "parameters": b.parameters} for b in shown.baselines]
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
    shown_ids = report.mistakes[:16]
    if shown_ids:
        figures.digit_gallery(data.x_test[shown_ids, 0], [
            f"true {data.y_test[i]} → {report.predicted[i]} ({report.confidence[i]:.0%})" for i in shown_ids])
    else:
        st.success("No test digit is misclassified.")


def _digit_model(shown: _Shown | None):
    if shown is not None:
        return shown.model, "your trained CNN"
    if not registry.available("digits-cnn"):
        waiting = st.empty()
        with st.spinner("Training the default digits CNN once (a few seconds)…"):
            vision.ensure_digits_cnn(on_wait=lambda: waiting.info(
                "Another session is training the default digits CNN right now; waiting for it…",
                icon=":material/hourglass_top:"))
        waiting.empty()
        loaders.forget("digits-cnn")
    return loaders.model("digits-cnn"), "the default digits CNN (train your own above to use it here)"


def _forget_upload() -> None:
    """The person changed the uploader (another picture, or removed it): the kept digit goes."""
    st.session_state.pop(KEPT, None)


def _draw_instead() -> None:
    _forget_upload()
    st.session_state["dg_input"] = "Draw"


def _uploaded_digit() -> np.ndarray | None:
    """The 8x8 digit of the uploaded picture, or of the one uploaded earlier, or None.

    An uploader is empty again when its tab is reopened (only the open tab is drawn, ui/tabs.py): the
    8x8 digit read from the last upload is kept in this session (64 numbers; the picture is not)."""
    upload = st.file_uploader("A picture of one digit", type=vision.IMAGE_TYPES, key="dg_upload",
                              on_change=_forget_upload)
    kept = st.session_state.get(KEPT)
    if upload is not None:
        if kept is None or kept[0] != upload.file_id:  # read once per file, not on every rerun
            st.session_state.pop(KEPT, None)
            x8 = vision.digit_from_image(np.asarray(vision.read_photo(upload, name=upload.name)))
            kept = st.session_state[KEPT] = (upload.file_id, upload.name, x8)
        return kept[2]
    if kept is not None:
        st.caption(f"Using {kept[1]} (uploaded earlier); a new upload replaces it.")
        st.button("Draw instead", key="dg_upload_forget", on_click=_draw_instead, icon=":material/close:")
        return kept[2]
    st.caption("Dark on light or light on dark both work.")
    return None


def _drawn_digit(st_canvas: Callable[..., Any]) -> np.ndarray | None:
    """The digit on the canvas as 8x8, or None while it is empty.

    A canvas that was not drawn in the last run (another tab was open, or "Upload" was chosen) comes back
    empty: the drawing lived in the browser only. So the last drawing is kept in the session and put back
    as the canvas's initial drawing when it is mounted again (the same one for the whole visit: a changed
    initial drawing would reload the canvas under the pen). Until the browser sends the put-back drawing's
    pixels, the digit kept with it is used."""
    if "dg_canvas" not in st.session_state:  # not drawn in the last run: mounted afresh now
        st.session_state[REDRAWN] = st.session_state.get(DRAWN)
    redrawn = st.session_state.get(REDRAWN)
    canvas = st_canvas(stroke_width=28, stroke_color="#FFFFFF", background_color="#000000", width=200, height=200,
                       drawing_mode="freedraw", key="dg_canvas", return_image_data=True,
                       initial_drawing=redrawn[0] if redrawn else None)
    pixels = canvas.image_data
    if pixels is None:  # nothing from the browser yet: the put-back drawing, if any
        return redrawn[1] if redrawn else None
    if np.asarray(pixels)[..., :3].max() == 0:
        st.session_state.pop(DRAWN, None)  # wiped: nothing to put back
        return None
    x8 = vision.digit_from_image(pixels)
    st.session_state[DRAWN] = (canvas.json_data, x8)
    return x8


def _try_digit(shown: _Shown | None) -> None:
    st.subheader("Try it: draw a digit")
    how = st.radio("Input", ["Draw", "Upload a picture"], horizontal=True, key="dg_input")
    left, right = st.columns([1, 2])
    with left:
        if how == "Draw":
            from streamlit_drawable_canvas import st_canvas

            x8 = _drawn_digit(st_canvas)
            if x8 is None:
                st.caption("Draw one digit with the mouse, large and centred.")
                return
        else:
            x8 = _uploaded_digit()
            if x8 is None:
                return
    model, which = _digit_model(shown)
    probs = vision.predict_digits(model, x8)[0]
    with right:
        a, b = st.columns([1, 2])
        a.image(figures.digit_picture(x8, 16), caption="as the network sees it (8×8)")
        a.metric("Prediction", int(probs.argmax()), f"{probs.max():.0%} sure", delta_color="off")
        b.plotly_chart(figures.digit_probabilities_figure(probs, f"Probabilities from {which}"), key="dg_probs")


def show() -> None:
    st.markdown("scikit-learn's **1,797 handwritten digits**, 8×8 pixels each. Choose an architecture and "
                "training settings, then watch the loss and accuracy curves as it trains.")
    # The settings redraw alone unless the Repeat table below reads them (ui/fragments.py); Train, Repeat
    # and Tune are buttons: their click is a full run, which reads them.
    cfg = fragments.alone(_settings, _results_shown)
    # Trials train on this tab's epochs, split, augmentation and seed; Optuna picks the rest.
    tuning.tune_section("vision-digits", key="digits", data=lambda: {
        "data": vision.load_digits_data(cfg.train_fraction, cfg.seed), "base": cfg}, widget_keys={
        "conv_layers": "dg_conv", "filters": "dg_filters", "kernel_size": "dg_kernel", "dropout": "dg_dropout",
        "lr": "dg_lr", "batch_size": "dg_batch"})
    with st.container(horizontal=True):
        clicked = st.button("Train", type="primary", key="dg_train", icon=":material/play_arrow:")
        again = repeat.button(REPEAT)
    repeat.section(REPEAT, again, seed=cfg.seed, settings=cfg, epochs=cfg.epochs, metric="test_accuracy",
                   label="test accuracy", fmt=repeat.percent, title="Digits CNN",
                   train=lambda seed, callbacks, cancel: vision.train_digits_cnn(
                       None, replace(cfg, seed=seed), callbacks=callbacks, cancel=cancel, caller="app"))
    before = actions.kept(RESULT)
    if actions.run(RESULT, clicked, lambda: _train(cfg)) is not before:
        st.rerun()  # draw the finished run's results without the live view's Stop button
    shown = None
    with errors.guard(stop=False):
        shown = _shown()
        if shown is None:
            st.info("Press **Train** to watch the network learn: the curves update after every epoch.")
        else:
            _results(shown)
    with errors.guard(stop=False):
        _try_digit(shown)
