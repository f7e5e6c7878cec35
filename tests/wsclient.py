"""A student without a browser: Streamlit sessions over the app's own websocket protocol.

Connects to /_stcore/stream as the frontend does, asks for a page with a query
string, and reads the ForwardMsg protobufs (the messages a browser renders): the
Plotly charts, errors, exceptions and progress bars, until the script run ends.
A session can also change a widget, as a browser does, or close mid-run, as a
closed tab does. Used by the classroom tests and benchmarks/classroom.py to put
many sessions on one server cheaply.
"""

from __future__ import annotations

import base64
import json
import time
from dataclasses import dataclass, field

import numpy as np
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from websockets.sync.client import connect

FINISHED = {ForwardMsg.FINISHED_SUCCESSFULLY: "ok",
            ForwardMsg.FINISHED_WITH_COMPILE_ERROR: "compile error",
            ForwardMsg.FINISHED_EARLY_FOR_RERUN: "rerun"}


@dataclass
class Visit:
    """What one run of a page showed, and when (seconds since the request)."""

    first_chart: float | None = None  # the first Plotly chart arrived
    first_progress: float | None = None  # the first progress bar arrived: work under way
    finished: float | None = None  # the script run ended
    status: str = ""  # how it ended: "ok", "rerun", "timeout", "closed", ...
    charts: list[dict] = field(default_factory=list)  # Plotly figure specs, in order
    exceptions: list[str] = field(default_factory=list)  # st.exception elements
    errors: list[str] = field(default_factory=list)  # st.error texts
    widgets: dict[str, str] = field(default_factory=dict)  # label -> id: inputs, expanders


class Session:
    """One browser tab's session: a websocket to the server."""

    def __init__(self, base_url: str):
        url = base_url.replace("http://", "ws://") + "/_stcore/stream"
        connection = connect(url, subprotocols=["streamlit"], open_timeout=30, max_size=None)
        self.ws = connection.__enter__()  # closed by close()
        self.page, self.query, self.widgets = "", "", {}

    def open(self, page: str = "", query: str = "") -> None:
        """Ask for a page, as a first visit with this query string."""
        self.page, self.query = page, query
        self._rerun()

    def change_int(self, label: str, value: int) -> None:
        """Type an integer into the number input with this label, as a browser does."""
        request = self._rerun(send=False)
        state = request.rerun_script.widget_states.widgets.add()
        state.id, state.int_value = self.widgets[label], value
        self.ws.send(request.SerializeToString())

    def expand(self, label: str) -> None:
        """Open the expander with this label, as a click on it does (a rerun)."""
        request = self._rerun(send=False)
        state = request.rerun_script.widget_states.widgets.add()
        state.id, state.bool_value = self.widgets[label], True
        self.ws.send(request.SerializeToString())

    def _rerun(self, send: bool = True) -> BackMsg:
        request = BackMsg()
        request.rerun_script.query_string = self.query
        request.rerun_script.page_name = self.page
        self.started = time.perf_counter()
        if send:
            self.ws.send(request.SerializeToString())
        return request

    def read(self, timeout: float = 300.0, until=None) -> Visit:
        """Messages of the current run until it ends (or until(visit) is true)."""
        seen = Visit()
        deadline = time.perf_counter() + timeout
        while seen.finished is None and not (until and until(seen)):
            remaining = deadline - time.perf_counter()
            try:
                raw = self.ws.recv(timeout=max(remaining, 0.001))
            except TimeoutError:
                seen.status = "timeout"
                break
            message = ForwardMsg()
            message.ParseFromString(raw)
            if message.WhichOneof("type") == "new_session":
                # A run starts. What came before it belonged to the run it replaced: a chart
                # that run drew just before it stopped can arrive after the rerun was asked.
                seen = Visit()
            _read(message, seen, time.perf_counter() - self.started)
        self.widgets.update(seen.widgets)
        return seen

    def close(self) -> None:
        self.ws.__exit__(None, None, None)


def visit(base_url: str, page: str = "", query: str = "", timeout: float = 300.0) -> Visit:
    """Open one page in a fresh session and wait for its run to end."""
    session = Session(base_url)
    try:
        session.open(page, query)
        return session.read(timeout)
    finally:
        session.close()


def _read(message: ForwardMsg, seen: Visit, elapsed: float) -> None:
    kind = message.WhichOneof("type")
    if kind == "script_finished":
        if message.script_finished == ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY:
            return
        seen.finished, seen.status = elapsed, FINISHED.get(message.script_finished, "other")
    elif kind == "delta" and message.delta.WhichOneof("type") == "new_element":
        _element(message.delta.new_element, seen, elapsed)
    elif kind == "delta" and message.delta.WhichOneof("type") == "add_block":
        block = message.delta.add_block
        if block.WhichOneof("type") == "expandable" and block.expandable.id:
            seen.widgets[block.expandable.label] = block.expandable.id


def _element(element, seen: Visit, elapsed: float) -> None:
    which = element.WhichOneof("type")
    if which == "plotly_chart":
        seen.charts.append(json.loads(element.plotly_chart.spec))
        if seen.first_chart is None:
            seen.first_chart = elapsed
    elif which == "progress" and seen.first_progress is None:
        seen.first_progress = elapsed
    elif which == "exception":
        seen.exceptions.append(f"{element.exception.type}: {element.exception.message}")
    elif which == "alert" and element.alert.format == element.alert.ERROR:
        seen.errors.append(element.alert.body)
    elif which == "number_input":
        seen.widgets[element.number_input.label] = element.number_input.id


def trace_y(chart: dict, index: int = 0) -> np.ndarray:
    """A Plotly trace's y values: plain lists, or base64 typed arrays."""
    values = chart["data"][index]["y"]
    if isinstance(values, dict):
        return np.frombuffer(base64.b64decode(values["bdata"]), dtype=values["dtype"])
    return np.asarray(values, dtype=float)
