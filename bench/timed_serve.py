"""`python -m bench.timed_serve [streamlit run flags]`: the app as `make run` starts it (ui.serve), with the
server-side duration of every script run appended to the file named by $DLX_RUN_TIMES, one line per run:
"<seconds> full" or "<seconds> fragment". Used by bench/profile_rerun.py to split a rerun into the
server's share and the browser's.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable

from streamlit.runtime.scriptrunner import script_runner

from ui import serve


def _timed(run: Callable) -> Callable:
    def timed(self, rerun_data):  # noqa: ANN001 (Streamlit's private ScriptRunner API)
        start = time.perf_counter()
        try:
            return run(self, rerun_data)
        finally:
            kind = "fragment" if rerun_data.fragment_id_queue else "full"
            with open(os.environ["DLX_RUN_TIMES"], "a") as f:
                f.write(f"{time.perf_counter() - start:.4f} {kind}\n")

    return timed


if __name__ == "__main__":
    # No public hook times a script run: wrap the private method that runs one (Streamlit 1.67).
    script_runner.ScriptRunner._run_script = _timed(script_runner.ScriptRunner._run_script)  # noqa: SLF001
    serve.main()
