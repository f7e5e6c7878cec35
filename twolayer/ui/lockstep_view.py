"""The Lock-step page: its controls, its four tabs (each a function, with its prose), the
cached runs behind them, and the highlighted listings of the code that ran."""

from __future__ import annotations

import functools
import html

import streamlit as st

from .. import i18n
from ..checking.advice import mean_learning_rate
from ..checking.compare import DEFAULT_EPS, FD_TOLERANCE
from ..config import DTYPES, Config
from ..i18n import N_, _
from ..lockstep import (
    SWEEP_POINTS,
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

TABS = {"drift": N_("1 · Lock-step differences"), "check": N_("2 · Gradient check and code"),
        "relu": N_("3 · ReLU at zero"), "mean": N_("4 · Sum vs mean")}
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
    return page_options.tabs("section", {key: _(label) for key, label in TABS.items()})


def lockstep_controls(config: Config) -> Options:
    """Each method's dtype, the ReLU convention and an injected bug, chosen on the page."""
    dtype_numpy, dtype_torch, relu, bug = st.columns([1, 1, 1.3, 1.5])
    return Options(
        dtype_numpy=page_options.select("dtype_numpy", _("dtype, manual (numpy)"), DTYPES,
                                        container=dtype_numpy),
        dtype_torch=page_options.select("dtype_torch", _("dtype, autograd (torch)"), DTYPES,
                                        container=dtype_torch),
        relu=page_options.select("relu", _("ReLU derivative at h = 0"),
                                 tuple(RELU_CONVENTIONS),
                                 {k: _(v.label) for k, v in RELU_CONVENTIONS.items()}.get,
                                 container=relu),
        bug=page_options.select("bug", _("Inject a bug (for teachers)"), tuple(BUGS),
                                {k: _(v.label) for k, v in BUGS.items()}.get, container=bug,
                                then=_bug_chosen, then_args=(config.iterations,)),
    )


def _bug_chosen(iterations: int) -> None:
    """A new bug: move the gradient check to where the bug first shows, if it was before."""
    shows_from = BUGS[page_options.value("bug")].shows_from
    if page_options.value("at_iteration") < shows_from < iterations:
        page_options.set_value("at_iteration", shows_from)


def variant_note(variant: Options) -> None:
    """What the chosen ReLU convention and bug do, in a sentence each."""
    notes = [RELU_CONVENTIONS[variant.relu].note, BUGS[variant.bug].note]
    st.caption(" ".join(_(note) for note in notes if note))


# --- The four tabs -------------------------------------------------------------------------


def drift_tab(config: Config, variant: Options) -> None:
    """Tab 1: the largest differences between the methods at each iteration, and their
    losses, drawn as the run steps."""
    from ..outputs import figures  # plotly loads once a chart is drawn

    st.markdown(_(
        "Each line is a largest absolute difference between the methods at that "
        "iteration, on a log scale: in float64 both sit near rounding level (~1e-15 for "
        "the weights); give one method float32 and the gap grows to float32's rounding "
        "and beyond."
    ))
    notices = st.container()
    drift, losses = (column.empty() for column in st.columns(2))

    def draw(run, keyed=False):
        drift.plotly_chart(figures.lockstep_drift(
            run, figures.translated(_, figures.LOCKSTEP_DRIFT)),
            key="lockstep_drift" if keyed else None)
        losses.plotly_chart(figures.lockstep_losses(
            run, figures.translated(_, figures.LOCKSTEP_LOSSES)),
            key="lockstep_losses" if keyed else None)

    result = lockstep_run(config, variant, draw)
    with notices:
        _run_notices(config, result)
    if result.iterations_run == 0:
        drift.info(_("No iteration ran, so there is nothing to compare: the first step "
                     "fails (see the error above, and the marked line in the code on the "
                     "gradient check's tab)."))
        losses.empty()
        return
    draw(result, keyed=True)
    st.table(maxima_table(result))
    downloads(config, variant, result)


def _run_notices(config: Config, result: Lockstep) -> None:
    if result.error:
        st.error(result.error)
    elif result.diverged_at is not None:
        st.error(_("The lock-step run diverged at iteration {t} (a loss became inf/NaN). "
                   "Lower the learning rate (now {rate:g}) or remove the injected bug.",
                   t=result.diverged_at, rate=config.learning_rate))


def check_tab(config: Config, variant: Options) -> None:
    """Tab 2: manual vs autograd vs finite differences at a chosen iteration, and the code
    that ran."""
    st.markdown(_(
        "At the chosen iteration each method takes its step, and the gradient it applied "
        "(read from the step itself, so a wrong update is caught too) is compared with the "
        "other method and with central finite differences (L(w + ε) − L(w − ε)) / 2ε on 20 "
        "sampled entries of w1 and of w2. ε = {eps:g}, smaller for an entry of w1 "
        "where ±ε would push some h across 0: the loss is quadratic between ReLU kinks, so "
        "the differences are then exact up to rounding. Each badge holds its relative error "
        "to a tolerance derived from the dtype: the worst-case rounding of the method's "
        "forward and backward pass (every sum of K products is within K·u of exact, "
        "u = 2⁻²⁴ for float32, 2⁻⁵³ for float64), plus {fd:g} for the finite "
        "differences. Late in a float32 run y_pred − y is tiny next to the products that "
        "make y_pred, and float32 guarantees no digit of the gradient: those badges are "
        "gray.", eps=DEFAULT_EPS, fd=FD_TOLERANCE
    ))
    at_iteration = page_options.iteration_slider("at_iteration", _("iteration"),
                                                 config.iterations)
    shows_from = BUGS[variant.bug].shows_from
    if at_iteration < shows_from:
        st.warning(_("At t = {t} this bug does not show yet: the first step is the correct "
                     "one. Move the slider to t = {shows_from} or later to see it bite.",
                     t=at_iteration, shows_from=shows_from))
    check = gradient_check(config, variant, at_iteration)
    if "error" in check:
        st.error(check["error"])
    else:
        gradcheck_badges(check)
        st.caption(_("First sampled entries of dL/dw1 as each method applied it:"))
        st.table({_(VALUE_COLUMNS.get(key, key)): [f"{v:.6g}" for v in column[:5]]
                  for key, column in check["values_w1"].items()})
    st.markdown(_("**The code that ran**"))
    st.caption(_("The manual step and backward pass, then the autograd step and forward "
                 "pass, as compiled for this run; lines changed by the ReLU convention or "
                 "the bug are marked."))
    show_listings(listings(variant), ("manual_step", "backprop", "autograd_step",
                                      "forward_loss"))


def relu_tab(config: Config) -> None:
    """Tab 3: the three conventions for relu's derivative at 0, from w1 = 0."""
    st.markdown(_(
        "relu has no derivative at h = 0, so each library picks one: `torch.relu` uses 0 "
        "(the mask `h > 0`), `clamp(min=0)` uses 1 (`h >= 0`), and `torch.maximum(h, 0)`, "
        "the assignment's method 2, splits a tie evenly, 0.5 each way. Random weights "
        "almost never hit h = 0 exactly; starting from w1 = 0 makes every h zero, and the "
        "convention decides everything:"
    ))
    demo = relu_zero(config)
    st.table({
        _("convention"): [_(RELU_CONVENTIONS[k].label) for k in demo],
        _("loss at t=0"): [f"{v['first_loss']:.6g}" for v in demo.values()],
        _("loss at the end"): [f"{v['final_loss']:.6g}" for v in demo.values()],
        _("max |w1| at the end (numpy / torch)"): [
            f"{v['max_abs_w1']:.3g} / {v['max_abs_w1_torch']:.3g}" for v in demo.values()],
    })
    st.caption(_("With the mask h > 0 every grad_h is zero, so w1 never moves (and neither "
                 "does w2, since h_relu = 0): the network is stuck. Runs here are at most 50 "
                 "iterations."))


def mean_tab(config: Config) -> None:
    """Tab 4: the summed loss against the mean, and a learning-rate sweep."""
    from ..outputs import figures

    factor = config.n * config.d_out
    st.markdown(_(
        "The summed loss is N·D_out = {factor:,} times the mean, and so are its "
        "gradients: train the mean loss with η·N·D_out = {rate:g} "
        "and it retraces the summed run exactly (the name “MSE” belongs to the mean). At "
        "the same η the mean loss takes steps {factor:,} times smaller and barely moves.",
        factor=factor, rate=mean_learning_rate(config)
    ))
    st.caption(_("Two runs of {iterations:,} iterations, then {points} runs at learning "
                 "rates from η/1000 to η·30 (a run that diverges stops there).",
                 iterations=config.iterations, points=SWEEP_POINTS))
    if within_budget(config, runs=2 + SWEEP_POINTS):
        run_sum, run_mean = sum_and_mean(config)
        curves, sweep_chart = st.columns(2)
        curves.plotly_chart(figures.sum_vs_mean(run_sum, run_mean, factor,
                                                figures.translated(_, figures.SUM_VS_MEAN)),
                            key="sum_vs_mean")
        sweep_chart.plotly_chart(figures.learning_rate_sweep(
            sweep(config), config.learning_rate,
            figures.translated(_, figures.LEARNING_RATE_SWEEP)), key="lr_sweep")
    st.markdown(_(
        "With the summed loss the gradient grows with N, so the same η takes steps 16 "
        "times larger at N = 1024 than at N = 64 — past the largest stable step for this "
        "loss's curvature, so the assignment's η = 1e-6 diverges there within a few "
        "iterations while the mean loss does not."
    ))


def lockstep_run(config: Config, variant: Options, preview=None) -> Lockstep:
    """Both methods stepped side by side (twolayer.lockstep), from the server's cache;
    preview(result) draws the run so far while it steps."""
    return cached(("lockstep", i18n.current(), config, variant),  # its error: in words
                  lambda: lockstep_task(config, variant, arrays(config)),
                  _("Stepping both methods side by side"), preview)


def gradient_check(config: Config, variant: Options, at_iteration: int) -> dict:
    """The three-way check at one iteration of the lock-step run."""
    return cached(("gradcheck", i18n.current(), config, variant, at_iteration),
                  lambda: gradcheck_task(config, variant, at_iteration,
                                         arrays=arrays(config)),
                  _("Stepping to iteration {t} and checking gradients", t=at_iteration))


def relu_zero(config: Config) -> dict:
    """Each ReLU convention trained from w1 = 0."""
    return cached(("relu zero", config), lambda: relu_zero_task(config, arrays(config)),
                  _("Training from w1 = 0 with each convention"))


def sum_and_mean(config: Config):
    """The summed run and the mean run at the matching rate."""
    return cached(("sum vs mean", config), lambda: sum_vs_mean_task(config, arrays(config)),
                  _("Training with the sum and the mean loss"))


def sweep(config: Config) -> dict:
    """Final loss against learning rate."""
    return cached(("sweep", config), lambda: sweep_task(config, arrays=arrays(config)),
                  _("Sweeping the learning rate"))


def within_budget(config: Config, runs: float) -> bool:
    """True if `runs` runs of this configuration fit the compute budget; if not, an error
    says what they would cost and what to change."""
    try:
        check_compute(config, runs, _("This part"), compute_budget())
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


VALUE_COLUMNS = {"manual": N_("manual"), "autograd": N_("autograd"),
                 "numeric": N_("numeric")}  # the gradient check's sampled entries
CHECK_PAIRS = (("manual_vs_autograd", N_("manual vs autograd")),
               ("manual_vs_numeric", N_("manual vs finite differences")),
               ("autograd_vs_numeric", N_("autograd vs finite differences")))


def gradcheck_badges(check: dict) -> None:
    """A table: one row per comparison, a badge per matrix, green within its tolerance,
    red beyond, gray where the dtype guarantees no digit or the run diverged."""
    rows = [_("| comparison | w1 | w2 |"), "|---|---|---|"]
    for pair, label in CHECK_PAIRS:
        cells = [badge(check[f"rel_err_{pair}_{name}"], check[f"tolerance_{pair}_{name}"],
                       check[f"verdict_{pair}_{name}"]) for name in ("w1", "w2")]
        rows.append(f"| {_(label)} | {cells[0]} | {cells[1]} |")
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
        text = _("— not finite: the run diverged")
    elif verdict == "no digits":
        text = _("{error:.1e}; bound {limit:.0e}: no digit guaranteed", error=error,
                 limit=limit)
    else:
        text = f"{error:.1e} {'≤' if verdict == 'pass' else '>'} {limit:.1e}"
    return f":{color}-badge[{icon} {text}]"


MAXIMA_LABELS = {  # record: what it measures, as the table says it
    "abs_loss_diff": N_("|Δ loss|, absolute"),
    "rel_loss_diff": N_("|Δ loss| / loss, relative"),
    "max_abs_w1_diff": N_("largest |Δw1| entry"),
    "max_abs_w2_diff": N_("largest |Δw2| entry"),
    "max_abs_grad_w1_diff": N_("largest |Δgrad_w1| entry"),
    "max_abs_grad_w2_diff": N_("largest |Δgrad_w2| entry"),
}


def maxima_table(result: Lockstep) -> dict[str, list[str]]:
    """Each difference's largest value over the run and the iteration where it peaked."""
    peaks = result.peaks()
    return {"numpy − torch": [_(MAXIMA_LABELS[name]) for name in peaks],
            _("largest"): ["—" if v is None else f"{v:.3g}" for v, _t in peaks.values()],
            _("at iteration t"): ["—" if t is None else str(t) for _v, t in peaks.values()]}


def downloads(config: Config, variant: Options, result: Lockstep) -> None:
    """The per-iteration differences (CSV) and what produced them (JSON)."""
    tag = run_tag(config, variant)
    csv, cfg = st.columns(2)
    csv.download_button(_("Per-iteration differences (CSV)"), lambda: records_csv(result),
                        f"lockstep_{tag}.csv", "text/csv", on_click="ignore", width="stretch")
    cfg.download_button(_("Configuration and options (JSON)"), lockstep_json(config, variant),
                        f"lockstep_{tag}.json", "application/json", on_click="ignore",
                        width="stretch")
