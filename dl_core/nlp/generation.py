"""Text generation with the bundled SmolLM2-135M-Instruct (a `pretrained.CausalLM`).

    for piece in (out := stream(lm, "Give me three tips for learning a language.")):
        print(piece, end="")
    out.result().text   # ends at a sentence boundary; .note says when the token limit cut it short

`stream()` yields text pieces as the model produces them (transformers' TextIteratorStreamer, with
`generate` on a worker thread). Sampling draws from a `torch.Generator` of its own, seeded by the
config: the same seed gives the same text whatever other sessions do (torch's process-wide generator,
which `generate` would use, is never touched). `next_token_distribution()` shows what the model
considers for the first new token, and which candidates survive top-k / top-p: the same rule the
sampler applies.
"""

from __future__ import annotations

import math
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .. import inputs
from ..errors import InputError

if TYPE_CHECKING:
    import torch

    from ..pretrained import CausalLM

MAX_PROMPT_TOKENS = 1_536  # longer prompts are cut from the start: CPU attention cost grows with length
MAX_PROMPT_CHARS = 20_000
STREAM_TIMEOUT_S = 300  # the streamer gives up if no token arrives for this long


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
        if not 0 <= self.seed < 2**63:
            raise InputError(f"seed must be between 0 and 2**63 - 1, got {self.seed}.")


def prompt_ids(lm: "CausalLM", prompt: str, chat: bool, system: str | None = None) -> tuple["torch.Tensor",
                                                                                              list[str]]:
    """Token ids of the prompt (chat template in instruction mode), and notices (truncation)."""
    from ..pretrained import tokenizer_lock

    checked = inputs.check_text(prompt, max_chars=MAX_PROMPT_CHARS, label="The prompt")
    notices = list(checked.notices)
    with tokenizer_lock(lm.tokenizer):
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


def candidates_kept(sorted_p: "torch.Tensor", config: GenerationConfig) -> "torch.Tensor":
    """Which of the candidates, sorted by probability on the last dimension, may be sampled:
    the top-k, then the smallest set whose probability mass reaches top-p (greedy: the top one)."""
    import torch

    keep = torch.ones_like(sorted_p, dtype=torch.bool)
    if config.temperature == 0:
        keep[..., 1:] = False
        return keep
    if config.top_k:
        keep[..., config.top_k:] = False
    cum = sorted_p.cumsum(-1)
    keep &= (cum - sorted_p) < config.top_p
    return keep


def _local_sampler(config: GenerationConfig, generator: "torch.Generator") -> Any:
    """A logits processor that samples the next token itself, from `generator`, and leaves only that
    token possible: `generate` then runs greedy and never draws from torch's global generator."""
    import torch
    from transformers import LogitsProcessor

    class LocalSampler(LogitsProcessor):
        def __call__(self, input_ids: "torch.Tensor", scores: "torch.Tensor") -> "torch.Tensor":  # (B, V)
            probs = torch.softmax(scores.float() / config.temperature, -1)
            sorted_p, order = probs.sort(descending=True, dim=-1)
            sorted_p = sorted_p * candidates_kept(sorted_p, config)
            choice = torch.multinomial(sorted_p, 1, generator=generator)  # (B, 1) position in sorted order
            token = order.gather(-1, choice)
            out = torch.full_like(scores, -math.inf)
            return out.scatter_(-1, token, 0.0)

    return LocalSampler()


def _generate_kwargs(lm: "CausalLM", config: GenerationConfig) -> dict[str, Any]:
    import torch
    from transformers import LogitsProcessorList

    # Always greedy for `generate` itself (say so explicitly, or the model's own generation_config
    # may still sample); sampling, when asked for, is done by our processor with a local generator.
    kwargs: dict[str, Any] = {"max_new_tokens": config.max_new_tokens, "do_sample": False,
                              "temperature": None, "top_k": None, "top_p": None,
                              "repetition_penalty": config.repetition_penalty,
                              "pad_token_id": lm.tokenizer.pad_token_id or lm.tokenizer.eos_token_id}
    if config.temperature > 0:
        generator = torch.Generator(device=lm.device).manual_seed(config.seed)
        kwargs["logits_processor"] = LogitsProcessorList([_local_sampler(config, generator)])
    return kwargs


# A sentence ends at . ! ? … (not the "1." of a numbered list), maybe followed by closing quotes or
# brackets, before a space or the end; or at a line break.
_SENTENCE_END = re.compile(r"(?<![\d\s])[.!?…。！？][\"'”’)\]]*(?=\s|$)|\n")


