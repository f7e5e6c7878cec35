"""Checks of the two methods: do they agree, are the gradients right, how fast are they.

- compare: both methods from the same data and weights, summarized; the three-way gradient
  check (manual, autograd, finite differences)
- rounding: worst-case rounding bounds, the tolerances every agreement is judged by
- advice: what to change when training diverges (a learning rate found by trying it)
- bench: each method against the bare-array floor of its own arithmetic
"""
