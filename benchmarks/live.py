"""Live training: frames a browser sees while playing, and training speed playing vs not.

    python benchmarks/live.py

1. Throughput, server-side: the default configuration trained by the finished-run path
   (one task, no drawing) against the live path at "as fast as it trains" (frames of
   FRAME_COMPUTE seconds of training, each redrawn), both in Streamlit's AppTest in one
   process: iterations per second of both methods together, and their ratio.
2. Frames in Chromium: playing at 100 and at "as fast as it trains", how many times a
   second the loss curve visibly grew, sampled at 25 Hz over several seconds.

The machine is shared and noisy: compare the ratios of one run.
"""

from __future__ import annotations

import math
import pathlib
import statistics
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT))

CURVE_LENGTH = ("() => { const plot = document.querySelector('.js-plotly-plot');"
                " return plot && plot._fullData ? plot._fullData[0].y.length : 0; }")


def throughput(repeats: int = 3) -> tuple[float, float]:
    """Median iterations per second (both methods) of the finished path and of playing."""
    import streamlit as st
    from apphelpers import open_page

    from twolayer.ui import compute

    finished, playing = [], []
    for k in range(repeats):
        st.cache_data.clear()
        if compute.STORE is not None:
            compute.STORE.clear()
        began = time.perf_counter()
        open_page("Comparison", seed=100 + k)  # trains both, caches nothing before
        finished.append(500 / (time.perf_counter() - began))
        playing.append(_playing_rate(open_page, 200 + k))
    return statistics.median(finished), statistics.median(playing)


def _playing_rate(open_page, seed: int) -> float:
    at = open_page("Comparison", seed=seed, iterations=1)  # the page, nothing of seed's run
    at.sidebar.number_input(key="w_iterations").set_value(500).run()
    at.selectbox(key="live_speed").set_value(math.inf).run()
    began = time.perf_counter()
    next(b for b in at.get("button") if b.label == "▶ Play").click().run()
    while not at.session_state["live"].run.done:
        at.run()  # one frame: its training, then its drawing
    return 500 / (time.perf_counter() - began)


def frames(speed: str, seconds: float = 8.0) -> float:
    """Times a second the loss curve grew in Chromium while playing the sine."""
    from playwright.sync_api import sync_playwright
    from serverhelpers import CHROMIUM, CHROMIUM_ARGS, streamlit_server

    with streamlit_server() as url, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
        page.goto(f"{url}/?data=sine&iterations=20000")
        page.wait_for_selector(".js-plotly-plot .main-svg", timeout=120_000)
        page.locator('[data-testid="stSelectbox"]', has_text="speed").click()
        page.get_by_role("option", name=speed).click()
        page.get_by_role("button", name="▶ Play").click()
        page.locator('[data-testid="stProgress"]', has_text="playing").wait_for()
        changes, last, began = 0, None, time.perf_counter()
        while time.perf_counter() - began < seconds:
            length = page.evaluate(CURVE_LENGTH)
            changes += last is not None and length != last
            last = length
            time.sleep(0.04)
        browser.close()
    return changes / seconds


def main() -> None:
    finished, playing = throughput()
    print(f"both methods, default configuration: finished path {finished:,.0f} iterations/s, "
          f"playing as fast as it trains {playing:,.0f} iterations/s: "
          f"{finished / playing:.2f}x slower while playing (median of 3, server-side)")
    for speed in ("100 iterations/s", "as fast as it trains"):
        print(f"frames seen in Chromium while playing the sine at {speed}: "
              f"{frames(speed):.1f} per second")


if __name__ == "__main__":
    main()
