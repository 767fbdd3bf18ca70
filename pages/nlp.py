"""Language (NLP): sentiment, your own labels, semantic search, generation, translation, summaries and a
look inside the transformer. Everything runs offline on bundled models; hub models are optional extras.

Heavy work only happens behind buttons; results live in st.session_state so that moving a slider in
one tab never recomputes another tab.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

import ui.training as live
from dl_core import inputs, nlp, nlp_text
from dl_core import nlp_generate as gen
from dl_core.errors import InputError
from ui import cards, errors, loaders
from ui import nlp_views as views

S = st.session_state
RUN_NAME = "nlp_sentiment"  # ui.training key of a person's own retrained head
FT_NAME = "nlp_finetune"
DEFAULT_REVIEWS = "A gorgeous, witty film with a heart, although the last act drags a little."
EXAMPLE_TEXTS = ("The battery died after two days and support never answered.\n"
                 "An absolute delight from start to finish.\n"
                 "I expected more from such a talented cast.")

st.title("Language (NLP)")
st.caption("Sentence embeddings from a frozen MiniLM transformer, a head trained here on 12,808 Rotten Tomatoes "
           "review snippets, SmolLM2 for generation and Bergamot for EN↔PT translation, all offline.")


# ---- shared helpers ----------------------------------------------------------------------------------

def encoder():
    return loaders.model(nlp.ENCODER)


@st.cache_resource(show_spinner="Training the TF-IDF baseline (once per server)…", max_entries=4)
def baseline_model(n_reviews: int | None) -> nlp.TfidfBaseline:
    """TF-IDF + logistic regression on the same training split as the head (deterministic, shared)."""
    reviews = nlp.load_reviews(n_reviews)
    split = nlp.split_indices(reviews["label"].to_numpy())
    return nlp.fit_baseline(reviews["text"].iloc[split.train].tolist(), reviews["label"].to_numpy()[split.train])


def default_model() -> nlp.SentimentModel:
    """The head saved on disk (shared by everyone); trained here on first use, with progress shown."""
    report = nlp.saved_report()
    if report is None:
        st.info("First use: the sentiment head is trained once on all 12,808 reviews and saved. Embedding the "
                "reviews with MiniLM takes about a minute on a recent laptop (several on 2 slow cores); "
                "the embeddings are cached, so later retraining takes seconds.", icon=":material/school:")
        bar = st.progress(0.0, text="Embedding reviews…")
        run = live.LiveTraining(RUN_NAME + "_default", nlp.SentimentConfig().epochs, "Sentiment head (first use)",
                                stop_button=False)
        model = nlp.ensure_sentiment(encoder(), callbacks=[run],
                                     progress=lambda d, t: bar.progress(d / t, text=f"Embedding reviews {d:,}/{t:,}"))
        return model
    return nlp.head_from_store(encoder())


def my_model(name: str) -> nlp.SentimentModel | None:
    """A person's own retrained head (possibly stopped part-way) or fine-tuned model, if any."""
    state = live.state(name)
    if state is None or state.model is None:
        return None
    if isinstance(state.model, nlp.SentimentModel):
        return state.model
    if name == RUN_NAME:  # a stopped run keeps the bare head module
        return nlp.SentimentModel(encoder=encoder(), head=state.model.eval())
    return None


def report_metrics(report: dict, title: str) -> None:
    st.markdown(f"**{title}** · trained on {report['n_train']:,} reviews, tested on {report['n_test']:,} held-out")
    c = st.columns(4)
    c[0].metric("MiniLM, held-out", f"{report['test_accuracy']:.1%}")
    c[1].metric("TF-IDF, held-out", f"{report['baseline_accuracy']:.1%}",
                help="TF-IDF of words and bigrams + logistic regression, trained on exactly the same split.")
    c[2].metric("MiniLM, other domains", f"{report['ood_accuracy']:.1%}",
                help="40 hand-written sentences about products, food, travel, work (assets/nlp/out_of_domain.csv).")
    c[3].metric("TF-IDF, other domains", f"{report['baseline_ood_accuracy']:.1%}")


# ---- 1. sentiment ------------------------------------------------------------------------------------

