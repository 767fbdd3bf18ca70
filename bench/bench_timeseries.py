"""Time-series benchmark: does the best deep model beat seasonal naive on each bundled series (with the
page's default settings), and how fast is LSTM training?

    OMP_NUM_THREADS=1 .venv/bin/python bench/bench_timeseries.py [--series co2 sunspots] [--models lstm mlp]

1. For each bundled series and each deep model, the default ForecastConfig is trained and backtested;
   we print MAE(model) / MAE(seasonal naive) on the same backtest windows (below 1 = beats it), plus the
   baselines' ratios, so a miss can be explained.
2. LSTM (hidden 32, window 30), 20 epochs on a 2,000-point series through dl_core.training.fit, against a
   plain torch loop doing the same work, in one run (medians of repeats): the ratio is robust to a
   busy machine, the seconds are not.
3. `--page`: in headless Chromium, /timeseries settling on a first and a warm visit, and the median rerun
   of the controls that need no new model work once a model is trained (the backtest-origin and the
   anomaly-threshold sliders: fragments; a training setting: the whole page).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np  # noqa: E402

from dl_core import timeseries as ts  # noqa: E402
from dl_core import training  # noqa: E402
from dl_core.timeseries.networks import tensors  # noqa: E402


def quality(names: list[str], models: list[str]) -> None:
    print("== best deep model vs seasonal naive (MAE ratio on the same backtest windows; < 1 beats it)")
    for name in names:
        series = ts.load_bundled(name)
        ratios, secs, cover, bt = {}, {}, {}, None
        for model in models:
            t0 = time.perf_counter()
            out = ts.train_forecaster(series, ts.ForecastConfig(model=model), track=False)
            secs[model] = time.perf_counter() - t0
            bt = out.details["backtest"]
            met = bt.metrics
            ratios[model] = met[model]["mae"] / met["seasonal_naive"]["mae"]
            cover[model] = (bt.coverage, bt.raw_coverage)
        met = bt.metrics
        base = {b: met[b]["mae"] / met["seasonal_naive"]["mae"] for b in ("naive", "linear_ar", "ets")}
        best = min(ratios, key=ratios.get)
        cfg = out.details["prep"].config
        verdict = "BEATS" if ratios[best] < 1 else "does NOT beat"
        print(f"{name:<18} n={len(series):<5} W={cfg.window:<4} H={cfg.horizon:<3} m={cfg.season:<3} "
              f"origins={len(bt.origins):<3} best={best} {ratios[best]:.3f} -> {verdict} seasonal naive")
        print("    deep: " + "  ".join(f"{m} {r:.3f} ({secs[m]:.0f}s)" for m, r in ratios.items()))
        print("    90% band coverage, calibrated (raw quantiles): "
              + "  ".join(f"{m} {c:.0%} ({r:.0%})" for m, (c, r) in cover.items()))
        print("    baselines: " + "  ".join(f"{b} {r:.3f}" for b, r in base.items())
              + f"   seasonal-naive MASE {met['seasonal_naive']['mase']:.2f}")


def speed(repeats: int) -> None:
    import torch

    from dl_core import device

    device.get()
    series = ts.synthetic(ts.SyntheticConfig(n=2000, season=24, seed=1))
    cfg = ts.ForecastConfig(model="lstm", window=30, horizon=12, season=24, hidden=32, epochs=20,
                            batch_size=32, patience=None, dropout=0.0)
    prep = ts.prepare(series, cfg)
    X, Y = tensors(prep, prep.train_idx)

    def build():
        with training.seeded(cfg.seed):
            return ts.build_model(prep.config)

    def ours() -> float:
        net = build()
        t0 = time.perf_counter()
        ts.fit_network(net, prep)
        return time.perf_counter() - t0

    def plain() -> float:
        # The same network, data, loss, optimiser, batches and thread count, without our fit loop.
        net = build()
        gen = torch.Generator().manual_seed(0)
        opt = torch.optim.AdamW(net.parameters(), lr=cfg.lr, weight_decay=1e-4)
        t0 = time.perf_counter()
        for _ in range(cfg.epochs):
            perm = torch.randperm(len(X), generator=gen)
            for i in range(0, len(X), cfg.batch_size):
                idx = perm[i:i + cfg.batch_size]
                opt.zero_grad()
                loss = ts.pinball_loss(net(X[idx]), Y[idx])
                loss.backward()
                torch.nn.utils.clip_grad_norm_(net.parameters(), 1.0)
                opt.step()
        return time.perf_counter() - t0

    ours(), plain()  # warm up (first optimiser creation imports a lot of torch)
    a = [ours() for _ in range(repeats)]
    b = [plain() for _ in range(repeats)]
    print(f"== LSTM 20 epochs on 2,000 points ({len(X)} training windows, window 30, hidden 32): "
          f"dl_core {statistics.median(a):.2f} s, plain torch loop {statistics.median(b):.2f} s, "
          f"ratio {statistics.median(a) / statistics.median(b):.2f} (median of {repeats}; target <= 5 s)")


async def _page_timings(url: str, repeats: int) -> dict:
    from browser import CHROMIUM, CHROMIUM_ARGS, median_rerun, settle, tab
    from playwright.async_api import async_playwright

    async def reruns(page, slider) -> float:
        median, missed = await median_rerun(page, slider, repeats)
        out["missed"] = out.get("missed", 0) + missed
        return median

    out: dict = {}
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        for visit in ("first", "warm"):
            context = await browser.new_context(viewport={"width": 1400, "height": 1000})
            page = await context.new_page()
            t0 = time.perf_counter()
            await page.goto(f"{url}/timeseries", wait_until="domcontentloaded")
            out[f"{visit}_open"] = await settle(page, 300) - t0
            if visit == "warm":
                t0 = time.perf_counter()
                await page.get_by_role("button", name="Train and backtest").click(timeout=300_000)
                await page.locator("[data-testid='stTable']").first.wait_for(timeout=600_000)
                out["train_default_lstm"] = await settle(page, 600) - t0
                def slider(text: str, page=page):
                    return page.locator("[data-testid='stSlider']").filter(has_text=text).get_by_role("slider")

                out["origin_rerun"] = await reruns(page, slider("Backtest origin"))
                await tab(page, "Residuals and anomalies").click()
                await settle(page)  # a lazy tab: the click reruns the page
                out["anomaly_k_rerun"] = await reruns(page, slider("Flag errors"))
                await page.get_by_text("Network and training").click()
                await settle(page)  # drawn only once open: the click reruns the page
                out["setting_rerun_whole_page"] = await reruns(page, slider("Layers"))
            await context.close()
        await browser.close()
    return out


def page(repeats: int) -> None:
    import asyncio

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from browser import app_server, bare_now

    bare = bare_now(repeats)
    with app_server(env={"OMP_NUM_THREADS": os.environ["OMP_NUM_THREADS"]}) as (url, _):
        t = asyncio.run(_page_timings(url, repeats))
    print(f"== /timeseries in Chromium: settles {t['first_open']:.2f} s on the first visit, {t['warm_open']:.2f} s "
          f"warm (target <= 3 s); default LSTM trained and backtested in {t['train_default_lstm']:.1f} s")
    print(f"   median rerun (target <= 0.150 s): backtest origin {t['origin_rerun']:.3f} s, anomaly threshold "
          f"{t['anomaly_k_rerun']:.3f} s (fragments; a bare page's fragment {bare['fragment']:.3f} s, ratio "
          f"{t['origin_rerun'] / bare['fragment']:.1f} and {t['anomaly_k_rerun'] / bare['fragment']:.1f}); a training "
          f"setting {t['setting_rerun_whole_page']:.3f} s (whole page; bare page {bare['whole_page']:.3f} s, ratio "
          f"{t['setting_rerun_whole_page'] / bare['whole_page']:.1f}); {t.get('missed', 0)} page and "
          f"{bare.get('missed', 0)} bare runs too fast to time were left out")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--series", nargs="*", default=ts.bundled_names())
    parser.add_argument("--models", nargs="*", default=list(ts.MODELS))
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--skip-quality", action="store_true")
    parser.add_argument("--skip-speed", action="store_true")
    parser.add_argument("--page", action="store_true", help="also time the page in headless Chromium")
    parser.add_argument("--page-repeats", type=int, default=9)
    args = parser.parse_args()
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}, "
          f"OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS')}")
    np.set_printoptions(precision=3)
    if args.page:
        page(args.page_repeats)
    if not args.skip_speed:
        speed(args.repeats)
    if not args.skip_quality:
        quality(args.series, args.models)


if __name__ == "__main__":
    main()
