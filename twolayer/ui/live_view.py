"""Live training on the Comparison page: play, pause, step, reset, and a speed.

Both methods advance together from the same weights (twolayer.methods.LiveRun); the
session keeps one live run, its Trainings included, and drops it when the configuration changes.
Playing is a fragment that trains for at most FRAME_COMPUTE seconds a frame, in a
compute slot like any other work, then redraws; a finished live run is the finished
run, bit for bit, and goes into the server's cache as such.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import numpy as np
import streamlit as st

from ..config import Config
from ..i18n import N_, _
from ..methods import LiveRun, start_live
from ..serving.cache import MISSING
from . import compute
from .cache import arrays, dataset
from .player import FRAME, Clock

SPEEDS = (10, 50, 100, 500, math.inf)  # iterations per second
FRAME_COMPUTE = 0.12  # seconds of training per frame at most; the rest draws it
STATES = {"playing": N_("playing"), "finished": N_("finished"), "paused": N_("paused")}


@dataclass(eq=False)
class Live:
    """A session's live run and its clock."""

    run: LiveRun
    clock: Clock = field(default_factory=Clock)
    same_as_cached: bool | None = None  # once done: equal to the run trained in one go?


def current(config: Config) -> Live | None:
    """The session's live run of this configuration; one of another is dropped."""
    live = st.session_state.get("live")
    if live is not None and live.run.config != config:
        del st.session_state["live"]
        return None
    return live


def _start(config: Config) -> Live:
    live = Live(start_live(config, arrays(config), dataset(config).validation))
    st.session_state["live"] = live
    return live


def controls(config: Config) -> Live | None:
    """The buttons and the speed; the live run they act on (None before the first press)."""
    live = current(config)
    playing = live is not None and live.clock.playing
    play, step1, step_k, size, reset, speed = st.columns([1.2, 1, 1, 1.1, 1, 1.6],
                                                         vertical_alignment="bottom")
    if playing:
        play.button(_("⏸ Pause"), key="live_pause", on_click=_pause, width="stretch")
    else:
        play.button(_("▶ Play"), key="live_play", on_click=_play, args=(config,),
                    width="stretch", disabled=live is not None and live.run.done)
    # No min/max: the browser would keep an out-of-range entry to itself; _ask_steps says why
    steps = size.number_input(_("iterations a step"), value=min(10, config.iterations), step=1,
                              key="live_k")
    step1.button(_("Step 1"), key="live_step_1", on_click=_ask_steps, args=(config, 1),
                 width="stretch")
    step_k.button(_("Step {steps}", steps=steps), key="live_step_k", on_click=_ask_steps,
                  args=(config, steps), width="stretch")
    reset.button(_("↺ Reset"), key="live_reset", on_click=_reset, args=(config,),
                 width="stretch")
    speed.selectbox(_("speed"), SPEEDS, key="live_speed", on_change=_speed,
                    index=SPEEDS.index(live.clock.speed if live else 100),
                    format_func={s: _("as fast as it trains") if math.isinf(s)
                                 else _("{speed} iterations/s", speed=s) for s in SPEEDS}.get)
    if "live_error" in st.session_state:
        st.warning(st.session_state.pop("live_error"))
    live = current(config)
    if live is not None and st.session_state.get("live_pending"):
        _take_pending_steps(live)
    return live


def _play(config: Config) -> None:
    live = current(config) or _start(config)
    live.clock.speed = st.session_state.get("live_speed", live.clock.speed)
    live.clock.play()


def _pause() -> None:
    live = st.session_state.get("live")
    if live is not None:
        live.clock.pause()


def _ask_steps(config: Config, count: int) -> None:
    if not 1 <= count <= config.iterations:
        st.session_state["live_error"] = _("A step must be from 1 to {iterations:,} "
                                           "iterations (the run's length), got {count:,}.",
                                           iterations=config.iterations, count=count)
        return
    live = current(config) or _start(config)
    live.clock.pause()
    st.session_state["live_pending"] = count  # taken in the script run, with a progress bar


def _reset(config: Config) -> None:
    st.session_state.pop("live", None)
    _start(config)


def _speed() -> None:
    live = st.session_state.get("live")
    if live is not None:
        live.clock.speed = st.session_state["live_speed"]