def sentiment_tab() -> None:
    report = nlp.saved_report()
    if report:
        report_metrics(report, "Default model")
        st.caption("In-domain, a bag-of-words baseline is strong on short film reviews. The transformer earns its "
                   "keep on text unlike the training reviews: compare both on your own sentences below.")
    source = st.radio("Input", ["Type text", "Upload a file"], horizontal=True, key="nlp_sent_source")
    texts: list[str] = []
    with errors.guard():
        if source == "Type text":
            typed = st.text_area("One text per line", DEFAULT_REVIEWS, height=110, key="nlp_sent_text")
        else:
            up = st.file_uploader(".txt (one text per line) or .csv", type=["txt", "csv"], key="nlp_sent_file")
            if up is not None:
                got = nlp_text.texts_from_upload(up.getvalue(), up.name)
                if got.columns:  # a CSV: let the person pick the column (default: the most text-like)
                    column = st.selectbox("Column with the texts", got.columns, index=got.columns.index(got.column),
                                          key="nlp_sent_column")
                    got = nlp_text.texts_from_upload(up.getvalue(), up.name, column)
                errors.notices(got.notices)
                texts = got.texts
    choices = ["Default (trained here)"]
    if my_model(RUN_NAME) is not None:
        choices.append("My retrained head")
    if S.get("nlp_ft_result") is not None:
        choices.append("My fine-tuned encoder")
    choices.append("DistilBERT SST-2 (online download)")
    which = st.radio("Model", choices, horizontal=True, key="nlp_sent_model")
    if st.button("Analyse sentiment", type="primary", key="nlp_sent_go", icon=":material/psychology:"):
        with errors.guard():
            if source == "Type text":
                checked = inputs.check_text(typed)
                errors.notices(checked.notices)
                texts = [t for t in checked.text.splitlines() if t.strip()] or [checked.text]
            texts = nlp.clean_texts(texts)
            S["nlp_sent_out"] = analyse(texts, which)
    out = S.get("nlp_sent_out")
    if out is not None:
        show_sentiment(out)
    with st.expander("Retrain the head (your own settings)", icon=":material/tune:"):
        retrain_form()
    with st.expander("Fine-tune the encoder's top layers", icon=":material/model_training:"):
        finetune_form()
    cards.model_card("minilm-sentiment")


def analyse(texts: list[str], which: str) -> dict:
    if which.startswith("DistilBERT"):
        pipe = loaders.model("distilbert-sst2")
        rows = [{"text": p.text, "label": p.label, "confidence": p.score}
                for p in nlp.pipeline_predictions(pipe, texts)]
        return {"frame": pd.DataFrame(rows), "model": which, "single": None}
    model = {"My retrained head": lambda: my_model(RUN_NAME),
             "My fine-tuned encoder": lambda: S["nlp_ft_result"].model}.get(which, default_model)()
    preds = model.predict(texts)
    n_reviews = (model.meta.get("config") or {}).get("n_reviews")
    base = baseline_model(n_reviews).proba(texts)
    frame = pd.DataFrame({"text": [p.text for p in preds], "label": [p.label for p in preds],
                          "confidence": [p.score for p in preds],
                          "TF-IDF says": [nlp.LABELS[int(b.argmax())] for b in base],
                          "TF-IDF confidence": base.max(1)})
    single = None
    if len(texts) == 1:
        with st.spinner("Which words pushed the decision? (integrated gradients)"):
            single = nlp.word_attributions(model, texts[0])
    return {"frame": frame, "model": which, "single": single}


def show_sentiment(out: dict) -> None:
    frame: pd.DataFrame = out["frame"]
    st.markdown(f"**Results** ({out['model']})")
    if out["single"] is not None:
        pred, words = out["single"]
        st.metric("Sentiment", pred.label, f"{pred.score:.1%} confident", delta_color="off")
        st.html(views.highlight_words(pred.text, words, pred.label))
    st.dataframe(frame, hide_index=True, width="stretch", key="nlp_sent_table",
                 column_config={"confidence": st.column_config.ProgressColumn(min_value=0, max_value=1,
                                                                              format="percent"),
                                "TF-IDF confidence": st.column_config.NumberColumn(format="percent")})
    st.download_button("Download results (CSV)", frame.to_csv(index=False).encode(), "sentiment.csv", "text/csv",
                       key="nlp_sent_download", icon=":material/download:")


