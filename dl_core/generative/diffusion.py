"""A class-conditional diffusion model trained here, with diffusers, on scikit-learn's digits.

The pieces a learner sees on the page:
- data: the 1,797 8x8 digits, upsampled to 16x16 and scaled to [-1, 1] (`digits.digits_16`);
- model: a small diffusers `UNet2DModel` whose class embedding takes the digit (0-9), plus an 11th
  "no digit" class used for classifier-free guidance (labels are dropped 10% of the time in training);
- training: `DDPMScheduler.add_noise` at a random timestep, the UNet predicts the noise (MSE), via the
  project's one `training.fit` loop; an exponential moving average (EMA) of the weights is what samples;
- sampling: DDPM or DDIM from pure noise, recording x_t at a few steps (the denoising trajectory);
- quality: a small digits classifier trained here (`judge`) says which share of samples it recognises,
  with confidence, as the digit that was asked for.

One engine call trains, judges and logs a model, for the page and the command line alike:

    trained = train_diffusion(None, DiffusionConfig(epochs=30, seed=0), caller="cli")
    trained.metrics          # {"recognised_share": 0.95, "distinct_digits": 10}
    out = sample(trained.model, n=16, digits=3, steps=25, seed=1)

The app's default model is trained once per machine by `build_default_diffusion` (under a
cross-process lock: a second session, or `prepare`, waits for the first instead of training again).
"""

from __future__ import annotations

import copy
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from ..errors import InputError
from .checks import check_seed
from .digits import IMAGE_SIZE, digits_16
from .judge import NUM_CLASSES, DigitJudge, Quality, digit_judge, judge_samples

if TYPE_CHECKING:
    import torch
    from torch import nn

    from ..registry import ModelSpec
    from ..tracking import Caller
    from ..training import CancelToken, TrainedModel

MODEL_NAME = "diffusion-digits"  # the registry's name of the default model trained here
MODEL_FILE = "diffusion_digits.safetensors"
EXPERIMENT = "generative/diffusion-digits"
NULL_CLASS = NUM_CLASSES  # the "no digit" label used for classifier-free guidance
MAX_SAMPLES = 100
MAX_STEPS = 1000
Sampler = Literal["ddpm", "ddim"]
SAMPLERS: tuple[str, ...] = ("ddpm", "ddim")
SCHEDULES: tuple[str, ...] = ("squaredcos_cap_v2", "linear", "scaled_linear")


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
    seed: int = 0  # weight init, batches, noise in training, and the noise of the 100 judged samples
    limit: int | None = None  # train on only the first N images (tests)
    judged_per_digit: int = 10  # after training, this many samples of each digit are judged (10 -> 100)
    judged_steps: int = 25  # DDIM steps (guidance 2) for those samples
    device: str | None = field(default=None, metadata={"log": False})  # None = dl_core.device.get()

    def check(self) -> None:
        if not 1 <= self.epochs <= 500:
            raise InputError(f"epochs must be between 1 and 500, got {self.epochs}.")
        if not 1 <= len(self.channels) <= 3 or any(not 8 <= c <= 256 or c % 8 for c in self.channels):
            raise InputError(f"channels must be 1-3 multiples of 8 between 8 and 256, got {self.channels}.")
        if not 1e-5 <= self.lr <= 0.1:
            raise InputError(f"lr must be between 0.00001 and 0.1, got {self.lr}.")
        if not 1 <= self.batch_size <= 1024:
            raise InputError(f"batch_size must be between 1 and 1,024, got {self.batch_size}.")
        if not 10 <= self.timesteps <= 4000:
            raise InputError(f"timesteps must be between 10 and 4,000, got {self.timesteps}.")
        if self.schedule not in SCHEDULES:
            raise InputError(f"schedule must be one of {', '.join(SCHEDULES)}, got {self.schedule!r}.")
        if not 0.0 <= self.p_uncond < 1.0:
            raise InputError(f"p_uncond must be in [0, 1), got {self.p_uncond}.")
        if not 0.0 <= self.ema_decay < 1.0:
            raise InputError(f"ema_decay must be in [0, 1), got {self.ema_decay}.")
        check_seed(self.seed, "seed")
        if self.limit is not None and self.limit < 10:
            raise InputError(f"limit must be at least 10 images, got {self.limit}.")
        if not 1 <= self.judged_per_digit <= MAX_SAMPLES // NUM_CLASSES:
            raise InputError(f"judged_per_digit must be between 1 and {MAX_SAMPLES // NUM_CLASSES}, "
                             f"got {self.judged_per_digit}.")
        if not 1 <= self.judged_steps <= min(MAX_STEPS, self.timesteps):
            raise InputError(f"judged_steps must be between 1 and {min(MAX_STEPS, self.timesteps)}, "
                             f"got {self.judged_steps}.")


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
    from .. import device

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


