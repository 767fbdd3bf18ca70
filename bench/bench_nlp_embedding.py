"""How fast can the 12,808 reviews be embedded on this machine, and what does each shortcut cost in
held-out accuracy? Prints one table; every speed is a ratio against today's engine path, measured in
the same run with the options interleaved (round-robin), so a busy machine slows all alike.

    OMP_NUM_THREADS=1 .venv/bin/python bench/bench_nlp_embedding.py              # speed + accuracy
    OMP_NUM_THREADS=1 .venv/bin/python bench/bench_nlp_embedding.py --speed-only --sample 512 --rounds 2

Options (all produce L2-normalised mean-pooled MiniLM embeddings):
- today          the engine before this bench: chunks of 512 texts, each sorted by length, batches of 64
- sorted-bN      all texts sorted by length once, batches of N (less padding, fewer small batches)
- threads-2      sorted-b64 with 2 torch threads (the machine has 2 cores, shared with others)
- int8[-bN]      dynamic int8 quantization of MiniLM's Linear layers (torch.ao), sorted, batches of 64 (or N)
- bf16           MiniLM in bfloat16 (only fast on CPUs with native bf16: AVX512-BF16 / AMX)
- onnxruntime    MiniLM exported with torch.onnx and run by ONNX Runtime (needs the `onnx` package to export)

Accuracy: the default sentiment head (SentimentConfig()) trained and tested on each option's
embeddings of the first --reviews reviews, on the same fixed split, against today's. Options that are
numerically the same computation as today (sorting, batch size, threads) are checked by their largest
difference from today's embeddings instead of retraining. Run it on a quiet machine for the README,
and say the load (printed) next to the figures.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402

from dl_core import nlp, registry  # noqa: E402

Embedder = Callable[[list[str]], np.ndarray]


def today(encoder) -> Embedder:
    def run(texts: list[str]) -> np.ndarray:
        return np.concatenate([nlp.encode_sorted(encoder, texts[s : s + 512], 64) for s in range(0, len(texts), 512)])
    return run


def sorted_batches(encoder, batch: int) -> Embedder:
    return lambda texts: nlp.encode_sorted(encoder, texts, batch)


@contextlib.contextmanager
def threads(n: int):
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(n)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def with_threads(embedder: Embedder, n: int) -> Embedder:
    def run(texts):
        with threads(n):
            return embedder(texts)
    return run


def int8(encoder, batch: int = 64) -> Embedder:
    import warnings

    import torch

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch.ao.quantization's deprecation notice
        model = torch.ao.quantization.quantize_dynamic(encoder.model, {torch.nn.Linear}, dtype=torch.qint8)
    return sorted_batches(replace(encoder, model=model), batch)


def bf16(encoder) -> Embedder:
    import copy

    import torch

    model = copy.deepcopy(encoder.model).to(torch.bfloat16)
    return sorted_batches(replace(encoder, model=model), 64)


def onnx(encoder) -> Embedder:
    import onnxruntime as ort
    import torch

    folder = Path(tempfile.mkdtemp(prefix="bench-minilm-onnx-"))

    class Hidden(torch.nn.Module):
        def __init__(self, m):
            super().__init__()
            self.m = m

        def forward(self, ids, mask):
            return self.m(input_ids=ids, attention_mask=mask).last_hidden_state

    import copy

    # A copy: a failed export can leave the model it traced in training mode (dropout on).
    model = copy.deepcopy(encoder.model).eval()
    batch = encoder.tokenize(["a short example", "and a slightly longer example sentence"])
    axes = {"ids": {0: "b", 1: "t"}, "mask": {0: "b", 1: "t"}, "hidden": {0: "b", 1: "t"}}
    with contextlib.redirect_stderr(open(os.devnull, "w")):  # noqa: SIM115 (tracer warnings)
        torch.onnx.export(Hidden(model), (batch["input_ids"], batch["attention_mask"]),
                          str(folder / "minilm.onnx"), input_names=["ids", "mask"], output_names=["hidden"],
                          dynamic_axes=axes, dynamo=False, opset_version=17)
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = 1
    session = ort.InferenceSession(str(folder / "minilm.onnx"), opts, providers=["CPUExecutionProvider"])

    def run(texts: list[str]) -> np.ndarray:
        order = np.argsort([len(t) for t in texts], kind="stable")
        out = np.empty((len(texts), 384), np.float32)
        for s in range(0, len(texts), 64):
            idx = order[s : s + 64]
            b = encoder.tokenize([texts[i] for i in idx])
            ids, mask = b["input_ids"].numpy(), b["attention_mask"].numpy()
            hidden = session.run(["hidden"], {"ids": ids, "mask": mask})[0]
            m = mask[..., None].astype(np.float32)
            emb = (hidden * m).sum(1) / np.clip(m.sum(1), 1e-9, None)
            out[idx] = emb / np.linalg.norm(emb, axis=1, keepdims=True)
        return out
    return run


def held_out_accuracy(embedder: Embedder, reviews: nlp.ReviewSet) -> tuple[float, float]:
    """(test accuracy of the default head trained on these embeddings, seconds to embed them)."""
    import torch

    from dl_core import training
    from dl_core.nlp.sentiment import build_head

    t0 = time.perf_counter()
    X = embedder(reviews.texts)
    seconds = time.perf_counter() - t0
    cfg, split, y = nlp.SentimentConfig(), reviews.split, reviews.labels
    with training.seeded(cfg.seed):
        head = build_head(X.shape[1], cfg.hidden, cfg.dropout)
    tc = training.TrainConfig(epochs=cfg.epochs, lr=cfg.lr, batch_size=cfg.batch_size, weight_decay=cfg.weight_decay,
                              seed=cfg.seed, monitor="val_loss", monitor_mode="min", device="cpu")

    def part(idx):
        return torch.from_numpy(np.ascontiguousarray(X[idx], dtype=np.float32)), torch.from_numpy(y[idx]).long()

    training.fit(head, part(split.train), part(split.val), config=tc, evaluate=training.classification_metrics)
    with torch.inference_mode():
        pred = head(part(split.test)[0]).argmax(-1).numpy()
    return float((pred == y[split.test]).mean()), seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sample", type=int, default=1024, help="reviews timed per option and round")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved timing rounds (median kept)")
    parser.add_argument("--reviews", type=int, default=None, help="reviews for the accuracy check (default: all)")
    parser.add_argument("--speed-only", action="store_true")
    parser.add_argument("--options", help="comma-separated (default: all)",
                        default="today,sorted-b16,sorted-b32,sorted-b64,sorted-b128,threads-2,int8,int8-b32,int8-b16,bf16,"
                                "onnxruntime")
    args = parser.parse_args()

    import torch

    torch.set_num_threads(int(os.environ.get("OMP_NUM_THREADS", "1")))
    load = os.getloadavg()
    flags = Path("/proc/cpuinfo").read_text().split("flags")[1].split("\n")[0] if Path("/proc/cpuinfo").exists() else ""
    print(f"machine: {os.cpu_count()} cores, load average {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f}, "
          f"torch {torch.__version__}, {torch.get_num_threads()} thread(s), native bf16: "
          f"{'yes' if ('avx512_bf16' in flags or 'amx_bf16' in flags) else 'no'}", file=sys.stderr)
    encoder = registry.load(nlp.ENCODER, "cpu")
    builders = {
        "today": lambda: today(encoder),
        "sorted-b16": lambda: sorted_batches(encoder, 16),
        "sorted-b32": lambda: sorted_batches(encoder, 32),
        "sorted-b64": lambda: sorted_batches(encoder, 64),
        "sorted-b128": lambda: sorted_batches(encoder, 128),
        "threads-2": lambda: with_threads(sorted_batches(encoder, 64), 2),
        "int8": lambda: int8(encoder),
        "int8-b32": lambda: int8(encoder, 32),
        "int8-b16": lambda: int8(encoder, 16),
        "bf16": lambda: bf16(encoder),
        "onnxruntime": lambda: onnx(encoder),
    }
    wanted = [o.strip() for o in args.options.split(",") if o.strip()]
    options: dict[str, Embedder] = {}
    missing: dict[str, str] = {}
    for name in wanted:
        try:
            options[name] = builders[name]()
        except Exception as exc:  # an option this machine cannot run is a row of the table, not a crash
            missing[name] = f"{type(exc).__name__}: {str(exc).splitlines()[0][:90]}"

    if encoder.model.training:  # every option must leave the shared model as it found it
        raise SystemExit("an option switched MiniLM to training mode; results would be noise")
    all_texts = nlp.load_reviews()["text"].tolist()
    sample = all_texts[: args.sample]
    reference = options["today"](sample)
    times: dict[str, list[float]] = {name: [] for name in options}
    agreement: dict[str, float] = {}
    for r in range(args.rounds):
        names = list(options) if r % 2 == 0 else list(reversed(options))  # alternate who goes first
        for name in names:
            t0 = time.perf_counter()
            emb = options[name](sample)
            times[name].append(time.perf_counter() - t0)
            agreement[name] = float((emb * reference).sum(1).min())
        print(f"round {r + 1}/{args.rounds} done", file=sys.stderr)
    base = statistics.median(times["today"])
    print(f"\nEmbedding {args.sample:,} reviews, median of {args.rounds} interleaved rounds "
          f"(load average at start {load[0]:.1f} on {os.cpu_count()} cores)")
    print(f"{'option':<13} {'seconds':>8} {'reviews/s':>10} {'speed vs today':>15} {'min cosine':>11}")
    for name in options:
        t = statistics.median(times[name])
        print(f"{name:<13} {t:>8.2f} {args.sample / t:>10.1f} {base / t:>14.2f}x {agreement[name]:>11.5f}")
    for name, why in missing.items():
        print(f"{name:<13} not measured: {why}")
    sys.stdout.flush()
    if args.speed_only:
        return

    # Sorting, batch size and threads change only float rounding (min cosine > 0.9999): they share
    # today's accuracy. Others are retrained on their own embeddings, if they are faster at all.
    reviews = nlp.load_review_set(args.reviews)
    same = [n for n in options if n != "today" and agreement[n] > 0.9999]
    print(f"\nHeld-out accuracy of the default head trained on each option's embeddings of "
          f"{len(reviews):,} reviews (test split {len(reviews.split.test):,}):")
    accuracy: dict[str, float] = {}
    for name in ["today", *[n for n in options if n not in same and n != "today"]]:
        if name != "today" and statistics.median(times[name]) > base:
            print(f"{name:<13} slower than today: not kept, accuracy not measured")
            continue
        accuracy[name], seconds = held_out_accuracy(options[name], reviews)
        diff = accuracy[name] - accuracy["today"]
        print(f"{name:<13} {accuracy[name]:.2%} ({100 * diff:+.2f} points; embedded in {seconds:.0f} s)", flush=True)
    for name in same:
        accuracy[name] = accuracy["today"]
        print(f"{name:<13} {accuracy[name]:.2%} (same computation as today, min cosine {agreement[name]:.6f})")
    ok = [n for n in accuracy if accuracy[n] >= accuracy["today"] - 0.005]
    best = min(ok, key=lambda n: statistics.median(times[n]))
    print(f"\nfastest within 0.5 points of today's held-out accuracy: {best} "
          f"({base / statistics.median(times[best]):.2f}x today's speed)")


if __name__ == "__main__":
    main()
