"""Regenerate the bundled speech samples (run from the project root; needs espeak-ng and
Debian's pocketsphinx-testdata): `.venv/bin/python assets/speech/make_samples.py`.

- librivox-*.flac: two clips of the LibriVox public-domain recording of Jane Austen's "Sense and
  Sensibility" (chapter 1), as shipped in Debian's pocketsphinx-testdata (16 kHz mono), re-encoded
  losslessly to FLAC. Transcripts: that package's `librivox/transcription`.
- espeak-*.ogg: sentences written for this project, synthesised with espeak-ng (voice en-us) and
  encoded to Ogg/Opus. The transcript is the text given to espeak-ng.
"""

from __future__ import annotations

import io
import json
import subprocess
import wave
from pathlib import Path

import av
import numpy as np

HERE = Path(__file__).resolve().parent
LIBRIVOX = Path("/usr/share/pocketsphinx/test/data/librivox")

ESPEAK = {
    "espeak-meeting.ogg": (
        "Synthetic voice: a short announcement (espeak-ng)",
        "Thank you all for coming today. The new library opens next Monday morning, and everyone is "
        "invited to the opening party. There will be music, books for children and free coffee. "
        "We are very happy with the result, and we hope you will love it too.",
    ),
}
CLIPS = {  # (dashwood first: the longer clip is the better demonstration)
    "librivox-dashwood.flac": ("Human voice: Sense and Sensibility, LibriVox (public domain)",
                               "sense_and_sensibility_01_austen_64kb-0870"),
    "librivox-ill-disposed.flac": ("Human voice: Sense and Sensibility, LibriVox (public domain), short",
                                   "sense_and_sensibility_01_austen_64kb-0880"),
}


def _encode(x: np.ndarray, rate: int, path: Path, fmt: str, codec: str) -> None:
    with av.open(str(path), mode="w", format=fmt) as out:
        out_rate = 48_000 if codec == "libopus" else rate
        stream = out.add_stream(codec, rate=out_rate, layout="mono")
        if out_rate != rate:
            t_new = np.arange(int(len(x) * out_rate / rate)) / out_rate
            x = np.interp(t_new, np.arange(len(x)) / rate, x).astype(np.float32)
        if codec == "libopus":
            stream.bit_rate = 32_000
        size = stream.codec_context.frame_size or 4096
        layout_fmt = stream.codec_context.format.name
        for i in range(0, len(x), size):
            part = x[i:i + size]
            if layout_fmt == "s16":
                frame = av.AudioFrame.from_ndarray((part * 32767).astype("<i2").reshape(1, -1), format="s16",
                                                   layout="mono")
            else:
                frame = av.AudioFrame.from_ndarray(part.reshape(1, -1).astype(np.float32), format="flt",
                                                   layout="mono")
            frame.sample_rate, frame.pts = out_rate, i
            for p in stream.encode(frame):
                out.mux(p)
        for p in stream.encode(None):
            out.mux(p)


def main() -> None:
    refs = {}
    for line in (LIBRIVOX / "transcription").read_text().splitlines():
        text, _, key = line.rpartition("(")
        refs[key.strip(" )")] = text.replace("<s>", "").replace("</s>", "").strip()
    samples = []
    for file, (title, key) in CLIPS.items():
        with wave.open(str(LIBRIVOX / f"{key}.wav")) as w:
            rate = w.getframerate()
            x = np.frombuffer(w.readframes(w.getnframes()), "<i2").astype(np.float32) / 32768
        _encode(x, rate, HERE / file, "flac", "flac")
        samples.append({"file": file, "title": title, "reference": refs[key],
                        "source": "LibriVox recording of Jane Austen, Sense and Sensibility, ch. 1 "
                                  f"(clip {key}), from Debian's pocketsphinx-testdata",
                        "licence": "public domain (LibriVox)"})
    for file, (title, text) in ESPEAK.items():
        wav = subprocess.run(["espeak-ng", "-v", "en-us", "-s", "150", "--stdout", text], check=True,
                             capture_output=True).stdout
        with wave.open(io.BytesIO(wav)) as w:
            rate = w.getframerate()
            x = np.frombuffer(w.readframes(w.getnframes()), "<i2").astype(np.float32) / 32768
        _encode(x, rate, HERE / file, "ogg", "libopus")
        samples.append({"file": file, "title": title, "reference": text,
                        "source": "written for this project, synthesised with espeak-ng 1.51 (voice en-us)",
                        "licence": "made here (same licence as this project)"})
    order = [*ESPEAK, *CLIPS]  # the page offers them in this order: the first is the default
    samples.sort(key=lambda s: order.index(s["file"]))
    (HERE / "samples.json").write_text(json.dumps(samples, indent=2) + "\n")


if __name__ == "__main__":
    main()
