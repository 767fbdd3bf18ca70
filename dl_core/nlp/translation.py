"""Translation: EN<->PT offline with the bundled Bergamot models, other pairs through optional hub models."""

from __future__ import annotations

import re
from typing import Any

from .. import inputs
from ..errors import InputError

BUNDLED_PAIRS = {("en", "pt"), ("pt", "en")}
BUNDLED_MODEL = "bergamot-en-pt"
LANGUAGES = {"en": "English", "pt": "Portuguese", "de": "German", "fr": "French", "es": "Spanish",
             "it": "Italian", "nl": "Dutch"}
MAX_CHARS = 20_000


def translation_model(src: str, tgt: str) -> str:
    """Registry name of the model for a language pair; registers an optional opus-mt model if needed."""
    from .. import registry

    src, tgt = src.lower().strip(), tgt.lower().strip()
    for code in (src, tgt):
        if code not in LANGUAGES:
            raise InputError(f"Unknown language {code!r}; choose one of {', '.join(LANGUAGES)}.")
    if src == tgt:
        raise InputError("Source and target languages are the same; pick two different languages.")
    if (src, tgt) in BUNDLED_PAIRS:
        return BUNDLED_MODEL
    name = f"opus-mt-{src}-{tgt}"
    try:
        registry.get(name)
    except InputError:
        registry.register(registry.ModelSpec(
            name=name, task="translation", source="hub", licence="CC-BY-4.0", size_mb=300,
            description=f"Helsinki-NLP Marian {LANGUAGES[src]}->{LANGUAGES[tgt]}. Optional: needs internet once.",
            loader="dl_core.pretrained:load_hub_pipeline", hub_id=f"Helsinki-NLP/opus-mt-{src}-{tgt}"))
    return name


def translate(text: str, src: str = "en", tgt: str = "pt", model: Any = None) -> tuple[str, list[str]]:
    """Translate paragraph by paragraph (keeps the layout); returns (translation, notices)."""
    from .. import registry

    checked = inputs.check_text(text, max_chars=MAX_CHARS, label="The text to translate")
    name = translation_model(src, tgt)
    model = model if model is not None else registry.load(name)
    paragraphs = re.split(r"(\n\s*\n)", checked.text)
    out = []
    for part in paragraphs:
        if not part.strip():
            out.append(part)
        elif name == BUNDLED_MODEL:
            out.append(model.translate(part.strip(), f"{src}-{tgt}"))
        else:
            out.append(model(part.strip())[0]["translation_text"])
    return "".join(out).strip(), checked.notices
