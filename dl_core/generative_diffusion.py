"""A class-conditional diffusion model trained here, with diffusers, on scikit-learn's digits.

The pieces a learner sees on the page:
- data: the 1,797 8x8 digits, upsampled to 16x16 and scaled to [-1, 1];
- model: a small diffusers `UNet2DModel` whose class embedding takes the digit (0-9), plus an 11th
  "no digit" class used for classifier-free guidance (labels are dropped 10% of the time in training);
- training: `DDPMScheduler.add_noise` at a random timestep, the UNet predicts the noise (MSE), via the
  project's one `training.fit` loop; an exponential moving average (EMA) of the weights is what samples;
- sampling: DDPM or DDIM from pure noise, recording x_t at a few steps (the denoising trajectory);
- quality: a small digits classifier trained here says which share of samples it recognises, with
  confidence, as the digit that was asked for.
"""

from __future__ import annotations

import copy
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from .errors import InputError

if TYPE_CHECKING:
    import torch
    from torch import nn

    from .registry import ModelSpec
    from .training import CancelToken, FitResult

MODEL_FILE = "diffusion_digits.safetensors"
CLASSIFIER_FILE = "generative_digits_classifier.safetensors"
IMAGE_SIZE = 16
NUM_CLASSES = 10
NULL_CLASS = NUM_CLASSES  # the "no digit" label used for classifier-free guidance
CONFIDENCE = 0.7  # a sample counts as recognised when the classifier gives the asked digit >= this
MAX_SAMPLES = 100
MAX_STEPS = 1000
Sampler = Literal["ddpm", "ddim"]
SAMPLERS: tuple[str, ...] = ("ddpm", "ddim")


# ---- data ----------------------------------------------------------------------------------------

def digits_16(seed: int = 0, test_size: float = 0.1) -> tuple["torch.Tensor", ...]:
    """(x_train, y_train, x_test, y_test): 16x16 digits in [-1, 1], shape (N, 1, 16, 16); fixed split."""
    import torch
    import torch.nn.functional as F
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    digits = load_digits()
    x = torch.tensor(digits.images, dtype=torch.float32).unsqueeze(1) / 16.0  # (N, 1, 8, 8) in [0, 1]
    x = F.interpolate(x, size=(IMAGE_SIZE, IMAGE_SIZE), mode="bilinear", align_corners=False)
    x = x.clamp(0, 1) * 2 - 1
    y = torch.tensor(digits.target, dtype=torch.long)
    idx = np.arange(len(y))
    tr, te = train_test_split(idx, test_size=test_size, random_state=seed, stratify=digits.target)
    return x[tr], y[tr], x[te], y[te]


# ---- the digits classifier that judges samples ----------------------------------------------------

def build_classifier() -> "nn.Module":
    from torch import nn

    # The digits are really 8x8: judging at that resolution is 4x cheaper and just as accurate.
    return nn.Sequential(  # (B, 1, 16, 16) -> (B, 10) logits
        nn.AvgPool2d(2),  # (B, 1, 8, 8)
        nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),  # (B, 32, 4, 4)
        nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),  # (B, 64, 2, 2)
        nn.Flatten(), nn.Dropout(0.25), nn.Linear(64 * 4, 64), nn.ReLU(), nn.Linear(64, NUM_CLASSES),
    )


@dataclass
class DigitJudge:
    """The classifier used only to measure samples; `accuracy` is on the held-out real digits."""

    model: "nn.Module"
    accuracy: float
    device: "torch.device"

    def probabilities(self, images: "torch.Tensor") -> np.ndarray:
        """images (N, 1, 16, 16) in [-1, 1] -> (N, 10) class probabilities."""
        import torch

        with torch.inference_mode():
            logits = self.model(images.to(self.device).float())
        return torch.softmax(logits, -1).cpu().numpy()