def train_diffusion(data: "tuple[torch.Tensor, torch.Tensor] | None" = None, config: DiffusionConfig | None = None,
                    *, callbacks: Sequence[Any] = (), cancel: "CancelToken | None" = None,
                    caller: "Caller" = "app") -> "TrainedModel":
    """Train from scratch, judge samples (`judged_per_digit` of each digit: 100 by default, seeded with
    `config.seed`) and log the run to MLflow: the one engine call for the diffusion model (page and CLI).

    `data` is (x (N, 1, 16, 16) in [-1, 1], y (N,) digits 0-9); None = the bundled digits' training
    split. Returns a `TrainedModel` whose `model` is the sampler-ready `DiffusionDigits` (EMA
    weights), `metrics` {"recognised_share", "distinct_digits"}, and `details` {"quality", "samples"
    (the judged samples), "net" (the raw UNet + EMA that fit trained)}.
    """
    import torch

    from .. import device as devices
    from .. import tracking, training

    config = config or DiffusionConfig()
    config.check()
    x_tr, y_tr = _check_data(data)
    if config.limit:
        x_tr, y_tr = x_tr[: config.limit], y_tr[: config.limit]
    dev = torch.device(config.device) if config.device else devices.get()
    with training.seeded(config.seed):  # weight init draws from torch's global generator
        net = _net(build_unet(config.channels))
    scheduler = build_scheduler(config.timesteps, config.schedule)
    ema = _EMA(net, config.ema_decay)
    opt = torch.optim.AdamW(net.unet.parameters(), lr=config.lr, weight_decay=1e-4)
    # No validation split: a diffusion loss on random timesteps is too noisy to pick epochs with;
    # the monitored value is the training loss, and samples are judged separately.
    cfg = training.TrainConfig(epochs=config.epochs, lr=config.lr, batch_size=config.batch_size,
                               seed=config.seed, device=str(dev), monitor="train_loss", monitor_mode="min")
    with tracking.training_run(EXPERIMENT, config, caller=caller) as run:
        result = training.fit(net, (x_tr, y_tr), None, config=cfg, optimizer=opt, cancel=cancel,
                              batch_loss=_diffusion_loss(scheduler, config.p_uncond),
                              callbacks=[ema, *callbacks, run.callback])
        model = from_net(net, config, dev)
        model.info.update(epochs_trained=len(result.history), seconds=round(result.seconds, 2),
                          final_loss=result.last.train_loss if result.last else None)
        metrics: dict[str, float] = {}
        quality = samples = None
        if result.history:
            quality, samples = evaluate_model(model, per_digit=config.judged_per_digit,
                                              steps=config.judged_steps, seed=config.seed)
            metrics = {"recognised_share": quality.recognised_share, "distinct_digits": quality.distinct_digits}
            model.info.update(metrics)
        run.log_final(metrics, model=model.unet)
    return training.TrainedModel(model=model, history=result.history, metrics=metrics, run_id=run.run_id,
                                 fit=result, details={"quality": quality, "samples": samples, "net": net})


def _check_data(data: Any) -> tuple["torch.Tensor", "torch.Tensor"]:
    if data is None:
        x, y, _, _ = digits_16()
        return x, y
    try:
        x, y = data
        ok = (x.ndim == 4 and tuple(x.shape[1:]) == (1, IMAGE_SIZE, IMAGE_SIZE) and y.ndim == 1
              and len(x) == len(y) and len(x) >= 10 and int(y.min()) >= 0 and int(y.max()) < NUM_CLASSES)
    except (TypeError, ValueError, AttributeError):
        ok = False
    if not ok:
        raise InputError(f"Diffusion data must be (images (N, 1, {IMAGE_SIZE}, {IMAGE_SIZE}), digits (N,) "
                         "in 0-9) with at least 10 images.")
    return x, y


def from_net(net: "nn.Module", config: DiffusionConfig, device: "torch.device") -> DiffusionDigits:
    """A sampler-ready model from a (possibly partly) trained net: its EMA weights, in eval mode."""
    unet = copy.deepcopy(net.ema).eval().to(device)
    return DiffusionDigits(unet=unet, config=config, device=device)


# ---- saving and loading (the registry's `diffusion-digits`) ---------------------------------------

def save_model(model: DiffusionDigits, file_name: str = MODEL_FILE) -> Any:
    """Write the model to the models folder (atomically: readers never see half a file)."""
    from .. import store

    settings = {k: v for k, v in asdict(model.config).items() if k != "device"}
    return store.save(file_name, model.unet.state_dict(), {"config": settings, "info": model.info})


def _config_from(meta: dict[str, Any]) -> DiffusionConfig:
    raw = dict(meta.get("config", {}))
    raw["channels"] = tuple(raw.get("channels", (16, 32)))
    known = DiffusionConfig.__dataclass_fields__
    return DiffusionConfig(**{k: v for k, v in raw.items() if k in known and k != "device"})


def load_diffusion_model(spec: "ModelSpec", device: "torch.device") -> DiffusionDigits:
    """Registry loader for `diffusion-digits`: the weights trained here, read from safetensors."""
    from .. import store

    state, meta = store.load(spec.local_file or MODEL_FILE)
    config = _config_from(meta)
    unet = build_unet(config.channels)
    unet.load_state_dict(state)
    return DiffusionDigits(unet=unet.eval().to(device), config=config, device=device,
                           info=dict(meta.get("info", {})))


def default_diffusion_exists() -> bool:
    from .. import store

    return store.path_for(MODEL_FILE).is_file()


def build_default_diffusion(config: DiffusionConfig | None = None, *, callbacks: Sequence[Any] = (),
                            cancel: "CancelToken | None" = None, on_wait: Callable[[], None] | None = None,
                            caller: "Caller" = "app") -> "TrainedModel | None":
    """Train and save the app's default model unless it exists; returns what this call trained.

    Under `store.build_once`'s cross-process lock: if another session (or `python -m dl_core
    prepare`) is training it right now, `on_wait()` is called and this call waits, then finds the
    file and trains nothing (returns None). A stopped training is never saved as the default.
    """
    from .. import store

    built: dict[str, Any] = {}

    def build() -> None:
        trained = train_diffusion(None, config or DiffusionConfig(), callbacks=callbacks, cancel=cancel,
                                  caller=caller)
        built["trained"] = trained
        if trained.fit is not None and not trained.fit.cancelled and trained.history:
            save_model(trained.model)

    store.build_once(MODEL_NAME, exists=default_diffusion_exists, build=build, on_wait=on_wait)
    return built.get("trained")


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
    seed = check_seed(seed)
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