def retrain_form() -> None:
    c = st.columns(5)
    hidden = c[0].select_slider("Head size", [0, 32, 64, 128, 256, 512, 1024], 256, key="nlp_rt_hidden",
                                help="0 = a linear head (logistic regression on the embeddings)")
    epochs = c[1].slider("Epochs", 1, 100, 30, key="nlp_rt_epochs")
    lr = c[2].select_slider("Learning rate", [1e-4, 3e-4, 1e-3, 3e-3, 1e-2], 1e-3, key="nlp_rt_lr")
    seed = c[3].number_input("Seed", 0, 10_000, 0, key="nlp_rt_seed")
    n = c[4].select_slider("Reviews", [1_000, 2_000, 4_000, 8_000, "all"], "all", key="nlp_rt_reviews")
    if st.button("Train", key="nlp_rt_go", icon=":material/play_arrow:"):
        with errors.guard():
            config = nlp.SentimentConfig(n_reviews=None if n == "all" else int(n), hidden=int(hidden),
                                         epochs=int(epochs), lr=float(lr), seed=int(seed))
            bar = st.progress(0.0, text="Embedding reviews (cached after the first time)…")
            run = live.LiveTraining(RUN_NAME, config.epochs, "Your sentiment head")
            model, _, report, result = nlp.train_tracked(
                encoder(), config, callbacks=[run], save=False,
                progress=lambda d, t: bar.progress(d / t, text=f"Embedding reviews {d:,}/{t:,}"))
            run.finish(model, result, extra={"report": report.as_dict()})
    state = live.state(RUN_NAME)
    if state is not None and state.complete:
        live.show_history(RUN_NAME)
        report_metrics(state.extra["report"], "Your head")
    elif state is not None and state.history:
        live.show_history(RUN_NAME)


def finetune_form() -> None:
    from dl_core import nlp_finetune as ft

    st.caption("Unfreezes the top transformer layers and trains them with the head on the review texts. Each step "
               "runs MiniLM forwards and backwards: a GPU makes hundreds of steps practical; on a CPU keep it to tens. "
               "Testing on the held-out reviews re-encodes them (a minute or more on CPU).")
    c = st.columns(4)
    layers = c[0].slider("Layers to unfreeze", 1, 6, 2, key="nlp_ft_layers")
    steps = c[1].slider("Steps per epoch", 5, 400, 30, step=5, key="nlp_ft_steps")
    epochs = c[2].slider("Epochs", 1, 10, 2, key="nlp_ft_epochs")
    lr = c[3].select_slider("Encoder learning rate", [1e-5, 2e-5, 3e-5, 5e-5, 1e-4], 3e-5, key="nlp_ft_lr")
    if st.button("Fine-tune", key="nlp_ft_go", icon=":material/play_arrow:"):
        with errors.guard():
            base = default_model()
            config = ft.FinetuneConfig(layers=layers, steps_per_epoch=steps, epochs=epochs, lr=float(lr),
                                       n_reviews=(base.meta.get("config") or {}).get("n_reviews"))
            run = live.LiveTraining(FT_NAME, epochs, "Fine-tuning (validation on 256 reviews)")
            with st.spinner("Training, then testing on the held-out reviews…"):
                S["nlp_ft_result"] = result = ft.finetune(base, config, callbacks=[run])
            run.finish(result.model, result.fit, extra={"report": result.report.as_dict()})
    result = S.get("nlp_ft_result")
    if result is not None:
        r = result.report
        c = st.columns(3)
        c[0].metric("Fine-tuned, held-out", f"{r.test_accuracy:.1%}", f"{r.test_accuracy - r.frozen_test_accuracy:+.1%}"
                    " vs frozen")
        c[1].metric("Frozen encoder + head", f"{r.frozen_test_accuracy:.1%}")
        c[2].metric("TF-IDF + LR", f"{r.baseline_accuracy:.1%}")
        st.caption(f"{r.steps} steps in {r.seconds:.0f} s, tested on {r.n_test:,} reviews.")


# ---- 2. zero-shot labels -----------------------------------------------------------------------------

