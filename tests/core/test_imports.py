"""The engine stays UI-free and cheap to import."""

import subprocess
import sys

from tests.conftest import ROOT


def _modules_after(code: str) -> set[str]:
    out = subprocess.run([sys.executable, "-c", code + "; import sys; print(' '.join(sys.modules))"],
                         cwd=ROOT, capture_output=True, text=True, check=True)
    return set(out.stdout.split())


def test_dl_core_does_not_import_streamlit():
    mods = _modules_after("import dl_core, dl_core.registry, dl_core.inputs, dl_core.training, "
                          "dl_core.tracking, dl_core.explain, dl_core.store, dl_core.cli")
    assert "streamlit" not in mods


def test_dl_core_import_is_lazy_about_heavy_libraries():
    mods = _modules_after("import dl_core, dl_core.registry, dl_core.inputs, dl_core.training")
    for heavy in ("torch", "transformers", "diffusers", "mlflow"):
        assert heavy not in mods, f"importing dl_core pulled in {heavy}"


def test_no_streamlit_import_in_source():
    for path in (ROOT / "dl_core").rglob("*.py"):
        text = path.read_text()
        assert "import streamlit" not in text and "from streamlit" not in text, path
