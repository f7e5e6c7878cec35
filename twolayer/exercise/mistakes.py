"""The classic mistakes of each blank, written as code, to say which one a wrong answer is.

A wrong result that matches a mistake's result (within the same tolerance a correct one
gets) is named, with a hint, never the answer. Some mistakes show as an error, some
only in what the result is rather than in its values (a tensor autograd no longer
tracks); those carry a test instead of code. Some are seen in the lines themselves, before
what they compute (np.square(a, b) writes into b); those carry a static test of the tree.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from dataclasses import dataclass

from ..i18n import N_


@dataclass(frozen=True)
class Mistake:
    """name: English, as data (a gradebook's key); shown through _(), as the hint is.
    error: a piece of the error's English text (CodeError.english), matched whatever the
    language the message is written in."""

    name: str
    hint: str
    code: str | None = None  # the mistake as a blank's lines
    test: Callable | None = None  # (outputs, run outputs) -> True if it is this mistake
    error: str | None = None  # or: a piece of the error message it causes
    static: Callable | None = None  # or: (the blank's tree) -> True, seen in the lines


def _an_array(name: str):
    """The value printed was an array, not one number."""
    def test(outputs, _) -> bool:
        shape = getattr(outputs.get(name), "shape", None)
        return shape is not None and tuple(shape) not in ((), (1,), (1, 1))
    return test


def _output_argument(tree) -> bool:
    """A one-argument numpy function given a second: np.square(a, b) writes its result
    into b (numpy's out), it does not combine a and b."""
    return any(isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and
               isinstance(node.func.value, ast.Name) and node.func.value.id == "np" and
               node.func.attr in ("square", "abs", "sign") and len(node.args) >= 2
               for node in ast.walk(tree))


def _uncalled(method: str):
    """A method named and not called: `loss.backward` alone does nothing."""
    return lambda tree: any(isinstance(node, ast.Expr) and isinstance(node.value, ast.Attribute)
                            and node.value.attr == method for node in ast.walk(tree))


def _integers(*names: str):
    return lambda outputs, _: any(
        outputs.get(name) is not None and hasattr(outputs[name], "is_floating_point") and
        not outputs[name].is_floating_point() for name in names)


NUMPY_METHOD_1 = Mistake(  # torch's methods on method 1's numpy arrays
    N_("torch methods on numpy arrays"),
    N_("method 1 is numpy: products are x.dot(w) or x @ w, the transpose is .T, a copy is "
       ".copy() (.mm, .t() and .clone() are torch's)."),
    error="ndarray has no .")


def _missing(name: str):
    return lambda outputs, _: outputs.get(name) is None


def _not_tracked(outputs, _) -> bool:
    y_pred = outputs.get("y_pred")
    return y_pred is not None and not getattr(y_pred, "requires_grad", True)


def _not_in_place(outputs, run) -> bool:
    return any(run.scope.get(n) is not run.before.get(n) for n in ("w1", "w2"))


SHAPES = "(the inner sizes)"  # what the evaluator says when a product's sizes do not fit

MISTAKES: dict[int, tuple[Mistake, ...]] = {
    1: (
        Mistake(N_("print(t, loss) missing"), N_("the assignment prints each iteration's loss "
                "with its t: print(t, your_loss)."), test=_missing("printed loss")),
        Mistake(N_("mean instead of sum"), N_("the assignment's loss sums the squared errors; "
                ".mean() divides them by N·D_out."),
                "loss = ((y_pred - y) ** 2).mean()\nprint(t, loss)"),
        Mistake(N_("not squared"), N_("the loss sums the squares of y_pred - y, not the "
                "differences themselves."), "loss = (y_pred - y).sum()\nprint(t, loss)"),
        Mistake(N_("absolute instead of squared"), N_("this is the squared loss: square each "
                "error, do not take its absolute value."),
                "loss = np.abs(y_pred - y).sum()\nprint(t, loss)"),
        Mistake(N_("np.square(a, b) writes into b"), N_("np.square takes one array and squares it; "
                "its second argument is where the result goes, so y was overwritten. Square "
                "the difference: np.square(y_pred - y)."), static=_output_argument),
        Mistake(N_("the loss is an array"), N_("the loss printed is an array (one entry per output "
                "of each example), the assignment's is one number: did you forget .sum()?"),
                test=_an_array("printed loss")),
        NUMPY_METHOD_1,
    ),
    2: (
        Mistake(N_("ReLU mask dropped"), N_("the gradient flows back through the ReLU only where "
                "h > 0; your grad_w1 lets it through where the unit was off."),
                "grad_w1 = x.T @ (grad_y_pred @ w2.T)"),
        Mistake(N_("factor 2 missing"), N_("d(u²)/du = 2u: start from grad_y_pred, which has the "
                "2, not from y_pred - y."),
                "grad_w1 = x.T @ (((y_pred - y) @ w2.T) * (h > 0))"),
        Mistake(N_("transpose on the wrong side"), N_("check each product's inner sizes: "
                "grad_y_pred is (N, D_out) and w2 is (H, D_out); grad_w1 must be (D_in, H)."),
                error=SHAPES),
        Mistake(N_("mask applied after the product with x"), N_("the mask belongs to grad_h, of "
                "shape (N, H), before the product with x.T."), error="do not match"),
        Mistake(N_("mask taken on the gradient"),
                N_("the ReLU passes the gradient where the unit was on, h > 0: the mask is "
                   "h's, not the gradient's own sign (a clamp or clip of the gradient is the "
                   "same mistake)."),
                "grad_h = grad_y_pred.dot(w2.T)\ngrad_h[grad_h < 0] = 0\n"
                "grad_w1 = x.T.dot(grad_h)"),
        NUMPY_METHOD_1,
    ),
    3: (
        Mistake(N_("update sign flipped"), N_("gradient descent steps against the gradient: "
                "subtract it."),
                "w1 += grad_w1 * learning_rate\nw2 += grad_w2 * learning_rate"),
        Mistake(N_("learning rate missing"), N_("each step is the gradient times learning_rate."),
                "w1 -= grad_w1\nw2 -= grad_w2"),
        Mistake(N_("w2 not updated"), N_("both weights take a step: w2 too, with grad_w2."),
                "w1 -= grad_w1 * learning_rate"),
        Mistake(N_("w1 not updated"), N_("both weights take a step: w1 too, with your gradient of "
                "w1."), "w2 -= grad_w2 * learning_rate"),
        Mistake(N_("one weight's update sign flipped"), N_("both weights step against their "
                "gradient: check the sign of each update."),
                "w1 += grad_w1 * learning_rate\nw2 -= grad_w2 * learning_rate"),
        Mistake(N_("one weight's update sign flipped"), N_("both weights step against their "
                "gradient: check the sign of each update."),
                "w1 -= grad_w1 * learning_rate\nw2 += grad_w2 * learning_rate"),
        Mistake(N_("the weight instead of its gradient"),
                N_("a step is the learning rate times the gradient of the loss, not times "
                   "the weight itself."),
                "w1 -= learning_rate * w1\nw2 -= learning_rate * w2"),
        NUMPY_METHOD_1,
    ),
    4: (
        Mistake(N_("float64 tensors"), N_("the cell's dtype is torch.float (float32): build the "
                "tensors with dtype=dtype (and device=device)."),
                "x_tensor = torch.tensor(x)\ny_tensor = torch.tensor(y)"),
        Mistake(N_("integer tensors"), N_("x and y are real numbers: as integers they lose their "
                "fractions. Build them with dtype=dtype, the cell's float32."),
                test=_integers("x_tensor", "y_tensor")),
    ),
    5: (
        Mistake(N_("ReLU missing (h instead of h_relu)"), N_("y_pred = relu(x @ w1) @ w2: the "
                "ReLU comes between the two products."), "y_pred = x_tensor @ w1 @ w2"),
        Mistake(N_("y_pred not tracked by autograd"), N_("keep y_pred a tensor computed from w1 "
                "and w2 (no .detach(), no numpy), or backward() cannot reach them."),
                test=_not_tracked),
        Mistake(N_("transpose on the wrong side"), N_("x_tensor is (N, D_in), w1 (D_in, H) and w2 "
                "(H, D_out): multiply in that order."), error=SHAPES),
    ),
    6: (
        Mistake(N_("backward() missing"), N_("autograd fills w1.grad and w2.grad only when asked: "
                "call backward on the loss."), test=lambda outputs, _: outputs["w1.grad"]
                is None),
        Mistake(N_("backward() called twice"), N_("backward() runs once per loss: its graph is "
                "freed after the first, and a second call would add the gradient again."),
                error="backward through the graph a second time"),
        Mistake(N_("backward() on y_pred"), N_("backward starts from the scalar loss."),
                error="grad can be implicitly created only for scalar outputs"),
        Mistake(N_("backward not called"), N_("naming the method does not run it: a method runs "
                "when it is called, with its parentheses."), static=_uncalled("backward")),
    ),
    7: (
        Mistake(N_("update sign flipped"), N_("gradient descent steps against the gradient."),
                "w1 += learning_rate * w1.grad\nw2 += learning_rate * w2.grad"),
        Mistake(N_("learning rate missing"), N_("each step is the gradient times learning_rate."),
                "w1 -= w1.grad\nw2 -= w2.grad"),
        Mistake(N_("gradients cleared before the update"), N_("the cell clears .grad after this "
                "blank: use the gradient first."), "w1.grad.zero_()\nw2.grad.zero_()\n"
                "w1 -= learning_rate * w1.grad\nw2 -= learning_rate * w2.grad"),
        Mistake(N_("not in place"), N_("w1 = w1 - ... makes a new tensor autograd does not track "
                "as a weight (it has no .grad next time): change w1 itself, in place."),
                test=_not_in_place),
        Mistake(N_("one weight's update sign flipped"), N_("both weights step against their "
                "gradient: check the sign of each update."),
                "w1 += learning_rate * w1.grad\nw2 -= learning_rate * w2.grad"),
        Mistake(N_("one weight's update sign flipped"), N_("both weights step against their "
                "gradient: check the sign of each update."),
                "w1 -= learning_rate * w1.grad\nw2 += learning_rate * w2.grad"),
        Mistake(N_("the weight instead of its gradient"),
                N_("a step is the learning rate times the gradient of the loss, not times "
                   "the weight itself."),
                "w1 -= learning_rate * w1\nw2 -= learning_rate * w2"),
    ),
}
