"""Run a snippet in a fresh Python with a memory ceiling; report its wall time and peak RSS.

Hostile inputs are tried in a child process so that a regression fails the test (MemoryError under
the address-space limit) instead of taking the machine down, and so that the peak RSS measured is
that snippet's own.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import textwrap
import time

from tests.conftest import ROOT

# The peak is this process' own high-water mark (VmHWM): getrusage's ru_maxrss keeps the forking
# parent's peak across fork + exec, so it read 1.5 GB in a long test session.
PRELUDE = """
import json, sys, time
_t0 = time.perf_counter()
def _peak_mb():
    with open("/proc/self/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("VmHWM:")) / 1024
def _report(**extra):
    print("@@" + json.dumps({"seconds": time.perf_counter() - _t0, "peak_mb": _peak_mb(), **extra}))
"""


def run_bounded(code: str, limit_mb: int = 3000, timeout: float = 120) -> dict:
    """Run `code` (which calls `_report(...)` at its end); returns its report plus `seconds` (the
    snippet's own time, after interpreter start) and `peak_mb`. Raises if it did not report."""

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (limit_mb * 1024 * 1024, limit_mb * 1024 * 1024))

    t0 = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", PRELUDE + textwrap.dedent(code)], cwd=ROOT, capture_output=True,
                         text=True, timeout=timeout, preexec_fn=limit)
    lines = [x for x in out.stdout.splitlines() if x.startswith("@@")]
    assert out.returncode == 0 and lines, f"exit {out.returncode}\n{out.stdout[-2000:]}\n{out.stderr[-3000:]}"
    report = json.loads(lines[-1][2:])
    report["wall"] = time.perf_counter() - t0
    return report


class within:
    """In-process bounds for a block: wall seconds and growth of this process' peak RSS (MB).

        with within(seconds=10, peak_mb=300):
            ...
    The peak only grows, so a block that stays under the earlier peak shows 0: a bound, not a measure.
    """

    def __init__(self, seconds: float, peak_mb: float) -> None:
        self.seconds, self.peak_mb = seconds, peak_mb

    def __enter__(self) -> "within":
        self._t0 = time.perf_counter()
        self._peak0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        return self

    def __exit__(self, *exc) -> None:
        if exc[0] is not None:
            return
        elapsed = time.perf_counter() - self._t0
        grown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 - self._peak0
        assert elapsed < self.seconds, f"took {elapsed:.1f} s (bound {self.seconds} s)"
        assert grown < self.peak_mb, f"peak RSS grew {grown:.0f} MB (bound {self.peak_mb} MB)"
