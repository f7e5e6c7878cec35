"""Plotly figures of training runs: plain functions, runs in, figures out.

Not imported by `import twolayer` (plotly takes a while to load); the app and
notebooks import it themselves.

Every visible label (titles, axis titles, legend names, hover texts) comes from the caller:
each figure takes labels, a dict merged over its English defaults (the N_-marked dicts
below, e.g. LOSS_CURVE), so the figures stay free of the session's language. The app passes
them translated: figures.translated(_, figures.LOSS_CURVE).
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from ..checking.compare import loss_differences
from ..i18n import N_

COLORS = {"numpy": "#1f77b4", "torch": "#d62728"}
LABELS = {"numpy": N_("manual backprop (numpy)"), "torch": N_("autograd (torch)")}

# Each figure's labels, in English; a caller's labels are merged over them.
AXIS = {"x": N_("iteration t")}
LOSS_CURVE = {**LABELS, **AXIS, "y": N_("loss"), "training": N_("{method}, training"),
              "validation": N_("{method}, validation"),
              "diverged": N_("{method} — diverged at t={t}")}
OVERLAY = {**LABELS, **AXIS, "title": N_("Both methods, overlaid"), "y": N_("loss")}
ZERO = {"zero": N_("0: exact agreement")}
DIFFERENCE = {**AXIS, **ZERO, "title": N_("Difference per iteration"),
              "absolute": N_("absolute |Δ loss|"), "relative": N_("relative |Δ loss| / loss")}
LOCKSTEP_LOSSES = {**LABELS, **AXIS, "title": N_("Loss of each method"), "y": N_("loss")}
SUM_VS_MEAN = {**AXIS, "title": N_("Sum vs mean, with the learning rate scaled"),
               "y": N_("loss"), "sum": N_("sum loss, learning rate η"),
               "mean": N_("mean loss × N·D_out, learning rate η·N·D_out")}
LEARNING_RATE_SWEEP = {"title": N_("Final loss against learning rate"),
                       "x": N_("learning rate η"), "y": N_("final loss"),
                       "final": N_("final loss"), "diverged": N_("diverged"),
                       "diverged_at": N_("diverged at t={t}"), "current": N_("current η")}
FIT_CURVE = {**LABELS, "title": N_("The data and the fitted curve"),
             "training": N_("training rows"), "validation": N_("validation rows")}
PREDICTED_VS_TRUE = {"title": N_("Predicted vs true on the validation rows ({method})"),
                     "x": N_("true y"), "y": N_("predicted y_pred"),
                     "output": N_("output {number}"), "perfect": N_("perfect"),
                     "numpy": LABELS["numpy"], "torch": LABELS["torch"]}
EXERCISE_CURVE = {**AXIS, "y": N_("printed loss"), "answers": N_("the assignment's answers"),
                  "yours": N_("yours")}
BLANK_STATUSES = {"correct": N_("correct"), "wrong": N_("wrong"), "rejected": N_("rejected"),
                  "missing": N_("missing"), "title": N_("Each blank across the class"),
                  "x": N_("share of files"), "y": "", "hover": N_("{count} files ({share})")}
SCORE_HISTOGRAM = {"title": N_("Scores"), "x": N_("blanks correct, of {total}"),
                   "y": N_("files"), "hover": N_("{count} files scored {score}")}


def translated(translate, defaults: dict[str, str]) -> dict[str, str]:
    """A figure's labels in a language: translate (the app's _) applied to each default,
    so that the call in the UI layer is one line and this module never knows the language."""
    return {key: translate(text) if text else text for key, text in defaults.items()}


def _labels(defaults: dict[str, str], labels: dict[str, str] | None) -> dict[str, str]:
    return {**defaults, **(labels or {})}


def _layout(fig: go.Figure, title: str, y_title: str, y_range=None,
            x_title: str = AXIS["x"]) -> go.Figure:
    fig.update_layout(
        title=title, xaxis_title=x_title, yaxis_title=y_title, height=360,
        margin={"l": 60, "r": 20, "t": 50, "b": 50}, legend={"orientation": "h", "y": -0.25},
    )
    fig.update_yaxes(type="log", exponentformat="power", range=y_range)
    return fig


def log_range(*runs) -> list[float] | None:
    """A shared log10 y-range covering every run's finite, positive losses (training and
    validation)."""
    values = np.concatenate([r.finite_losses for r in runs]
                            + [r.finite_val_losses for r in runs
                               if r.finite_val_losses is not None])
    values = values[values > 0]
    if not values.size:
        return None
    return [float(np.log10(values.min())) - 0.2, float(np.log10(values.max())) + 0.2]


def loss_curve(run, y_range=None, labels: dict[str, str] | None = None) -> go.Figure:
    """One run's loss per iteration on a log scale (finite losses only); with validation
    rows, their loss dotted beside the training loss. labels: over LOSS_CURVE."""
    text = _labels(LOSS_CURVE, labels)
    method = text[run.method]
    losses = run.finite_losses
    fig = go.Figure(go.Scatter(
        x=np.arange(len(losses)), y=losses, mode="lines", line={"color": COLORS[run.method]},
        name=text["training"].format(method=method) if run.val_losses is not None else method,
    ))
    if run.val_losses is not None:
        val = run.finite_val_losses
        fig.add_trace(go.Scatter(x=np.arange(len(val)), y=val, mode="lines",
                                 name=text["validation"].format(method=method),
                                 line={"color": COLORS[run.method], "dash": "dot"}))
    title = method
    if run.diverged_at is not None:
        title = text["diverged"].format(method=method, t=run.diverged_at)
    return _layout(fig, title, text["y"], y_range, text["x"])


def overlay(run_numpy, run_torch, labels: dict[str, str] | None = None) -> go.Figure:
    """Both loss curves on one log-scale chart; the second dashed so both stay visible.
    labels: over OVERLAY."""
    text = _labels(OVERLAY, labels)
    fig = go.Figure()
    for run, dash in ((run_numpy, "solid"), (run_torch, "dash")):
        losses = run.finite_losses
        fig.add_trace(go.Scatter(
            x=np.arange(len(losses)), y=losses, mode="lines", name=text[run.method],
            line={"color": COLORS[run.method], "dash": dash},
        ))
    return _layout(fig, text["title"], text["y"], x_title=text["x"])


def floor_of(*series: np.ndarray) -> float | None:
    """Where exact zeros go on a log axis: a decade below the smallest positive value."""
    positive = [v[v > 0].min() for v in series if np.any(v > 0)]
    return 10.0 ** (np.floor(np.log10(min(positive))) - 1) if positive else None


def _on_floor(values: np.ndarray, floor: float | None) -> np.ndarray:
    """Exact zeros moved to the floor (a log axis has no 0); inf/NaN left as gaps."""
    shown = np.where(np.isfinite(values), values, np.nan)
    return np.where(shown == 0, floor if floor is not None else np.nan, shown)


def _floor_note(fig: go.Figure, floor: float | None, zeros: bool, length: int,
                name: str = ZERO["zero"]) -> None:
    """A dotted line, in the legend, where exact zeros are drawn. A trace, not add_hline:
    on a log axis Plotly places shape annotations in log units."""
    if floor is None or not zeros:
        return
    fig.add_trace(go.Scatter(x=[0, max(length - 1, 0)], y=[floor, floor], mode="lines",
                             name=name, hoverinfo="skip",
                             line={"dash": "dot", "color": "#999999", "width": 1}))


def difference(run_numpy, run_torch, labels: dict[str, str] | None = None) -> go.Figure:
    """Per-iteration |loss_numpy - loss_torch|, absolute and relative, on a log scale.

    Exact agreement (a difference of 0) has no place on a log axis: those
    iterations are drawn on a floor a decade below the smallest difference.
    labels: over DIFFERENCE.
    """
    text = _labels(DIFFERENCE, labels)
    abs_diff, rel_diff = loss_differences(run_numpy, run_torch)
    t = np.arange(len(abs_diff))
    floor = floor_of(abs_diff, rel_diff)
    fig = go.Figure()
    for name, values, color in ((text["absolute"], abs_diff, "#555555"),
                                (text["relative"], rel_diff, "#2ca02c")):
        fig.add_trace(go.Scatter(x=t, y=_on_floor(values, floor), mode="lines", name=name,
                                 line={"color": color}))
    _floor_note(fig, floor, bool(np.any(abs_diff == 0)), len(t), text["zero"])
    return _layout(fig, text["title"], "|numpy − torch|", x_title=text["x"])


DRIFT = {  # record name: (label, color)
    "abs_loss_diff": (N_("|Δ loss|"), "#555555"),
    "rel_loss_diff": (N_("|Δ loss| / loss"), "#2ca02c"),
    "max_abs_w1_diff": (N_("max |Δw1|"), "#1f77b4"),
    "max_abs_w2_diff": (N_("max |Δw2|"), "#17becf"),
    "max_abs_grad_w1_diff": (N_("max |Δgrad_w1|"), "#d62728"),
    "max_abs_grad_w2_diff": (N_("max |Δgrad_w2|"), "#ff7f0e"),
}
LOCKSTEP_DRIFT = {**{name: label for name, (label, _color) in DRIFT.items()}, **AXIS, **ZERO,
                  "title": N_("Where the methods differ, iteration by iteration")}


def lockstep_drift(result, labels: dict[str, str] | None = None) -> go.Figure:
    """Per-iteration differences between the two methods, log scale; exact zeros (frequent
    in float32, where both round to the same number) drawn on a floor, not as spikes.
    labels: over LOCKSTEP_DRIFT (a record name's legend name, the title, ...)."""
    text = _labels(LOCKSTEP_DRIFT, labels)
    fig = go.Figure()
    ran = result.iterations_run
    series = {name: result.records[name][:ran] for name in DRIFT}
    floor = floor_of(*series.values())
    for name, (_label, color) in DRIFT.items():
        fig.add_trace(go.Scatter(x=np.arange(ran), y=_on_floor(series[name], floor),
                                 mode="lines", name=text[name], line={"color": color}))
    _floor_note(fig, floor, any(np.any(v == 0) for v in series.values()), ran, text["zero"])
    return _layout(fig, text["title"], "numpy − torch", x_title=text["x"])


def lockstep_losses(result, labels: dict[str, str] | None = None) -> go.Figure:
    """Both methods' losses from the lock-step run. labels: over LOCKSTEP_LOSSES."""
    text = _labels(LOCKSTEP_LOSSES, labels)
    fig = go.Figure()
    ran = result.iterations_run
    for method, dash in (("numpy", "solid"), ("torch", "dash")):
        values = result.records[f"loss_{method}"][:ran]
        fig.add_trace(go.Scatter(x=np.arange(ran), y=np.where(np.isfinite(values), values, np.nan),
                                 mode="lines", name=text[method],
                                 line={"color": COLORS[method], "dash": dash}))
    return _layout(fig, text["title"], text["y"], x_title=text["x"])


def sum_vs_mean(run_sum, run_mean, factor: float,
                labels: dict[str, str] | None = None) -> go.Figure:
    """The summed loss, and the mean loss times N·D_out trained at lr·N·D_out: one curve.
    labels: over SUM_VS_MEAN."""
    text = _labels(SUM_VS_MEAN, labels)
    fig = go.Figure()
    for values, name, dash in (
        (run_sum.finite_losses, text["sum"], "solid"),
        (run_mean.finite_losses * factor, text["mean"], "dash"),
    ):
        fig.add_trace(go.Scatter(x=np.arange(len(values)), y=values, mode="lines", name=name,
                                 line={"dash": dash}))
    return _layout(fig, text["title"], text["y"], x_title=text["x"])


def learning_rate_sweep(sweep: dict, current: float,
                        labels: dict[str, str] | None = None) -> go.Figure:
    """Final loss against learning rate, log-log; diverged runs marked above the curve.
    labels: over LEARNING_RATE_SWEEP."""
    text = _labels(LEARNING_RATE_SWEEP, labels)
    rates = np.array(sweep["learning_rate"])
    finals = np.array([np.nan if v is None else v for v in sweep["final_loss"]])
    diverged = np.isnan(finals)
    fig = go.Figure(go.Scatter(x=rates[~diverged], y=finals[~diverged], mode="lines+markers",
                               name=text["final"]))
    top = np.nanmax(finals) * 10 if (~diverged).any() else 1.0
    fig.add_trace(go.Scatter(
        x=rates[diverged], y=np.full(diverged.sum(), top), mode="markers",
        name=text["diverged"], marker={"symbol": "x", "size": 11, "color": "#d62728"},
        text=[text["diverged_at"].format(t=t)
              for t, d in zip(sweep["diverged_at"], diverged, strict=True) if d],
    ))
    # The current η as a trace: a vline's annotation on a log axis is placed in log units
    # and stretched the axis out to 1.
    low = np.nanmin(finals) if (~diverged).any() else top / 10
    fig.add_trace(go.Scatter(x=[current, current], y=[low, top], mode="lines",
                             name=text["current"], line={"dash": "dot", "color": "#555555"}))
    _layout(fig, text["title"], text["y"])
    fig.update_xaxes(type="log", exponentformat="power", title=text["x"])
    return fig


def fit_curve(dataset, fits: dict[str, tuple], title: str | None = None,
              labels: dict[str, str] | None = None):
    """For the sine data: training and validation points over t, sin t, and each fit
    (w1, w2), keyed by method ("numpy", "torch") or a label, drawn on a dense grid of t.
    title: else labels["title"]; labels: over FIT_CURVE (a method's legend name, ...)."""
    from ..data.generated import sine_grid
    from ..manual import predict

    text = _labels(FIT_CURVE, labels)
    fig = go.Figure()
    for name, x, y, style in ((text["training"], dataset.x, dataset.y, {"color": "#9aa5b1"}),
                              (text["validation"], dataset.x_val, dataset.y_val,
                               {"color": "#f2a541", "symbol": "diamond"})):
        if x is not None:
            fig.add_trace(go.Scatter(x=x[:, 0], y=y[:, 0], mode="markers", name=name,
                                     marker={"size": 5, **style}))
    t, grid = sine_grid()
    fig.add_trace(go.Scatter(x=t, y=np.sin(t), mode="lines", name="sin t",
                             line={"color": "#555555", "dash": "dot", "width": 1}))
    for (key, (w1, w2)), dash in zip(fits.items(), ("solid", "dash", "dot"), strict=False):
        w1, w2 = np.asarray(w1, np.float64), np.asarray(w2, np.float64)
        fig.add_trace(go.Scatter(x=t, y=predict(grid, w1, w2)[:, 0], mode="lines",
                                 name=text[key] if key in LABELS else key,
                                 line={"color": COLORS.get(key, "#2ca02c"), "dash": dash,
                                       "width": 2}))
    fig.update_layout(title=text["title"] if title is None else title, xaxis_title="t",
                      yaxis_title="y", height=380,
                      margin={"l": 60, "r": 20, "t": 50, "b": 50},
                      legend={"orientation": "h", "y": -0.25})
    fig.update_yaxes(range=[-2, 2])
    return fig


def predicted_vs_true(dataset, run, labels: dict[str, str] | None = None) -> go.Figure:
    """Each validation row's prediction against its true value, every output, with the
    diagonal where they would agree. labels: over PREDICTED_VS_TRUE."""
    from ..manual import predict

    text = _labels(PREDICTED_VS_TRUE, labels)
    truth = dataset.y_val
    guess = predict(dataset.x_val, run.w1.astype(np.float64), run.w2.astype(np.float64))
    fig = go.Figure()
    for k in range(truth.shape[1]):
        fig.add_trace(go.Scatter(x=truth[:, k], y=guess[:, k], mode="markers",
                                 name=text["output"].format(number=k + 1),
                                 marker={"size": 5, "opacity": 0.7},
                                 showlegend=truth.shape[1] > 1))
    finite = guess[np.isfinite(guess)]
    low = float(min(truth.min(), finite.min() if finite.size else truth.min()))
    high = float(max(truth.max(), finite.max() if finite.size else truth.max()))
    fig.add_trace(go.Scatter(x=[low, high], y=[low, high], mode="lines", name=text["perfect"],
                             line={"color": "#555555", "dash": "dot", "width": 1}))
    fig.update_layout(title=text["title"].format(method=text[run.method]),
                      xaxis_title=text["x"], yaxis_title=text["y"], height=380,
                      margin={"l": 60, "r": 20, "t": 50, "b": 50},
                      legend={"orientation": "h", "y": -0.25})
    return fig


def exercise_curve(title: str, yours: np.ndarray, answers: np.ndarray,
                   labels: dict[str, str] | None = None) -> go.Figure:
    """A cell's printed loss per iteration over the assignment's answers' (log scale). The
    student's curve stops before its first loss that is not finite: the page reports a
    divergence in words, it does not draw it. labels: over EXERCISE_CURVE."""
    text = _labels(EXERCISE_CURVE, labels)
    bad = np.flatnonzero(~np.isfinite(yours))
    drawn = yours[: bad[0]] if bad.size else yours
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=np.arange(len(answers)), y=answers, mode="lines",
                             name=text["answers"],
                             line={"color": "#9aa5b1", "width": 4}))
    fig.add_trace(go.Scatter(x=np.arange(len(drawn)), y=drawn, mode="lines", name=text["yours"],
                             line={"color": COLORS["numpy"], "dash": "dash"}))
    return _layout(fig, title, text["y"], x_title=text["x"])


