"""How many threads numpy's BLAS and torch may use.

Both libraries keep a pool of threads, one per core by default. That suits one
user; on a server where several visitors train at once, ten runs with two
threads each fight over two cores and all of them slow down. limit() gives each
computation fewer threads; the app pairs it with one computation per core.
"""

from __future__ import annotations

import os
import sys


def cores() -> int:
    """The cores this process may run on (a container's share, not the host's)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


_limit: int | None = None  # the count limit() set, which enforce() applies again


def limit(threads: int) -> None:
    """Use at most `threads` threads in numpy's BLAS, OpenMP and torch, process-wide:
    now for the libraries already loaded, and at import for torch if it is not yet."""
    from threadpoolctl import threadpool_limits

    global _limit
    _limit = threads
    threadpool_limits(threads)
    for name in ("OMP_NUM_THREADS", "MKL_NUM_THREADS"):  # torch reads them at import
        os.environ[name] = str(threads)
    enforce()


def enforce() -> None:
    """Apply the limit to torch in this thread too.

    torch's count is OpenMP's, which is per thread once torch is loaded: a thread
    started later (Streamlit runs each script in a new one) gets the count torch was
    loaded with. Results depend on it, since the sums split differently.
    """
    if _limit is None or "torch" not in sys.modules:
        return  # torch reads the limit from the environment when it is imported
    # Not sys.modules["torch"]: while another session's thread is importing torch, that is
    # a half-made module without get_num_threads; the import statement waits for it.
    import torch

    if torch.get_num_threads() != _limit:
        torch.set_num_threads(_limit)
