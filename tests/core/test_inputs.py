"""Hostile and odd uploads: each is either read correctly or refused with an actionable InputError."""

import io
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from PIL import Image

from dl_core import inputs
from dl_core.errors import InputError


def _png(image: Image.Image, fmt: str = "PNG", **kw) -> bytes:
    buf = io.BytesIO()
    image.save(buf, fmt, **kw)
    return buf.getvalue()


# ---- images -----------------------------------------------------------------------------------

@pytest.mark.parametrize("mode,fmt", [("RGB", "JPEG"), ("RGB", "PNG"), ("RGB", "WEBP"), ("RGB", "BMP"),
                                      ("L", "PNG"), ("RGBA", "PNG"), ("CMYK", "JPEG"), ("P", "GIF"),
                                      ("LA", "PNG"), ("I;16", "PNG")])
def test_image_modes_become_rgb(mode, fmt):
    img = Image.new(mode, (20, 10))
    out = inputs.read_image(_png(img, fmt), name=f"x.{fmt.lower()}")
    assert out.mode == "RGB" and out.size == (20, 10)


def test_rgba_is_composited_on_white():
    img = Image.new("RGBA", (4, 4), (255, 0, 0, 0))  # fully transparent red
    out = inputs.read_image(_png(img))
    assert out.getpixel((0, 0)) == (255, 255, 255)


def test_16bit_range_is_stretched():
    arr = np.linspace(1000, 3000, 64, dtype=np.uint16).reshape(8, 8)
    out = np.asarray(inputs.read_image(_png(Image.fromarray(arr))))
    assert out.min() == 0 and out.max() == 255


def test_gif_first_frame():
    frames = [Image.new("RGB", (8, 8), c) for c in ((255, 0, 0), (0, 0, 255))]
    buf = io.BytesIO()
    frames[0].save(buf, "GIF", save_all=True, append_images=frames[1:])
    out = inputs.read_image(buf.getvalue(), name="anim.gif")
    r, g, b = out.getpixel((0, 0))
    assert r > 200 and b < 50


def test_not_an_image():
    with pytest.raises(InputError, match="not an image"):
        inputs.read_image(b"hello, this is text" * 10, name="notes.png")


def test_truncated_image():
    data = _png(Image.new("RGB", (200, 200), (9, 9, 9)), "JPEG")
    with pytest.raises(InputError, match="damaged|truncated|not an image"):
        inputs.read_image(data[: len(data) // 3], name="cut.jpg")


def test_decompression_bomb_refused():
    data = _png(Image.new("1", (12000, 12000)))  # tiny file, 144 megapixels
    with pytest.raises(InputError, match="megapixels|bomb"):
        inputs.read_image(data, name="bomb.png")


def test_unsupported_format_named():
    with pytest.raises(InputError, match="TIFF"):
        inputs.read_image(_png(Image.new("RGB", (4, 4)), "TIFF"), name="scan.tif")


def test_size_cap_and_empty():
    with pytest.raises(InputError, match="limit"):
        inputs.read_image(b"x" * 101, max_bytes=100)
    with pytest.raises(InputError, match="empty"):
        inputs.read_image(b"")


def test_path_and_file_objects(tmp_path: Path):
    p = tmp_path / "a.png"
    p.write_bytes(_png(Image.new("RGB", (3, 3))))
    assert inputs.read_image(p).size == (3, 3)
    assert inputs.read_image(io.BytesIO(p.read_bytes())).size == (3, 3)
    with pytest.raises(InputError, match="no such file"):
        inputs.read_image(tmp_path / "missing.png")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=4096))
def test_random_bytes_never_crash_image_reader(data):
    try:
        img = inputs.read_image(data)
    except InputError:
        return
    assert img.mode == "RGB"


# ---- CSV --------------------------------------------------------------------------------------

def test_csv_delimiter_and_encoding_sniffed():
    text = "naïve;value\nçà;1,5\nb;2\n"
    t = inputs.read_csv(text.encode("cp1252"), name="x.csv")
    assert list(t.frame.columns) == ["naïve", "value"]
    assert t.delimiter == ";" and t.encoding == "cp1252"
    assert any("cp1252" in n for n in t.notices)


def test_csv_utf16_with_bom():
    t = inputs.read_csv("a,b\n1,2\n3,4\n".encode("utf-16"))
    assert t.frame.shape == (2, 2)