def train_classifier(epochs: int = 20, seed: int = 0, device: "torch.device | None" = None) -> DigitJudge:
    """Train the judge on the real 16x16 digits (a few seconds on CPU)."""
    import torch

    from . import training

    dev = device or _device()
    x_tr, y_tr, x_te, y_te = digits_16()
    # Half-pixel shifts (one pixel at 16x16), so a digit drawn slightly off-centre is still judged fairly.
    x_aug = torch.cat([x_tr, torch.roll(x_tr, 1, dims=3), torch.roll(x_tr, -1, dims=3)])
    y_aug = y_tr.repeat(3)
    model = build_classifier()
    cfg = training.TrainConfig(epochs=epochs, lr=2e-3, batch_size=128, seed=seed, device=str(dev))
    training.fit(model, (x_aug, y_aug), (x_te, y_te), config=cfg,
                 evaluate=training.classification_metrics)
    judge = DigitJudge(model=model.eval(), accuracy=0.0, device=dev)
    judge.accuracy = float((judge.probabilities(x_te).argmax(1) == y_te.numpy()).mean())
    return judge


def digit_judge(device: "torch.device | None" = None) -> DigitJudge:
    """The judge from the models folder, trained and saved there on first use."""
    from . import store

    dev = device or _device()
    try:
        state, meta = store.load(CLASSIFIER_FILE)
    except (FileNotFoundError, InputError):
        judge = train_classifier(device=dev)
        store.save(CLASSIFIER_FILE, judge.model.state_dict(), {"accuracy": judge.accuracy})
        return judge
    model = build_classifier()
    model.load_state_dict(state)
    return DigitJudge(model=model.eval().to(dev), accuracy=float(meta.get("accuracy", 0.0)), device=dev)


@dataclass
class Quality:
    recognised_share: float  # share of samples recognised, with confidence, as the digit asked for
    distinct_digits: int  # how many different digits were recognised at least once
    per_digit: dict[int, float]  # recognised share for each asked digit
    predicted: list[int]  # the judge's digit for each sample
    confidence: list[float]  # the judge's probability of the asked digit, for each sample


def judge_samples(judge: DigitJudge, images: "torch.Tensor", asked: Sequence[int]) -> Quality:
    """How many samples look like the digit that was asked for (images in [-1, 1])."""
    probs = judge.probabilities(images)
    asked_arr = np.asarray(asked)
    predicted = probs.argmax(1)
    p_asked = probs[np.arange(len(asked_arr)), asked_arr]
    ok = (predicted == asked_arr) & (p_asked >= CONFIDENCE)
    per_digit = {int(d): float(ok[asked_arr == d].mean()) for d in np.unique(asked_arr)}
    return Quality(recognised_share=float(ok.mean()) if len(ok) else 0.0,
                   distinct_digits=len(set(predicted[ok].tolist())), per_digit=per_digit,
                   predicted=predicted.tolist(), confidence=p_asked.round(4).tolist())


# ---- the diffusion model --------------------------------------------------------------------------

@dataclass
class DiffusionConfig:
    epochs: int = 30  # measured: 30 epochs -> 0.95 of samples recognised (guidance 2), all 10 digits
    channels: tuple[int, ...] = (16, 32)  # UNet widths per resolution (16x16, 8x8); ~180k weights
    lr: float = 2e-3
    batch_size: int = 64
    timesteps: int = 1000  # DDPM training steps; samplers may use far fewer
    schedule: str = "squaredcos_cap_v2"  # cosine schedule: better than linear on tiny images
    p_uncond: float = 0.1  # share of labels replaced by "no digit", for classifier-free guidance
    ema_decay: float = 0.995
    seed: int = 0
    limit: int | None = None  # train on only the first N images (tests)

    def check(self) -> None:
        if not 1 <= self.epochs <= 500:
            raise InputError(f"epochs must be between 1 and 500, got {self.epochs}.")
        if not 1 <= len(self.channels) <= 3 or any(not 8 <= c <= 256 or c % 8 for c in self.channels):
            raise InputError(f"channels must be 1-3 multiples of 8 between 8 and 256, got {self.channels}.")
        if not 10 <= self.timesteps <= 4000:
            raise InputError(f"timesteps must be between 10 and 4,000, got {self.timesteps}.")
        if not 0.0 <= self.p_uncond < 1.0:
            raise InputError(f"p_uncond must be in [0, 1), got {self.p_uncond}.")
        if self.limit is not None and self.limit < 10:
            raise InputError(f"limit must be at least 10 images, got {self.limit}.")


