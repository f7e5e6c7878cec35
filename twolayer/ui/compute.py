"""Long work for a page, shared fairly by every visitor of one server.

- Threads: each computation gets one thread ($TWOLAYER_THREADS), and at most one
  computation per core runs at once (the others wait their turn), so ten visitors
  share two cores instead of twenty threads thrashing them.
- Slices: a task (twolayer.tasks) runs a tenth of a second at a time; between
  slices a progress bar may move, and there Streamlit stops the script, and with it
  the task, when the visitor changes the configuration or leaves (checkpoint()), as
  it does every quarter second while the task waits for a core.
- One cache for the server, bounded in bytes ($TWOLAYER_CACHE_BUDGET_MB), where a
  result computed for one visitor serves the next; a visitor asking for a result
  another is computing waits for it instead of computing it again.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from ..config import MEMORY_BUDGET_ENV, budget_from_mb
from ..i18n import _, resolve_with
from ..serving import threads
from ..serving.budget import DEFAULT_APP_BUDGET
from ..serving.budget import compute_budget as core_compute_budget
from ..serving.cache import MISSING, Store
from ..tasks import Task

THREADS_ENV, CACHE_ENV = "TWOLAYER_THREADS", "TWOLAYER_CACHE_BUDGET_MB"
DEFAULT_CACHE_MB = 768  # of a 2.5 GB hosted app: ~0.5 GB for the server itself, room to run
DEFAULT_RUN_MB = 512  # one run's arrays in the app (the command line's default is 2 GiB)
SLICE = 0.1  # seconds of work between two chances to stop
SHOW_AFTER = 0.3  # work shorter than this draws no progress bar

_setup_lock = threading.Lock()
SLOTS: threading.BoundedSemaphore | None = None
SLOT_COUNT = 1  # computations that run at once: one per core
STORE: Store | None = None


def setup() -> None:
    """Once per server process: thread counts, compute slots, the cache."""
    global SLOTS, SLOT_COUNT, STORE
    with _setup_lock:
        if SLOTS is not None:
            return
        _import_shared_modules()
        per_task = int(os.environ.get(THREADS_ENV, "1"))
        threads.limit(per_task)
        SLOT_COUNT = max(1, threads.cores() // per_task)
        SLOTS = threading.BoundedSemaphore(SLOT_COUNT)
        STORE = Store(budget_from_mb(os.environ.get(CACHE_ENV, DEFAULT_CACHE_MB), CACHE_ENV))
        resolve_with(_session_language)


def _import_shared_modules() -> None:
    """Import now what several sessions would otherwise import at once on first use.

    Plotly looks pandas up in sys.modules without waiting for an import under way in
    another thread, and then fails on the half-made module.
    """
    import plotly.graph_objects  # noqa: F401

    with contextlib.suppress(ImportError):
        import pandas  # noqa: F401


def _session_language() -> str | None:
    """The session's language where a run has not set it yet (a widget's callback)."""
    if get_script_run_ctx(suppress_warning=True) is None:
        return None
    return st.session_state.get("lang")


def memory_budget() -> int:
    """Bytes one run may use in the app: $TWOLAYER_MEMORY_BUDGET_MB, else 512 MiB, so
    that a core's worth of runs fits a hosted app beside the cache."""
    return budget_from_mb(os.environ.get(MEMORY_BUDGET_ENV, DEFAULT_RUN_MB), MEMORY_BUDGET_ENV)


def compute_budget() -> float:
    """Seconds of compute a page view may ask for: $TWOLAYER_COMPUTE_BUDGET_S, else 20."""
    return core_compute_budget(None, DEFAULT_APP_BUDGET)


def cached(key, make_task, label: str, preview=None):
    """The value for key from the server's cache, else computed by make_task()'s task with
    a progress bar (or, if another visitor is computing it, their result, waited for).

    preview(partial): draws a task's partial result while it grows, at most PREVIEW_RATE
    times a second.
    """
    progress = Progress(label, preview)
    while True:
        value = STORE.get(key)
        if value is not MISSING:
            progress.clear()
            return value
        if STORE.begin(key):
            try:
                value = run(make_task(), label, progress)
                STORE.put(key, value)
                return value
            finally:
                STORE.end(key)
        while not STORE.wait(key, 0.25):  # the other visitor's run; ours stays stoppable
            progress.note(_("{label} — another visitor started the same run; waiting for it",
                            label=label))


class Busy:
    """How many visitors' tasks are under way now (running or waiting for a core)."""

    def __init__(self):
        self.count, self._lock = 0, threading.Lock()

    def __enter__(self):
        with self._lock:
            self.count += 1

    def __exit__(self, *exc):
        with self._lock:
            self.count -= 1

    def crowded(self) -> bool:
        """More tasks under way than cores to run them: some visitors are waiting."""
        return self.count > SLOT_COUNT


BUSY = Busy()