def _take_pending_steps(live: Live) -> None:
    count = st.session_state.pop("live_pending")
    compute.run(_steps(live.run, count), _("Stepping {count} iterations", count=count))
    _finish(live)


def _steps(run: LiveRun, count: int):
    """count iterations of both methods, as a task."""
    stop = min(run.t + count, run.total)
    while run.t < stop and not run.done:
        run.advance(1)
        yield run.t - (stop - count), count
    return run


def player(live: Live, draw) -> None:
    """The growing view: a fragment that, while playing, trains what is due and redraws at
    most 1 / FRAME times a second; draw(run_numpy, run_torch) draws the runs so far."""

    @st.fragment(run_every=FRAME if live.clock.playing else None)
    def frame():
        if live.clock.playing:
            now = time.monotonic()
            steps = compute.in_slot(_train_for, live.run, live.clock.due(now))
            live.clock.moved(steps, now)
            if live.run.done:  # the last frame: stop the clock, redraw without it
                live.clock.pause()
                _finish(live)
                st.rerun(scope="app")
        progress(live)
        draw(*live.run.runs())

    frame()


def _train_for(run: LiveRun, due: int) -> int:
    """Up to due iterations, for at most FRAME_COMPUTE seconds; how many were taken."""
    deadline = time.monotonic() + FRAME_COMPUTE
    before = run.t
    while run.t - before < due and not run.done and time.monotonic() < deadline:
        run.advance(1)
    return run.t - before


def progress(live: Live) -> None:
    """Where the run is, how fast it goes, and whether it matches the run trained in one go."""
    run, clock = live.run, live.clock
    state = "playing" if clock.playing else ("finished" if run.done else "paused")
    text = _("iteration {t:,} of {total:,} · {state}", t=run.t, total=run.total,
             state=_(STATES[state]))
    if clock.playing and clock.rate:  # one more item of the list, after a " · "
        text += " · " + _("{rate:,.0f} iterations/s", rate=clock.rate)
    st.progress(run.t / run.total, text=text)
    if live.same_as_cached:
        st.success(_("The live run ended identical to the run trained in one go: the same "
                     "losses and weights, bit for bit."))
    elif live.same_as_cached is False:
        st.error(_("The live run ended different from the run trained in one go."))


def _finish(live: Live) -> None:
    """A finished live run is the finished run: compare it with a cached one (and say so on
    the page), or cache it for the next visitor."""
    if not live.run.done or live.same_as_cached is not None:
        return
    verdicts = []
    for run in live.run.runs():
        key = ("run", live.run.config, run.method)
        cached = compute.STORE.get(key)
        if cached is MISSING:
            compute.STORE.put(key, run)
            continue
        verdicts.append(all(np.array_equal(getattr(run, name), getattr(cached, name),
                                           equal_nan=True) for name in ("losses", "w1", "w2")))
    live.same_as_cached = all(verdicts) if verdicts else None


def view(config: Config, run_numpy, run_torch) -> None:
    """The live runs so far: both loss curves on shared axes, what is being learned, the
    per-iteration difference, and once finished the summary."""
    from ..checking.compare import summarize
    from ..outputs import figures
    from .shared import data_view, summary_table

    y_range = figures.log_range(run_numpy, run_torch)
    left, right = st.columns(2)
    labels = figures.translated(_, figures.LOSS_CURVE)
    left.plotly_chart(figures.loss_curve(run_numpy, y_range, labels), key="live_curve_numpy")
    right.plotly_chart(figures.loss_curve(run_torch, y_range, labels), key="live_curve_torch")
    if config.data != "noise":
        data_view(config, run_numpy, run_torch)
    st.plotly_chart(figures.difference(run_numpy, run_torch,
                                       figures.translated(_, figures.DIFFERENCE)),
                    key="live_difference")
    for run in (run_numpy, run_torch):
        if run.diverged_at is not None:
            st.error(_("The {method} run diverged at iteration {t}.", method=run.method,
                       t=run.diverged_at))
    if len(run_numpy.losses) == config.iterations or run_numpy.diverged_at is not None:
        st.table(summary_table(summarize(run_numpy, run_torch)))
