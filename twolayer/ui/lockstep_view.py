"""Streamlit pieces of the Lock-step page: its controls, cached runs, highlighted listings."""

from __future__ import annotations

import functools
import html

import streamlit as st

from ..config import DTYPES, Config
from ..lockstep import (
    Lockstep,
    Options,
    gradcheck_task,
    lockstep_task,
    relu_zero_task,
    sum_vs_mean_task,
    sweep_task,
)
from ..outputs.export import lockstep_json, records_csv, run_tag
from ..serving.budget import check_compute
from ..variants import BUGS, RELU_CONVENTIONS, Listing, resolve
from . import options as page_options
from .cache import arrays
from .compute import cached, compute_budget

TABS = {"drift": "1 · Lock-step differences", "check": "2 · Gradient check and code",
        "relu": "3 · ReLU at zero", "mean": "4 · Sum vs mean"}
OPTIONS = (  # the page's own options, in its URL beside the configuration
    page_options.Option("dtype_numpy", lambda config: config.dtype, DTYPES),
    page_options.Option("dtype_torch", lambda config: config.dtype, DTYPES),
    page_options.Option("relu", "relu", tuple(RELU_CONVENTIONS)),
    page_options.Option("bug", "none", tuple(BUGS)),
    page_options.Option("at_iteration", 0),
    page_options.Option("section", "drift", tuple(TABS)),
)


def tabs():
    """The page's four sections as tabs (in the URL as section=); only the open one runs."""
    return page_options.tabs("section", TABS)


def lockstep_controls(config: Config) -> Options:
    """Each method's dtype, the ReLU convention and an injected bug, chosen on the page."""
    dtype_numpy, dtype_torch, relu, bug = st.columns([1, 1, 1.3, 1.5])
    return Options(
        dtype_numpy=page_options.select("dtype_numpy", "dtype, manual (numpy)", DTYPES,
                                   container=dtype_numpy),
        dtype_torch=page_options.select("dtype_torch", "dtype, autograd (torch)", DTYPES,
                                   container=dtype_torch),
        relu=page_options.select("relu", "ReLU derivative at h = 0", tuple(RELU_CONVENTIONS),
                            lambda k: RELU_CONVENTIONS[k].label, container=relu),
        bug=page_options.select("bug", "Inject a bug (for teachers)", tuple(BUGS),
                           lambda k: BUGS[k].label, container=bug,
                           then=_bug_chosen, then_args=(config.iterations,)),
    )


def _bug_chosen(iterations: int) -> None:
    """A new bug: move the gradient check to where the bug first shows, if it was before."""
    shows_from = BUGS[page_options.value("bug")].shows_from
    if page_options.value("at_iteration") < shows_from < iterations:
        page_options.set_value("at_iteration", shows_from)


def lockstep_run(config: Config, variant: Options, preview=None) -> Lockstep:
    """Both methods stepped side by side (twolayer.lockstep), from the server's cache;
    preview(result) draws the run so far while it steps."""
    return cached(("lockstep", config, variant),
                  lambda: lockstep_task(config, variant, arrays(config)),
                  "Stepping both methods side by side", preview)


def gradient_check(config: Config, variant: Options, at_iteration: int) -> dict:
    """The three-way check at one iteration of the lock-step run."""
    return cached(("gradcheck", config, variant, at_iteration),
                  lambda: gradcheck_task(config, variant, at_iteration,
                                         arrays=arrays(config)),
                  f"Stepping to iteration {at_iteration} and checking gradients")


def relu_zero(config: Config) -> dict:
    """Each ReLU convention trained from w1 = 0."""
    return cached(("relu zero", config), lambda: relu_zero_task(config, arrays(config)),
                  "Training from w1 = 0 with each convention")


def sum_and_mean(config: Config):
    """The summed run and the mean run at the matching rate."""
    return cached(("sum vs mean", config), lambda: sum_vs_mean_task(config, arrays(config)),
                  "Training with the sum and the mean loss")


def sweep(config: Config) -> dict:
    """Final loss against learning rate."""
    return cached(("sweep", config), lambda: sweep_task(config, arrays=arrays(config)),
                  "Sweeping the learning rate")


def within_budget(config: Config, runs: float) -> bool:
    """True if `runs` runs of this configuration fit the compute budget; if not, an error
    says what they would cost and what to change."""
    try:
        check_compute(config, runs, "This part", compute_budget())
    except ValueError as error:
        st.error(f"{error}.")
        return False
    return True