def zero_shot_tab() -> None:
    st.markdown("Classify texts into **any labels you type**: each text and each label description are embedded, "
                "and the closest label wins. No training.")
    texts = st.text_area("Texts (one per line)", EXAMPLE_TEXTS, height=110, key="nlp_zs_texts")
    labels = st.text_input("Labels (comma-separated)", "product problem, praise, disappointment", key="nlp_zs_labels")
    template = st.text_input("Label description template", "This text is about {}.", key="nlp_zs_template")
    if st.button("Classify", type="primary", key="nlp_zs_go"):
        with errors.guard():
            S["nlp_zs_out"] = nlp_text.zero_shot(encoder(), texts.splitlines() if texts.strip() else [texts],
                                                 labels, template)
    res = S.get("nlp_zs_out")
    if res is not None:
        names = [f"{lab} (label)" if lab.lower() in ("text", "best label") else lab for lab in res.labels]
        frame = pd.DataFrame(res.probability, columns=names)
        frame.insert(0, "best label", [b for b, _ in res.best()])
        frame.insert(0, "text", res.texts)
        st.dataframe(frame, hide_index=True, width="stretch", key="nlp_zs_table",
                     column_config={n: st.column_config.NumberColumn(format="percent") for n in names})
        st.plotly_chart(views.heatmap(res.similarity, res.labels, views.short(res.texts),
                                      "Cosine similarity of text and label", colorscale="Viridis"),
                        key="nlp_zs_heat")


# ---- 3. search, similarity, map ----------------------------------------------------------------------

def example_documents() -> list[tuple[str, bytes]]:
    folder = nlp.ASSETS / "documents"
    return [(p.name, p.read_bytes()) for p in sorted(folder.glob("*.md"))]


def search_tab() -> None:
    st.markdown("**Semantic search**: ranked passages by meaning, not by shared words.")
    ups = st.file_uploader("Your documents (.txt, .md, .csv); without any, three example guides are used",
                           type=["txt", "md", "csv"], accept_multiple_files=True, key="nlp_docs")
    query = st.text_input("Question", "How do I stop my chain from wearing out?", key="nlp_query")
    k = st.slider("Passages to show", 1, 20, 5, key="nlp_topk")
    if st.button("Search", type="primary", key="nlp_search_go", icon=":material/search:"):
        with errors.guard():
            files = [(u.name, u.getvalue()) for u in ups] if ups else example_documents()
            passages, notices = nlp_text.documents_from_upload(files)
            errors.notices(notices)
            emb = nlp.embed(encoder(), [p.text for p in passages], cache=False)
            hits = nlp_text.search(encoder(), passages, query, k, passage_embeddings=emb)
            S["nlp_search_out"] = {"hits": hits, "passages": passages, "emb": emb}
    out = S.get("nlp_search_out")
    if out is not None:
        st.dataframe(pd.DataFrame([h.__dict__ for h in out["hits"]]), hide_index=True, width="stretch",
                     key="nlp_search_table",
                     column_config={"score": st.column_config.ProgressColumn(min_value=0, max_value=1, format="%.3f")})
    st.divider()
    st.markdown("**Similarity heatmap** between a handful of sentences.")
    sentences = st.text_area("Sentences (one per line, 2 to 50)", "A man is playing the guitar.\n"
                             "Someone strums a song on a guitar.\nThe cat sleeps on the sofa.\n"
                             "A kitten is napping on the couch.\nInterest rates rose again this month.",
                             height=130, key="nlp_sim_text")
    if st.button("Compare", key="nlp_sim_go"):
        with errors.guard():
            lines = [s for s in sentences.splitlines() if s.strip()]
            S["nlp_sim_out"] = (lines, nlp_text.similarity_matrix(encoder(), lines))
    if S.get("nlp_sim_out") is not None:
        lines, sim = S["nlp_sim_out"]
        st.plotly_chart(views.heatmap(sim, views.short(lines, 28), views.short(lines, 28), "Cosine similarity",
                                      zmin=-0.1, zmax=1), key="nlp_sim_heat")
    st.divider()
    map_section()


