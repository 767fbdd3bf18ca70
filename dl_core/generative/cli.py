"""`python -m dl_core generative ...`: faces, diffusion on digits, VAE, 2-D GAN lab.

Trainings call the same engine functions as the page (`train_diffusion`, `train_vae`, `train_gan`),
logged with `caller="cli"`, so the two can never drift apart.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from ..cli import emit
from ..errors import InputError


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("generative", help="face GAN, diffusion on digits, VAE, 2-D GAN lab")
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

    gan = sub.add_parser("train-gan", help="train the 2-D GAN lab on a toy shape or a CSV of points")
    source = gan.add_mutually_exclusive_group()
    source.add_argument("--shape", default="ring", help="ring, spiral or 'two moons' (default ring)")
    source.add_argument("--csv", type=Path, help="a CSV with two numeric columns, x and y (header optional)")
    gan.add_argument("--epochs", type=int, default=30)
    gan.add_argument("--lr-g", type=float, default=1e-3)
    gan.add_argument("--lr-d", type=float, default=1e-3)
    gan.add_argument("--d-steps", type=int, default=1)
    gan.add_argument("--g-steps", type=int, default=1)
    gan.add_argument("--layers", type=int, default=3)
    gan.add_argument("--noise", type=int, default=8)
    gan.add_argument("--seed", type=int, default=0)
    gan.add_argument("--json", action="store_true")
    gan.set_defaults(func=_train_gan)


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
    from .. import generative, training

    generative.check_seed(args.seed, "--seed")
    config = generative.DiffusionConfig(epochs=args.epochs, seed=args.seed, limit=args.limit)
    config.check()
    out = _out_dir(args.out)
    trained = generative.train_diffusion(None, config, callbacks=[training.ProgressBar("diffusion")], caller="cli")
    quality, samples = trained.details["quality"], trained.details["samples"]
    grid_path = out / "diffusion_samples.png"
    generative.image_grid(generative.to_uint8(samples.images), cols=10, scale=4).save(grid_path)
    saved = None if args.no_save else str(generative.save_model(trained.model))
    fit = trained.fit
    emit({"recognised_share": quality.recognised_share, "distinct_digits": quality.distinct_digits,
          "seconds": round(fit.seconds, 2), "epochs": len(trained.history),
          "final_loss": fit.last.train_loss if fit.last else None,
          "per_digit": quality.per_digit, "grid": str(grid_path), "saved": saved}, args.json)
    return 0


def _sample_diffusion(args: argparse.Namespace) -> int:
    from PIL import Image

    from .. import generative, registry

    generative.check_seed(args.seed, "--seed")
    out = _out_dir(args.out)
    model = registry.load(generative.MODEL_NAME)
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
    from .. import generative, training

    config = generative.VAEConfig(epochs=args.epochs, latent=args.latent, seed=args.seed)
    trained = generative.train_vae(None, config, callbacks=[training.ProgressBar("vae")], caller="cli")
    emit({"test_reconstruction_loss": round(trained.metrics["test_reconstruction_loss"], 4),
          "epochs": len(trained.history), "latent": config.latent,
          "seconds": round(trained.fit.seconds, 2)}, args.json)
    return 0


def _train_gan(args: argparse.Namespace) -> int:
    from .. import generative, training

    config = generative.GANConfig(lr_g=args.lr_g, lr_d=args.lr_d, d_steps=args.d_steps, g_steps=args.g_steps,
                                  layers=args.layers, noise=args.noise, epochs=args.epochs, seed=args.seed)
    config.check()
    if args.csv is not None:
        if not args.csv.is_file():
            raise InputError(f"--csv {args.csv} is not a file.")
        data, notices = generative.read_points(args.csv, name=args.csv.name)
    else:
        data, notices = args.shape, []
    trained = generative.train_gan(data, config, callbacks=[training.ProgressBar("gan")], caller="cli")
    emit({**{k: round(v, 4) for k, v in trained.metrics.items()}, "epochs": len(trained.history),
          "data": trained.details["data"], "seconds": round(trained.fit.seconds, 2), "notices": notices},
         args.json)
    return 0
