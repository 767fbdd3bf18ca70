"""`python -m bench.tree_serve [streamlit run flags]`: the app as `make run` starts it (ui.serve), from the
checkout in $DLX_TREE instead of this one, so that bench/ab_reruns.py can time two versions of the app
with the same harness.
"""

from __future__ import annotations

import os
import sys

TREE = os.path.abspath(os.environ["DLX_TREE"])
sys.path.insert(0, TREE)  # before this checkout (the working directory): its ui, dl_core and pages
os.chdir(TREE)

from ui import serve  # noqa: E402 (imported from TREE, set just above)

if not os.path.abspath(serve.__file__).startswith(TREE + os.sep):
    raise SystemExit(f"ui.serve came from {serve.__file__}, not from {TREE}")

if __name__ == "__main__":
    serve.main()
