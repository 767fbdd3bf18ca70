"""Start the app with its shared models loading at once: `python -m ui.serve [streamlit run flags]`.

The same as `streamlit run app.py [flags]`, plus ui/warmup.py's loading thread started in the server
process before the first browser connects (Streamlit has no start-up hook; app.py only runs per
session). `make run` uses it.
"""

from __future__ import annotations

import sys
from pathlib import Path

from . import warmup

APP = Path(__file__).resolve().parents[1] / "app.py"


def main(argv: list[str] | None = None) -> None:
    from streamlit.web import cli

    warmup.start()
    sys.argv = ["streamlit", "run", str(APP), *(sys.argv[1:] if argv is None else argv)]
    sys.exit(cli.main())


if __name__ == "__main__":
    main()
