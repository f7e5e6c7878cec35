"""The Streamlit layer: pages import this, and nothing outside it imports Streamlit.

- frame: every page's frame: set-up, navigation, the configuration sidebar
- data_panel: the sidebar's data section (the kind, its settings, a CSV upload)
- options: a page's own options, kept in the session and the URL
- compute: long work shared fairly by every visitor (one computation per core, slices)
- cache: data, weights and runs from the server's cache, keyed on small values
- player: the clock of every view that plays through iterations
- shared: pieces several pages show (divergence notices, code listings, downloads)
- comparison_view, live_view, graph_view, lockstep_view, exercise_view, grade_view: each
  page's own; question_view: the Exercise page's question 1 (the graph)
"""

from . import comparison_view, live_view, lockstep_view
from .cache import dataset, training_run, weights
from .frame import PAGES, navigation, page
from .shared import (
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
    "comparison_view",
    "data_view",
    "dataset",
    "downloads",
    "first_lines",
    "gradient_formulas",
    "grow_in",
    "live_view",
    "lockstep_view",
    "navigation",
    "page",
    "report_divergence",
    "show_code",
    "summary_table",
    "training_run",
    "weights",
]
