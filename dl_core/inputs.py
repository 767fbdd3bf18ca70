"""Reading and validating what people upload: images, CSV tables, plain text, zip archives.

Every function takes raw bytes, a file-like object (Streamlit's UploadedFile included) or a `Path`,
never trusts names or sizes it is told, and either returns something clean or raises `InputError`
with a message that says what to change. Nothing here unpickles or executes anything.
"""

from __future__ import annotations

import codecs
import csv
import io
import stat
import struct
import warnings
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import IO, TYPE_CHECKING

import numpy as np

from .errors import InputError

if TYPE_CHECKING:
    import pandas as pd
    from PIL import Image

Source = bytes | bytearray | memoryview | Path | IO[bytes]

MB = 1024 * 1024
IMAGE_MAX_BYTES = 20 * MB
IMAGE_MAX_PIXELS = 40_000_000  # ~ 7,000 x 5,700; larger is almost surely a mistake or an attack
IMAGE_FORMATS = {"JPEG", "PNG", "WEBP", "BMP", "GIF", "MPO"}  # MPO: phone JPEGs with a depth frame
CSV_MAX_BYTES = 50 * MB
CSV_MAX_COLUMNS = 2_000  # more is a wide matrix dump, not a table a page here can use
CSV_SNIFF_CHARS = 8_192  # csv.Sniffer on 64 KB of `,"` took 30 s here, holding the GIL for everyone
TEXT_MAX_BYTES = 10 * MB
TEXT_MAX_CHARS = 100_000
ZIP_MAX_BYTES = 50 * MB
ZIP_MAX_FILES = 2_000
ZIP_MAX_TOTAL = 200 * MB  # uncompressed; guards against zip bombs
ZIP_MAX_MEMBER = 20 * MB


def _name(source: Source, name: str | None) -> str:
    if name:
        return name
    if isinstance(source, Path):
        return source.name
    return getattr(source, "name", None) or "the file"


def read_bytes(source: Source, max_bytes: int, name: str | None = None) -> bytes:
    """All bytes of `source`, refusing more than `max_bytes` without reading past the cap."""
    label = _name(source, name)
    if isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source)
    elif isinstance(source, Path):
        try:
            size = source.stat().st_size
            if size > max_bytes:
                raise InputError(_too_big(label, size, max_bytes))
            data = source.read_bytes()
        except FileNotFoundError:
            raise InputError(f"{label}: no such file; check the path.") from None
        except IsADirectoryError:
            raise InputError(f"{label} is a folder; give a file.") from None
    elif hasattr(source, "getvalue"):
        data = source.getvalue()
    elif hasattr(source, "read"):
        data = source.read(max_bytes + 1)
    else:
        raise TypeError(f"cannot read {type(source).__name__}; pass bytes, a Path or a file object")
    if len(data) > max_bytes:
        raise InputError(_too_big(label, len(data), max_bytes))
    if not data:
        raise InputError(f"{label} is empty (0 bytes); upload a file with content.")
    return data


def _too_big(label: str, size: int, cap: int) -> str:
    return f"{label} is {size / MB:.1f} MB; the limit here is {cap / MB:.0f} MB. Upload a smaller file."


# ---- images --------------------------------------------------------------------------------------

def read_image(source: Source, name: str | None = None, max_bytes: int = IMAGE_MAX_BYTES,
               max_pixels: int = IMAGE_MAX_PIXELS, short_side: int | None = None) -> "Image.Image":
    """Decode an uploaded image into an 8-bit RGB PIL image.

    JPEG/PNG/WebP/BMP/GIF (first frame). Grayscale, palette, RGBA/LA (composited on white), CMYK and
    16-bit images are converted; EXIF rotation is applied. Decompression bombs are refused.
    With `short_side`, a larger image is scaled down so that its short side is that many pixels (its
    long side at most 4x that): JPEGs are decoded at a reduced scale (`draft`), so a 12-megapixel photo
    never exists in memory at full size; what a model or a thumbnail needs costs a fraction of it.
    """
    from PIL import Image, ImageOps, UnidentifiedImageError

    label = _name(source, name)
    data = read_bytes(source, max_bytes, label)
    if short_side is not None and short_side < 1:
        raise ValueError(f"short_side must be at least 1, got {short_side}")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=None)
            fmt = image.format or "?"
            if fmt not in IMAGE_FORMATS:
                raise InputError(
                    f"{label} is a {fmt} image; upload a JPEG, PNG, WebP, BMP or GIF instead."
                )
            w, h = image.size
            if w * h > max_pixels:
                raise InputError(
                    f"{label} is {w}x{h} pixels ({w * h / 1e6:.0f} megapixels); the limit is "
                    f"{max_pixels / 1e6:.0f} megapixels. Resize it and upload again."
                )
            image.seek(0)  # first frame of an animation
            if short_side is not None and _shrink_scale(w, h, short_side) < 1:
                scale = _shrink_scale(w, h, short_side)
                # JPEG only (others ignore it): decode at 1/2, 1/4 or 1/8 scale, never below the target.
                image.draft(None, (max(1, int(w * scale)), max(1, int(h * scale))))
            image.load()
            if image.width < 1 or image.height < 1:
                raise InputError(f"{label} has no pixels.")
            # Inside the guard: a damaged EXIF block raises here too (and becomes a clear message).
            image = ImageOps.exif_transpose(image)
            image = _to_rgb(image)
            if short_side is not None and _shrink_scale(image.width, image.height, short_side) < 1:
                scale = _shrink_scale(image.width, image.height, short_side)
                size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
                image = image.resize(size, Image.BICUBIC, reducing_gap=3.0)
    except InputError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise InputError(f"{label} declares an enormous size (a decompression bomb?); refused.") from None
    except UnidentifiedImageError:
        raise InputError(
            f"{label} is not an image we can read; upload a JPEG, PNG, WebP, BMP or GIF file."
        ) from None
    except (OSError, SyntaxError, ValueError, TypeError, KeyError, IndexError, struct.error) as exc:
        raise InputError(f"{label} looks damaged or truncated ({exc}); try exporting it again.") from None
    return image