@dataclass
class GeneratedText:
    text: str  # what to show: when the token limit cut a sentence, up to the last complete one
    raw: str  # everything the model produced
    hit_limit: bool  # generation stopped because max_new_tokens was reached, not because the model ended
    max_new_tokens: int

    @property
    def note(self) -> str | None:
        """What to tell the reader when the limit was reached (None when the model finished by itself)."""
        if not self.hit_limit:
            return None
        more = "Allow more new tokens for a longer answer."
        if self.text.endswith("…") and not self.raw.strip().endswith("…"):
            return f"Stopped at the {self.max_new_tokens}-token limit, in the middle of a sentence. {more}"
        if self.text != self.raw.strip():
            return (f"Stopped at the {self.max_new_tokens}-token limit; the unfinished last sentence was left "
                    f"out. {more}")
        return f"Stopped at the {self.max_new_tokens}-token limit, at the end of a sentence. {more}"


def end_at_sentence(raw: str, hit_limit: bool, max_new_tokens: int) -> GeneratedText:
    """The text up to its last complete sentence when the limit cut it; else the text as it is."""
    raw_clean = raw.strip()
    if not hit_limit or not raw_clean:
        return GeneratedText(raw_clean, raw, hit_limit, max_new_tokens)
    ends = [m.end() for m in _SENTENCE_END.finditer(raw_clean)]
    cut = raw_clean[: ends[-1]].strip() if ends else ""
    if cut and cut != raw_clean:
        return GeneratedText(cut, raw, True, max_new_tokens)
    if cut == raw_clean:  # the limit fell right after a sentence end
        return GeneratedText(raw_clean, raw, True, max_new_tokens)
    return GeneratedText(raw_clean + "…", raw, True, max_new_tokens)


class TextStream:
    """Iterating yields text pieces as they are generated (closing it early stops the generation).
    Afterwards, `hit_limit` says whether the token limit ended it and `result()` gives the text."""

    def __init__(self, lm: "CausalLM", ids: "torch.Tensor", config: GenerationConfig) -> None:
        self.lm, self.ids, self.config = lm, ids, config
        self.pieces: list[str] = []
        self.new_tokens = 0
        self.hit_limit = False
        self._started = False

    def __iter__(self) -> Iterator[str]:
        import torch
        from transformers import StoppingCriteria, StoppingCriteriaList, TextIteratorStreamer

        if self._started:
            raise RuntimeError("a TextStream can be iterated once")
        self._started = True
        lm, ids, config = self.lm, self.ids, self.config
        streamer = TextIteratorStreamer(lm.tokenizer, skip_prompt=True, skip_special_tokens=True,
                                        timeout=STREAM_TIMEOUT_S)
        stop = threading.Event()

        class _Stop(StoppingCriteria):
            def __call__(self, input_ids, scores, **kwargs):  # noqa: ANN001 (transformers' signature)
                return stop.is_set()

        errors: list[BaseException] = []
        eos = lm.tokenizer.eos_token_id
        eos_ids = set(eos if isinstance(eos, list) else [eos])

        def work() -> None:
            try:
                with torch.inference_mode():
                    out = lm.model.generate(input_ids=ids, attention_mask=torch.ones_like(ids), streamer=streamer,
                                            stopping_criteria=StoppingCriteriaList([_Stop()]),
                                            **_generate_kwargs(lm, config))
                new = out[0, ids.shape[1]:].tolist()
                self.new_tokens = len(new)
                self.hit_limit = len(new) >= config.max_new_tokens and (not new or new[-1] not in eos_ids)
            except BaseException as exc:  # re-raised in the caller's thread below
                errors.append(exc)
                streamer.end()

        thread = threading.Thread(target=work, daemon=True)
        thread.start()
        try:
            for piece in streamer:
                self.pieces.append(piece)
                yield piece
        finally:
            stop.set()  # the page reran or the caller stopped reading: free the CPU
            thread.join(timeout=60)
        if errors:
            raise errors[0]

    @property
    def text(self) -> str:
        return "".join(self.pieces)

    def result(self) -> GeneratedText:
        """The generated text, ended at a sentence boundary if the token limit cut it (after iterating)."""
        if not self._started:
            for _ in self:
                pass
        return end_at_sentence(self.text, self.hit_limit, self.config.max_new_tokens)


def stream(lm: "CausalLM", prompt: str, config: GenerationConfig | None = None,
           system: str | None = None) -> TextStream:
    """Text pieces as they are generated (iterate), then `.result()`. Checks the inputs at once."""
    config = config or GenerationConfig()
    config.check()
    ids, _ = prompt_ids(lm, prompt, config.chat, system)
    return TextStream(lm, ids, config)


def generate(lm: "CausalLM", prompt: str, config: GenerationConfig | None = None,
             system: str | None = None) -> GeneratedText:
    return stream(lm, prompt, config, system).result()


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
    keep = candidates_kept(sorted_p, config)
    return [Candidate(token=lm.tokenizer.decode([int(order[i])]), probability=float(sorted_p[i]),
                      kept=bool(keep[i])) for i in range(min(show, len(order)))]
