"""The hostile-input catalogue, at the engine's entry points for uploads and text.

Every item must end in a clear `InputError` or a correct result, never another exception, within a
bounded time and a bounded growth of the process's peak memory. The catalogue runs in a fresh
process, and the peak RSS (VmHWM) is reset before each item, so each item's peak growth is its own.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.conftest import ROOT

CATALOGUE = r'''
import io, json, sys, time, zipfile
import numpy as np
from PIL import Image
from dl_core import inputs
from dl_core.errors import InputError

def png(mode, size, **kw):
    buf = io.BytesIO(); Image.new(mode, size, **kw).save(buf, "PNG"); return buf.getvalue()

def tiff_bytes():
    buf = io.BytesIO(); Image.new("RGB", (4, 4)).save(buf, "TIFF"); return buf.getvalue()

def bomb_png():
    # a 20k x 20k 1-bit PNG compresses to a few hundred KB; its header says 400 megapixels
    buf = io.BytesIO(); Image.new("1", (20000, 20000)).save(buf, "PNG", optimize=True); return buf.getvalue()

def zip_of(entries, compression=zipfile.ZIP_DEFLATED):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression) as z:
        for name, data in entries:
            z.writestr(name, data)
    return buf.getvalue()

def rows_csv(n_rows):
    return ("a,b\n" + "1,2\n" * n_rows).encode()

# The big hostile files are built before anything is measured: making them is not what is tested.
BOMB_PNG = bomb_png()
BOMB_ZIP = zip_of([(f"f{i}.bin", b"\0" * (30 * 2**20)) for i in range(8)])
MANY_ZIP = zip_of([(f"f{i}.txt", b"x") for i in range(inputs.ZIP_MAX_FILES + 1)])
LONG_CSV = rows_csv(1_000_000)
WIDE_CSV = (",".join(f"c{i}" for i in range(10000)) + "\n" + ",".join("1" * 10000) + "\n").encode()
BIG_CSV = b"a\n" + b"1\n" * (inputs.CSV_MAX_BYTES // 2 + 1)
HUGE_PNG = b"\x89PNG" + b"\0" * (inputs.IMAGE_MAX_BYTES + 1)

items = {
    # images
    "empty image": lambda: inputs.read_image(b"", name="e.png"),
    "not an image": lambda: inputs.read_image(b"hello world" * 10, name="x.png"),
    "truncated png": lambda: inputs.read_image(png("RGB", (64, 64))[:60], name="t.png"),
    "tiff (unsupported)": lambda: inputs.read_image(tiff_bytes(), name="x.tiff"),
    "decompression bomb": lambda: inputs.read_image(BOMB_PNG, name="bomb.png"),
    "16-bit grey": lambda: inputs.read_image(png("I;16", (32, 32)), name="g.png"),
    "1x1 palette": lambda: inputs.read_image(png("P", (1, 1)), name="p.png"),
    "RGBA": lambda: inputs.read_image(png("RGBA", (8, 8), color=(0, 0, 0, 0)), name="a.png"),
    "huge file": lambda: inputs.read_image(HUGE_PNG, name="h.png"),
    # text
    "binary as text": lambda: inputs.read_text(bytes(range(256)) * 100, name="b.txt"),
    "utf-16 text": lambda: inputs.read_text("héllo wörld\n".encode("utf-16"), name="u.txt"),
    "latin-1 text": lambda: inputs.read_text("café crème\n".encode("latin-1"), name="l.txt"),
    "empty text": lambda: inputs.read_text(b"", name="e.txt"),
    "NUL bytes in text": lambda: inputs.check_text("a\x00b" * 10),
    # CSV
    "csv no rows": lambda: inputs.read_csv(b"a,b,c\n", name="h.csv"),
    "csv empty": lambda: inputs.read_csv(b"", name="e.csv"),
    "csv one row": lambda: inputs.read_csv(b"a,b\n1,2\n", name="o.csv"),
    "csv only NaN": lambda: inputs.read_csv(b"a,b\n,\n,\n", name="n.csv"),
    "csv 10k columns": lambda: inputs.read_csv(WIDE_CSV, name="w.csv"),
    "csv 64 KB of ,\"": lambda: inputs.read_csv((',"' * 32768).encode(), name="q.csv"),
    "csv 1M rows": lambda: inputs.read_csv(LONG_CSV, name="long.csv"),
    "csv duplicate names": lambda: inputs.read_csv(b"a,a ,b\n1,2,3\n", name="d.csv"),
    "csv ragged": lambda: inputs.read_csv(b"a,b\n1,2,3,4\n5\n", name="r.csv"),
    "csv binary": lambda: inputs.read_csv(bytes(range(256)) * 50, name="bin.csv"),
    "csv over the size cap": lambda: inputs.read_csv(BIG_CSV, name="big.csv"),
    # zip
    "zip traversal": lambda: inputs.read_zip(zip_of([("../../etc/evil.txt", b"x"), ("ok/a.png", b"y")]), name="t.zip"),
    "zip absolute path": lambda: inputs.read_zip(zip_of([("/etc/passwd", b"x")]), name="abs.zip"),
    "zip bomb": lambda: inputs.read_zip(BOMB_ZIP, name="bomb.zip"),
    "zip too many files": lambda: inputs.read_zip(MANY_ZIP, name="many.zip"),
    "not a zip": lambda: inputs.read_zip(b"PK\x03\x04 nope", name="n.zip"),
}

def reset_peak():
    """Linux: writing 5 to clear_refs resets the peak RSS (VmHWM), so each item's peak is its own."""
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")

