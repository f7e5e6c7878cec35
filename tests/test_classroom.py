"""A class on one server: students at once, work that stops when they leave, a bounded cost.

Students here are websocket sessions speaking Streamlit's own protocol (tests/wsclient.py)
against a real `streamlit run` server with runOnSave on, as Community Cloud runs it.
"""

import os
import pathlib
import threading
import time

import numpy as np
import pytest
from serverhelpers import SERVERS, streamlit_server
from wsclient import Session, trace_y, visit

import twolayer as tl
from twolayer.data import arrays as config_arrays

pytestmark = pytest.mark.slow  # real Streamlit servers, many sessions at once

LONG = "iterations=40000"  # ~20 s per method here: a run still under way a second later


@pytest.fixture(scope="module")
def server():
    env = {"TWOLAYER_COMPUTE_BUDGET_S": "600"}  # room for LONG; the budget is tested below
    with streamlit_server(env=env) as url:  # its log is checked for tracebacks at the end
        yield url


def cpu_seconds(pid: int) -> float:
    """User and system CPU time the process has used so far."""
    fields = pathlib.Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def idle_cpu(pid: int, seconds: float = 2.0) -> float:
    """CPU seconds the server uses over the next few seconds (a working core: ~1 per s)."""
    before = cpu_seconds(pid)
    time.sleep(seconds)
    return cpu_seconds(pid) - before


def expected_losses(seed: int, method: str = "numpy", count: int = 5) -> list[float]:
    config = tl.Config(seed=seed)
    train = tl.train_numpy if method == "numpy" else tl.train_torch
    return train(*config_arrays(config), 1e-6, count).losses.tolist()


def test_four_students_on_two_pages_each_get_their_own_curve(server):
    pages = {101: "", 102: "", 103: "Lock_step", 104: "Lock_step"}
    seen = {}

    def student(seed: int, page: str) -> None:
        seen[seed] = visit(server, page, f"seed={seed}")

    threads = [threading.Thread(target=student, args=item) for item in pages.items()]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for seed, page in pages.items():
        visit_ = seen[seed]
        assert visit_.status == "ok" and not visit_.exceptions and not visit_.errors, seed
        chart = 0 if page == "" else 1  # the lock-step page's loss chart comes second
        losses = trace_y(visit_.charts[chart])[:5]
        assert losses == pytest.approx(expected_losses(seed), rel=1e-12), seed


def test_a_closed_tab_stops_its_work(server):
    session = Session(server)
    session.open("", f"seed=7&{LONG}")
    running = session.read(until=lambda v: v.first_progress is not None, timeout=120)
    assert running.first_progress is not None  # a progress bar: the run is under way
    session.close()
    time.sleep(1.0)  # the slice under way ends; the next progress call stops the script
    assert idle_cpu(SERVERS[server]) < 0.5  # a run still going would use ~2 s here


def test_changing_the_configuration_mid_run_stops_the_old_work(server):
    session = Session(server)
    session.open("Manual_Backprop", f"seed=8&{LONG}")
    session.read(until=lambda v: v.first_progress is not None, timeout=120)
    session.expand("Change the configuration")  # the widgets come; the long run starts over
    running = session.read(until=lambda v: v.first_progress is not None, timeout=120)
    assert running.first_progress is not None and "iterations" in session.widgets
    session.change_int("iterations", 20)  # a browser typing a new value
    rerun = session.read(timeout=120)  # the long run stops; the new one runs to its end
    assert rerun.status == "ok" and len(trace_y(rerun.charts[0])) == 20
    assert idle_cpu(SERVERS[server]) < 0.5  # nothing of the 40000-iteration run is left
    session.close()


def test_a_request_over_the_compute_budget_is_refused_at_once(server):
    # 5000 iterations at N=4000, D_in=5000: about an hour of compute
    seen = visit(server, "", "n=4000&d_in=5000&iterations=5000", timeout=60)
    assert seen.status == "ok" and not seen.charts and not seen.exceptions
    (error,) = seen.errors
    assert "This configuration can't run: This page would take about" in error
    assert "over the budget of 600 s; use at most" in error


def test_the_cache_holds_at_most_its_byte_budget(monkeypatch):
    from twolayer.ui import compute

    monkeypatch.setenv("TWOLAYER_CACHE_BUDGET_MB", "3")
    monkeypatch.setattr(compute, "SLOTS", None)  # a new server process: setup reads the env
    monkeypatch.setattr(compute, "STORE", None)
    compute.setup()
    from apphelpers import open_page

    for seed in range(6):  # each run keeps w1 and w2 (0.8 MB) of both methods
        assert not open_page("Comparison", seed=seed, iterations=3).exception
        assert compute.STORE.used <= 3 * 2**20
    assert len(compute.STORE) < 6 * 4  # older entries made room
    kept = compute.STORE.get(("run", tl.Config(seed=5, iterations=3), "torch"))
    np.testing.assert_array_equal(kept.losses, tl.train_torch(
        *config_arrays(tl.Config(seed=5)), 1e-6, 3).losses)


CHECKPOINT_APP = """import pathlib
import time

import streamlit as st

from twolayer.ui.compute import checkpoint

st.progress(0.0, text="looping")  # the test's sign that the loop is under way
count = pathlib.Path("count.txt")
n = 0
while True:  # work that draws nothing: only checkpoint() can stop it
    checkpoint()
    n += 1
    count.write_text(str(n))
    time.sleep(0.02)
"""


def test_a_checkpoint_stops_work_that_draws_nothing(tmp_path):
    # While visitors wait for a core, a bar is drawn rarely; their leaving must still stop
    # the script at once. This holds Streamlit to what checkpoint() relies on.
    (tmp_path / "loop.py").write_text(CHECKPOINT_APP)
    with streamlit_server(script="loop.py", cwd=tmp_path) as url:
        session = Session(url)
        session.open("", "")
        running = session.read(until=lambda v: v.first_progress is not None, timeout=60)
        assert running.first_progress is not None
        session.close()
        time.sleep(1.0)  # the server sees the closed socket and asks the script to stop
        stopped = int((tmp_path / "count.txt").read_text())
        time.sleep(1.0)
        assert int((tmp_path / "count.txt").read_text()) == stopped  # nothing ran since
