"""Reruns of the controls that redraw results: each tab's main action is done first (a training with the
default settings, an analysis), then every slider and toggle of the tab, and of the results tabs it
opened, is moved as `bench_reruns.py` moves them before any action (issue 13: "median rerun <= 150 ms for
every slider or toggle that does not retrain", on 2 cores).

    .venv/bin/python bench/bench_results.py --data-dir <a folder `python -m dl_core prepare` filled> [--repeats 5]
    .venv/bin/python bench/bench_results.py --data-dir DIR --page fraud --page timeseries

Starts the app (warm: after the server's warm-up) and, in headless Chromium, opens each page's tab, clicks its
button (by widget key, `ACTIONS`), waits until the page is quiet (a training shows live progress until it
ends), then times the reruns of every visible control, the ones in expanders and the ones on each results tab
that appeared (`browser.timed_rerun`: from the input event until the run has ended and the browser is idle).
Settings above a result redraw alone unless something below reads them (ui/fragments.py). Sliders and toggles
by default; `--kind select` picks options of select boxes (fraud's row picker). A control is timed once per
action (the settings above the results with the first results tab open). Prints one line per control and a
summary. `--tab` picks actions by their tab's name, `--only` controls by the start of their label (an A/B of
one).
"""

from __future__ import annotations

import argparse
import asyncio

from bench_reruns import ALL_KINDS, KINDS, _controls, open_tab, summary, tab_names
from browser import CHROMIUM, CHROMIUM_ARGS, WARMED_UP, app_server, bare_now, exceptions, run_action, settle

# page: [(tab, the key of the button that starts its main action)]; "" for a page without tabs
ACTIONS = {
    "vision": [("Train a CNN on digits", "dg_train")],
    "nlp": [("Sentiment", "nlp_sent_go"), ("Attention", "nlp_att_go"), ("Generate", "nlp_gen_go")],
    "generative": [("VAE latent space", "gen_vae_train"), ("GAN lab (2-D)", "gen_gan_train"),
                   ("Diffusion on digits", "gen_diff_sample")],
    "clustering": [("Deep clustering (digits)", "cl_deep_train")],
    "timeseries": [("", "ts_train")],
    "fraud": [("", "fraud_train")],
    "recommend": [("Train & compare", "rec_train")],
    "speech": [("Transcribe", "speech_go")],
    "rl": [("Q-learning (grid worlds)", "rl_q_train")],
}

async def measure(url: str, pages: list[str], repeats: int, wait: float, only: tuple[str, ...] = (),
                  tabs: tuple[str, ...] = (), kinds: tuple[str, ...] = KINDS) -> list[tuple]:
    from playwright.async_api import async_playwright

    rows: list[tuple] = []
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        for path in pages:
            for tab, button in [(t, b) for t, b in ACTIONS[path] if not tabs or t.startswith(tabs)]:
                page = await (await browser.new_context(viewport={"width": 1400, "height": 1000})).new_page()
                await page.goto(f"{url}/{path}", wait_until="domcontentloaded")
                await settle(page, 180)
                if tab:
                    await open_tab(page, tab)
                before = set(await tab_names(page))
                where = f"{path} · {tab}" if tab else path
                if not await page.locator(f".st-key-{button} button").count():  # e.g. no diffusion model yet
                    print(f"---- {where}: no {button} button on the page (a model `prepare` builds?); skipped")
                    await page.context.close()
                    continue
                await run_action(page, button, wait)
                errors = await exceptions(page)
                print(f"---- {where}: clicked {button}" + (f"; the page shows an error: {errors}" if errors else ""),
                      flush=True)
                seen: set[tuple[str, str]] = set()
                await _controls(page, where, repeats, seen, rows, only, kinds=kinds)
                for name in [n for n in await tab_names(page) if n not in before]:  # results tabs
                    await open_tab(page, name)
                    # the settings above were timed with the first results tab open: not again (fraud: 12 x 5)
                    await _controls(page, f"{where} · {name}", repeats, seen, rows, only, seen_as=where, kinds=kinds)
                await page.context.close()
        await browser.close()
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data-dir", help="a data folder `python -m dl_core prepare` filled (else a fresh one)")
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--page", action="append", choices=sorted(ACTIONS), help="a page (repeatable); default: all")
    ap.add_argument("--wait", type=float, default=600, help="seconds a main action may take")
    ap.add_argument("--tab", action="append", default=[], help="only the actions of tabs named so (repeatable)")
    ap.add_argument("--only", action="append", default=[], help="time only controls whose label starts so")
    ap.add_argument("--kind", action="append", choices=ALL_KINDS,
                    help="the kinds of control to time (repeatable; default: sliders and toggles)")
    args = ap.parse_args()
    before = bare_now()
    with app_server(data_dir=args.data_dir, ready_text=WARMED_UP) as (url, _):
        rows = asyncio.run(measure(url, args.page or list(ACTIONS), args.repeats, args.wait, tuple(args.only),
                                   tuple(args.tab), tuple(args.kind or KINDS)))
    summary(rows, {"before": before, "after": bare_now()})


if __name__ == "__main__":
    main()
