"""Pieces several pages show: divergence notices, code listings, downloads."""

from __future__ import annotations

import inspect

import streamlit as st

from ..config import Config
from ..export import config_json, losses_csv, weights_npz
from ..run import TrainingRun
from .cache import training_run

NAMES = {"numpy": "manual backprop (numpy)", "torch": "autograd (torch)"}


def report_divergence(config: Config, *runs: TrainingRun) -> bool:
    """An st.error per diverged run, saying what to change; True if any diverged."""
    diverged = False
    for run in runs:
        if run.diverged_at is None:
            continue
        diverged = True
        st.error(
            f"The {NAMES[run.method]} run diverged at iteration {run.diverged_at}: the loss "
            f"became inf/NaN, so training stopped there. Lower the learning rate (now "
            f"{config.learning_rate:g}), or switch the loss to mean, which divides the "
            f"gradient by N·D_out = {config.n * config.d_out:,}."
        )
    return diverged


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

    tag = f"seed{config.seed}_n{config.n}_h{config.hidden}"
    csv, cfg, npz = st.columns(3)
    csv.download_button("Loss histories (CSV)", lambda: losses_csv(*both_runs()),
                        f"losses_{tag}.csv", "text/csv", on_click="ignore", width="stretch")
    cfg.download_button("Configuration (JSON)", config_json(config), f"config_{tag}.json",
                        "application/json", on_click="ignore", width="stretch")
    npz.download_button("Final weights (NPZ)", lambda: weights_npz(*both_runs()),
                        f"weights_{tag}.npz", "application/octet-stream", on_click="ignore",
                        width="stretch")


def summary_table(summary: dict) -> dict[str, list[str]]:
    """The comparison's figures as a two-column table, numbers formatted for reading."""
    rows = [
        ("final loss, manual (numpy)", summary["final_loss_numpy"]),
        ("final loss, autograd (torch)", summary["final_loss_torch"]),
        ("ms / iteration, manual (numpy)", summary["ms_per_iter_numpy"]),
        ("ms / iteration, autograd (torch)", summary["ms_per_iter_torch"]),
        ("max absolute loss difference", summary["max_abs_loss_diff"]),
        ("max relative loss difference", summary["max_rel_loss_diff"]),
        ("max |w1 difference| (final)", summary["max_abs_w1_diff"]),
        ("max |w2 difference| (final)", summary["max_abs_w2_diff"]),
    ]
    return {"figure": [name for name, _ in rows], "value": [_number(v) for _, v in rows]}


def _number(value) -> str:
    return "—" if value is None else f"{value:.4g}"


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
    st.caption(f"Shapes for N={config.n}, D_in={config.d_in}, H={config.hidden}, "
               f"D_out={config.d_out}. Each gradient has the shape of the tensor it belongs to.")


def autograd_facts(run: TrainingRun, summary: dict) -> None:
    """dtype, device, speed, and how closely autograd agrees with the manual method."""
    import torch

    st.metric("dtype · device", f"{run.dtype} · {run.device}")
    st.metric("final loss", _number(run.final_loss))
    st.metric("ms / iteration", f"{run.ms_per_iter:.3f}")
    st.metric("max relative loss difference vs manual", _number(summary["max_rel_loss_diff"]))
    st.metric("max |w1 difference| vs manual", _number(summary["max_abs_w1_diff"]))
    st.caption(f"PyTorch {torch.__version__}. The manual run uses the same data, weights and "
               "dtype.")


def iteration_slider(label: str, iterations: int, key: str, help_text: str | None = None) -> int:
    """A slider over 0 .. iterations-1; with a single iteration there is nothing to slide."""
    if iterations == 1:
        st.caption(f"{label}: 0 (the only iteration)")
        return 0
    if st.session_state.get(key, 0) > iterations - 1:  # iterations was lowered since
        st.session_state[key] = iterations - 1
    return st.slider(label, 0, iterations - 1, key=key, help=help_text)
