"""Shared fixtures: the assignment's problem at its default size, and a small one."""

import pytest

import twolayer as tl
from twolayer.serving import threads

# The app computes with one thread per run (twolayer.ui.compute); tests that compare its
# charts bit for bit with runs of their own compute the same way: torch's and BLAS's
# sums split differently, and round differently, with another thread count.
threads.limit(1)


@pytest.fixture(autouse=True)
def no_locale(monkeypatch):
    """`grade` writes in the locale's language by default: each test runs in none, so a
    developer's Chinese locale does not turn the English tests Chinese, unless it sets one."""
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(scope="session")
def default_arrays():
    """x, y, w1, w2 for the default Config (the assignment's sizes)."""
    c = tl.Config()
    return (*tl.make_dataset(c.seed, c.n, c.d_in, c.d_out),
            *tl.init_weights(c.seed, c.d_in, c.hidden, c.d_out))


@pytest.fixture
def small_arrays():
    """A network small enough to finite-difference every weight: N=6, D_in=5, H=4, D_out=3."""
    return (*tl.make_dataset(3, 6, 5, 3), *tl.init_weights(3, 5, 4, 3))
