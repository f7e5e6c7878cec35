"""The Streamlit layer: the shared sidebar, cached training, downloads. Pages import this.

Nothing outside twolayer/ui imports Streamlit.
"""

from . import explore
from .cache import dataset, initial_weights, training_run
from .frame import PAGES, page
from .parts import (
    autograd_facts,
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
    "dataset",
    "downloads",
    "explore",
    "first_lines",
    "gradient_formulas",
    "grow_in",
    "initial_weights",
    "page",
    "report_divergence",
    "show_code",
    "summary_table",
    "training_run",
]
