"""`python -m dl_core nlp ...`: sentiment, training, fine-tuning, generation, translation, search,
labels, summaries. Each command calls the same engine function the NLP page calls."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..cli import emit
from ..errors import InputError


def register(subparsers: argparse._SubParsersAction) -> None:
    nlp = subparsers.add_parser("nlp", help="language: sentiment, generation, translation, search")
    sub = nlp.add_subparsers(dest="nlp_command", required=True, metavar="ACTION")

    p = sub.add_parser("sentiment", help="label texts positive/negative (trains the head on first use)")
    p.add_argument("texts", nargs="*", metavar="TEXT")
    p.add_argument("--file", type=Path, help=".txt (one text per line) or .csv file")
    p.add_argument("--column", help="CSV column holding the texts (default: the most text-like one)")
    p.add_argument("--label-column", metavar="L",
                   help="CSV column holding the true labels (pos/neg, positive/negative or 1/0): adds an "
                        "evaluation of the model and of the TF-IDF baseline against them")
    p.add_argument("--reviews", type=int, default=None,
                   help="reviews to train on if the head is not trained yet (default: all 12,808)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=_sentiment)

    p = sub.add_parser("train", help="(re)train the sentiment head on the Rotten Tomatoes reviews and save it")
    p.add_argument("--reviews", type=int, default=None, help="subset size (default: all 12,808)")
    p.add_argument("--hidden", type=int, default=256, help="head size; 0 = linear")
    p.add_argument("--epochs", type=int, default=30)
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=_train)

    p = sub.add_parser("finetune", help="fine-tune MiniLM's top layers with the saved head (not saved)")
    p.add_argument("--layers", type=int, default=2, help="top transformer layers to unfreeze (1-6)")
    p.add_argument("--steps", type=int, default=40, help="batches per epoch")
    p.add_argument("--epochs", type=int, default=2)
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument("--lr", type=float, default=3e-5, help="encoder learning rate")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=_finetune)

    p = sub.add_parser("generate", help="generate text with SmolLM2-135M-Instruct")
    p.add_argument("prompt")
    p.add_argument("--max-new-tokens", type=int, default=80)
    p.add_argument("--temperature", type=float, default=0.7, help="0 = greedy")
    p.add_argument("--top-k", type=int, default=50)
    p.add_argument("--top-p", type=float, default=0.9)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--no-chat", action="store_true", help="plain continuation instead of instruction mode")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=_generate)

    p = sub.add_parser("translate", help="translate EN<->PT offline (other pairs: optional hub models)")
    p.add_argument("text")
    p.add_argument("--src", default="en")
    p.add_argument("--tgt", default="pt")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=_translate)

    p = sub.add_parser("search", help="semantic search over documents (.txt/.md/.csv file or folder)")
    p.add_argument("--docs", type=Path, required=True)
    p.add_argument("--query", required=True)
    p.add_argument("--top-k", type=int, default=5)
    p.add_argument("--column", help="CSV column holding the passages")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=_search)

    p = sub.add_parser("zero-shot", help="classify texts into your own labels (no training)")
    p.add_argument("texts", nargs="+", metavar="TEXT")
    p.add_argument("--labels", required=True, help="comma-separated, e.g. 'sports, politics, food'")
    p.add_argument("--template", default=None, help="label description; {} is replaced by the label")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=_zero_shot)

    p = sub.add_parser("summarize", help="extractive summary (MiniLM sentence centrality)")
    p.add_argument("--file", type=Path, required=True)
    p.add_argument("--sentences", type=int, default=3)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=_summarize)


def _encoder():
    from .. import device, registry
    from .embeddings import ENCODER

    return registry.load(ENCODER, device.get())


def _read(path: Path) -> bytes:
    from .. import inputs

    return inputs.read_bytes(path, inputs.CSV_MAX_BYTES, path.name)


def _note(message: str) -> None:
    print(f"note: {message}", file=sys.stderr)


def _progress():
    from .embeddings import RateEstimate

    estimate = RateEstimate("reviews")

    def show(done: int, total: int) -> None:
        print(f"\rembedding {estimate.update(done, total)}   ", end="" if done < total else "\n", file=sys.stderr)

    return show


def _waiting() -> None:
    _note("another process is building this right now; waiting for it to finish…")


def _sentiment(args: argparse.Namespace) -> int:
    from .. import training
    from .evaluation import sentiment_labels
    from .sentiment import default_sentiment_model
    from .texts import clean_texts, texts_from_upload

    texts = list(args.texts)
    truth = None
    if args.label_column is not None and args.file is None:
        raise InputError("--label-column reads the true labels from a CSV file: give the file with --file PATH.")
    if args.file is not None:
        got = texts_from_upload(_read(args.file), args.file.name, args.column, label_column=args.label_column)
        for n in got.notices:
            _note(n)
        if args.label_column is not None:  # texts given as arguments have no label: left out of the evaluation
            truth = [None] * len(texts) + sentiment_labels(got.label_values, args.label_column)
        elif [c for c in got.label_columns if c != got.column]:
            found = [c for c in got.label_columns if c != got.column][0]
            _note(f"column {found!r} looks like sentiment labels; add --label-column {found} to compare the "
                  "predictions with them")
        texts += got.texts
    if not texts:
        raise InputError("Give texts as arguments or a file with --file PATH.")
    texts = clean_texts(texts)
    model = default_sentiment_model(_encoder(), n_reviews=args.reviews, caller="cli", progress=_progress(),
                                    callbacks=[training.ProgressBar("training the sentiment head")],
                                    on_wait=_waiting)
    if truth is not None:
        return _sentiment_evaluated(model, texts, truth, args)
    rows = [{"text": p.text, "label": p.label, "score": round(p.score, 6)} for p in model.predict(texts)]
    if args.json:
        emit(rows, True)
    else:
        for r in rows:
            print(f"{r['label']:<9} {r['score']:.3f}  {r['text']}")
    return 0


def _sentiment_evaluated(model, texts: list[str], truth: list[str | None], args: argparse.Namespace) -> int:
    """Predictions as without labels, plus the model and the TF-IDF baseline scored against `truth`."""
    from .evaluation import evaluate_sentiment
    from .sentiment import compare_with_baseline

    frame = compare_with_baseline(model, texts)
    rows = [{"text": t, "label": label, "score": round(float(c), 6)}
            for t, label, c in zip(frame["text"], frame["label"], frame["confidence"])]
    ev = evaluate_sentiment(frame["text"], truth, frame["label"], frame["TF-IDF says"], column=args.label_column)
    for n in ev.notices:
        _note(n)
    if args.json:
        emit({"predictions": rows, "evaluation": ev.as_dict()}, True)
        return 0
    for r in rows:
        print(f"{r['label']:<9} {r['score']:.3f}  {r['text']}")

    def num(x: float | None) -> str:
        return "   -" if x is None else f"{x:.3f}"

    print(f"\nagainst column {args.label_column!r}: {ev.rows:,} labelled texts"
          + (f" ({ev.skipped:,} without a label left out)" if ev.skipped else ""))
    print(f"{'':<21}{'model':>8}{'TF-IDF':>8}")
    print(f"{'accuracy':<21}{num(ev.model.accuracy):>8}{num(ev.baseline.accuracy):>8}")
    for c in ev.labels:
        for k in ("precision", "recall", "f1"):
            print(f"{c + ' ' + k:<21}{num(ev.model.per_class[c][k]):>8}{num(ev.baseline.per_class[c][k]):>8}")
    right = sum(d.right == "model" for d in ev.disagreements)
    print(f"the two disagree on {len(ev.disagreements):,} texts: the model is right on {right:,}, "
          f"TF-IDF on {len(ev.disagreements) - right:,}")
    return 0


def _train(args: argparse.Namespace) -> int:
    from .. import training
    from .reviews import load_review_set
    from .sentiment import SentimentConfig, save_sentiment, train_sentiment_head

    config = SentimentConfig(hidden=args.hidden, epochs=args.epochs, lr=args.lr, seed=args.seed)
    config.check()
    trained = train_sentiment_head(load_review_set(args.reviews), config, encoder=_encoder(), caller="cli",
                                   callbacks=[training.ProgressBar("training the sentiment head")],
                                   progress=_progress(), on_wait=_waiting)
    if trained.history and not trained.fit.cancelled:
        save_sentiment(trained.model)
    emit(trained.details["report"], args.json)
    return 0


def _finetune(args: argparse.Namespace) -> int:
    from .. import training
    from .finetune import FinetuneConfig, train_finetuned_encoder
    from .reviews import load_review_set
    from .sentiment import default_sentiment_model

    config = FinetuneConfig(layers=args.layers, steps_per_epoch=args.steps, epochs=args.epochs,
                            batch_size=args.batch_size, lr=args.lr, seed=args.seed)
    config.check()
    base = default_sentiment_model(_encoder(), caller="cli", progress=_progress(), on_wait=_waiting,
                                   callbacks=[training.ProgressBar("training the sentiment head")])
    trained = train_finetuned_encoder(load_review_set(base.n_reviews), config, base=base, caller="cli",
                                      callbacks=[training.ProgressBar("fine-tuning the encoder")])
    emit(trained.details["report"], args.json)
    return 0


def _generate(args: argparse.Namespace) -> int:
    from .. import device, registry
    from .generation import GenerationConfig, end_at_sentence, stream

    config = GenerationConfig(max_new_tokens=args.max_new_tokens, temperature=args.temperature,
                              top_k=args.top_k, top_p=args.top_p, seed=args.seed, chat=not args.no_chat)
    config.check()
    lm = registry.load("smollm2-135m-instruct", device.get())
    pieces = stream(lm, args.prompt, config)
    if args.json:
        result = pieces.result()
    else:
        for piece in pieces:
            print(piece, end="", flush=True)
        print()
        result = end_at_sentence(pieces.text, pieces.hit_limit, config.max_new_tokens)
    if result.note:
        _note(result.note)
    if args.json:
        emit({"text": result.text}, True)
    return 0


def _translate(args: argparse.Namespace) -> int:
    from .translation import translate

    translation, notices = translate(args.text, args.src, args.tgt)
    for n in notices:
        _note(n)
    emit({"translation": translation} if args.json else translation, args.json)
    return 0


def _search(args: argparse.Namespace) -> int:
    from .similarity import search
    from .texts import TEXT_SUFFIXES, documents_from_upload

    path: Path = args.docs
    if path.is_dir():
        files = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in TEXT_SUFFIXES)
        if not files:
            raise InputError(f"{path} holds no .txt, .md or .csv files.")
    elif path.is_file():
        files = [path]
    else:
        raise InputError(f"{path}: no such file or folder; check the path.")
    passages, notices = documents_from_upload([(str(p), _read(p)) for p in files], args.column)
    for n in notices:
        _note(n)
    hits = search(_encoder(), passages, args.query, top_k=args.top_k)
    rows = [{"rank": h.rank, "score": round(h.score, 6), "document": h.document, "passage": h.passage} for h in hits]
    if args.json:
        emit(rows, True)
    else:
        for r in rows:
            print(f"{r['rank']:>2}. {r['score']:.3f}  [{r['document']}] {r['passage']}")
    return 0


def _zero_shot(args: argparse.Namespace) -> int:
    from .zero_shot import DEFAULT_TEMPLATE, zero_shot_labels

    template = DEFAULT_TEMPLATE if args.template is None else args.template
    res = zero_shot_labels(_encoder(), args.texts, args.labels, template)
    rows = [{"text": t, "label": label, "score": round(score, 6),
             "scores": {lab: round(float(p), 6) for lab, p in zip(res.labels, probs)}}
            for t, (label, score), probs in zip(res.texts, res.best(), res.probability)]
    emit(rows, args.json)
    return 0


def _summarize(args: argparse.Namespace) -> int:
    from .. import inputs
    from .summaries import extractive_summary

    text = inputs.read_text(args.file)
    summary = extractive_summary(_encoder(), text.text, args.sentences)
    emit({"summary": summary.text, "sentences": summary.sentences} if args.json else summary.text, args.json)
    return 0
