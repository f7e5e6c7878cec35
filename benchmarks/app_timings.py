"""App timings: server cold start, first render of the comparison page, a cached rerun.

    python benchmarks/app_timings.py        (needs /usr/bin/chromium and playwright)
    python benchmarks/app_timings.py --reruns --lang zh   (only the cached reruns, in Chinese)
    python benchmarks/app_timings.py --languages   (each page's rerun, English against Chinese)

Prints medians over several repetitions; the machine is noisy, so compare
figures from one run of this script, not across runs.
"""

from __future__ import annotations

import contextlib
import pathlib
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from serverhelpers import CHROMIUM, CHROMIUM_ARGS, free_port  # noqa: E402


@contextlib.contextmanager
def server(script: pathlib.Path, cwd: pathlib.Path):
    """Start `streamlit run script`; yield (url, seconds until /_stcore/health answered)."""
    port = free_port()
    start = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(script), "--server.headless", "true",
         "--server.address", "127.0.0.1", "--server.port", str(port)],
        cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        while True:
            with contextlib.suppress(OSError):
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=1) as reply:
                    if reply.read() == b"ok":
                        break
            time.sleep(0.02)
        yield url, time.perf_counter() - start
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def cold_starts(repeats: int) -> tuple[float, float]:
    """Median seconds to a healthy server: this app, and a bare one-line app."""
    with tempfile.TemporaryDirectory() as tmp:
        bare = pathlib.Path(tmp) / "bare.py"
        bare.write_text("import streamlit as st\nst.write('hello')\n")
        app, baseline = [], []
        for _ in range(repeats):
            with server(ROOT / "streamlit_app.py", ROOT) as (_, seconds):
                app.append(seconds)
            with server(bare, pathlib.Path(tmp)) as (_, seconds):
                baseline.append(seconds)
    return statistics.median(app), statistics.median(baseline)


def render_seconds(browser, url: str) -> float:
    """Seconds from navigation until the page's charts are drawn and its run is over."""
    page = browser.new_page()
    start = time.perf_counter()
    page.goto(url)
    page.wait_for_selector(".js-plotly-plot .main-svg", timeout=120_000)
    page.wait_for_function("!document.querySelector('[data-testid=\"stStatusWidget\"]')",
                           timeout=120_000)
    seconds = time.perf_counter() - start
    page.close()
    return seconds


def first_renders(repeats: int) -> tuple[float, float]:
    """Median first render of the default comparison: on a just-started server (torch not
    yet imported), and on a warm one (another configuration already rendered)."""
    from playwright.sync_api import sync_playwright

    cold, warm = [], []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for _ in range(repeats):
            with server(ROOT / "streamlit_app.py", ROOT) as (url, _):
                cold.append(render_seconds(browser, f"{url}/"))
            with server(ROOT / "streamlit_app.py", ROOT) as (url, _):
                render_seconds(browser, f"{url}/?seed=99")
                warm.append(render_seconds(browser, f"{url}/"))
        browser.close()
    return statistics.median(cold), statistics.median(warm)


def cached_reruns(repeats: int, lang: str = "en") -> dict[str, float]:
    """Median server-side milliseconds of a rerun whose configuration did not change, each
    page shown in lang (every page: the Exercise and Grade pages have no configuration)."""
    sys.path.insert(0, str(ROOT))
    from streamlit.testing.v1 import AppTest

    from twolayer.ui.frame import PAGES

    result = {}
    for page in PAGES:
        name = page.label
        at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=120)
        at.query_params["lang"] = lang
        at.switch_page(page.file)
        at.run()
        times = []
        for _ in range(repeats):
            start = time.perf_counter()
            at.run()
            times.append(1000 * (time.perf_counter() - start))
        result[name] = statistics.median(times)
    return result


def language_ratios(repeats: int) -> dict[str, tuple[float, float]]:
    """Median server-side milliseconds of each page's cached rerun in English and in
    Chinese: two sessions in one process, run in turn (the order swapped every round), so
    the machine's load falls on both alike."""
    sys.path.insert(0, str(ROOT))
    from streamlit.testing.v1 import AppTest

    from twolayer.ui.frame import PAGES

    result = {}
    for page in PAGES:
        sessions = {}
        for lang in ("en", "zh"):
            at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=120)
            at.query_params["lang"] = lang
            at.switch_page(page.file)
            at.run()
            sessions[lang] = at
        times = {"en": [], "zh": []}
        for k in range(repeats):
            for lang in ("en", "zh") if k % 2 else ("zh", "en"):
                start = time.perf_counter()
                sessions[lang].run()
                times[lang].append(1000 * (time.perf_counter() - start))
        result[page.label] = (statistics.median(times["en"]), statistics.median(times["zh"]))
    return result


def first_render_server_side(repeats: int) -> float:
    """Median server-side seconds of the default comparison page with nothing cached
    (torch already imported, as on a warm server)."""
    sys.path.insert(0, str(ROOT))
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    warm = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=120)
    warm.query_params["seed"] = "99"
    warm.run()
    from twolayer.ui import compute

    times = []
    for _ in range(repeats):
        st.cache_data.clear()
        compute.STORE.clear()  # the app's own cache: nothing served from the last repetition
        at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=120)
        start = time.perf_counter()
        at.run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    if "--languages" in sys.argv:
        ratios = language_ratios(30)
        for name, (en, zh) in ratios.items():
            print(f"cached rerun, {name}: en {en:.1f} ms, zh {zh:.1f} ms, zh/en {zh / en:.3f}")
        total = sum(zh for _en, zh in ratios.values()) / sum(en for en, _zh in ratios.values())
        print(f"every page: zh/en {total:.3f} (medians of 30, in turn)")
        return
    if "--reruns" in sys.argv:
        lang = sys.argv[sys.argv.index("--lang") + 1] if "--lang" in sys.argv else "en"
        for name, ms in cached_reruns(20, lang).items():
            print(f"cached rerun, {name}, {lang}: {ms:.1f} ms server-side (median of 20)")
        return
    app, bare = cold_starts(5)
    print(f"cold start to /_stcore/health: app {app:.2f} s, bare app {bare:.2f} s (median of 5)")
    cold, warm = first_renders(3)
    print(f"first render of the default comparison page: {cold:.2f} s on a just-started server, "
          f"{warm:.2f} s on a warm one (median of 3, browser-measured)")
    print(f"first render of the default comparison page, server-side: "
          f"{first_render_server_side(5):.2f} s (median of 5, nothing cached)")
    for name, ms in cached_reruns(20).items():
        print(f"cached rerun, {name}: {ms:.1f} ms server-side (median of 20)")


if __name__ == "__main__":
    main()
