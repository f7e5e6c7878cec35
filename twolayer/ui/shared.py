"""Pieces several pages show: divergence notices, code listings, downloads."""

from __future__ import annotations

import inspect

import streamlit as st

from ..checking.advice import divergence_advice, mean_learning_rate, probe_iterations
from ..config import Config
from ..data import TEACHER_LEARNS
from ..i18n import N_, _
from ..outputs.export import config_json, losses_csv, run_tag, weights_npz
from ..serving.budget import check_compute
from ..training import TrainingRun
from .cache import NAMES, stable_rate, training_run
from .compute import compute_budget
from .frame import apply_changes


def report_divergence(config: Config, *runs: TrainingRun) -> bool:
    """An st.error per diverged run, then what to change; True if any diverged."""
    diverged = [run for run in runs if run.diverged_at is not None]
    for run in diverged:
        st.error(_("The {method} run diverged at iteration {t}: the loss became inf/NaN, so "
                   "training stopped there.", method=_(NAMES[run.method]), t=run.diverged_at))
    if diverged:
        _advice(config)
    return bool(diverged)


def _advice(config: Config) -> None:
    """A learning rate that trains (found on request: it costs a few short runs), with
    one-click buttons for it and for the mean loss's matching rate."""
    if st.session_state.get("advice_for") != config:
        st.button(_("Find a learning rate that trains"), key="advice_find", on_click=_ask,
                  args=(config,), help=_("Tries η/10, η/100, … over the first {count} "
                                         "iterations.", count=probe_iterations(config)))
        return
    try:  # a rate that blows up stops within a few steps: count two whole probes
        check_compute(config.replace(iterations=probe_iterations(config)), 2,
                      N_("Trying smaller learning rates"), compute_budget())
    except ValueError as error:
        st.error(_("{error}.", error=error))
        return
    suggestion = stable_rate(config)
    st.info(divergence_advice(config, suggestion))
    if suggestion is None:
        return
    left, right = st.columns(2)
    left.button(_("Use η = {rate:g}", rate=suggestion), key="advice_rate", on_click=apply_changes,
                args=({"learning_rate": suggestion},))
    if config.loss == "sum":
        matching = mean_learning_rate(config, suggestion)
        right.button(_("Use the mean loss with η = {rate:g}", rate=matching), key="advice_mean",
                     on_click=apply_changes, args=({"loss": "mean", "learning_rate": matching},))


def _ask(config: Config) -> None:
    st.session_state["advice_for"] = config


def grow_in(slot):
    """A preview for training_run: the run's loss curve, drawn in slot while it trains."""
    from ..outputs import figures

    labels = figures.translated(_, figures.LOSS_CURVE)  # in the session's language, now
    return lambda run: slot.plotly_chart(figures.loss_curve(run, labels=labels))


def show_code(*functions) -> None:
    """The source of the functions that ran, read from the package itself."""
    st.code("\n\n".join(inspect.getsource(f) for f in functions), language="python")


def downloads(config: Config) -> None:
    """Downloads of both methods' loss histories (CSV), the configuration (JSON) and the
    final weights (NPZ).

    The CSV and NPZ are made only when clicked (Streamlit calls a callable then), so
    a page that shows one method neither trains the other nor imports torch to draw.
    """

    def both_runs():
        return training_run(config, "numpy"), training_run(config, "torch")

    tag = run_tag(config)
    csv, cfg, npz = st.columns(3)
    csv.download_button(_("Loss histories (CSV)"), lambda: losses_csv(*both_runs()),
                        f"losses_{tag}.csv", "text/csv", on_click="ignore", width="stretch")
    cfg.download_button(_("Configuration (JSON)"), config_json(config), f"config_{tag}.json",
                        "application/json", on_click="ignore", width="stretch")
    npz.download_button(_("Final weights (NPZ)"), lambda: weights_npz(*both_runs()),
                        f"weights_{tag}.npz", "application/octet-stream", on_click="ignore",
                        width="stretch")