def build_unet(channels: Sequence[int] = (16, 32)) -> "nn.Module":
    from diffusers import UNet2DModel

    n = len(channels)
    # Attention only at the lowest resolution: it is where it helps and where it is cheap.
    down = tuple("DownBlock2D" if i < n - 1 else "AttnDownBlock2D" for i in range(n))
    up = tuple("AttnUpBlock2D" if i == 0 else "UpBlock2D" for i in range(n))
    return UNet2DModel(
        sample_size=IMAGE_SIZE, in_channels=1, out_channels=1, block_out_channels=tuple(channels),
        layers_per_block=1, down_block_types=down, up_block_types=up, norm_num_groups=8,
        attention_head_dim=8, num_class_embeds=NUM_CLASSES + 1,
    )


def build_scheduler(timesteps: int = 1000, schedule: str = "squaredcos_cap_v2") -> Any:
    from diffusers import DDPMScheduler

    return DDPMScheduler(num_train_timesteps=timesteps, beta_schedule=schedule, clip_sample=True)


def _device() -> "torch.device":
    from . import device

    return device.get()


def _net(unet: "nn.Module") -> "nn.Module":
    """The module `fit` trains: the UNet plus a frozen EMA copy, saved together in checkpoints."""
    from torch import nn

    class _DiffusionNet(nn.Module):
        def __init__(self, unet: nn.Module) -> None:
            super().__init__()
            self.unet = unet
            self.ema = copy.deepcopy(unet).requires_grad_(False)

        def forward(self, x, t, labels):  # (B,1,16,16), (B,), (B,) -> predicted noise (B,1,16,16)
            return self.unet(x, t, class_labels=labels).sample

    return _DiffusionNet(unet)


class _EMA:
    """A fit callback: after every optimiser step, ema <- decay * ema + (1 - decay) * weights."""

    def __init__(self, net: "nn.Module", decay: float) -> None:
        self.net, self.decay, self.steps = net, decay, 0

    def on_batch_end(self, epoch: int, batch: int, batches: int, loss: float) -> None:
        import torch

        self.steps += 1
        d = min(self.decay, (1 + self.steps) / (10 + self.steps))  # warm-up: follow early weights closely
        with torch.no_grad():
            for e, w in zip(self.net.ema.parameters(), self.net.unet.parameters()):
                e.lerp_(w, 1 - d)

    def on_epoch_end(self, log, history, model) -> None:
        pass


@dataclass
class DiffusionDigits:
    """A trained model ready to sample: the (EMA) UNet, its noise schedule and its settings."""

    unet: "nn.Module"
    config: DiffusionConfig
    device: "torch.device"
    info: dict[str, Any] = field(default_factory=dict)  # epochs trained, loss, seconds, quality

    def scheduler(self, sampler: Sampler = "ddim") -> Any:
        from diffusers import DDIMScheduler

        base = build_scheduler(self.config.timesteps, self.config.schedule)
        return base if sampler == "ddpm" else DDIMScheduler.from_config(base.config)


def _diffusion_loss(scheduler: Any, p_uncond: float):
    import torch
    import torch.nn.functional as F

    def step(net, batch):
        x0, y = batch[0], batch[1]
        noise = torch.randn_like(x0)
        t = torch.randint(0, scheduler.config.num_train_timesteps, (len(x0),), device=x0.device)
        noisy = scheduler.add_noise(x0, noise, t)
        drop = torch.rand(len(y), device=y.device) < p_uncond
        labels = torch.where(drop, torch.full_like(y, NULL_CLASS), y)
        return F.mse_loss(net(noisy, t, labels), noise)

    return step


