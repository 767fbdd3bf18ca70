"""NLP benchmarks: sentiment accuracy (head vs TF-IDF baseline), latency/throughput as ratios against the
bare encoder, and SmolLM2 generation speed. Timings are medians of repeats measured in one run.

    OMP_NUM_THREADS=1 .venv/bin/python bench/bench_nlp.py [--reviews N] [--skip-generation | --only-generation]
        [--finetune-steps N (per epoch, 2 epochs)]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from dl_core import device, nlp, registry  # noqa: E402


def median_time(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def bench_sentiment(encoder, n_reviews: int | None, finetune_steps: int) -> dict:
    estimate = nlp.RateEstimate("reviews")
    trained = nlp.train_sentiment_head(
        nlp.load_review_set(n_reviews), nlp.SentimentConfig(), encoder=encoder, caller="cli",
        progress=lambda d, t: print(f"\r  embedding {estimate.update(d, t)}   ", end="", file=sys.stderr))
    print(file=sys.stderr)
    model = trained.model
    out = {"sentiment": trained.details["report"]}
    reviews = nlp.load_reviews(n_reviews)["text"].tolist()
    one = reviews[0]
    batch = reviews[:256]
    bare = model.reader or encoder  # the encoder the head reads with (int8 on CPU): the plain call to beat
    bare.encode([one])  # warm-up
    t_bare = median_time(lambda: bare.encode([one]), 15)
    t_ours = median_time(lambda: model.predict([one]), 15)
    b_bare = median_time(lambda: bare.encode(batch), 3)
    b_ours = median_time(lambda: model.predict(batch), 3)
    out["latency"] = {"bare_encoder_ms": 1000 * t_bare, "sentiment_ms": 1000 * t_ours,
                      "ratio": t_ours / t_bare}
    out["throughput"] = {"bare_encoder_per_s": len(batch) / b_bare, "sentiment_per_s": len(batch) / b_ours,
                         "ratio_time": b_ours / b_bare}
    if finetune_steps:
        cfg = nlp.FinetuneConfig(steps_per_epoch=finetune_steps, epochs=2)
        ft = nlp.train_finetuned_encoder(nlp.load_review_set(n_reviews), cfg, base=model, caller="cli")
        out["finetune"] = ft.details["report"]
    return out


def bench_generation() -> dict:
    dev = device.get()
    t0 = time.perf_counter()
    lm = registry.load("smollm2-135m-instruct", dev)
    load_s = time.perf_counter() - t0
    cfg = nlp.GenerationConfig(max_new_tokens=48, temperature=0.0, seed=0)
    prompt = "Write two sentences about the sea."
    firsts, rates = [], []
    for _ in range(3):
        t0 = time.perf_counter()
        first = None
        pieces = []
        for piece in nlp.stream(lm, prompt, cfg):
            if first is None:
                first = time.perf_counter() - t0
            pieces.append(piece)
        total = time.perf_counter() - t0
        n_tokens = len(lm.tokenizer("".join(pieces), add_special_tokens=False)["input_ids"])
        firsts.append(first or total)
        rates.append(n_tokens / total)
    return {"generation": {"load_seconds": load_s, "first_token_ms": 1000 * statistics.median(firsts),
                           "tokens_per_s": statistics.median(rates), "device": str(dev)}}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reviews", type=int, default=None, help="subset size (default: all 12,808)")
    parser.add_argument("--skip-generation", action="store_true")
    parser.add_argument("--finetune-steps", type=int, default=0)
    parser.add_argument("--only-generation", action="store_true")
    args = parser.parse_args()
    info = device.describe()
    print(f"device: {info.label()} ({info.threads} threads)", file=sys.stderr)
    if args.only_generation:
        print(json.dumps(bench_generation(), indent=1, default=float))
        return
    encoder = registry.load(nlp.ENCODER, device.get())
    results = bench_sentiment(encoder, args.reviews, args.finetune_steps)
    if not args.skip_generation:
        results.update(bench_generation())
    print(json.dumps(results, indent=1, default=float))


if __name__ == "__main__":
    main()