def summary_table(summary: dict) -> dict[str, list[str]]:
    """The comparison's figures as a two-column table, numbers formatted for reading."""
    rows = [
        (_("final loss, manual (numpy)"), _number(summary["final_loss_numpy"])),
        (_("final loss, autograd (torch)"), _number(summary["final_loss_torch"])),
        *(speed_row(summary, method) for method in ("numpy", "torch")),
        (_("max absolute loss difference"), _number(summary["max_abs_loss_diff"])),
        (_("max relative loss difference"), _number(summary["max_rel_loss_diff"])),
        (_("max |w1 difference| (final)"), _weights(summary["max_abs_w1_diff"])),
        (_("max |w2 difference| (final)"), _weights(summary["max_abs_w2_diff"])),
    ]
    if summary["final_val_loss_numpy"] is not None:
        rows[2:2] = [
            (_("final validation loss, manual (numpy)"),
             _number(summary["final_val_loss_numpy"])),
            (_("final validation loss, autograd (torch)"),
             _number(summary["final_val_loss_torch"])),
        ]
        rows.append((_("max relative validation loss difference"),
                     _number(summary["max_rel_val_loss_diff"])))
    return {_("figure"): [name for name, _value in rows],
            _("value"): [value for _name, value in rows]}


def speed_row(summary: dict, method: str) -> tuple[str, str]:
    """ms/iteration and what it covers: the timed iterations, never a diverged run."""
    ms, timed = summary[f"ms_per_iter_{method}"], summary[f"timed_iterations_{method}"]
    label = _("ms / iteration, {method}", method=_(NAMES[method]))
    if summary[f"diverged_at_{method}"] is not None:
        return label, _("— (diverged: too few iterations to time)")
    if ms is None:
        return label, _("— (one iteration: all warm-up)")
    return _("{label}, over {timed} iterations (the first, a warm-up, left out)", label=label,
             timed=timed), f"{ms:.4g}"


def _number(value) -> str:
    return "—" if value is None else f"{value:.4g}"


def _weights(value) -> str:
    if value is None:
        return _("— (a run diverged: its final weights are inf/NaN)")
    return f"{value:.4g}"


def first_lines(run: TrainingRun, count: int) -> str:
    """The first iterations as `print(t, loss)` prints them."""
    return "\n".join(f"{t} {float(loss)!r}" for t, loss in enumerate(run.losses[:count]))


FORMULAS = (  # (name, LaTeX, shape of the result)
    ("grad_y_pred", r"= {c}\,(y_{{pred}} - y)", ("N", "D_out")),
    ("grad_w2", r"= h_{{relu}}^\top \,\text{{grad\_y\_pred}}", ("H", "D_out")),
    ("grad_h_relu", r"= \text{{grad\_y\_pred}}\; w_2^\top", ("N", "H")),
    ("grad_h", r"= \text{{grad\_h\_relu}} \odot \mathbf{{1}}[h > 0]", ("N", "H")),
    ("grad_w1", r"= x^\top \,\text{{grad\_h}}", ("D_in", "H")),
)


def gradient_formulas(config: Config) -> None:
    """The backward pass's five lines in LaTeX, each with its shape for this configuration."""
    factor = "2" if config.loss == "sum" else r"\tfrac{2}{N\,D_{out}}"
    sizes = {"N": config.n, "D_in": config.d_in, "H": config.hidden, "D_out": config.d_out}
    for name, body, (rows, cols) in FORMULAS:
        tex_name = r"\text{" + name.replace("_", r"\_") + "}"
        shape = rf"\in \mathbb{{R}}^{{{sizes[rows]} \times {sizes[cols]}}}"
        st.latex(f"{tex_name} {body.format(c=factor)} \\quad {shape}")
    st.caption(_("Shapes for N={n}, D_in={d_in}, H={hidden}, D_out={d_out}. Each gradient has "
                 "the shape of the tensor it belongs to.", n=config.n, d_in=config.d_in,
                 hidden=config.hidden, d_out=config.d_out))