def _shrink_scale(w: int, h: int, short_side: int) -> float:
    """The factor (< 1) that brings the short side to `short_side`, the long side to at most 4x that."""
    return min(short_side / min(w, h), 4 * short_side / max(w, h), 1.0)


def _to_rgb(image: "Image.Image") -> "Image.Image":
    from PIL import Image

    if image.mode in ("I;16", "I;16B", "I;16L", "I", "F"):
        # 16-bit/32-bit grayscale: stretch the actual range into 8 bits.
        arr = np.asarray(image, dtype=np.float64)
        lo, hi = float(np.nanmin(arr)), float(np.nanmax(arr))
        arr = (arr - lo) / (hi - lo) * 255 if hi > lo else np.zeros_like(arr)
        image = Image.fromarray(arr.astype(np.uint8), "L")
    if image.mode == "P":
        image = image.convert("RGBA")
    if image.mode in ("RGBA", "LA", "PA"):
        rgba = image.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        image = Image.alpha_composite(background, rgba)
    return image.convert("RGB")


# ---- CSV -----------------------------------------------------------------------------------------

@dataclass
class Table:
    """A parsed CSV and the notices the person should see (encoding guessed, rows dropped...)."""

    frame: "pd.DataFrame"
    notices: list[str] = field(default_factory=list)
    encoding: str = "utf-8"
    delimiter: str = ","


