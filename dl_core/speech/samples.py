"""Speech that ships with the app (assets/speech) and the LibriVox test clips the benchmark uses.

Bundled samples carry their reference transcript, where they come from and their licence
(assets/speech/samples.json; assets/speech/make_samples.py rebuilds them).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from ..errors import InputError
from ..paths import PROJECT_ROOT

ASSETS = PROJECT_ROOT / "assets" / "speech"
# Debian's pocketsphinx-testdata: five LibriVox clips (Sense and Sensibility, ch. 1) + transcripts.
LIBRIVOX_DIR = Path("/usr/share/pocketsphinx/test/data/librivox")


@dataclass(frozen=True)
class Sample:
    file: str
    title: str
    reference: str
    source: str
    licence: str

    @property
    def path(self) -> Path:
        return ASSETS / self.file


def samples() -> list[Sample]:
    """The bundled samples, in the order the page offers them."""
    entries = json.loads((ASSETS / "samples.json").read_text(encoding="utf-8"))
    return [Sample(**e) for e in entries]


def sample(file: str) -> Sample:
    for s in samples():
        if s.file == file:
            return s
    raise InputError(f"No bundled sample {file!r}; choose one of: {', '.join(s.file for s in samples())}.")


def librivox_clips(folder: Path = LIBRIVOX_DIR) -> list[tuple[Path, str]]:
    """[(wav path, reference)] of pocketsphinx-testdata's LibriVox clips, in file order."""
    listing = folder / "transcription"
    if not listing.is_file():
        raise InputError(f"No LibriVox clips at {folder}: install Debian's pocketsphinx-testdata "
                         "(apt-get install pocketsphinx-testdata).")
    clips = []
    for line in listing.read_text().splitlines():
        text, _, key = line.rpartition("(")
        wav = folder / f"{key.strip(' )')}.wav"
        if wav.is_file():
            clips.append((wav, text.replace("<s>", "").replace("</s>", "").strip()))
    return clips