def map_section() -> None:
    st.markdown("**2-D map** of embeddings: 384 dimensions squeezed to 2 (UMAP is not installed; PCA and t-SNE are).")
    c = st.columns(2)
    what = c[0].radio("Texts", ["512 reviews (coloured by sentiment)", "Passages of the searched documents"],
                      key="nlp_map_what")
    method = c[1].radio("Method", ["pca", "tsne"], format_func=str.upper, horizontal=True, key="nlp_map_method")
    if st.button("Draw map", key="nlp_map_go", icon=":material/scatter_plot:"):
        with errors.guard():
            if what.startswith("512"):
                reviews = nlp.load_reviews().iloc[: nlp.CHUNK]
                texts = reviews["text"].tolist()
                groups = [nlp.LABELS[y] for y in reviews["label"]]
                with st.spinner("Embedding 512 reviews (cached after the first time)…"):
                    emb = nlp.embed(encoder(), texts)
            else:
                out = S.get("nlp_search_out")
                if out is None:
                    raise InputError("Run a search first: the map shows the passages of its documents.")
                passages, emb = out["passages"], out["emb"]
                texts, groups = [p.text for p in passages], [p.document for p in passages]
            S["nlp_map_out"] = (nlp_text.project_2d(emb, method), texts, groups, method)
    if S.get("nlp_map_out") is not None:
        xy, texts, groups, method = S["nlp_map_out"]
        st.plotly_chart(views.scatter_map(xy, texts, groups, f"{method.upper()} of MiniLM embeddings"),
                        key="nlp_map_fig")


# ---- 4. generation -----------------------------------------------------------------------------------

def generate_tab() -> None:
    st.markdown("**SmolLM2-135M-Instruct**, a small chat model bundled offline. The first use loads it "
                "(about 20 s on a laptop; longer on slow machines); then it stays loaded.")
    prompt = st.text_area("Prompt", "Give me three tips for learning a new language.", height=90, key="nlp_gen_prompt")
    chat = st.toggle("Instruction (chat) mode", True, key="nlp_gen_chat",
                     help="On: the prompt is wrapped in the model's chat template. Off: plain text continuation.")
    c = st.columns(5)
    temperature = c[0].slider("Temperature", 0.0, 2.0, 0.7, 0.05, key="nlp_gen_temp", help="0 = always the top token")
    top_k = c[1].slider("Top-k", 0, 200, 50, key="nlp_gen_topk", help="0 = off")
    top_p = c[2].slider("Top-p", 0.05, 1.0, 0.9, 0.05, key="nlp_gen_topp")
    max_new = c[3].slider("Max new tokens", 1, 512, 100, key="nlp_gen_max")
    seed = c[4].number_input("Seed", 0, 100_000, 0, key="nlp_gen_seed")
    clicked = st.button("Generate", type="primary", key="nlp_gen_go", icon=":material/edit_note:")
    out = S.get("nlp_gen_out")
    if clicked:
        with errors.guard():
            config = gen.GenerationConfig(max_new_tokens=max_new, temperature=temperature, top_k=top_k, top_p=top_p,
                                          seed=int(seed), chat=chat)
            config.check()
            lm = loaders.model("smollm2-135m-instruct")
            _, notices = gen.prompt_ids(lm, prompt, chat)
            errors.notices(notices)
            cands = gen.next_token_distribution(lm, prompt, config)
            show_generation(cands, None)
            with st.container(border=True, key="nlp_gen_result"):
                text = st.write_stream(gen.stream(lm, prompt, config))  # tokens appear as they are produced
            S["nlp_gen_out"] = {"text": text if isinstance(text, str) else "".join(map(str, text)), "cands": cands}
    elif out is not None:
        show_generation(out["cands"], out["text"])
    cards.model_card("smollm2-135m-instruct")


def show_generation(cands: list, text: str | None) -> None:
    st.plotly_chart(views.probability_bars([x.token for x in cands], [x.probability for x in cands],
                                           [x.kept for x in cands]), key="nlp_gen_probs")
    if text is not None:
        with st.container(border=True, key="nlp_gen_result"):
            st.markdown(text)


# ---- 5. translation and summaries --------------------------------------------------------------------

PAIRS = {"English → Portuguese (offline)": ("en", "pt"), "Portuguese → English (offline)": ("pt", "en"),
         "English → German (online download)": ("en", "de"), "English → French (online download)": ("en", "fr"),
         "English → Spanish (online download)": ("en", "es")}


