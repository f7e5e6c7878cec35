"""Plotly figures of training runs: plain functions, runs in, figures out.

Not imported by `import twolayer` (plotly takes a while to load); the app and
notebooks import it themselves.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from .compare import loss_differences

COLORS = {"numpy": "#1f77b4", "torch": "#d62728"}
LABELS = {"numpy": "manual backprop (numpy)", "torch": "autograd (torch)"}


def _layout(fig: go.Figure, title: str, y_title: str, y_range=None) -> go.Figure:
    fig.update_layout(
        title=title, xaxis_title="iteration t", yaxis_title=y_title, height=360,
        margin={"l": 60, "r": 20, "t": 50, "b": 50}, legend={"orientation": "h", "y": -0.25},
    )
    fig.update_yaxes(type="log", exponentformat="power", range=y_range)
    return fig


def log_range(*runs) -> list[float] | None:
    """A shared log10 y-range covering every run's finite, positive losses."""
    values = np.concatenate([r.finite_losses for r in runs])
    values = values[values > 0]
    if not values.size:
        return None
    return [float(np.log10(values.min())) - 0.2, float(np.log10(values.max())) + 0.2]


def loss_curve(run, y_range=None) -> go.Figure:
    """One run's loss per iteration on a log scale (finite losses only)."""
    losses = run.finite_losses
    fig = go.Figure(go.Scatter(
        x=np.arange(len(losses)), y=losses, mode="lines", name=LABELS[run.method],
        line={"color": COLORS[run.method]},
    ))
    title = LABELS[run.method]
    if run.diverged_at is not None:
        title += f" — diverged at t={run.diverged_at}"
    return _layout(fig, title, "loss", y_range)


def overlay(run_numpy, run_torch) -> go.Figure:
    """Both loss curves on one log-scale chart; the second dashed so both stay visible."""
    fig = go.Figure()
    for run, dash in ((run_numpy, "solid"), (run_torch, "dash")):
        losses = run.finite_losses
        fig.add_trace(go.Scatter(
            x=np.arange(len(losses)), y=losses, mode="lines", name=LABELS[run.method],
            line={"color": COLORS[run.method], "dash": dash},
        ))
    return _layout(fig, "Both methods, overlaid", "loss")


def difference(run_numpy, run_torch) -> go.Figure:
    """Per-iteration |loss_numpy - loss_torch|, absolute and relative, on a log scale.

    Exact agreement (a difference of 0) has no place on a log axis: those
    iterations are left as gaps.
    """
    abs_diff, rel_diff = loss_differences(run_numpy, run_torch)
    t = np.arange(len(abs_diff))
    fig = go.Figure()
    for name, values, color in (("absolute |Δ loss|", abs_diff, "#555555"),
                                ("relative |Δ loss| / loss", rel_diff, "#2ca02c")):
        shown = np.where(values > 0, values, np.nan)
        fig.add_trace(go.Scatter(x=t, y=shown, mode="lines", name=name, line={"color": color}))
    return _layout(fig, "Difference per iteration", "|numpy − torch|")


DRIFT = {  # record name: (label, color)
    "abs_loss_diff": ("|Δ loss|", "#555555"),
    "rel_loss_diff": ("|Δ loss| / loss", "#2ca02c"),
    "max_abs_w1_diff": ("max |Δw1|", "#1f77b4"),
    "max_abs_w2_diff": ("max |Δw2|", "#17becf"),
    "max_abs_grad_w1_diff": ("max |Δgrad_w1|", "#d62728"),
    "max_abs_grad_w2_diff": ("max |Δgrad_w2|", "#ff7f0e"),
}


def lockstep_drift(result) -> go.Figure:
    """Per-iteration differences between the two methods, log scale; exact zeros left as gaps."""
    fig = go.Figure()
    ran = result.iterations_run
    for name, (label, color) in DRIFT.items():
        values = result.records[name][:ran]
        fig.add_trace(go.Scatter(x=np.arange(ran), y=np.where(values > 0, values, np.nan),
                                 mode="lines", name=label, line={"color": color}))
    return _layout(fig, "Where the methods differ, iteration by iteration", "numpy − torch")


def lockstep_losses(result) -> go.Figure:
    """Both methods' losses from the lock-step run."""
    fig = go.Figure()
    ran = result.iterations_run
    for method, dash in (("numpy", "solid"), ("torch", "dash")):
        values = result.records[f"loss_{method}"][:ran]
        fig.add_trace(go.Scatter(x=np.arange(ran), y=np.where(np.isfinite(values), values, np.nan),
                                 mode="lines", name=LABELS[method],
                                 line={"color": COLORS[method], "dash": dash}))
    return _layout(fig, "Loss of each method", "loss")


def sum_vs_mean(run_sum, run_mean, factor: float) -> go.Figure:
    """The summed loss, and the mean loss times N·D_out trained at lr·N·D_out: one curve."""
    fig = go.Figure()
    for values, name, dash in (
        (run_sum.finite_losses, "sum loss, learning rate η", "solid"),
        (run_mean.finite_losses * factor, "mean loss × N·D_out, learning rate η·N·D_out", "dash"),
    ):
        fig.add_trace(go.Scatter(x=np.arange(len(values)), y=values, mode="lines", name=name,
                                 line={"dash": dash}))
    return _layout(fig, "Sum vs mean, with the learning rate scaled", "loss")


def learning_rate_sweep(sweep: dict, current: float) -> go.Figure:
    """Final loss against learning rate, log-log; diverged runs marked above the curve."""
    rates = np.array(sweep["learning_rate"])
    finals = np.array([np.nan if v is None else v for v in sweep["final_loss"]])
    diverged = np.isnan(finals)
    fig = go.Figure(go.Scatter(x=rates[~diverged], y=finals[~diverged], mode="lines+markers",
                               name="final loss"))
    top = np.nanmax(finals) * 10 if (~diverged).any() else 1.0
    fig.add_trace(go.Scatter(
        x=rates[diverged], y=np.full(diverged.sum(), top), mode="markers", name="diverged",
        marker={"symbol": "x", "size": 11, "color": "#d62728"},
        text=[f"diverged at t={t}" for t, d in zip(sweep["diverged_at"], diverged, strict=True)
              if d],
    ))
    fig.add_vline(x=current, line_dash="dot", annotation_text="current η")
    _layout(fig, "Final loss against learning rate", "final loss")
    fig.update_xaxes(type="log", exponentformat="power", title="learning rate η")
    return fig
