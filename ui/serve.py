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
    from streamlit.runtime.pages_manager import PagesManager
    from streamlit.web import cli

    # app.py's st.navigation menu from the very first session. Left unset, Streamlit would run a fresh
    # server's first visitor in its old multipage mode (pages/*.py without app.py) because a pages/
    # folder exists; ui/__init__.py's guard against that works at ui's first import, which is here.
    PagesManager.uses_pages_directory = False
    warmup.start()
    sys.argv = ["streamlit", "run", str(APP), *(sys.argv[1:] if argv is None else argv)]
    sys.exit(cli.main())


if __name__ == "__main__":
    main()
