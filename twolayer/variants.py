"""Variants of the two methods: ReLU conventions at h == 0 and classic bugs, for teaching.

A variant is a set of one-line patches to the source of the functions that run
one lock-step iteration. The patched source is compiled and run, so the code a
page shows for a variant is exactly the code that ran, with the changed lines known.
"""

from __future__ import annotations

import functools
import hashlib
import inspect
import textwrap
from dataclasses import dataclass

from . import autograd, manual
from .i18n import N_


@dataclass(frozen=True)
class Patch:
    """Replace the one line of function that contains old with new (indentation kept)."""

    function: str  # "backprop", "manual_step", "forward_loss" or "autograd_step"
    old: str
    new: str


@dataclass(frozen=True)
class Variant:
    """A named set of patches, with what it teaches."""

    label: str
    side: str  # "manual", "autograd" or "both"
    patches: tuple[Patch, ...] = ()
    note: str = ""
    shows_from: int = 0  # the first iteration whose step differs from the correct one


RELU_CONVENTIONS = {
    "relu": Variant(
        N_("h > 0, as torch.relu"), "both", (),
        N_("The derivative of relu at h == 0 is taken as 0, as torch.relu does and as the "
           "assignment's mask h > 0 does."),
    ),
    "clamp": Variant(
        N_("h ≥ 0, as clamp(min=0)"), "both",
        (Patch("backprop", "grad_h = grad_h_relu * (h > 0)", "grad_h = grad_h_relu * (h >= 0)"),
         Patch("forward_loss", "h_relu = torch.relu(h)", "h_relu = h.clamp(min=0)")),
        N_("The derivative at h == 0 is taken as 1, as clamp(min=0) does."),
    ),
    "maximum": Variant(
        N_("½ at h = 0, as torch.maximum"), "both",
        (Patch("backprop", "grad_h = grad_h_relu * (h > 0)",
               "grad_h = grad_h_relu * ((h > 0) + 0.5 * (h == 0))"),
         Patch("forward_loss", "h_relu = torch.relu(h)",
               "h_relu = torch.maximum(h, torch.zeros_like(h))")),
        N_("At a tie torch.maximum(h, 0), the assignment's method 2, splits the gradient "
           "evenly: 0.5 to h, 0.5 to the zeros."),
    ),
}

BUGS = {
    "none": Variant(N_("no bug (the correct code)"), "both"),
    "relu_mask_dropped": Variant(
        N_("ReLU mask dropped"), "manual",
        (Patch("backprop", "grad_h = grad_h_relu * (h > 0)",
               "grad_h = grad_h_relu  # BUG: the ReLU mask is dropped"),),
        N_("Gradient flows through units the ReLU switched off."),
    ),
    "factor_2_missing": Variant(
        N_("factor 2 missing"), "manual",
        (Patch("backprop", "grad_y_pred = 2.0 * scale * (y_pred - y)",
               "grad_y_pred = scale * (y_pred - y)  # BUG: the 2 of d(u²)/du is missing"),),
        N_("Every gradient is half its true size: training still converges, more slowly."),
    ),
    "transpose_wrong_side": Variant(
        N_("transpose on the wrong side"), "manual",
        (Patch("backprop", "grad_h_relu = grad_y_pred @ w2.T",
               "grad_h_relu = w2.T @ grad_y_pred  # BUG: the transpose is on the wrong side"),),
        N_("The transpose belongs on the other side: grad_y_pred @ w2.T is (N, D_out) @ "
           "(D_out, H)."),
    ),
    "update_sign_flipped": Variant(
        N_("update sign flipped"), "manual",
        (Patch("manual_step", "w1 -= learning_rate * grad_w1",
               "w1 += learning_rate * grad_w1  # BUG: a step up the gradient"),
         Patch("manual_step", "w2 -= learning_rate * grad_w2",
               "w2 += learning_rate * grad_w2  # BUG: a step up the gradient")),
        N_("Gradient ascent: the loss grows instead of falling."),
    ),
    "grads_not_zeroed": Variant(
        N_("gradients not zeroed (autograd)"), "autograd",
        (Patch("autograd_step", "w1.grad = None", "pass  # BUG: w1.grad is not cleared"),
         Patch("autograd_step", "w2.grad = None", "pass  # BUG: w2.grad is not cleared")),
        N_("backward() adds into .grad, so each step applies the sum of all gradients so "
           "far. The first step is still right (.grad starts empty): the bug shows from t = 1."),
        shows_from=1,
    ),
}

