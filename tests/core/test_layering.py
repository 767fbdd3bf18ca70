"""The layers stay apart: dl_core never imports streamlit, ui or pages; ui never imports pages; a
use-case package reaches another use case only through that package's public `__init__`.

Uses of one use case by another (or by a core module) that exist, and why:
- speech -> nlp: the transcript is carried on to sentiment, translation and a summary;
- tuning -> vision, nlp, fraud, timeseries: a sweep trains each model through its engine call;
- prepare -> vision, nlp, generative, clustering: it builds their default models ahead of time.
"""

from __future__ import annotations

import ast
from pathlib import Path

from tests.conftest import ROOT

USE_CASES = {"vision", "nlp", "generative", "clustering", "timeseries", "fraud", "rl", "speech", "recommend"}


def _imports(path: Path) -> list[str]:
    """Absolute module names imported by a file (relative imports resolved against its package)."""
    tree = ast.parse(path.read_text(), str(path))
    package = ".".join(path.relative_to(ROOT).with_suffix("").parts[:-1])
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                module = ".".join([*base, node.module] if node.module else base)
            else:
                module = node.module or ""
            names.append(module)
            names += [f"{module}.{a.name}" for a in node.names]  # `from pkg import submodule`
    return names


def _files(folder: str) -> list[Path]:
    return sorted((ROOT / folder).rglob("*.py"))


def test_dl_core_imports_no_streamlit_ui_or_pages():
    for path in _files("dl_core"):
        for name in _imports(path):
            top = name.split(".")[0]
            assert top not in ("streamlit", "ui", "pages"), f"{path.relative_to(ROOT)} imports {name}"


def test_ui_never_imports_pages():
    for path in _files("ui"):
        for name in _imports(path):
            assert name.split(".")[0] != "pages", f"{path.relative_to(ROOT)} imports {name}"


def _owner(path: Path) -> str | None:
    parts = path.relative_to(ROOT).parts
    return parts[1] if len(parts) > 2 and parts[1] in USE_CASES else None


def test_use_cases_meet_only_through_public_packages():
    seen: set[tuple[str, str]] = set()
    for folder in ("dl_core", "ui"):
        for path in _files(folder):
            mine = _owner(path) if folder == "dl_core" else None
            for name in _imports(path):
                parts = name.split(".")
                if len(parts) < 2 or parts[0] != "dl_core" or parts[1] not in USE_CASES or parts[1] == mine:
                    continue
                if folder == "dl_core":
                    # another use case's package itself is fine; its inner modules are not
                    public = len(parts) == 2 or (len(parts) == 3 and not (ROOT / "dl_core" / parts[1] /
                                                                        f"{parts[2]}.py").exists())
                    assert public, f"{path.relative_to(ROOT)} reaches into {name}"
                    seen.add((mine or path.stem, parts[1]))
    allowed = {("speech", "nlp"), ("models", "vision"), ("models", "nlp"), ("models", "fraud"),
               ("models", "timeseries"), ("prepare", "vision"), ("prepare", "nlp"), ("prepare", "generative"),
               ("prepare", "clustering"), ("cli", "vision"), ("cli", "nlp"), ("cli", "generative"),
               ("cli", "clustering"), ("cli", "timeseries"), ("cli", "fraud"), ("cli", "rl"), ("cli", "speech"),
               ("cli", "recommend"), ("registry", "vision"), ("registry", "nlp"), ("registry", "generative")}
    assert seen <= allowed, f"undocumented cross-use-case imports: {sorted(seen - allowed)}"
