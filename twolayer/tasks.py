"""Long computations as tasks: generators that yield their progress and return a result.

A task yields (done, total) after each step of work, say an iteration, or
(done, total, partial) where a partial result can be shown while it grows (a
Training, a lock-step run so far), and returns its result. The command line runs a
task to its end with finish(); the app runs it in slices of a tenth of a second,
updating a progress bar between them, so that a visitor who leaves or changes the
configuration stops it within a slice (Streamlit can stop a script only at its own
calls).
"""

from __future__ import annotations

from collections.abc import Generator
from typing import TypeVar

Result = TypeVar("Result")
Task = Generator[tuple, None, Result]


def finish(task: Task[Result]) -> Result:
    """Run a task to its end and return its result."""
    while True:
        try:
            next(task)
        except StopIteration as done:
            return done.value


def training_task(training, offset: int = 0, total: int | None = None):
    """A Training (twolayer.training) advanced an iteration at a time; returns its result.

    offset, total: where this run sits in a larger task (e.g. the second of two runs).
    """
    total = training.iterations if total is None else total
    while not training.done:
        training.advance(1)
        yield offset + training.t, total, training
    return training.result()


def shifted(task: Task[Result], offset: int, total: int):
    """A task's progress as part of a larger one: (offset + done, total); returns its result."""
    while True:
        try:
            step = next(task)
        except StopIteration as done:
            return done.value
        yield (offset + step[0], total, *step[2:])


def call_task(function, *args, **kwargs):
    """A task for a computation too short to report on: function(*args) in one step."""
    return function(*args, **kwargs)
    yield  # makes this a generator: the value above is its result
