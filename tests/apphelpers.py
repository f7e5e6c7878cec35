"""Helpers for the app tests: run a page in AppTest and read its charts back."""

import base64
import json
import pathlib

import numpy as np
from streamlit.testing.v1 import AppTest

ROOT = pathlib.Path(__file__).resolve().parents[1]
PAGE_FILES = {
    "Comparison": "pages/0_Comparison.py",
    "Computational Graph": "pages/1_Computational_Graph.py",
    "Manual Backprop": "pages/2_Manual_Backprop.py",
    "Autograd": "pages/3_Autograd.py",
    "Lock-step": "pages/4_Lock_step.py",
    "Exercise": "pages/5_Exercise.py",
    "Grade": "pages/6_Grade.py",
}


def open_page(page: str = "Comparison", *, configure: bool = True, locale: str | None = None,
              **query) -> AppTest:
    """Run one page, as a first visit whose URL carries query; with configure, by a visitor
    who opened the sidebar's configuration widgets (closed on a first visit); locale: the
    browser's language (st.context.locale)."""
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=120)
    at.context = {"locale": locale}
    at.session_state["configure"] = configure
    for key, value in query.items():
        at.query_params[key] = str(value)
    if PAGE_FILES[page]:
        at.switch_page(PAGE_FILES[page])
    return at.run()


def decode(values) -> np.ndarray:
    """Plotly JSON arrays: plain lists, or {"dtype", "bdata"} base64 typed arrays."""
    if isinstance(values, dict):
        return np.frombuffer(base64.b64decode(values["bdata"]), dtype=values["dtype"])
    return np.asarray(values, dtype=float)


def chart(at: AppTest, key: str) -> dict:
    """The Plotly figure spec of the chart with this key."""
    for element in at.get("plotly_chart"):
        if element.proto.id.endswith(key) or key in element.proto.id:
            return json.loads(element.proto.spec)
    raise AssertionError(f"no plotly chart with key {key!r}")


def trace_y(at: AppTest, key: str, index: int = 0) -> np.ndarray:
    return decode(chart(at, key)["data"][index]["y"])
