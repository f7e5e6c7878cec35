"""Method 2: the same network, with the gradients left to PyTorch autograd.

torch is imported inside the functions: it costs over a second and about
200 MB, and most of the package (and the pages that show numpy) never need it.
"""

from __future__ import annotations

import contextlib
import math

import numpy as np

from .config import DEVICES, check_arrays, check_choice, check_training, check_validation
from .loss import loss_scale, squared_error, validation_scale
from .training import Training


def resolve_device(device: str):
    """The torch.device for 'cpu' or 'cuda', or a ValueError saying why not."""
    import torch

    check_choice("device", device, DEVICES)
    if device == "cuda" and not torch.cuda.is_available():
        raise ValueError(
            f"device 'cuda' needs a CUDA GPU, but PyTorch {torch.__version__} sees none "
            "on this machine; use device 'cpu'"
        )
    return torch.device(device)


@contextlib.contextmanager
def one_torch_thread():
    """Run torch on one thread while numpy and torch work interleave.

    Both keep a pool of threads that spin for a while after their work; stepping
    the two methods alternately, the pools fight over the cores (5x slower on 2
    cores). At the default sizes one thread costs torch little.
    """
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def to_tensors(arrays, dtype, device, requires_grad=False):
    """Copies of numpy arrays as torch tensors of the given dtype and device."""
    import torch

    torch_dtype = getattr(torch, dtype)
    return [
        torch.tensor(a, dtype=torch_dtype, device=device, requires_grad=requires_grad)
        for a in arrays
    ]


def forward_loss(x_tensor, y_tensor, w1, w2, scale):
    """The forward pass autograd records: (loss, y_pred)."""
    import torch

    h = x_tensor @ w1  # (N, H)
    h_relu = torch.relu(h)  # (N, H); its gradient at h == 0 is 0, like the mask h > 0
    y_pred = h_relu @ w2  # (N, D_out)
    loss = squared_error(y_pred, y_tensor, scale)  # scalar tensor
    return loss, y_pred


def torch_gradients(x, y, w1, w2, loss="sum", dtype="float64", device="cpu"):
    """The loss and its gradients at (w1, w2), from loss.backward().

    Same arguments and results as numpy_gradients, plus dtype ("float64" or
    "float32") and device ("cpu" or "cuda"). Returns numpy arrays.
    """
    check_arrays(x, y, w1, w2)
    check_training(1.0, 1, loss, dtype)
    dev = resolve_device(device)
    x_tensor, y_tensor = to_tensors((x, y), dtype, dev)
    w1_t, w2_t = to_tensors((w1, w2), dtype, dev, requires_grad=True)
    value, _ = forward_loss(x_tensor, y_tensor, w1_t, w2_t, loss_scale(loss, *y.shape))
    value.backward()
    return value.item(), _numpy(w1_t.grad), _numpy(w2_t.grad)


def train_torch(
    x, y, w1, w2, learning_rate, iterations, loss="sum", dtype="float64", device="cpu",
    validation=None,
):
    """Plain gradient descent with autograd, written as the assignment's method 2.

    Same arguments and result as train_numpy, plus device ("cpu" or "cuda").
    The inputs are copied into tensors and never modified.
    """
    return start_torch(x, y, w1, w2, learning_rate, iterations, loss, dtype, device,
                       validation).finish()


def start_torch(x, y, w1, w2, learning_rate, iterations, loss="sum", dtype="float64",
                device="cpu", validation=None):
    """The same run as train_torch, not yet started: a Training to advance in chunks."""
    check_arrays(x, y, w1, w2)
    check_training(learning_rate, iterations, loss, dtype)
    check_validation(validation, x, y)
    method = TorchMethod(x, y, w1, w2, learning_rate, loss, dtype, resolve_device(device),
                         validation)
    return Training(method, iterations, validation is not None)


class TorchMethod:
    """Autograd's state: tensors of the data and of the weights it differentiates."""

    name = "torch"

    def __init__(self, x, y, w1, w2, learning_rate, loss, dtype, device, validation=None):
        self.dtype, self.device, self.learning_rate = dtype, device.type, learning_rate
        self.x_tensor, self.y_tensor = to_tensors((x, y), dtype, device)
        # requires_grad=True: autograd records every operation on w1 and w2
        self.w1, self.w2 = to_tensors((w1, w2), dtype, device, requires_grad=True)
        self.scale = loss_scale(loss, *y.shape)
        if validation is not None:
            self.x_val, self.y_val = to_tensors(validation, dtype, device)
            self.val_scale = validation_scale(loss, len(y), len(validation[1]), y.shape[1])

    def descend(self, losses, start, stop):
        return descend(self.x_tensor, self.y_tensor, self.w1, self.w2, self.learning_rate,
                       self.scale, losses, start, stop)

    def weights(self):
        return _numpy(self.w1).copy(), _numpy(self.w2).copy()

    def evaluate(self):
        import torch

        with torch.no_grad():  # a measurement, not part of what is differentiated
            loss, _ = forward_loss(self.x_val, self.y_val, self.w1, self.w2, self.val_scale)
        return loss.item()


def descend(x_tensor, y_tensor, w1, w2, learning_rate, scale, losses, start, stop):
    """Iterations start..stop-1 of the training loop; updates the leaf tensors w1, w2.

    Returns the iteration whose loss was inf/NaN (training stops there), or None.
    """
    import torch

    for t in range(start, stop):
        loss, _ = forward_loss(x_tensor, y_tensor, w1, w2, scale)
        losses[t] = loss.item()
        if not math.isfinite(losses[t]):
            return t
        loss.backward()  # fills w1.grad and w2.grad

        # The update must not be recorded in the graph, hence no_grad
        with torch.no_grad():
            w1.sub_(w1.grad, alpha=learning_rate)
            w2.sub_(w2.grad, alpha=learning_rate)
        # backward() adds into .grad, so clear it for the next iteration. None, as
        # optimizer.zero_grad() does by default, acts like zero_() but lets the next
        # backward() store its gradient instead of adding it to a tensor of zeros.
        w1.grad = None
        w2.grad = None
    return None


def _numpy(tensor) -> np.ndarray:
    """A tensor's values as a numpy array on the CPU."""
    return tensor.detach().cpu().numpy()


def autograd_step(x_tensor, y_tensor, w1, w2, learning_rate, scale):
    """One autograd iteration; updates the leaves w1, w2, returns (loss, grad_w1, grad_w2)."""
    import torch

    loss, _ = forward_loss(x_tensor, y_tensor, w1, w2, scale)
    loss.backward()  # adds dloss/dw1 into w1.grad, dloss/dw2 into w2.grad
    grad_w1, grad_w2 = w1.grad.clone(), w2.grad.clone()  # what this step applies
    with torch.no_grad():
        w1.sub_(w1.grad, alpha=learning_rate)
        w2.sub_(w2.grad, alpha=learning_rate)
    w1.grad = None  # cleared, or the next backward() would add to it
    w2.grad = None
    return loss.item(), grad_w1, grad_w2