def train_diffusion(config: DiffusionConfig | None = None, callbacks: Sequence[Any] = (),
                    cancel: "CancelToken | None" = None,
                    device: "torch.device | None" = None) -> tuple[DiffusionDigits, "FitResult", "nn.Module"]:
    """Train from scratch; returns (sampler-ready model, fit history, the raw net for checkpoints)."""
    import torch

    from . import training

    config = config or DiffusionConfig()
    config.check()
    dev = device or _device()
    training.seed_everything(config.seed)
    x_tr, y_tr, _, _ = digits_16()
    if config.limit:
        x_tr, y_tr = x_tr[: config.limit], y_tr[: config.limit]
    net = _net(build_unet(config.channels))
    scheduler = build_scheduler(config.timesteps, config.schedule)
    ema = _EMA(net, config.ema_decay)
    opt = torch.optim.AdamW(net.unet.parameters(), lr=config.lr, weight_decay=1e-4)
    # No validation split: a diffusion loss on random timesteps is too noisy to pick epochs with;
    # the monitored value is the training loss, and samples are judged separately.
    cfg = training.TrainConfig(epochs=config.epochs, lr=config.lr, batch_size=config.batch_size,
                               seed=config.seed, device=str(dev), monitor="train_loss")
    result = training.fit(net, (x_tr, y_tr), None, config=cfg, optimizer=opt, cancel=cancel,
                          batch_loss=_diffusion_loss(scheduler, config.p_uncond),
                          callbacks=[ema, *callbacks])
    model = from_net(net, config, dev)
    model.info.update(epochs_trained=len(result.history), seconds=round(result.seconds, 2),
                      final_loss=result.last.train_loss if result.last else None)
    return model, result, net


def from_net(net: "nn.Module", config: DiffusionConfig, device: "torch.device") -> DiffusionDigits:
    """A sampler-ready model from a (possibly partly) trained net: its EMA weights, in eval mode."""
    unet = copy.deepcopy(net.ema).eval().to(device)
    return DiffusionDigits(unet=unet, config=config, device=device)


# ---- saving and loading (the registry's `diffusion-digits`) ---------------------------------------

def save_model(model: DiffusionDigits, file_name: str = MODEL_FILE) -> Any:
    from . import store

    meta = {"config": asdict(model.config), "info": model.info}
    return store.save(file_name, model.unet.state_dict(), meta)


def _config_from(meta: dict[str, Any]) -> DiffusionConfig:
    raw = dict(meta.get("config", {}))
    raw["channels"] = tuple(raw.get("channels", (16, 32)))
    known = DiffusionConfig.__dataclass_fields__
    return DiffusionConfig(**{k: v for k, v in raw.items() if k in known})


def load_diffusion_model(spec: "ModelSpec", device: "torch.device") -> DiffusionDigits:
    """Registry loader for `diffusion-digits`: the weights trained here, read from safetensors."""
    from . import store

    state, meta = store.load(spec.local_file or MODEL_FILE)
    config = _config_from(meta)
    unet = build_unet(config.channels)
    unet.load_state_dict(state)
    return DiffusionDigits(unet=unet.eval().to(device), config=config, device=device,
                           info=dict(meta.get("info", {})))


# ---- sampling --------------------------------------------------------------------------------------

@dataclass
class Samples:
    images: "torch.Tensor"  # (N, 1, 16, 16) in [-1, 1]
    digits: list[int]  # the digit asked for, per image
    trajectory: list[tuple[int, "torch.Tensor"]]  # (steps done, x (N, 1, 16, 16)); 0 = the noise
    seconds: float


def check_sampling(n: int, sampler: str, steps: int, guidance: float, timesteps: int) -> None:
    """Bounds on sampling settings, with messages that say what to change."""
    if not 1 <= n <= MAX_SAMPLES:
        raise InputError(f"Number of images must be between 1 and {MAX_SAMPLES}, got {n}.")
    if sampler not in SAMPLERS:
        raise InputError(f"Sampler must be one of {', '.join(SAMPLERS)}, got {sampler!r}.")
    top = min(MAX_STEPS, timesteps)
    if not 1 <= steps <= top:
        raise InputError(f"Inference steps must be between 1 and {top}, got {steps}.")
    if not 0.0 <= guidance <= 20.0:
        raise InputError(f"Guidance must be between 0 and 20, got {guidance}.")


