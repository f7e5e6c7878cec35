"""Play, pause and step: the clock of every view that moves through iterations on its own.

A playing view is a fragment that reruns every FRAME seconds (never more than five
frames a second, however fast the speed) and moves by the wall time since its last
frame, so that it keeps its pace however long a frame takes to draw. Its state lives
in the session, so a page switch and back resumes where it was; pausing, leaving the
page or closing the tab ends the frames, and with them the work.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

FRAME = 0.2  # seconds between frames while playing: at most 5 a second
CATCH_UP = 5  # frames' worth a slow frame may make up; more (a pause, a page switch) is lost


@dataclass
class Clock:
    """Whether a view plays, how fast (iterations per second; inf: as fast as it can), and
    when it last moved."""

    playing: bool = False
    speed: float = 100.0
    frame: float = FRAME  # seconds between frames (a slow-to-draw view may want more)
    last: float | None = None  # time.monotonic() of the last frame that moved
    rate: float = 0.0  # iterations per second over the last frame, as measured

    def due(self, now: float) -> int:
        """Iterations due since the last frame at this speed: at least one while playing, at
        most CATCH_UP frames' worth (after a pause or a page switch, no leap)."""
        if not self.playing:
            return 0
        elapsed = self.frame if self.last is None else min(now - self.last,
                                                           CATCH_UP * self.frame)
        if math.isinf(self.speed):
            return 10**9  # bounded by the frame's compute time instead
        return max(1, round(self.speed * elapsed))

    def moved(self, steps: int, now: float) -> None:
        """Record a frame that advanced `steps` iterations."""
        if self.last is not None and now > self.last:
            self.rate = steps / (now - self.last)
        self.last = now

    def play(self) -> None:
        self.playing, self.last = True, None

    def pause(self) -> None:
        self.playing, self.last, self.rate = False, None, 0.0
