"""The graph at any iteration: weight snapshots, and every tensor recomputed on demand.

Only (w1, w2) are stored, every `every` iterations; the weights of any other
iteration are replayed from the nearest earlier snapshot with the manual
method's own step, and the forward and backward tensors are recomputed from
them with its own backprop.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .. import data
from ..config import MAX_ITERATIONS, Config, check_int, check_memory
from ..loss import loss_scale
from ..manual import manual_step
from ..tasks import finish
from ..variants import backprop_with_locals

DEFAULT_EVERY = 50  # snapshot spacing: 11 copies of (w1, w2) at the defaults, ≤ 49 replayed steps

# The tensors of the hand-drawn graph: (forward value, gradient arriving at it).
TENSORS = {
    "x": ("x", None), "w1": ("w1", "grad_w1"), "h": ("h", "grad_h"),
    "h_relu": ("h_relu", "grad_h_relu"), "w2": ("w2", "grad_w2"),
    "y_pred": ("y_pred", "grad_y_pred"), "y": ("y", None), "loss": ("loss", None),
}


@dataclass(eq=False)
class Snapshots:
    """Copies of (w1, w2) at iterations 0, every, 2*every, ... of the manual method."""

    config: Config
    every: int
    weights: dict[int, tuple[np.ndarray, np.ndarray]]

    @property
    def nbytes(self) -> int:
        return sum(w1.nbytes + w2.nbytes for w1, w2 in self.weights.values())


def snapshot_bytes(config: Config, every: int = DEFAULT_EVERY) -> int:
    """Bytes that the snapshots of a run would keep."""
    count = -(-config.iterations // min(every, config.iterations))  # ceiling division
    item = np.dtype(config.dtype).itemsize
    return count * item * config.hidden * (config.d_in + config.d_out)


def record_snapshots(config: Config, every: int = DEFAULT_EVERY) -> Snapshots:
    """Train with the manual method and keep (w1, w2) every `every` iterations."""
    return finish(snapshots_task(config, every))


def snapshots_task(config: Config, every: int = DEFAULT_EVERY, arrays=None):
    """record_snapshots() as a task: yields after every step."""
    config.validated()
    every = min(check_int("every", every, 1, MAX_ITERATIONS), config.iterations)
    check_memory(snapshot_bytes(config, every), "the scrubber's weight snapshots")
    x, y, w1, w2 = _cast(config, *data.arrays(config, arrays))
    w1, w2 = w1.copy(), w2.copy()  # stepped in place; the given arrays stay as they are
    scale = loss_scale(config.loss, *y.shape)
    kept = {0: (w1.copy(), w2.copy())}
    for t in range(1, config.iterations):
        with np.errstate(over="ignore", invalid="ignore"):
            manual_step(x, y, w1, w2, config.learning_rate, scale)
        if t % every == 0:
            kept[t] = (w1.copy(), w2.copy())
        yield t + 1, config.iterations
    return Snapshots(config, every, kept)


def weights_at(snapshots: Snapshots, t: int, arrays=None) -> tuple[np.ndarray, np.ndarray]:
    """(w1, w2) at the start of iteration t: the nearest snapshot, replayed forward."""
    config = snapshots.config
    check_int("iteration", t, 0, config.iterations - 1)
    base = t - t % snapshots.every
    return replay(config, *snapshots.weights[base], t - base, arrays)


def early_weights(config: Config, t: int, arrays=None) -> tuple[np.ndarray, np.ndarray]:
    """(w1, w2) at the start of iteration t < DEFAULT_EVERY, replayed from the start: the
    first view of the graph needs no snapshots."""
    check_int("iteration", t, 0, min(DEFAULT_EVERY, config.iterations) - 1)
    x, y, w1, w2 = data.arrays(config, arrays)
    return replay(config, *_cast(config, w1, w2), t, (x, y, w1, w2))


def replay(config: Config, w1, w2, steps: int, arrays=None) -> tuple[np.ndarray, np.ndarray]:
    """Copies of (w1, w2) after `steps` more steps of the manual method."""
    w1, w2 = w1.copy(), w2.copy()
    x, y, _, _ = _cast(config, *data.arrays(config, arrays))
    scale = loss_scale(config.loss, *y.shape)
    with np.errstate(over="ignore", invalid="ignore"):
        for _ in range(steps):
            manual_step(x, y, w1, w2, config.learning_rate, scale)
    return w1, w2


def tensors_at(config: Config, w1: np.ndarray, w2: np.ndarray,
               arrays=None) -> dict[str, np.ndarray]:
    """Every forward and backward tensor of the manual method at the weights (w1, w2)."""
    x, y, _, _ = _cast(config, *data.arrays(config, arrays))
    with np.errstate(over="ignore", invalid="ignore"):
        tensors = backprop_with_locals()(x, y, w1, w2, loss_scale(config.loss, *y.shape))
    return {name: np.asarray(value) for name, value in tensors.items() if name != "scale"}


def _cast(config: Config, *arrays):
    return tuple(np.asarray(a, config.dtype) for a in arrays)


def summary(array: np.ndarray) -> dict:
    """Shape, Euclidean norm, min and max: what a node shows."""
    values = np.asarray(array, dtype=np.float64)
    return {"shape": tuple(values.shape), "norm": float(np.linalg.norm(values)),
            "min": float(values.min()), "max": float(values.max())}


def node_summaries(tensors: dict[str, np.ndarray]) -> dict[str, dict]:
    """For each tensor of the graph: its value, the gradient arriving at it, and for the
    ReLU the fraction of active units (h > 0)."""
    result = {}
    for node, (value, grad) in TENSORS.items():
        result[node] = {"value": summary(tensors[value]),
                        "grad": summary(tensors[grad]) if grad else None}
    result["relu"] = {"active": float(np.mean(tensors["h"] > 0))}
    return result


def downsample(array: np.ndarray, max_side: int = 100) -> tuple[np.ndarray, tuple[int, int]]:
    """Block means so that neither side exceeds max_side: (smaller array, block shape)."""
    values = np.atleast_2d(np.asarray(array, dtype=np.float64))
    rows = -(-values.shape[0] // max_side)  # ceiling division
    cols = -(-values.shape[1] // max_side)
    pad_r, pad_c = (-values.shape[0]) % rows, (-values.shape[1]) % cols
    padded = np.pad(values, ((0, pad_r), (0, pad_c)), constant_values=np.nan)
    blocks = padded.reshape(padded.shape[0] // rows, rows, padded.shape[1] // cols, cols)
    return np.nanmean(blocks, axis=(1, 3)), (rows, cols)
