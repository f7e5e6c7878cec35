"""A class on one server: N students open a page at the same moment, each with their own seed.

    python benchmarks/classroom.py --students 10 --page Comparison [--clients browser|ws]

Runs the same N students against this app and against a bare one-chart Streamlit
page, in one run, and prints for each: the time until every student's page was
finished, the median and the slowest, exceptions seen, and the server's peak RSS.
Students are fresh Chromium contexts (what a class sees: the browser's own cost is
in both figures) or websocket clients speaking Streamlit's protocol (server time
only). Also, with --first-chart, each page's warm time to its first chart against
the bare page, one student at a time.

The machine is shared and noisy: compare figures from one run, as ratios.
"""

from __future__ import annotations

import argparse
import contextlib
import pathlib
import statistics
import sys
import tempfile
import threading
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from serverhelpers import CHROMIUM, CHROMIUM_ARGS, SERVERS, streamlit_server  # noqa: E402
from wsclient import visit  # noqa: E402

sys.path.insert(0, str(ROOT))
from twolayer.ui.frame import PAGES as APP_PAGES  # noqa: E402

PAGES = {page.label: "" if k == 0 else page.url  # the pages with a configuration
         for k, page in enumerate(APP_PAGES[:5])}
BARE_APP = """import numpy as np
import plotly.graph_objects as go
import streamlit as st

st.title("Bare page")
seed = int(st.query_params.get("seed", 0))
y = np.random.default_rng(seed).standard_normal(500).cumsum()
st.plotly_chart(go.Figure(go.Scatter(y=y)))
"""


