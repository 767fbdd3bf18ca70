"""`python -m dl_core <command> ...`: the engine from the command line.

Each use case adds its sub-commands in `dl_core/commands/<use case>.py` with a
`register(subparsers)` function; this module finds them, so adding a use case touches no shared file.
Every command accepts `--json` where it prints results. Errors a person can fix (`InputError`,
`ModelUnavailableError`) print one line on stderr and exit with status 2, never a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import json
import pkgutil
import sys
from collections.abc import Sequence
from typing import Any

from . import commands
from .errors import InputError, ModelUnavailableError


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


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m dl_core", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    info = sub.add_parser("info", help="device, library versions and which models run offline")
    info.add_argument("--json", action="store_true", help="machine-readable output")
    info.set_defaults(func=_info)
    for mod in pkgutil.iter_modules(commands.__path__):
        module = importlib.import_module(f"{commands.__name__}.{mod.name}")
        module.register(sub)
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
