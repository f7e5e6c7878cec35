"""Bad input gets a ValueError naming the parameter and the allowed range."""

import numpy as np
import pytest

import twolayer as tl
from twolayer.config import estimate_bytes


@pytest.mark.parametrize("field, value, expected", [
    ("seed", -1, "seed must be an integer from 0 to 4,294,967,295, got -1"),
    ("seed", 1.5, "seed must be an integer"),
    ("n", 0, "n must be an integer from 1 to 100,000, got 0"),
    ("n", True, "n must be an integer from 1 to 100,000, got True"),
    ("d_in", 100_001, "d_in must be an integer from 1 to 100,000, got 100001"),
    ("hidden", "100", "hidden must be an integer from 1 to 100,000, got '100'"),
    ("d_out", -3, "d_out must be an integer"),
    ("learning_rate", 0.0, "learning_rate must be a positive finite number, got 0.0"),
    ("learning_rate", -1e-6, "learning_rate must be a positive finite number"),
    ("learning_rate", float("inf"), "learning_rate must be a positive finite number, got inf"),
    ("learning_rate", float("nan"), "learning_rate must be a positive finite number, got nan"),
    ("iterations", 0, "iterations must be an integer from 1 to 100,000, got 0"),
    ("dtype", "float16", "dtype must be one of 'float64', 'float32', got 'float16'"),
    ("loss", "mse", "loss must be one of 'sum', 'mean', got 'mse'"),
    ("device", "tpu", "device must be one of 'cpu', 'cuda', got 'tpu'"),
])
def test_config_rejects_out_of_range_fields(field, value, expected):
    with pytest.raises(ValueError, match="^" + _escape(expected)):
        tl.Config(**{field: value}).validated()


def _escape(text):
    import re
    return re.escape(text)


def test_default_config_is_the_assignment():
    c = tl.Config().validated()
    assert (c.n, c.d_in, c.hidden, c.d_out) == (64, 1000, 100, 10)
    assert (c.learning_rate, c.iterations, c.loss, c.dtype) == (1e-6, 500, "sum", "float64")
    assert hash(c) == hash(tl.Config())  # frozen: usable as a cache key


def test_memory_guard_refuses_before_allocating():
    big = tl.Config(n=100_000, d_in=100_000)
    with pytest.raises(ValueError, match=r"would need 1\d\d GiB, over the memory budget of 2 GiB"):
        big.validated()
    with pytest.raises(ValueError, match="the data set x, y would need"):
        tl.make_dataset(0, 100_000, 100_000, 10)
    with pytest.raises(ValueError, match="the weights w1, w2 would need"):
        tl.init_weights(0, 100_000, 100_000, 10)


def test_memory_budget_is_configurable(monkeypatch):
    c = tl.Config()
    needed = estimate_bytes(c.n, c.d_in, c.hidden, c.d_out)
    assert 1_000_000 < needed < 10_000_000  # defaults need a few MB
    with pytest.raises(ValueError, match="over the memory budget of"):
        c.validated(memory_budget=needed - 1)
    c.validated(memory_budget=needed)
    monkeypatch.setenv("TWOLAYER_MEMORY_BUDGET_MB", "1")
    with pytest.raises(ValueError, match=r"over the memory budget of 1 MiB"):
        c.validated()
    for bad in ("lots", "-5", "nan", "0"):
        monkeypatch.setenv("TWOLAYER_MEMORY_BUDGET_MB", bad)
        with pytest.raises(ValueError, match="TWOLAYER_MEMORY_BUDGET_MB must be a positive "
                                             f"number of MiB, got '{bad}'"):
            c.validated()
    with pytest.raises(ValueError, match="the memory budget must be positive, got 0 bytes"):
        c.validated(memory_budget=0)


@pytest.mark.parametrize("function", [tl.make_dataset, tl.init_weights])
def test_data_functions_check_sizes(function):
    with pytest.raises(ValueError, match="must be an integer from 1 to"):
        function(0, 0, 10, 10)
    with pytest.raises(ValueError, match="seed must be an integer"):
        function(-5, 10, 10, 10)


def _arrays():
    return (*tl.make_dataset(0, 6, 5, 3), *tl.init_weights(0, 5, 4, 3))


@pytest.mark.parametrize("index, replacement, message", [
    (0, np.zeros((7, 5)), "y and x disagree on N (rows): 6 vs 7"),
    (2, np.zeros((4, 4)), "w1 and x disagree on D_in (w1 rows, x columns): 4 vs 5"),
    (3, np.zeros((5, 3)), "w2 and w1 disagree on H (w2 rows, w1 columns): 5 vs 4"),
    (1, np.zeros((6, 2)), "w2 and y disagree on D_out (columns): 3 vs 2"),
    (0, np.zeros(5), "x must be a 2-D numpy array, got ndarray of shape (5,)"),
    (2, [[1.0]], "w1 must be a 2-D numpy array, got list"),
    (1, np.zeros((6, 3), dtype=int), "y must hold floats, got dtype int64"),
    (0, np.zeros((0, 5)), "x must not be empty"),
])
@pytest.mark.parametrize("function", [tl.numpy_gradients, tl.torch_gradients])
def test_gradient_functions_check_shapes(function, index, replacement, message):
    arrays = list(_arrays())
    arrays[index] = replacement
    with pytest.raises(ValueError, match="^" + _escape(message)):
        function(*arrays)


@pytest.mark.parametrize("train", [tl.train_numpy, tl.train_torch])
@pytest.mark.parametrize("kwargs, message", [
    ({"learning_rate": -1.0}, "learning_rate must be a positive finite number"),
    ({"iterations": 0}, "iterations must be an integer from 1"),
    ({"iterations": 2.5}, "iterations must be an integer"),
    ({"loss": "l1"}, "loss must be one of 'sum', 'mean'"),
    ({"dtype": "int8"}, "dtype must be one of 'float64', 'float32'"),
])
def test_training_functions_check_arguments(train, kwargs, message):
    args = {"learning_rate": 1e-3, "iterations": 3, **kwargs}
    with pytest.raises(ValueError, match=message):
        train(*_arrays(), **args)


def test_torch_rejects_unknown_device():
    with pytest.raises(ValueError, match="device must be one of 'cpu', 'cuda', got 'gpu'"):
        tl.train_torch(*_arrays(), 1e-3, 3, device="gpu")


def test_cuda_without_a_gpu_is_a_clear_error():
    import torch

    if torch.cuda.is_available():
        run = tl.train_torch(*_arrays(), 1e-3, 3, device="cuda")
        assert run.device == "cuda" and len(run.losses) == 3
        return
    with pytest.raises(ValueError, match="device 'cuda' needs a CUDA GPU.*use device 'cpu'"):
        tl.train_torch(*_arrays(), 1e-3, 3, device="cuda")
