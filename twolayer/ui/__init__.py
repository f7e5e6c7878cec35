"""The Streamlit layer: the shared sidebar, cached training, downloads. Pages import this.

Nothing outside twolayer/ui imports Streamlit.
"""

from . import comparison, explore, live
from .cache import dataset, training_run, weights
from .frame import PAGES, page
from .parts import (
    autograd_facts,
    data_view,
    downloads,
    first_lines,
    gradient_formulas,
    grow_in,
    report_divergence,
    show_code,
    summary_table,
)

__all__ = [
    "PAGES",
    "autograd_facts",
    "comparison",
    "data_view",
    "dataset",
    "downloads",
    "explore",
    "live",
    "first_lines",
    "gradient_formulas",
    "grow_in",
    "page",
    "report_divergence",
    "show_code",
    "summary_table",
    "training_run",
    "weights",
]
