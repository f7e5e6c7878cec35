"""The loss, defined once for both methods: (scaled) sum of squared errors."""

from __future__ import annotations

from .config import LOSSES, check_choice


def loss_scale(loss: str, n: int, d_out: int) -> float:
    """1 for the assignment's summed loss, 1/(N*D_out) for the mean."""
    check_choice("loss", loss, LOSSES)
    return 1.0 if loss == "sum" else 1.0 / (n * d_out)


def validation_scale(loss: str, n: int, n_val: int, d_out: int) -> float:
    """The scale of the validation loss, so that it reads like the training loss: for the
    sum, the validation rows' sum times N / N_val (as if there were N of them); for the mean,
    their mean."""
    check_choice("loss", loss, LOSSES)
    return n / n_val if loss == "sum" else 1.0 / (n_val * d_out)


def squared_error(y_pred, y, scale: float):
    """scale * sum((y_pred - y)**2), for numpy arrays and torch tensors alike."""
    total = ((y_pred - y) ** 2).sum()
    # Skip the multiply for the summed loss: it would add a node to autograd's graph.
    return total if scale == 1.0 else scale * total