SOURCES = {  # the functions a variant may patch, in the order they are compiled
    "backprop": manual.backprop,
    "manual_step": manual.manual_step,
    "forward_loss": autograd.forward_loss,
    "autograd_step": autograd.autograd_step,
}


@dataclass(frozen=True)
class Listing:
    """One function's source as it ran, and which of its lines (0-based) a variant changed."""

    name: str
    source: str
    changed: tuple[int, ...]


def patched_listings(*variants: Variant) -> dict[str, Listing]:
    """The source of every patchable function with the variants' patches applied."""
    listings = {}
    for name, function in SOURCES.items():
        lines = textwrap.dedent(inspect.getsource(function)).splitlines()
        changed = []
        for patch in (p for v in variants for p in v.patches if p.function == name):
            index = _find_line(lines, patch, name)
            indent = lines[index][: len(lines[index]) - len(lines[index].lstrip())]
            lines[index] = indent + patch.new
            changed.append(index)
        listings[name] = Listing(name, "\n".join(lines) + "\n", tuple(sorted(changed)))
    return listings


def _find_line(lines: list[str], patch: Patch, name: str) -> int:
    hits = [i for i, line in enumerate(lines) if line.strip().startswith(patch.old)]
    if len(hits) != 1:
        raise LookupError(f"patch {patch.old!r} matches {len(hits)} lines of {name}")
    return hits[0]


VARIANT_SOURCES: dict[str, str] = {}  # compiled file name -> source, for error messages


def compile_functions(listings: dict[str, Listing]) -> dict:
    """Compile the listings together, so that patched functions call each other."""
    namespace = {**vars(manual), **vars(autograd)}
    for listing in listings.values():
        # One file name per distinct source, so an error points into the code that ran.
        digest = hashlib.sha1(listing.source.encode()).hexdigest()[:8]
        filename = f"<twolayer variant: {listing.name} {digest}>"
        VARIANT_SOURCES[filename] = listing.source
        code = compile(listing.source, filename, "exec")
        exec(code, namespace)  # noqa: S102 - the package's own source, patched by its own table
    return {name: namespace[name] for name in SOURCES}


@functools.cache  # compiled once per (bug, relu); callers never modify the results
def resolve(bug: str = "none", relu: str = "relu") -> tuple[dict, dict[str, Listing]]:
    """The functions and listings for a bug and a ReLU convention, by name."""
    if bug not in BUGS:
        raise ValueError(f"bug must be one of {', '.join(map(repr, BUGS))}, got {bug!r}")
    if relu not in RELU_CONVENTIONS:
        allowed = ", ".join(map(repr, RELU_CONVENTIONS))
        raise ValueError(f"relu must be one of {allowed}, got {relu!r}")
    listings = patched_listings(RELU_CONVENTIONS[relu], BUGS[bug])
    return compile_functions(listings), listings


@functools.cache
def backprop_with_locals():
    """manual.backprop compiled to return all its locals: every forward and backward tensor.

    The graph explorer shows these, so they come from the very lines of the
    manual method rather than from a copy of them.
    """
    keep_all = Variant("all tensors", "manual",
                       (Patch("backprop", "return loss, grad_w1, grad_w2", "return locals()"),))
    return compile_functions(patched_listings(keep_all))["backprop"]