def peak_rss_mib(pid: int) -> float:
    """The process's peak resident memory (VmHWM), MiB."""
    for line in pathlib.Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def students_ws(url: str, path: str, count: int, first_seed: int) -> list[dict]:
    """count websocket students at once; what each saw."""
    results: list[dict] = [{} for _ in range(count)]
    start = threading.Barrier(count)

    def student(k: int) -> None:
        start.wait()
        began = time.perf_counter()
        seen = visit(url, path, f"seed={first_seed + k}")
        results[k] = {"seconds": time.perf_counter() - began, "status": seen.status,
                      "exceptions": seen.exceptions, "first_chart": seen.first_chart}

    threads = [threading.Thread(target=student, args=(k,)) for k in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def students_browser(url: str, path: str, count: int, first_seed: int) -> list[dict]:
    """count Chromium contexts opening the page at once; seconds until each page was done."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        pages = [browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
                 for _ in range(count)]
        began = time.perf_counter()
        for k, page in enumerate(pages):  # navigation starts without waiting for the load
            page.goto(f"{url}/{path}?seed={first_seed + k}", wait_until="commit")
        results = []
        for page in pages:
            errors = _wait_done(page)
            results.append({"seconds": time.perf_counter() - began, "status": "ok",
                            "exceptions": errors, "first_chart": None})
        browser.close()
    return results


def _wait_done(page) -> list[str]:
    page.wait_for_selector(".js-plotly-plot .main-svg", timeout=900_000)
    page.wait_for_function("!document.querySelector('[data-testid=\"stStatusWidget\"]')",
                           timeout=900_000)
    return [page.locator('[data-testid="stException"]').inner_text()] \
        if page.locator('[data-testid="stException"]').count() else []


@contextlib.contextmanager
def server_for(app: str, options: tuple[str, ...] = ()):
    """A server for this app ("app") or the bare page ("bare"), with its PID."""
    if app == "app":
        with streamlit_server(options=options) as url:
            yield url, _server_pid(url)
        return
    with tempfile.TemporaryDirectory() as tmp:
        (pathlib.Path(tmp) / "bare.py").write_text(BARE_APP)
        with streamlit_server(script="bare.py", cwd=pathlib.Path(tmp), options=options) as url:
            yield url, _server_pid(url)


def _server_pid(url: str) -> int:
    return SERVERS[url]


def class_run(app: str, page: str, students: int, clients: str, first_seed: int) -> dict:
    """One class on a fresh, warmed server: the figures for the report."""
    path = PAGES[page] if app == "app" else ""
    run = students_browser if clients == "browser" else students_ws
    with server_for(app) as (url, pid):
        visit(url, path, "seed=999999")  # warm: imports, thread pools; another seed
        results = run(url, path, students, first_seed)
        rss = peak_rss_mib(pid)
    seconds = [r["seconds"] for r in results]
    return {"all": max(seconds), "median": statistics.median(seconds), "max": max(seconds),
            "exceptions": sum(len(r["exceptions"]) for r in results),
            "not ok": sum(r["status"] != "ok" for r in results), "rss": rss}


def classes(page: str, students: int, clients: str, repeats: int) -> dict[str, list[dict]]:
    """repeats classes on each server, bare and app alternating (the machine is noisy)."""
    report: dict[str, list[dict]] = {"bare": [], "app": []}
    for k in range(repeats):
        for app in report:
            report[app].append(class_run(app, page, students, clients, 1 + k * students))
    return report


def first_chart(page: str, repeats: int, clients: str) -> tuple[float, float]:
    """Median warm seconds to the first chart of a page and of the bare page."""
    figures = []
    for app, path in (("app", PAGES[page]), ("bare", "")):
        with server_for(app) as (url, _):
            visit(url, path, "seed=999999")
            if clients == "ws":
                times = [visit(url, path, f"seed={k}").first_chart for k in range(1, repeats + 1)]
            else:
                times = _browser_first_charts(url, path, repeats)
        figures.append(statistics.median(times))
    return figures[0], figures[1]


def _browser_first_charts(url: str, path: str, repeats: int) -> list[float]:
    """Seconds from navigation to the first drawn Plotly chart, one fresh context each."""
    from playwright.sync_api import sync_playwright

    times = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for k in range(1, repeats + 1):
            context = browser.new_context(viewport={"width": 1400, "height": 1000})
            page = context.new_page()
            began = time.perf_counter()
            page.goto(f"{url}/{path}?seed={k}")
            page.wait_for_selector(".js-plotly-plot .main-svg", timeout=300_000)
            times.append(time.perf_counter() - began)
            context.close()
        browser.close()
    return times


def memory(configurations: int) -> None:
    """Distinct large configurations, one after another: the server's peak RSS against its
    base and the cache's byte budget."""
    query = "n=4000&d_in=5000&iterations=20"  # 160 MB of x each; within the compute budget
    with server_for("app") as (url, pid):
        visit(url, "", "seed=999999&iterations=2")
        base = peak_rss_mib(pid)
        for k in range(configurations):
            seen = visit(url, "", f"{query}&seed={k}")
            assert seen.status == "ok" and not seen.exceptions, seen
        print(f"{configurations} configurations of N=4000, D_in=5000: server peak RSS "
              f"{peak_rss_mib(pid):.0f} MiB, base {base:.0f} MiB (cache budget 768 MiB, "
              "one run's arrays at most 512 MiB)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=10)
    parser.add_argument("--page", choices=tuple(PAGES), default="Comparison")
    parser.add_argument("--clients", choices=("browser", "ws"), default="browser")
    parser.add_argument("--repeats", type=int, default=1, help="classes per server (1)")
    parser.add_argument("--first-chart", action="store_true",
                        help="also each page's warm time to its first chart vs the bare page")
    parser.add_argument("--memory", type=int, default=0, metavar="K",
                        help="also K distinct large configurations: the server's peak RSS")
    args = parser.parse_args()
    print(f"{args.students} students at once, {args.clients} clients, page {args.page}, "
          f"{args.repeats} classes each, bare and app alternating")
    report = classes(args.page, args.students, args.clients, args.repeats)
    for app, runs in report.items():
        for r in runs:
            print(f"  {app:5} all finished {r['all']:6.1f} s, median {r['median']:6.1f} s, "
                  f"max {r['max']:6.1f} s, exceptions {r['exceptions']}, not finished "
                  f"{r['not ok']}, server peak RSS {r['rss']:.0f} MiB")
    ratios = [a["all"] / b["all"] for a, b in zip(report["app"], report["bare"], strict=True)]
    print(f"  ratio app / bare (all finished): median {statistics.median(ratios):.2f} "
          f"of {', '.join(f'{r:.2f}' for r in ratios)}")
    if args.memory:
        memory(args.memory)
    if args.first_chart:
        for page in PAGES:
            app, bare = first_chart(page, 5, args.clients)
            print(f"  warm first chart, {page:19} {app:5.2f} s, bare {bare:5.2f} s, "
                  f"ratio {app / bare:.2f}")


if __name__ == "__main__":
    main()