def test_csv_binary_refused():
    with pytest.raises(InputError, match="binary"):
        inputs.read_csv(bytes(range(256)) * 4, name="model.bin")


def test_csv_header_only_and_empty():
    with pytest.raises(InputError, match="no data rows"):
        inputs.read_csv(b"a,b,c\n")
    with pytest.raises(InputError, match="no rows|empty"):
        inputs.read_csv(b"   \n\n")


def test_numeric_matrix_reports_text_nan_and_inf():
    df = pd.DataFrame({"a": [1, 2, np.nan, 4], "b": [1.0, np.inf, 3, 4], "c": ["x", "1", "2", "3"]})
    with pytest.raises(InputError, match="'c'.*non-numeric.*'x'"):
        inputs.numeric_matrix(df, ["a", "c"])
    X, notes, kept = inputs.numeric_matrix(df, ["a", "b"])
    assert X.shape == (2, 2) and list(kept) == [0, 3]
    assert "1 missing" in notes[0] and "1 infinite" in notes[0]
    with pytest.raises(InputError, match="missing"):
        inputs.numeric_matrix(df, ["a", "b"], nan_policy="error")
    with pytest.raises(InputError, match="No column named 'zz'"):
        inputs.numeric_matrix(df, ["zz"])


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=2048))
@example(b"\r!")  # found by this test: a lone carriage return in the header line (csv.Error)
@example(b"a,b\r1,2\r3,4\r")  # old Mac line ends
def test_random_bytes_never_crash_csv_reader(data):
    try:
        t = inputs.read_csv(data)
    except InputError:
        return
    assert len(t.frame) >= 1


# ---- text -------------------------------------------------------------------------------------

@pytest.mark.parametrize("enc", ["utf-8", "utf-16", "utf-8-sig", "latin-1"])
def test_text_encodings(enc):
    t = inputs.read_text("Olá, ação! 😀 שלום".encode(enc, errors="replace") if enc == "latin-1"
                         else "Olá, ação! 😀 שלום".encode(enc))
    assert "Ol" in t.text


def test_text_binary_refused_and_empty():
    with pytest.raises(InputError, match="binary"):
        inputs.read_text(b"\x00\x01\x02\x03" * 100, name="a.txt")
    with pytest.raises(InputError, match="empty"):
        inputs.read_text(b"   \n\t ")
    with pytest.raises(InputError, match="empty"):
        inputs.check_text("  ")


def test_text_truncated_with_notice():
    t = inputs.read_text(("word " * 300_000).encode(), max_chars=1000)
    assert len(t.text) == 1000
    assert "only the first 1,000" in t.notices[0]


# ---- zip --------------------------------------------------------------------------------------

def _zip(entries: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, data in entries.items():
            z.writestr(name, data)
    return buf.getvalue()


def test_zip_members_and_junk_skipped():
    members = inputs.read_zip(_zip({"cats/a.png": b"1", "dogs/b.png": b"22", "__MACOSX/cats/._a.png": b"x",
                                    "cats/.DS_Store": b"x"}))
    assert sorted(str(m.path) for m in members) == ["cats/a.png", "dogs/b.png"]


@pytest.mark.parametrize("bad", ["../evil.png", "/etc/passwd", "a/../../b.png", "C:\\win\\x.png",
                                 "..\\up.png"])
def test_zip_path_traversal_refused(bad):
    with pytest.raises(InputError, match="unsafe path"):
        inputs.read_zip(_zip({bad: b"x"}))


def test_zip_file_count_and_bomb_caps():
    with pytest.raises(InputError, match="limit is 5"):
        inputs.read_zip(_zip({f"f{i}.txt": b"x" for i in range(6)}), max_files=5)
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("big.bin", b"\0" * 5_000_000)
    assert len(bomb.getvalue()) < 100_000
    with pytest.raises(InputError, match="MB"):
        inputs.read_zip(bomb.getvalue(), max_member=1_000_000)
    with pytest.raises(InputError, match="expands"):
        inputs.read_zip(bomb.getvalue(), max_total=1_000_000)


def test_not_a_zip():
    with pytest.raises(InputError, match="not a valid zip"):
        inputs.read_zip(b"PK but not really a zip file at all")