def parse_digits(digits: Sequence[int] | int | None, n: int) -> list[int]:
    """The digit asked for each of n images: one digit for all, a list cycled, or None = 0..9 in turn."""
    if digits is None:
        digits = list(range(NUM_CLASSES))
    if isinstance(digits, int):
        digits = [digits]
    digits = [int(d) for d in digits]
    if not digits:
        raise InputError("Choose at least one digit to generate.")
    bad = [d for d in digits if not 0 <= d <= 9]
    if bad:
        raise InputError(f"Digits must be between 0 and 9, got {bad[0]}.")
    return [digits[i % len(digits)] for i in range(n)]


def sample(model: DiffusionDigits, n: int = 16, digits: Sequence[int] | int | None = None,
           sampler: Sampler = "ddim", steps: int = 25, seed: int = 0, guidance: float = 2.0,
           keep: int = 8) -> Samples:
    """Generate n digits from noise; `guidance` > 1 pushes samples towards the asked digit
    (classifier-free guidance: eps = eps_free + g * (eps_digit - eps_free)); 1 = plain conditional."""
    import torch

    check_sampling(n, sampler, steps, guidance, model.config.timesteps)
    asked = parse_digits(digits, n)
    if not 0 <= seed < 2**32:
        raise InputError(f"Seed must be between 0 and {2**32 - 1}, got {seed}.")
    started = time.perf_counter()
    dev = model.device
    sched = model.scheduler(sampler)
    sched.set_timesteps(steps, device=dev)
    gen = torch.Generator(device="cpu").manual_seed(seed)
    x = torch.randn((n, 1, IMAGE_SIZE, IMAGE_SIZE), generator=gen).to(dev)  # x_T, pure noise
    y = torch.tensor(asked, device=dev)
    free = torch.full_like(y, NULL_CLASS)
    timesteps = list(sched.timesteps)
    # Record x after these step counts (always the last); step 0 is the starting noise.
    record = set(np.linspace(0, len(timesteps), max(2, keep)).round().astype(int).tolist()) - {0}
    trajectory = [(0, x.detach().cpu())]
    for i, t in enumerate(timesteps, start=1):
        with torch.inference_mode():
            if guidance == 1.0:
                eps = model.unet(x, t, class_labels=y).sample
            else:
                both = model.unet(torch.cat([x, x]), t, class_labels=torch.cat([y, free])).sample
                eps_digit, eps_free = both.chunk(2)
                eps = eps_free + guidance * (eps_digit - eps_free)
        x = sched.step(eps, t, x, generator=gen if sampler == "ddpm" else None).prev_sample
        if i in record:
            trajectory.append((i, x.detach().clamp(-1, 1).cpu()))
    images = trajectory[-1][1]
    return Samples(images=images, digits=asked, trajectory=trajectory,
                   seconds=time.perf_counter() - started)


def evaluate_model(model: DiffusionDigits, judge: DigitJudge | None = None, per_digit: int = 10,
                   sampler: Sampler = "ddim", steps: int = 25, seed: int = 0,
                   guidance: float = 2.0) -> tuple[Quality, Samples]:
    """The issue's quality measure: per_digit samples of every digit (100 by default), judged."""
    judge = judge or digit_judge(model.device)
    n = per_digit * NUM_CLASSES
    asked = [d for d in range(NUM_CLASSES) for _ in range(per_digit)]
    out = sample(model, n=n, digits=asked, sampler=sampler, steps=steps, seed=seed, guidance=guidance,
                 keep=2)
    return judge_samples(judge, out.images, asked), out


def to_uint8(images: "torch.Tensor") -> np.ndarray:
    """(N, 1, H, W) in [-1, 1] -> (N, H, W) uint8, white digits on black."""
    arr = images.detach().float().cpu().numpy()[:, 0]
    return ((arr.clip(-1, 1) + 1) * 127.5).round().astype(np.uint8)
