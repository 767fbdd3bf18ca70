"""`python -m dl_core <command> ...`: the engine from the command line.

Each use case keeps its sub-commands in `dl_core/<use case>/cli.py` with a `register(subparsers)`
function; `USE_CASES` below lists them, so `--help` and this file show every command there is.
Every command accepts `--json` where it prints results. Errors a person can fix (`InputError`,
`ModelUnavailableError`) print one line on stderr and exit with status 2, never a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
from collections.abc import Sequence
from typing import Any

from .errors import InputError, ModelUnavailableError

# The use cases whose `dl_core.<name>.cli` module adds sub-commands, in the order of `--help`.
USE_CASES = ("vision", "nlp", "generative", "clustering", "timeseries", "fraud", "rl", "speech", "recommend",
             "tuning")


def emit(payload: Any, as_json: bool) -> None:
    """Print a result: JSON for scripts, or a readable rendering for people."""
    if as_json:
        print(json.dumps(payload, default=_jsonable, ensure_ascii=False))
        return
    if isinstance(payload, (dict, list)):
        print(json.dumps(payload, default=_jsonable, ensure_ascii=False, indent=2))
    else:
        print(payload)


def _jsonable(o: Any) -> Any:
    import numpy as np

    if isinstance(o, np.generic):
        return o.item()
    if isinstance(o, np.ndarray):
        return o.tolist()
    return str(o)


def _info(args: argparse.Namespace) -> int:
    from importlib import metadata

    from . import device, registry

    info = device.describe()
    versions = {}
    for pkg in ("torch", "transformers", "diffusers", "streamlit", "scikit-learn", "mlflow", "captum"):
        try:
            versions[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            versions[pkg] = None
    models = [
        {"name": s.name, "task": s.task, "source": s.source, "licence": s.licence,
         "size_mb": s.size_mb, "available": registry.available(s.name), "description": s.description}
        for s in registry.specs()
    ]
    payload = {"device": {"type": info.type, "name": info.name, "threads": info.threads,
                          "precision": info.precision},
               "python": sys.version.split()[0], "versions": versions, "models": models}
    if args.json:
        emit(payload, True)
        return 0
    print(f"device: {info.label()} ({info.threads} threads)")
    print("versions: " + ", ".join(f"{k} {v}" for k, v in versions.items()))
    for m in models:
        mark = "ready" if m["available"] else ("online only" if m["source"] == "hub" else "not yet")
        print(f"  {m['name']:<24} {m['source']:<8} {m['task']:<22} {mark}")
    return 0


def _prepare(args: argparse.Namespace) -> int:
    from . import prepare
    from .training import ProgressBar

    def show(name: str, status: str, seconds: float, error: str) -> None:
        if not args.json:
            print(f"{name:<20} {status:<7} {seconds:7.1f} s" + (f"  ({error})" if error else ""))

    results = prepare.prepare(args.only or None, callbacks_for=lambda p: [ProgressBar(p.name)],
                              on_status=show)
    if args.json:
        emit({"models": results}, True)
    return 0 if all(r["status"] in ("ready", "built") for r in results.values()) else 1


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m dl_core", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    info = sub.add_parser("info", help="device, library versions and which models run offline")
    info.add_argument("--json", action="store_true", help="machine-readable output")
    info.set_defaults(func=_info)
    prep = sub.add_parser("prepare", help="train/build every default model the app trains here, if missing")
    prep.add_argument("--only", nargs="+", action="extend", metavar="NAME",
                      help="only these models (default: all); repeatable: --only A --only B = --only A B")
    prep.add_argument("--json", action="store_true", help="machine-readable output")
    prep.set_defaults(func=_prepare)
    for use_case in USE_CASES:
        importlib.import_module(f"{__package__}.{use_case}.cli").register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except (InputError, ModelUnavailableError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
