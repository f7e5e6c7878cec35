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
