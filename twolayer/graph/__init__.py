"""The Computational Graph page's machinery: the graph drawn, and every tensor in it.

- drawing: the forward graph with the gradient along every edge, as DOT
- recorded: autograd's own graph, walked from loss.grad_fn
- snapshots: weight snapshots along a run, and every tensor at any iteration, recomputed
"""
