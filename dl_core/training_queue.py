"""A process-wide queue for trainings: at most N run at once, the others wait their turn in order.

Streamlit serves every browser session from a thread of one process. Without a bound, thirty people
pressing "Train" at once would each get a thirtieth of the CPU and wait thirty times as long, and
the memory of thirty models. With the queue, a person waits for a slot, sees their position, and can
cancel while waiting.

    with training_queue.slot(on_wait=lambda pos: print("position", pos), cancel=token):
        ...train...

`training.fit` takes a slot by itself, so every torch training goes through here; trainings that do
not use `fit` (stable-baselines3 agents, the 2-D GAN's loop) take one explicitly. A thread that holds
a slot can take it again (nested calls) without waiting.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import threading
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Protocol

ENV_VAR = "DLX_MAX_TRAININGS"


class _Cancellable(Protocol):
    @property
    def cancelled(self) -> bool: ...


class CancelledWhileWaiting(Exception):
    """The person cancelled before their training got a slot; nothing was trained."""


def default_slots() -> int:
    """$DLX_MAX_TRAININGS, else as many trainings as fit on the cores at `device.cpu_threads()` each."""
    from . import device

    wanted = os.environ.get(ENV_VAR, "").strip()
    if wanted:
        if not wanted.isdigit() or int(wanted) < 1:
            raise ValueError(f"{ENV_VAR} must be a whole number ≥ 1, got {wanted!r}")
        return int(wanted)
    return max(1, (os.cpu_count() or 1) // device.cpu_threads())


@dataclass(frozen=True)
class QueueState:
    slots: int
    running: int
    waiting: int


class TrainingQueue:
    """First come, first served, `slots` at a time."""

    def __init__(self, slots: int) -> None:
        if slots < 1:
            raise ValueError("a training queue needs at least one slot")
        self.slots = slots
        self._cond = threading.Condition()
        self._waiting: deque[int] = deque()
        self._holders: dict[int, int] = {}  # thread id -> nesting depth
        self._tickets = itertools.count()

    def state(self) -> QueueState:
        with self._cond:
            return QueueState(self.slots, len(self._holders), len(self._waiting))

    @contextlib.contextmanager
    def slot(self, on_wait: Callable[[int], None] | None = None, cancel: _Cancellable | None = None,
             poll_seconds: float = 0.25) -> Iterator[None]:
        """Hold a training slot for the block. While waiting, `on_wait(position)` is called each time
        the position changes (1 = next in line); a set `cancel` raises CancelledWhileWaiting."""
        me = threading.get_ident()
        with self._cond:
            if me in self._holders:  # nested: this thread already trains
                self._holders[me] += 1
                nested = True
            else:
                nested = False
                ticket = next(self._tickets)
                self._waiting.append(ticket)
        if nested:
            try:
                yield
            finally:
                with self._cond:
                    self._holders[me] -= 1
            return
        try:
            shown = None
            with self._cond:
                while not (self._waiting[0] == ticket and len(self._holders) < self.slots):
                    position = self._waiting.index(ticket) + 1
                    if on_wait is not None and position != shown:
                        shown = position
                        self._cond.release()  # never call out (Streamlit may raise) holding the lock
                        try:
                            on_wait(position)
                        finally:
                            self._cond.acquire()
                        continue
                    if cancel is not None and cancel.cancelled:
                        raise CancelledWhileWaiting("cancelled while waiting for a training slot")
                    self._cond.wait(poll_seconds)
                self._waiting.popleft()
                self._holders[me] = 1
                self._cond.notify_all()
        except BaseException:
            with self._cond:
                if ticket in self._waiting:
                    self._waiting.remove(ticket)
                    self._cond.notify_all()
            raise
        try:
            yield
        finally:
            with self._cond:
                self._holders.pop(me, None)
                self._cond.notify_all()


_queue: TrainingQueue | None = None
_queue_lock = threading.Lock()


def get() -> TrainingQueue:
    """The process-wide queue, sized once from `default_slots()`."""
    global _queue
    with _queue_lock:
        if _queue is None:
            _queue = TrainingQueue(default_slots())
        return _queue


def slot(on_wait: Callable[[int], None] | None = None,
         cancel: _Cancellable | None = None) -> contextlib.AbstractContextManager[None]:
    """`get().slot(...)`: hold one of the process's training slots for a block."""
    return get().slot(on_wait=on_wait, cancel=cancel)
