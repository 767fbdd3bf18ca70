"""Text generation with the bundled SmolLM2-135M-Instruct (a `pretrained.CausalLM`).

`stream()` yields text pieces as the model produces them (transformers' TextIteratorStreamer, with
`generate` on a worker thread); `generate()` joins them. `next_token_distribution()` shows what the
model considers for the first new token, and which candidates survive top-k / top-p.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from . import inputs
from .errors import InputError

if TYPE_CHECKING:
    import torch

    from .pretrained import CausalLM

MAX_PROMPT_TOKENS = 1_536  # longer prompts are cut from the start: CPU attention cost grows with length


@dataclass
class GenerationConfig:
    max_new_tokens: int = 80
    temperature: float = 0.7  # 0 = greedy (always the most likely token)
    top_k: int = 50  # 0 = no top-k filter
    top_p: float = 0.9  # 1 = no nucleus filter
    seed: int = 0
    chat: bool = True  # wrap the prompt in the model's chat template (instruction mode)
    repetition_penalty: float = 1.1

    def check(self) -> None:
        if not 1 <= self.max_new_tokens <= 1_024:
            raise InputError(f"max new tokens must be between 1 and 1,024, got {self.max_new_tokens}.")
        if not 0 <= self.temperature <= 5 or math.isnan(self.temperature):
            raise InputError(f"temperature must be between 0 and 5, got {self.temperature}.")
        if not 0 <= self.top_k <= 10_000:
            raise InputError(f"top-k must be between 0 (off) and 10,000, got {self.top_k}.")
        if not 0 < self.top_p <= 1:
            raise InputError(f"top-p must be in (0, 1], got {self.top_p}.")
        if not 1 <= self.repetition_penalty <= 3:
            raise InputError(f"repetition penalty must be between 1 and 3, got {self.repetition_penalty}.")


def prompt_ids(lm: "CausalLM", prompt: str, chat: bool, system: str | None = None) -> tuple["torch.Tensor",
                                                                                              list[str]]:
    """Token ids of the prompt (chat template in instruction mode), and notices (truncation)."""
    checked = inputs.check_text(prompt, max_chars=20_000, label="The prompt")
    notices = list(checked.notices)
    if chat:
        messages = ([{"role": "system", "content": system}] if system else []) + [
            {"role": "user", "content": checked.text}]
        text = lm.tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
    else:
        text = checked.text
    ids = lm.tokenizer(text, return_tensors="pt", add_special_tokens=not chat)["input_ids"]
    if ids.shape[1] > MAX_PROMPT_TOKENS:
        notices.append(f"The prompt has {ids.shape[1]:,} tokens; only the last {MAX_PROMPT_TOKENS:,} were used.")
        ids = ids[:, -MAX_PROMPT_TOKENS:]
    return ids.to(lm.device), notices


def _generate_kwargs(lm: "CausalLM", config: GenerationConfig) -> dict[str, Any]:
    sample = config.temperature > 0
    kwargs: dict[str, Any] = {"max_new_tokens": config.max_new_tokens, "do_sample": sample,
                              "repetition_penalty": config.repetition_penalty,
                              "pad_token_id": lm.tokenizer.pad_token_id or lm.tokenizer.eos_token_id}
    if sample:
        kwargs.update(temperature=config.temperature, top_k=config.top_k or None, top_p=config.top_p)
    else:  # greedy: say so explicitly, or the model's own generation_config may still sample
        kwargs.update(temperature=None, top_k=None, top_p=None)
    return kwargs


def stream(lm: "CausalLM", prompt: str, config: GenerationConfig | None = None,
           system: str | None = None) -> Iterator[str]:
    """Yield text pieces as they are generated. Closing the iterator early stops the generation."""
    import torch
    from transformers import StoppingCriteria, StoppingCriteriaList, TextIteratorStreamer

    config = config or GenerationConfig()
    config.check()
    ids, _ = prompt_ids(lm, prompt, config.chat, system)
    streamer = TextIteratorStreamer(lm.tokenizer, skip_prompt=True, skip_special_tokens=True, timeout=300)
    stop = threading.Event()

    class _Stop(StoppingCriteria):
        def __call__(self, input_ids, scores, **kwargs):  # noqa: ANN001 (transformers' signature)
            return stop.is_set()

    errors: list[BaseException] = []

    def work() -> None:
        try:
            torch.manual_seed(config.seed)
            with torch.inference_mode():
                lm.model.generate(input_ids=ids, attention_mask=torch.ones_like(ids), streamer=streamer,
                                  stopping_criteria=StoppingCriteriaList([_Stop()]),
                                  **_generate_kwargs(lm, config))
        except BaseException as exc:  # re-raised in the caller's thread below
            errors.append(exc)
            streamer.end()

    thread = threading.Thread(target=work, daemon=True)
    thread.start()
    try:
        yield from streamer
    finally:
        stop.set()  # the page reran or the caller stopped reading: free the CPU
        thread.join(timeout=60)
    if errors:
        raise errors[0]


def generate(lm: "CausalLM", prompt: str, config: GenerationConfig | None = None, system: str | None = None) -> str:
    return "".join(stream(lm, prompt, config, system)).strip()


@dataclass
class Candidate:
    token: str
    probability: float  # softmax(logits / temperature), before filtering
    kept: bool  # survives top-k and top-p (could be sampled)


def next_token_distribution(lm: "CausalLM", prompt: str, config: GenerationConfig | None = None,
                            show: int = 15) -> list[Candidate]:
    """The first new token's most likely candidates, and which the top-k / top-p filters keep."""
    import torch

    config = config or GenerationConfig()
    config.check()
    ids, _ = prompt_ids(lm, prompt, config.chat)
    with torch.inference_mode():
        logits = lm.model(input_ids=ids).logits[0, -1].float()
    temperature = config.temperature if config.temperature > 0 else 1.0
    probs = torch.softmax(logits / temperature, -1)
    sorted_p, order = probs.sort(descending=True)
    keep = torch.ones_like(sorted_p, dtype=torch.bool)
    if config.temperature == 0:
        keep[1:] = False  # greedy keeps only the top token
    else:
        if config.top_k:
            keep[config.top_k:] = False
        cum = sorted_p.cumsum(0)
        keep &= (cum - sorted_p) < config.top_p  # nucleus: smallest set whose mass reaches top_p
    return [Candidate(token=lm.tokenizer.decode([int(order[i])]), probability=float(sorted_p[i]),
                      kept=bool(keep[i])) for i in range(min(show, len(order)))]


def abstractive_summary(lm: "CausalLM", text: str, max_new_tokens: int = 120, seed: int = 0) -> str:
    """A short summary written by the instruct model (greedy, so it is repeatable)."""
    checked = inputs.check_text(text, max_chars=20_000, label="The text to summarise")
    prompt = f"Summarize the following text in two or three sentences.\n\n{checked.text}"
    config = GenerationConfig(max_new_tokens=max_new_tokens, temperature=0.0, seed=seed, chat=True)
    return generate(lm, prompt, config)