def decode_text(data: bytes, label: str = "the file") -> tuple[str, str, list[str]]:
    """Bytes -> (text, encoding, notices). UTF-8/16/32 by BOM, UTF-8, else Windows-1252/Latin-1."""
    notices: list[str] = []
    for bom, enc in ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
                     (codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
                     (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            try:
                return data.decode(enc), enc, notices
            except UnicodeDecodeError:
                break
    if _looks_binary(data):
        raise InputError(
            f"{label} looks like a binary file, not text; upload a plain-text (.txt/.csv) file."
        )
    try:
        return data.decode("utf-8"), "utf-8", notices
    except UnicodeDecodeError:
        pass
    for enc in ("cp1252", "latin-1"):
        try:
            text = data.decode(enc)
        except UnicodeDecodeError:
            continue
        notices.append(f"{label} is not UTF-8; it was read as {enc}. Check accented letters.")
        return text, enc, notices
    raise InputError(f"{label} could not be decoded as text; save it as UTF-8 and upload again.")


def _looks_binary(data: bytes) -> bool:
    sample = data[:8192]
    if b"\x00" in sample:
        return True
    control = sum(1 for b in sample if b < 32 and b not in (9, 10, 12, 13, 27))
    return control > 0.05 * len(sample)


def read_csv(source: Source, name: str | None = None, max_bytes: int = CSV_MAX_BYTES) -> Table:
    """Parse a CSV with encoding and delimiter sniffing. Column names are stripped of spaces."""
    import pandas as pd

    label = _name(source, name)
    data = read_bytes(source, max_bytes, label)
    text, encoding, notices = decode_text(data, label)
    if not text.strip():
        raise InputError(f"{label} has no rows; upload a CSV with a header line and data.")
    delimiter = guess_delimiter(text)
    # Count the header's fields first (C parser, milliseconds): pandas takes seconds, holding the GIL,
    # to de-duplicate the names of a 16k-column header.
    try:  # newline="": csv's own line handling (a lone "\r" ends a line, as in an old Mac file)
        header = next(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), [])
    except csv.Error as exc:
        raise InputError(f"{label} is not a readable CSV ({exc}). Save it as a plain CSV and upload again.") from None
    if len(header) > CSV_MAX_COLUMNS:
        raise InputError(f"{label} has {len(header):,} columns; the pages here use at most "
                         f"{CSV_MAX_COLUMNS:,}. Keep the columns you need and upload again.")
    try:
        frame = pd.read_csv(io.StringIO(text), sep=delimiter, skipinitialspace=True)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else "unreadable"
        raise InputError(
            f"{label} is not a readable CSV ({first}). Check that every row has the same number "
            "of fields and that the first line holds the column names."
        ) from None
    if frame.empty:
        raise InputError(f"{label} has a header but no data rows.")
    if frame.shape[1] > CSV_MAX_COLUMNS:
        raise InputError(f"{label} has {frame.shape[1]:,} columns; the pages here use at most "
                         f"{CSV_MAX_COLUMNS:,}. Keep the columns you need and upload again.")
    frame.columns, renamed = _unique_names([str(c).strip() for c in frame.columns])
    if renamed:
        notices.append("Some column names repeat once spaces are trimmed; renamed to "
                       + ", ".join(f"“{n}”" for n in renamed[:5]) + (" …" if len(renamed) > 5 else "") + ".")
    if delimiter != ",":
        notices.append(f"Columns were separated by {_delimiter_name(delimiter)}.")
    return Table(frame=frame, notices=notices, encoding=encoding, delimiter=delimiter)


def guess_delimiter(text: str) -> str:
    """The delimiter (`,` `;` tab `|`) that splits the first lines into the same number (> 1) of
    fields most consistently. Reads at most CSV_SNIFF_CHARS with the C csv parser: bounded time."""
    sample = text[:CSV_SNIFF_CHARS]
    lines = sample.splitlines()[:20]
    if len(text) > CSV_SNIFF_CHARS and len(lines) > 1:
        lines = lines[:-1]  # the last line may be cut in half
    best, best_score = ",", (0, 0)
    for d in (",", ";", "\t", "|"):
        try:
            counts = [len(r) for r in csv.reader(lines, delimiter=d) if r]
        except csv.Error:
            continue
        if not counts or counts[0] < 2:
            continue
        score = (sum(c == counts[0] for c in counts), counts[0])
        if score > best_score:
            best, best_score = d, score
    return best


def _unique_names(names: list[str]) -> tuple[list[str], list[str]]:
    """`a`, `a ` and `a` again become `a`, `a (2)`, `a (3)`; returns the names and those renamed."""
    seen: dict[str, int] = {}
    out, renamed = [], []
    taken = set(names)
    for n in names:
        if n not in seen:
            seen[n] = 1
            out.append(n)
            continue
        k = seen[n]
        while True:
            k += 1
            candidate = f"{n} ({k})"
            if candidate not in taken:
                break
        seen[n] = k
        taken.add(candidate)
        out.append(candidate)
        renamed.append(candidate)
    return out, renamed


def _delimiter_name(d: str) -> str:
    return {";": "semicolons", "\t": "tabs", "|": "pipes"}.get(d, repr(d))


def numeric_matrix(frame: "pd.DataFrame", columns: list[str] | None = None,
                   nan_policy: str = "drop") -> tuple[np.ndarray, list[str], "pd.Index"]:
    """Columns as a float64 matrix; returns (X, notices, index of the rows kept).

    Text cells are an error that names the column and an example value. Missing and infinite values
    are reported and, with `nan_policy="drop"`, their rows removed; with "error" they are refused.
    """
    import pandas as pd

    columns = list(frame.columns) if columns is None else columns
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise InputError(f"No column named {', '.join(map(repr, missing))}; the file has: "
                         f"{', '.join(map(str, frame.columns))}.")
    if not columns:
        raise InputError("Choose at least one numeric column.")
    notices: list[str] = []
    converted = {}
    for c in columns:
        col = frame[c]
        num = pd.to_numeric(col, errors="coerce")
        bad = num.isna() & col.notna()
        if bad.any():
            example = col[bad].iloc[0]
            raise InputError(
                f"Column {c!r} has {int(bad.sum())} non-numeric value(s), e.g. {str(example)[:40]!r}; "
                "fix or remove them, or leave this column out."
            )
        converted[c] = num.astype("float64")
    numeric = pd.DataFrame(converted, index=frame.index)
    values = numeric.to_numpy()
    n_nan = int(np.isnan(values).sum())
    n_inf = int(np.isinf(values).sum())
    bad_rows = ~np.isfinite(values).all(axis=1)
    if bad_rows.any():
        what = ", ".join(x for x in (f"{n_nan} missing" if n_nan else "",
                                     f"{n_inf} infinite" if n_inf else "") if x)
        if nan_policy == "error":
            raise InputError(f"The data has {what} value(s); fill or remove those rows first.")
        notices.append(f"{int(bad_rows.sum())} row(s) with {what} value(s) were left out.")
    kept = numeric.index[~bad_rows]
    if len(kept) == 0:
        raise InputError("No row is complete once missing/infinite values are removed.")
    return values[~bad_rows], notices, kept


# ---- plain text ----------------------------------------------------------------------------------

@dataclass
class Text:
    text: str
    notices: list[str] = field(default_factory=list)
    encoding: str = "utf-8"


def check_text(text: str, max_chars: int = TEXT_MAX_CHARS, label: str = "The text") -> Text:
    """Validate typed or decoded text: refuse empty, truncate very long text with a notice."""
    if text is None or not str(text).strip():
        raise InputError(f"{label} is empty; type or upload some text.")
    text = str(text).replace("\x00", "")
    notices = []
    if len(text) > max_chars:
        notices.append(
            f"{label} has {len(text):,} characters; only the first {max_chars:,} were used."
        )
        text = text[:max_chars]
    return Text(text=text, notices=notices)


def read_text(source: Source, name: str | None = None, max_bytes: int = TEXT_MAX_BYTES,
              max_chars: int = TEXT_MAX_CHARS) -> Text:
    """Decode an uploaded text file (UTF-8/16/32, Windows-1252, Latin-1); binaries are refused."""
    label = _name(source, name)
    data = read_bytes(source, max_bytes, label)
    text, encoding, notices = decode_text(data, label)
    checked = check_text(text, max_chars, label)
    return Text(text=checked.text, notices=notices + checked.notices, encoding=encoding)


# ---- zip archives --------------------------------------------------------------------------------

@dataclass
class Member:
    path: PurePosixPath  # safe, relative, normalised
    data: bytes


def _safe_member_path(raw: str, label: str) -> PurePosixPath | None:
    """A safe relative path for an archive member, None for junk (folders, macOS metadata)."""
    cleaned = raw.replace("\\", "/")
    path = PurePosixPath(cleaned)
    if cleaned.startswith("/") or (len(cleaned) > 1 and cleaned[1] == ":") or ".." in path.parts:
        raise InputError(
            f"{label} contains an unsafe path ({raw!r}) that points outside the archive; "
            "re-create the zip from a plain folder."
        )
    if cleaned.endswith("/") or not path.parts:
        return None
    if path.parts[0] == "__MACOSX" or any(p.startswith(".") for p in path.parts):
        return None
    return path


def read_zip(source: Source, name: str | None = None, max_bytes: int = ZIP_MAX_BYTES,
             max_files: int = ZIP_MAX_FILES, max_total: int = ZIP_MAX_TOTAL,
             max_member: int = ZIP_MAX_MEMBER) -> list[Member]:
    """The files of a zip archive, in memory, with path traversal, symlinks and zip bombs refused."""
    label = _name(source, name)
    data = read_bytes(source, max_bytes, label)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise InputError(f"{label} is not a valid zip archive; create it again with a zip tool.") from None
    members: list[Member] = []
    total = 0
    with archive:
        infos = archive.infolist()
        files = [i for i in infos if not i.is_dir()]
        if len(files) > max_files:
            raise InputError(f"{label} holds {len(files):,} files; the limit is {max_files:,}. "
                             "Upload fewer images.")
        for info in files:
            path = _safe_member_path(info.filename, label)
            if path is None:
                continue
            if stat.S_ISLNK(info.external_attr >> 16):
                raise InputError(f"{label} contains a symbolic link ({info.filename!r}); refused.")
            if info.flag_bits & 0x1:
                raise InputError(f"{label} is password-protected; upload an unencrypted zip.")
            if info.file_size > max_member:
                raise InputError(f"{info.filename!r} in {label} is {info.file_size / MB:.0f} MB "
                                 f"uncompressed; the limit per file is {max_member / MB:.0f} MB.")
            try:
                with archive.open(info) as fh:
                    content = fh.read(max_member + 1)  # never trust the declared size
            except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError) as exc:
                raise InputError(f"{info.filename!r} in {label} cannot be extracted ({exc}).") from None
            if len(content) > max_member:
                raise InputError(f"{info.filename!r} in {label} is larger than "
                                 f"{max_member / MB:.0f} MB uncompressed; refused.")
            total += len(content)
            if total > max_total:
                raise InputError(f"{label} expands to more than {max_total / MB:.0f} MB; "
                                 "upload a smaller archive.")
            members.append(Member(path=path, data=content))
    if not members:
        raise InputError(f"{label} has no files in it.")
    return members