def run(task: Task, label: str, progress: Progress | None = None):
    """Run a task to its end, a slice at a time in a compute slot; its result."""
    progress = progress or Progress(label)
    threads.enforce()
    with BUSY:
        while True:
            _acquire(progress)
            try:
                finished, result, step = _slice(task)
            finally:
                _release()
            if finished:
                progress.clear()
                return result
            progress.update(*step)  # where Streamlit stops a script no longer wanted


def in_slot(function, *args):
    """function(*args) in a compute slot: work too short for a progress bar (a frame of a
    live run), still one computation per core."""
    threads.enforce()
    progress = Progress(_("Training"))
    _acquire(progress)
    try:
        return function(*args)
    finally:
        _release()


_held = threading.local()  # how many slots this thread holds: a nested run takes no second


def _acquire(progress: Progress) -> None:
    depth = getattr(_held, "depth", 0)
    if depth == 0:
        while not SLOTS.acquire(timeout=0.25):
            progress.note(_("{label} — waiting for a free core (other visitors are "
                            "computing)", label=progress.label))
    _held.depth = depth + 1


def _release() -> None:
    _held.depth -= 1
    if _held.depth == 0:
        SLOTS.release()


def _slice(task: Task):
    """Advance a task for SLICE seconds: (finished, result, its last (done, total[, partial]))."""
    deadline = time.monotonic() + SLICE
    step = (0, 0)
    while time.monotonic() < deadline:
        try:
            step = next(task)
        except StopIteration as end:
            return True, end.value, step
    return False, None, step


PROGRESS_RATE = 4  # progress bar redraws per second, at most: each is browser work
CROWDED_RATE = 0.2  # and while visitors wait for a core (see Progress)
CROWDED_SHOW_AFTER = 5.0  # seconds before a bar appears then
PREVIEW_RATE = 5  # partial results drawn per second, at most, when the server is not busy


def checkpoint() -> None:
    """Where Streamlit may stop this script (its visitor left or changed the configuration)
    without drawing anything: in Streamlit 1.67 a read of st.session_state checks for a
    stop request, as drawing an element does."""
    if get_script_run_ctx(suppress_warning=True) is not None:
        st.session_state.get("config")


class Progress:
    """A progress bar that appears only for work that lasts, and goes when it is done.

    With a preview, the partial result is drawn too, but only while no other visitor's
    task is under way: in a class, ten browsers redrawing charts five times a second
    cost more than the training (measured: 10 students 2.4x a bare page with previews,
    1.4x without).

    The bar itself is redrawn only when what it says changed. While visitors wait for a
    core it appears only after CROWDED_SHOW_AFTER seconds and moves once every five: each
    element a waiting tab receives re-renders its whole page, and in a class of ten that
    browser work cost more than the runs they waited for (ten tabs on the Comparison page,
    benchmarks/classroom.py: 1.58x the bare page's time with quiet bars, 1.77x with a bar
    a second).
    Stopping does not depend on drawing: every update is a checkpoint().
    steps(done, total): what the bar says of the work done (default: iterations).
    """

    def __init__(self, label: str, preview=None, steps=None):
        self.label, self.preview = label, preview
        self.steps = steps or (lambda done, total: _("iteration {done:,} of {total:,}",
                                                     done=done, total=total))
        self.start = time.monotonic()
        self.bar = None
        self.drawn = self.shown = 0.0  # when the preview, the bar were last drawn
        self.said = None  # what the bar last said: (percent, text)
        self.fraction = 0.0  # of the work done: kept while the work waits for a core

    def update(self, done: int, total: int, partial=None) -> None:
        checkpoint()
        fraction = min(max(done / total, 0.0), 1.0) if total else 0.0
        self.fraction = fraction
        self._draw(fraction, _("{label}: {steps}", label=self.label,
                                steps=self.steps(done, total)))
        now = time.monotonic()
        alone = BUSY.count <= 1
        if self.preview and partial is not None and alone and now - self.drawn >= 1 / PREVIEW_RATE:
            self.preview(partial)
            self.drawn = now

    def note(self, text: str) -> None:
        checkpoint()
        self._draw(self.fraction, text)

    def due(self, now: float, said: tuple[int, str], crowded: bool) -> bool:
        """Whether the bar should say `said` now: short work draws nothing; long work a few
        times a second (while visitors wait for a core, later and more rarely), and only if
        it moved."""
        delay, rate = (CROWDED_SHOW_AFTER, CROWDED_RATE) if crowded else (SHOW_AFTER,
                                                                            PROGRESS_RATE)
        return now - self.start >= delay and now - self.shown >= 1 / rate and said != self.said

    def _draw(self, fraction: float, text: str) -> None:
        now, said = time.monotonic(), (round(fraction * 100), text)
        if not self.due(now, said, BUSY.crowded()):
            return
        self.shown, self.said = now, said
        if self.bar is None:
            self.bar = st.progress(fraction, text=text)
        else:
            self.bar.progress(fraction, text=text)

    def clear(self) -> None:
        if self.bar is not None:
            self.bar.empty()
            self.bar = None
