"""`python -m dl_core generative ...`: faces, diffusion on digits, VAE."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..cli import emit
from ..errors import InputError


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("generative", help="face GAN, diffusion on digits, VAE")
    sub = parser.add_subparsers(dest="action", required=True, metavar="ACTION")

    faces = sub.add_parser("faces", help="write N face images from the bundled DCGAN")
    faces.add_argument("--n", type=int, default=16, help="number of faces (1-64)")
    faces.add_argument("--seed", type=int, default=0)
    faces.add_argument("--truncation", type=float, default=1.0, help="psi in [0, 2]; 1 = none")
    faces.add_argument("--out", type=Path, required=True, help="folder for the PNG files")
    faces.add_argument("--json", action="store_true")
    faces.set_defaults(func=_faces)

    diff = sub.add_parser("train-diffusion", help="train the digits diffusion model, judge 100 samples")
    diff.add_argument("--epochs", type=int, default=30)
    diff.add_argument("--seed", type=int, default=0)
    diff.add_argument("--out", type=Path, required=True, help="folder for the sample grid PNG")
    diff.add_argument("--no-save", action="store_true",
                      help="do not replace the app's saved diffusion-digits model")
    diff.add_argument("--limit", type=int, default=None, help=argparse.SUPPRESS)  # tests: fewer images
    diff.add_argument("--json", action="store_true")
    diff.set_defaults(func=_train_diffusion)

    samp = sub.add_parser("sample-diffusion", help="sample digits from the saved diffusion model")
    samp.add_argument("--digit", type=int, action="append", help="digit(s) to draw; default 0-9 in turn")
    samp.add_argument("--n", type=int, default=16)
    samp.add_argument("--sampler", choices=("ddim", "ddpm"), default="ddim")
    samp.add_argument("--steps", type=int, default=25)
    samp.add_argument("--guidance", type=float, default=2.0)
    samp.add_argument("--seed", type=int, default=0)
    samp.add_argument("--out", type=Path, required=True)
    samp.add_argument("--json", action="store_true")
    samp.set_defaults(func=_sample_diffusion)

    vae = sub.add_parser("train-vae", help="train the digits VAE and report its test reconstruction loss")
    vae.add_argument("--epochs", type=int, default=60)
    vae.add_argument("--latent", type=int, default=2)
    vae.add_argument("--seed", type=int, default=0)
    vae.add_argument("--json", action="store_true")
    vae.set_defaults(func=_train_vae)


def _out_dir(path: Path) -> Path:
    if path.exists() and not path.is_dir():
        raise InputError(f"--out {path} is a file; give a folder (it is created if missing).")
    path.mkdir(parents=True, exist_ok=True)
    return path


def _faces(args: argparse.Namespace) -> int:
    from PIL import Image

    from .. import generative, registry

    generative.check_count(args.n, generative.MAX_FACES, "--n")
    generative.check_seed(args.seed, "--seed")
    generative.check_truncation(args.truncation)
    out = _out_dir(args.out)
    images = generative.faces(registry.load(generative.FACE_MODEL), args.n, args.seed, args.truncation)
    files = []
    for i, im in enumerate(images):
        path = out / f"face_{args.seed}_{i:02d}.png"
        Image.fromarray(im).save(path)
        files.append(str(path))
    emit({"files": files, "n": len(files), "seed": args.seed, "truncation": args.truncation}, args.json)
    return 0


def _train_diffusion(args: argparse.Namespace) -> int:
    from .. import generative, tracking, training

    out = _out_dir(args.out)
    config = generative.DiffusionConfig(epochs=args.epochs, seed=args.seed, limit=args.limit)
    config.check()
    generative.check_seed(args.seed, "--seed")
    params = {k: v for k, v in vars(config).items() if k != "seed"}
    with tracking.start_run("generative/diffusion-digits", params, seed=args.seed, source="cli") as run:
        model, result, _ = generative.train_diffusion(
            config, callbacks=[training.ProgressBar("diffusion"), run.callback])
        quality, samples = generative.evaluate_model(model, seed=args.seed)
        model.info.update(recognised_share=quality.recognised_share, distinct_digits=quality.distinct_digits)
        run.log_final({"recognised_share": quality.recognised_share,
                       "distinct_digits": quality.distinct_digits}, model=model.unet)
    grid_path = out / "diffusion_samples.png"
    generative.grid(generative.to_uint8(samples.images), cols=10, scale=4).save(grid_path)
    saved = None if args.no_save else str(generative.save_model(model))
    emit({"recognised_share": quality.recognised_share, "distinct_digits": quality.distinct_digits,
          "seconds": round(result.seconds, 2), "epochs": len(result.history),
          "final_loss": result.last.train_loss if result.last else None,
          "per_digit": quality.per_digit, "grid": str(grid_path), "saved": saved}, args.json)
    return 0


def _sample_diffusion(args: argparse.Namespace) -> int:
    from PIL import Image

    from .. import generative, registry

    generative.check_seed(args.seed, "--seed")
    out = _out_dir(args.out)
    model = registry.load("diffusion-digits")
    samples = generative.sample(model, n=args.n, digits=args.digit, sampler=args.sampler, steps=args.steps,
                                seed=args.seed, guidance=args.guidance)
    quality = generative.judge_samples(generative.digit_judge(model.device), samples.images, samples.digits)
    files = []
    for i, (im, d) in enumerate(zip(generative.to_uint8(samples.images), samples.digits)):
        path = out / f"digit_{d}_{i:02d}.png"
        Image.fromarray(im).resize((64, 64), Image.NEAREST).save(path)
        files.append(str(path))
    emit({"files": files, "digits": samples.digits, "recognised_share": quality.recognised_share,
          "seconds": round(samples.seconds, 3)}, args.json)
    return 0


def _train_vae(args: argparse.Namespace) -> int:
    from .. import generative_vae as gv
    from .. import tracking, training

    config = gv.VAEConfig(epochs=args.epochs, latent=args.latent, seed=args.seed)
    config.check()
    params = {k: v for k, v in vars(config).items() if k != "seed"}
    with tracking.start_run("generative/vae-digits", params, seed=args.seed, source="cli") as run:
        trained = gv.train_vae(config, callbacks=[training.ProgressBar("vae"), run.callback])
        run.log_final({"test_reconstruction_loss": trained.test_reconstruction_loss}, model=trained.model)
    emit({"test_reconstruction_loss": round(trained.test_reconstruction_loss, 4),
          "epochs": len(trained.result.history), "latent": config.latent,
          "seconds": round(trained.result.seconds, 2)}, args.json)
    return 0
