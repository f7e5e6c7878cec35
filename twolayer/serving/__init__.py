"""Serving a class from one process: what a run costs, a shared cache, thread limits.

- budget: the compute a run needs, estimated before it starts, and the budget bounding it
- cache: a cache bounded in bytes, shared by every visitor, safe across threads
- threads: how many threads numpy's BLAS and torch may use
"""