STATUS_COLORS = {"correct": "#2ca02c", "wrong": "#d62728", "rejected": "#ff7f0e",
                 "missing": "#9aa5b1"}


def blank_statuses(blanks: list[str], shares: dict[str, list[float]],
                   counts: dict[str, list[int]],
                   labels: dict[str, str] | None = None) -> go.Figure:
    """A class's blanks, a stacked bar each: the share of files per status.

    blanks: the bars' names; shares[status][k], counts[status][k]: blank k's share and
    number of files with that status; labels: over BLANK_STATUSES: the title, the axes'
    titles, each status's legend name, and "hover" (with {count} and {share} in it).
    """
    labels = _labels(BLANK_STATUSES, labels)
    fig = go.Figure()
    for status, color in STATUS_COLORS.items():
        fig.add_trace(go.Bar(y=blanks, x=shares[status], name=labels[status],
                             orientation="h", marker_color=color,
                             customdata=counts[status],
                             hovertemplate=labels["hover"].format(count="%{customdata}",
                                                                  share="%{x:.0%}")))
    fig.update_layout(barmode="stack", title=labels["title"], height=80 + 36 * len(blanks),
                      xaxis={"title": labels["x"], "tickformat": ".0%", "range": [0, 1]},
                      yaxis={"title": labels["y"], "autorange": "reversed"},
                      margin={"l": 60, "r": 20, "t": 50, "b": 50},
                      legend={"orientation": "h", "y": -0.25, "traceorder": "normal"})
    return fig


def score_histogram(counts: list[int], labels: dict[str, str] | None = None) -> go.Figure:
    """How many files scored each score: counts[s] files scored s (0 to the total).
    labels: over SCORE_HISTOGRAM; "x" may hold {total}, "hover" {count} and {score}."""
    labels = _labels(SCORE_HISTOGRAM, labels)
    fig = go.Figure(go.Bar(x=list(range(len(counts))), y=counts,
                           marker_color=COLORS["numpy"],
                           hovertemplate=labels["hover"].format(score="%{x}",
                                                                count="%{y}")))
    fig.update_layout(title=labels["title"], height=320, bargap=0.15,
                      xaxis={"title": labels["x"].format(total=len(counts) - 1), "dtick": 1},
                      yaxis={"title": labels["y"], "rangemode": "tozero"},
                      margin={"l": 60, "r": 20, "t": 50, "b": 50})
    return fig
