"""Sub-commands of `python -m dl_core`, one module per use case, each with `register(subparsers)`.

Keep these modules thin: parse arguments, call the use-case module in dl_core, print with `cli.emit`.
Import heavy libraries inside the handler, not at module level, so `--help` stays instant.
"""