def translate_tab() -> None:
    st.markdown("**Translation** with the bundled Bergamot models (EN↔PT); other pairs download Helsinki-NLP "
                "opus-mt models from the Hugging Face Hub when online.")
    pair = st.selectbox("Direction", list(PAIRS), key="nlp_tr_pair")
    text = st.text_area("Text", "I love this city. The food is wonderful and the people are kind.", height=90,
                        key="nlp_tr_text")
    if st.button("Translate", type="primary", key="nlp_tr_go", icon=":material/translate:"):
        with errors.guard():
            src, tgt = PAIRS[pair]
            model = loaders.model(nlp_text.translation_model(src, tgt))
            translation, notices = nlp_text.translate(text, src, tgt, model)
            errors.notices(notices)
            S["nlp_tr_out"] = translation
    if S.get("nlp_tr_out"):
        st.success(S["nlp_tr_out"])
    st.divider()
    st.markdown("**Summaries**: extractive (the most central sentences, by MiniLM similarity) or abstractive "
                "(written by SmolLM2).")
    article = st.text_area("Text to summarise", (nlp.ASSETS / "article.txt").read_text(encoding="utf-8"), height=170,
                           key="nlp_sum_text")
    n = st.slider("Summary length (sentences)", 1, 10, 3, key="nlp_sum_n")
    c = st.columns(3)
    if c[0].button("Extractive summary", type="primary", key="nlp_sum_go"):
        with errors.guard():
            S["nlp_sum_out"] = nlp_text.extractive_summary(encoder(), article, n), nlp_text.split_sentences(article)
    if c[1].button("Abstractive (SmolLM2)", key="nlp_abs_go"):
        with errors.guard():
            S["nlp_abs_out"] = gen.abstractive_summary(loaders.model("smollm2-135m-instruct"), article)
    if c[2].button("DistilBART (online download)", key="nlp_bart_go"):
        with errors.guard():
            S["nlp_abs_out"] = loaders.model("distilbart-cnn")(article[:4000])[0]["summary_text"]
    if S.get("nlp_sum_out") is not None:
        summary, sentences = S["nlp_sum_out"]
        st.markdown(f"**Extractive:** {summary.text}")
        st.html(views.highlight_sentences(sentences[: len(summary.centrality)], set(summary.indices)))
    if S.get("nlp_abs_out"):
        st.markdown(f"**Abstractive:** {S['nlp_abs_out']}")


# ---- 6. attention ------------------------------------------------------------------------------------

def attention_tab() -> None:
    st.markdown("**Inside the transformer**: MiniLM has 6 layers of 12 attention heads. Each row shows where one "
                "token looks when building its new representation.")
    sentence = st.text_input("Sentence", "The animal didn't cross the street because it was too tired.",
                             key="nlp_att_text")
    if st.button("Show attention", type="primary", key="nlp_att_go"):
        with errors.guard():
            S["nlp_att_out"] = nlp_text.attention(encoder(), sentence)
    att = S.get("nlp_att_out")
    if att is not None:
        n_layers, n_heads = att.weights.shape[:2]
        c = st.columns(2)
        layer = c[0].slider("Layer", 1, n_layers, n_layers, key="nlp_att_layer")
        head = c[1].select_slider("Head", ["average", *range(1, n_heads + 1)], "average", key="nlp_att_head")
        w = att.weights[layer - 1].mean(0) if head == "average" else att.weights[layer - 1, int(head) - 1]
        labels = [f"{i}:{t}" for i, t in enumerate(att.tokens)]
        st.plotly_chart(views.heatmap(w, labels, labels, f"Layer {layer}, head {head}", zmin=0, text=False,
                                      colorscale="Viridis"), key="nlp_att_heat")
    cards.model_card(nlp.ENCODER)


tabs = st.tabs(["Sentiment", "Your own labels", "Search & similarity", "Generate", "Translate & summarise",
                "Attention"])
with tabs[0]:
    sentiment_tab()
with tabs[1]:
    zero_shot_tab()
with tabs[2]:
    search_tab()
with tabs[3]:
    generate_tab()
with tabs[4]:
    translate_tab()
with tabs[5]:
    attention_tab()
