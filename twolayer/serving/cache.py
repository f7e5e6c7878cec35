"""A cache bounded in bytes, shared by every visitor of a server, safe across threads.

Keys are small hashable values (a Config, a method name); values are results
(runs, datasets) whose numpy arrays are counted to the byte and made read-only,
since every session gets the same object. The least recently used entries make
room for new ones; a value larger than the whole budget is not kept.

While one session computes a key, others asking for it can wait for that result
instead of computing it again (begin / end / wait).
"""

from __future__ import annotations

import dataclasses
import sys
import threading
from collections import OrderedDict

import numpy as np

MISSING = object()
SMALL = 64  # bytes counted for a number, a short string, a None


def nbytes(value) -> int:
    """Bytes a value holds: its arrays exactly, the rest roughly."""
    if isinstance(value, np.ndarray):
        return int(value.nbytes)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return SMALL + sum(nbytes(getattr(value, f.name)) for f in dataclasses.fields(value))
    if isinstance(value, dict):
        return SMALL + sum(nbytes(k) + nbytes(v) for k, v in value.items())
    if isinstance(value, list | tuple | set | frozenset):
        return SMALL + sum(nbytes(item) for item in value)
    if isinstance(value, str | bytes):
        return SMALL + len(value)
    if hasattr(value, "nbytes"):  # e.g. a torch tensor
        return int(value.nbytes)
    return sys.getsizeof(value) if not isinstance(value, int | float | bool) else SMALL


def freeze(value) -> None:
    """Make every numpy array in value read-only: a shared result must not change."""
    if isinstance(value, np.ndarray):
        value.flags.writeable = False
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for f in dataclasses.fields(value):
            freeze(getattr(value, f.name))
    elif isinstance(value, dict):
        for item in value.values():
            freeze(item)
    elif isinstance(value, list | tuple):
        for item in value:
            freeze(item)


class Store:
    """Values by key, at most budget bytes in all, least recently used out first."""

    def __init__(self, budget: int):
        self.budget = budget
        self._entries: OrderedDict = OrderedDict()  # key -> (value, bytes)
        self._used = 0
        self._lock = threading.Lock()
        self._busy: dict = {}  # key -> Event, set when its computation ends

    @property
    def used(self) -> int:
        """Bytes held now."""
        return self._used

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key):
        """The value, or MISSING."""
        with self._lock:
            if key not in self._entries:
                return MISSING
            self._entries.move_to_end(key)
            return self._entries[key][0]

    def put(self, key, value) -> bool:
        """Keep a value (read-only from now on), evicting the least recently used to make
        room; False if it alone is larger than the budget and was not kept."""
        size = nbytes(value)
        freeze(value)
        with self._lock:
            self._drop(key)
            if size > self.budget:
                return False
            while self._used + size > self.budget:
                self._drop(next(iter(self._entries)))
            self._entries[key] = (value, size)
            self._used += size
            return True

    def _drop(self, key) -> None:
        if key in self._entries:
            self._used -= self._entries.pop(key)[1]

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._used = 0

    def begin(self, key) -> bool:
        """Claim the computation of key: True if the caller should compute it, False if
        another caller already is (then wait())."""
        with self._lock:
            if key in self._busy:
                return False
            self._busy[key] = threading.Event()
            return True

    def end(self, key) -> None:
        """The claimed computation is over, with or without a value: wake the waiters."""
        with self._lock:
            event = self._busy.pop(key, None)
        if event is not None:
            event.set()

    def wait(self, key, timeout: float) -> bool:
        """Wait up to timeout for another caller's computation of key; True when it ended."""
        with self._lock:
            event = self._busy.get(key)
        return event is None or event.wait(timeout)