def autograd_facts(run: TrainingRun, summary: dict) -> None:
    """dtype, device, speed, and how closely autograd agrees with the manual method."""
    import torch

    st.metric(_("dtype · device"), f"{run.dtype} · {run.device}")
    st.metric(_("final loss"), _number(run.final_loss))
    speed = "—" if run.ms_per_iter is None else f"{run.ms_per_iter:.3f}"
    st.metric(_("ms / iteration"), speed, help=_("Over {count} iterations: the first, a "
                                                 "warm-up, is left out; none for a diverged run.",
                                                 count=run.timed_iterations))
    st.metric(_("max relative loss difference vs manual"),
              _number(summary["max_rel_loss_diff"]))
    st.metric(_("max |w1 difference| vs manual"), _number(summary["max_abs_w1_diff"]))
    st.caption(_("PyTorch {version}. The manual run uses the same data, weights and dtype.",
                 version=torch.__version__))


def data_view(config: Config, run_numpy: TrainingRun, run_torch: TrainingRun) -> None:
    """What the network learned of data that can be learned: the sine's fitted curve, or
    predictions against the truth on the validation rows; and, for a teacher at sizes where
    the student can only memorize, a note that says so."""
    from ..outputs import figures
    from .cache import dataset

    data = dataset(config)
    if run_numpy.diverged_at is None and run_torch.diverged_at is None:
        if config.data == "sine":
            fits = {"numpy": (run_numpy.w1, run_numpy.w2), "torch": (run_torch.w1, run_torch.w2)}
            st.plotly_chart(figures.fit_curve(data, fits,
                                              labels=figures.translated(_, figures.FIT_CURVE)),
                            key="fit_curve")
        elif data.validation is not None:
            st.plotly_chart(figures.predicted_vs_true(
                data, run_numpy, figures.translated(_, figures.PREDICTED_VS_TRUE)),
                key="predicted")
    if config.data == "teacher":
        teacher_note(config, run_numpy)


def teacher_note(config: Config, run: TrainingRun) -> None:
    """Say when 64 rows meet 100,000 weights, and offer sizes where the teacher is learned."""
    weights = config.hidden * (config.d_in + config.d_out)
    numbers = config.n * config.d_out
    if numbers >= weights:
        return
    sizes = {"n": config.n, "d_out": config.d_out, "numbers": numbers, "weights": weights}
    if run.final_val_loss is not None and run.diverged_at is None:
        st.info(_("{n} rows × {d_out} outputs = {numbers:,} numbers to fit with {weights:,} "
                  "weights: the student can memorize the rows, so its training loss falls while "
                  "the validation loss stays high: it overfits. Here the training loss ends at "
                  "{loss:.3g}, the validation loss at {val_loss:.3g}. With many more rows than "
                  "it can memorize, it learns the teacher instead and the validation loss falls "
                  "to the noise floor, σ² per output.", loss=run.final_loss,
                  val_loss=run.final_val_loss, **sizes))
    else:
        st.info(_("{n} rows × {d_out} outputs = {numbers:,} numbers to fit with {weights:,} "
                  "weights: the student can memorize the rows, so its training loss falls while "
                  "the validation loss stays high: it overfits. With many more rows than it can "
                  "memorize, it learns the teacher instead and the validation loss falls to the "
                  "noise floor, σ² per output.", **sizes))
    learns = TEACHER_LEARNS
    st.button(_("Learn the teacher: N = {n:,}, D_in = {d_in}, σ = {noise:g}, η = {rate:g}, "
                "{iterations:,} iterations", n=learns["n"], d_in=learns["d_in"],
                noise=learns["noise"], rate=learns["learning_rate"],
                iterations=learns["iterations"]),
              key="teacher_learns", on_click=apply_changes, args=(learns,))