def listings(variant: Options) -> dict[str, Listing]:
    """The code a variant runs, with its changed lines (no run needed to show it)."""
    return _listings(variant.bug, variant.relu)


@functools.cache  # a few bugs times a few conventions: bounded
def _listings(bug: str, relu: str) -> dict[str, Listing]:
    return resolve(bug, relu)[1]


def show_listings(listings: dict[str, Listing], names: tuple[str, ...]) -> None:
    """The code that ran, with the lines a variant changed highlighted."""
    blocks = []
    for name in names:
        listing = listings[name]
        lines = []
        for index, line in enumerate(listing.source.splitlines()):
            text = html.escape(line) or " "
            if index in listing.changed:  # inline-block: no line break of its own
                text = (f'<mark style="background:#ffd5d5;display:inline-block;'
                        f'width:100%">{text}</mark>')
            lines.append(text)
        blocks.append("\n".join(lines))
    body = "\n\n".join(blocks)
    st.html(f'<pre style="font-size:0.85rem;line-height:1.35;background:#f7f7f9;'
            f'padding:0.8rem;border-radius:0.4rem;overflow-x:auto">{body}</pre>')


CHECK_PAIRS = (("manual_vs_autograd", "manual vs autograd"),
               ("manual_vs_numeric", "manual vs finite differences"),
               ("autograd_vs_numeric", "autograd vs finite differences"))


def gradcheck_badges(check: dict) -> None:
    """A table: one row per comparison, a badge per matrix, green within its tolerance,
    red beyond, gray where the dtype guarantees no digit or the run diverged."""
    rows = ["| comparison | w1 | w2 |", "|---|---|---|"]
    for pair, label in CHECK_PAIRS:
        cells = [badge(check[f"rel_err_{pair}_{name}"], check[f"tolerance_{pair}_{name}"],
                       check[f"verdict_{pair}_{name}"]) for name in ("w1", "w2")]
        rows.append(f"| {label} | {cells[0]} | {cells[1]} |")
    st.markdown("\n".join(rows))


BADGE = {  # verdict: (color, icon)
    "pass": ("green", ":material/check:"),
    "fail": ("red", ":material/close:"),
    "no digits": ("gray", ":material/blur_on:"),
    "not finite": ("gray", ":material/block:"),
}


def badge(error: float, limit: float, verdict: str) -> str:
    """A markdown badge with the relative error and the tolerance it is held to."""
    color, icon = BADGE[verdict]
    if verdict == "not finite":
        text = "— not finite: the run diverged"
    elif verdict == "no digits":
        text = f"{error:.1e}; bound {limit:.0e}: no digit guaranteed"
    else:
        text = f"{error:.1e} {'≤' if verdict == 'pass' else '>'} {limit:.1e}"
    return f":{color}-badge[{icon} {text}]"


MAXIMA_LABELS = {  # record: what it measures, as the table says it
    "abs_loss_diff": "|Δ loss|, absolute",
    "rel_loss_diff": "|Δ loss| / loss, relative",
    "max_abs_w1_diff": "largest |Δw1| entry",
    "max_abs_w2_diff": "largest |Δw2| entry",
    "max_abs_grad_w1_diff": "largest |Δgrad_w1| entry",
    "max_abs_grad_w2_diff": "largest |Δgrad_w2| entry",
}


def maxima_table(result: Lockstep) -> dict[str, list[str]]:
    """Each difference's largest value over the run and the iteration where it peaked."""
    peaks = result.peaks()
    return {"numpy − torch": [MAXIMA_LABELS[name] for name in peaks],
            "largest": ["—" if v is None else f"{v:.3g}" for v, _ in peaks.values()],
            "at iteration t": ["—" if t is None else str(t) for _, t in peaks.values()]}


def downloads(config: Config, variant: Options, result: Lockstep) -> None:
    """The per-iteration differences (CSV) and what produced them (JSON)."""
    tag = run_tag(config, variant)
    csv, cfg = st.columns(2)
    csv.download_button("Per-iteration differences (CSV)", lambda: records_csv(result),
                        f"lockstep_{tag}.csv", "text/csv", on_click="ignore", width="stretch")
    cfg.download_button("Configuration and options (JSON)", lockstep_json(config, variant),
                        f"lockstep_{tag}.json", "application/json", on_click="ignore",
                        width="stretch")
