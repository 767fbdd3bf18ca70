"""Generative benchmarks against the issue's targets.

    python bench/bench_generative.py [--epochs 30] [--repeats 5] [--skip-train]

Targets: diffusion on digits reaches recognised_share >= 0.8 with >= 9 distinct digits, training
<= 3 minutes on 2 CPU cores; 16 images with 25 DDIM steps <= 2 s; 16 GAN faces <= 0.5 s; a VAE epoch
<= 0.5 s. The machine may be shared, so every timing is printed beside the plain library call doing
the same work in the same run (medians of repeats), and the load average is printed too.
`--skip-train` judges the model already saved in the data folder instead of training one.
Trainings go through the engine calls the page and the CLI use (`train_diffusion`, `train_vae`),
so they are logged to MLflow like any other run (caller "cli").
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from dl_core import device, generative, registry  # noqa: E402  (after the path set-up)


def median_time(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def conditions() -> str:
    import torch

    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return (f"device {device.get()}, torch threads {torch.get_num_threads()}, {os.cpu_count()} cores, "
            f"load average {load:.1f}")


def bench_diffusion(epochs: int, skip_train: bool) -> generative.DiffusionDigits:
    if skip_train:
        model = registry.load(generative.MODEL_NAME)
        print(f"diffusion: using the saved model ({model.info.get('epochs_trained')} epochs, "
              f"{model.info.get('seconds')} s when trained)")
    else:
        trained = generative.train_diffusion(None, generative.DiffusionConfig(epochs=epochs), caller="cli")
        model = trained.model
        per_epoch = statistics.median(h.seconds for h in trained.history)
        print(f"diffusion training: {epochs} epochs in {trained.fit.seconds:.1f} s "
              f"(median {per_epoch:.2f} s/epoch; target <= 180 s) [{conditions()}]")
    judge = generative.digit_judge(model.device)
    quality, _ = generative.evaluate_model(model, judge)
    ok = quality.recognised_share >= 0.8 and quality.distinct_digits >= 9
    print(f"diffusion quality: recognised_share {quality.recognised_share:.2f} on 100 samples "
          f"(25 DDIM steps, guidance 2), distinct digits {quality.distinct_digits} "
          f"(target >= 0.8 and >= 9: {'met' if ok else 'NOT met'}); judge accuracy on real digits "
          f"{judge.accuracy:.3f}")
    print("  per digit: " + ", ".join(f"{d}: {s:.1f}" for d, s in quality.per_digit.items()))
    return model


def bench_sampling(model: generative.DiffusionDigits, repeats: int) -> None:
    import torch

    def plain() -> None:  # the bare diffusers loop: conditional UNet + DDIM, no guidance, no trajectory
        sched = model.scheduler("ddim")
        sched.set_timesteps(25)
        x = torch.randn(16, 1, 16, 16, generator=torch.Generator().manual_seed(0)).to(model.device)
        y = torch.arange(16, device=model.device) % 10
        with torch.inference_mode():
            for t in sched.timesteps:
                x = sched.step(model.unet(x, t, class_labels=y).sample, t, x).prev_sample

    generative.sample(model, n=16, steps=25)  # warm-up
    ours = median_time(lambda: generative.sample(model, n=16, steps=25, guidance=2.0), repeats)
    ours_plain_cfg = median_time(lambda: generative.sample(model, n=16, steps=25, guidance=1.0), repeats)
    base = median_time(plain, repeats)
    print(f"sampling 16 digits, 25 DDIM steps: ours {ours:.3f} s with guidance (2 UNet passes/step), "
          f"{ours_plain_cfg:.3f} s without; plain diffusers loop {base:.3f} s; ratio without guidance "
          f"{ours_plain_cfg / base:.2f} (target <= 2 s)")


def bench_faces(repeats: int) -> None:
    import torch

    G = registry.load(generative.FACE_MODEL)
    generative.faces(G, 16, 0)  # warm-up

    def plain() -> None:
        with torch.inference_mode():
            G(torch.randn(16, 100, 1, 1, generator=torch.Generator().manual_seed(0))).cpu().numpy()

    ours = median_time(lambda: generative.faces(G, 16, 0), repeats)
    base = median_time(plain, repeats)
    print(f"16 GAN faces: ours {ours:.3f} s, plain generator call {base:.3f} s, ratio {ours / base:.2f} "
          f"(target <= 0.5 s)")


def bench_vae(repeats: int) -> None:
    import torch

    from dl_core import training
    from dl_core.generative import vae

    trained = generative.train_vae(None, generative.VAEConfig(epochs=max(5, repeats)), caller="cli")
    ours = statistics.median(h.seconds for h in trained.history)
    x_tr, *_ = generative.digits_flat()
    with training.seeded(0):
        model = vae.build_vae()
    opt = torch.optim.AdamW(model.parameters(), lr=3e-3)
    order = torch.Generator().manual_seed(0)

    def plain_epoch() -> None:  # the textbook loop: shuffle, batches of 64, step
        perm = torch.randperm(len(x_tr), generator=order)
        for i in range(0, len(x_tr), 64):
            loss = vae.vae_loss(model.train(), (x_tr[perm[i: i + 64]],))
            opt.zero_grad()
            loss.backward()
            opt.step()

    base = median_time(plain_epoch, repeats)
    print(f"VAE epoch on digits: ours {ours:.3f} s (incl. validation), plain loop {base:.3f} s, "
          f"ratio {ours / base:.2f} (target <= 0.5 s); test reconstruction loss after "
          f"{len(trained.history)} epochs {trained.metrics['test_reconstruction_loss']:.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--epochs", type=int, default=generative.DiffusionConfig().epochs)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--skip-train", action="store_true")
    args = parser.parse_args()
    print(f"conditions: {conditions()}")
    bench_faces(args.repeats)
    bench_vae(args.repeats)
    model = bench_diffusion(args.epochs, args.skip_train)
    bench_sampling(model, args.repeats)
    print(f"conditions at the end: {conditions()}")


if __name__ == "__main__":
    main()
