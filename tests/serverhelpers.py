"""A real `streamlit run` server for tests and benchmarks: started on 127.0.0.1, stopped by PID."""

from __future__ import annotations

import contextlib
import os
import pathlib
import shutil
import socket
import subprocess
import sys
import time
import urllib.request

ROOT = pathlib.Path(__file__).resolve().parents[1]
LOGS = ROOT / "artifacts" / "server-logs"  # one per server started, for a failing test
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# As for any headless Chromium on a closed network: no background connections.
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
SERVERS: dict[str, int] = {}  # url -> PID of the servers running now


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def streamlit_server(script: str = "streamlit_app.py", cwd: pathlib.Path = ROOT,
                     env: dict | None = None, options: tuple[str, ...] = ()):
    """A fresh `streamlit run script` on 127.0.0.1, its log in artifacts/server-logs;
    yields its URL and stops it by its PID.

    runOnSave is on, as Streamlit Community Cloud forces it; when the block ends without
    an exception of its own, the server's log must hold no traceback and no error.
    """
    port = free_port()
    LOGS.mkdir(parents=True, exist_ok=True)
    log_path = LOGS / f"streamlit-{port}.log"
    log = open(log_path, "w")  # noqa: SIM115 - closed in finally
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", script, "--server.headless", "true",
         "--server.address", "127.0.0.1", "--server.port", str(port),
         "--server.runOnSave", "true", *options],
        cwd=cwd, stdout=log, stderr=subprocess.STDOUT,
        env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})},
    )
    url = f"http://127.0.0.1:{port}"
    SERVERS[url] = proc.pid
    try:
        _wait_healthy(url, proc)
        yield url
    finally:
        SERVERS.pop(url, None)
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()
    text = log_path.read_text()
    assert "Traceback" not in text and "Error" not in text, text[-3000:]


def _wait_healthy(url: str, proc: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert proc.poll() is None, "streamlit exited during start-up"
        with contextlib.suppress(OSError):
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as reply:
                if reply.read() == b"ok":
                    return
        time.sleep(0.2)
    raise AssertionError("streamlit did not answer /_stcore/health within 60 s")