def peak_kb():
    with open("/proc/self/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("VmHWM:"))

out = {}
for name, fn in items.items():
    reset_peak()
    before = peak_kb()
    t0 = time.perf_counter()
    try:
        result = fn()
        outcome, message = "ok", type(result).__name__
    except InputError as exc:
        outcome, message = "input_error", str(exc)
    except Exception as exc:  # a bug: the catalogue reports it, the test fails on it
        outcome, message = "crash", f"{type(exc).__name__}: {exc}"
    out[name] = {"outcome": outcome, "message": message[:300], "seconds": time.perf_counter() - t0,
                 "peak_growth_mb": (peak_kb() - before) / 1024}
print(json.dumps(out))
'''

# items that must be refused with a message (everything else may also be a correct result)
MUST_REFUSE = {"empty image", "not an image", "truncated png", "tiff (unsupported)", "decompression bomb",
               "huge file", "binary as text", "empty text", "csv no rows", "csv empty", "csv 10k columns",
               "csv 64 KB of ,\"", "csv binary", "csv over the size cap", "zip bomb", "zip too many files",
               "not a zip"}
SECONDS = 20  # generous: a shared 2-core machine; a GIL-holding loop would take minutes
PEAK_MB = 400  # generous: 1M CSV rows peak at ~50 MB; the dangerous items would take GBs


@pytest.fixture(scope="module")
def catalogue() -> dict:
    done = subprocess.run([sys.executable, "-c", CATALOGUE], cwd=ROOT, capture_output=True, text=True,
                          timeout=600, env={"PYTHONPATH": str(ROOT), "OMP_NUM_THREADS": "1", "PATH": "/usr/bin:/bin"})
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_no_item_crashes(catalogue):
    crashes = {k: v["message"] for k, v in catalogue.items() if v["outcome"] == "crash"}
    assert not crashes


def test_dangerous_items_are_refused_with_a_message(catalogue):
    for name in MUST_REFUSE:
        assert catalogue[name]["outcome"] == "input_error", (name, catalogue[name])
        assert len(catalogue[name]["message"]) > 20  # says what is wrong, not just "error"


def test_every_item_is_bounded_in_time_and_memory(catalogue):
    for name, item in catalogue.items():
        assert item["seconds"] < SECONDS, (name, item)
        assert item["peak_growth_mb"] < PEAK_MB, (name, item)


def test_harmless_oddities_give_correct_results(catalogue):
    for name in ("16-bit grey", "1x1 palette", "RGBA", "utf-16 text", "latin-1 text", "csv one row",
                 "csv duplicate names", "csv 1M rows"):
        assert catalogue[name]["outcome"] == "ok", (name, catalogue[name])
