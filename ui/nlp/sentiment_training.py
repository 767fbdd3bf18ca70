"""The Sentiment tab's two training forms: retrain the head with your own settings, and fine-tune
the encoder's top layers. Both call the one engine function of their model; results stay in this
person's session (the default model on disk is never replaced from the page)."""

from __future__ import annotations

from dataclasses import replace

import streamlit as st

import ui.training as live
from dl_core import nlp
from ui import actions, fragments, repeat, tuning

from .common import default_model, embedding_progress, encoder, report_metrics, waiting_note

RETRAIN = "nlp_sentiment"  # ui.training key of a person's own retrained head
FINETUNE = "nlp_finetune"
S = st.session_state


def retrained_model() -> nlp.SentimentModel | None:
    """A person's own retrained head (possibly stopped part-way), if any."""
    state = live.state(RETRAIN)
    if state is None or state.model is None:
        return None
    if isinstance(state.model, nlp.SentimentModel):
        return state.model
    # A stopped run keeps the bare head module; its baseline is the one of the same reviews.
    return nlp.SentimentModel(encoder=encoder(), head=state.model.eval(),
                              meta={"config": {"n_reviews": S.get("nlp_rt_n_reviews")}})


def finetuned_model() -> nlp.SentimentModel | None:
    trained = actions.kept("nlp_ft")
    return trained.model if trained is not None else None


def _retrain_shown() -> bool:
    """Whether results of the retrain settings are on the page: a head of yours (its curves, metrics and a
    choice of it above), a "Repeat with 3 seeds" table, or an Optuna sweep."""
    state = live.state(RETRAIN)
    return (state is not None and bool(state.history)) or repeat.kept("nlp_rt") is not None or "tuning::nlp" in S


def retrain_form() -> None:
    # The settings redraw alone while no result of theirs is shown (ui/fragments.py); Train is a full run.
    config, n_reviews = fragments.alone(_retrain_settings, _retrain_shown)
    # Optuna searches head size and learning rate (the same options as the sliders above) on these
    # reviews, epochs and seed; "Use the best settings" moves the two sliders.
    tuning.tune_section("nlp-sentiment", key="nlp", widget_keys={"hidden": "nlp_rt_hidden", "lr": "nlp_rt_lr"},
                        data=lambda: {"reviews": nlp.load_review_set(n_reviews), "base": config,
                                      "encoder": encoder(), "on_wait": waiting_note(),
                                      "progress": embedding_progress("Embedding reviews for the sweep (once)")})
    with st.container(horizontal=True):
        clicked = st.button("Train", key="nlp_rt_go", icon=":material/play_arrow:")
        again = repeat.button("nlp_rt")
    repeat.section("nlp_rt", again, seed=config.seed, settings=(config, n_reviews), epochs=config.epochs,
                   metric="test_accuracy", label="held-out accuracy", fmt=repeat.percent, title="Sentiment head",
                   train=lambda seed, callbacks, cancel: repeat_seed(replace(config, seed=seed), n_reviews, callbacks,
                                                                     cancel))
    actions.run("nlp_rt", clicked, lambda: retrain(config, n_reviews), stop=False)
    state = live.state(RETRAIN)
    if state is not None and state.history:
        live.show_history(RETRAIN)
        if state.complete:
            report_metrics(state.extra["report"], "Your head")


def _retrain_settings() -> tuple[nlp.SentimentConfig, int | None]:
    c = st.columns(5)
    # Each a fragment of its own (fragments.own): nothing in the section reads another.
    hidden = fragments.own(lambda: st.select_slider(
        "Head size", [0, 32, 64, 128, 256, 512, 1024], 256, key="nlp_rt_hidden",
        help="0 = a linear head (logistic regression on the embeddings)"), c[0])
    epochs = fragments.own(lambda: st.slider("Epochs", 1, 100, 30, key="nlp_rt_epochs"), c[1])
    lr = fragments.own(lambda: st.select_slider("Learning rate", [1e-4, 3e-4, 1e-3, 3e-3, 1e-2], 1e-3,
                                                key="nlp_rt_lr"), c[2])
    seed = fragments.own(lambda: st.number_input("Seed", 0, 10_000, 0, key="nlp_rt_seed"), c[3])
    n = fragments.own(lambda: st.select_slider("Reviews", [1_000, 2_000, 4_000, 8_000, "all"], "all",
                                               key="nlp_rt_reviews"), c[4])
    config = nlp.SentimentConfig(hidden=int(hidden), epochs=int(epochs), lr=float(lr), seed=int(seed))
    return config, None if n == "all" else int(n)


def retrain(config: nlp.SentimentConfig, n_reviews: int | None):
    """The page's call of the sentiment head's one engine function (the CLI's `nlp train` calls it too)."""
    S["nlp_rt_n_reviews"] = n_reviews
    reviews = nlp.load_review_set(n_reviews)
    progress = embedding_progress("Embedding reviews (cached after the first time)")
    run = live.LiveTraining(RETRAIN, config.epochs, "Your sentiment head")
    trained = nlp.train_sentiment_head(reviews, config, encoder=encoder(), callbacks=[run], progress=progress,
                                       on_wait=waiting_note(), caller="app")
    run.finish(trained.model, trained.fit, extra={"report": trained.details["report"]})
    return trained


def repeat_seed(config: nlp.SentimentConfig, n_reviews: int | None, callbacks, cancel):
    """One seed of "Repeat with 3 seeds": the head's engine call, as `retrain` makes it."""
    progress = embedding_progress("Embedding reviews (cached after the first time)")
    return nlp.train_sentiment_head(nlp.load_review_set(n_reviews), config, encoder=encoder(), callbacks=callbacks,
                                    cancel=cancel, progress=progress, on_wait=waiting_note(), caller="app")


def finetune_form() -> None:
    st.caption("Unfreezes the top transformer layers and trains them with the head on the review texts. Each step "
               "runs MiniLM forwards and backwards: a GPU makes hundreds of steps practical; on a CPU keep it to tens. "
               "Testing on the held-out reviews re-encodes them (a minute or more on CPU).")
    # The settings redraw alone while no fine-tuned model is shown (ui/fragments.py); Fine-tune is a full run.
    config = fragments.alone(_finetune_settings, lambda: finetuned_model() is not None
                             or live.state(FINETUNE) is not None)
    clicked = st.button("Fine-tune", key="nlp_ft_go", icon=":material/play_arrow:")
    trained = actions.run("nlp_ft", clicked, lambda: finetune(config))
    if trained is not None:
        r = trained.details["report"]
        c = st.columns(3)
        c[0].metric("Fine-tuned, held-out", f"{r['test_accuracy']:.1%}",
                    f"{r['test_accuracy'] - r['frozen_test_accuracy']:+.1%} vs frozen")
        c[1].metric("Frozen encoder + head", f"{r['frozen_test_accuracy']:.1%}")
        c[2].metric("TF-IDF + LR", f"{r['baseline_accuracy']:.1%}")
        st.caption(f"{r['steps']} steps in {r['seconds']:.0f} s, tested on {r['n_test']:,} reviews.")


def _finetune_settings() -> nlp.FinetuneConfig:
    c = st.columns(4)
    layers = fragments.own(lambda: st.slider("Layers to unfreeze", 1, 6, 2, key="nlp_ft_layers"), c[0])
    steps = fragments.own(lambda: st.slider("Steps per epoch", 5, 400, 30, step=5, key="nlp_ft_steps"), c[1])
    epochs = fragments.own(lambda: st.slider("Epochs", 1, 10, 2, key="nlp_ft_epochs"), c[2])
    lr = fragments.own(lambda: st.select_slider("Encoder learning rate", [1e-5, 2e-5, 3e-5, 5e-5, 1e-4], 3e-5,
                                                key="nlp_ft_lr"), c[3])
    return nlp.FinetuneConfig(layers=int(layers), steps_per_epoch=int(steps), epochs=int(epochs), lr=float(lr))


def finetune(config: nlp.FinetuneConfig):
    """The page's call of the fine-tuning's one engine function (the CLI's `nlp finetune` calls it too)."""
    config.check()
    base = default_model()
    run = live.LiveTraining(FINETUNE, config.epochs, f"Fine-tuning (validation on {config.val_size} reviews)")
    with st.spinner("Training, then testing on the held-out reviews…"):
        trained = nlp.train_finetuned_encoder(nlp.load_review_set(base.n_reviews), config, base=base,
                                              callbacks=[run], caller="app")
    run.finish(trained.model, trained.fit, extra={"report": trained.details["report"]})
    return trained
