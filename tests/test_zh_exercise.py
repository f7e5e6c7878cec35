"""The exercise's checker in Chinese: the same verdicts and named mistakes as in English,
its messages in Chinese, and English unchanged.

Named mistakes recognised by a piece of an error message match the error's English text,
kept alongside the translated one: a translation never changes which mistake is named.
"""

import re

import pytest
import test_exercise

import twolayer.i18n
from twolayer.exercise.checks import check_blank
from twolayer.exercise.errors import CodeError
from twolayer.exercise.evaluator import parse
from twolayer.exercise.mistakes import MISTAKES
from twolayer.exercise.points import Context

CJK = re.compile(r"[\u4e00-\u9fff]")
WORD = r"[A-Za-z][A-Za-z'’]*(?:-[A-Za-z]+)*"
RUN = re.compile(rf"(?<![\w.`/\\-]){WORD}(?:[ ,;:]+{WORD}){{3,}}(?![\w(`/])")

# Mistakes named from their error's text (Mistake.error), beyond those test_exercise names
BY_ERROR = [
    (2, "grad_w1 = (x.T @ (grad_y_pred @ w2.T)) * (h > 0)",
     "mask applied after the product with x"),
    (5, "y_pred = torch.relu(w1 @ x_tensor) @ w2", "transpose on the wrong side"),
]
NAMED = test_exercise.NAMED + BY_ERROR


def check(number: int, text: str, lang: str):
    with twolayer.i18n.language(lang):
        return check_blank(number, text, Context.new())


def english_runs(text: str) -> list[str]:
    """Runs of four or more English words outside `code`."""
    return RUN.findall(re.sub(r"`[^`]*`", " ", text))


@pytest.mark.parametrize(("number", "text", "name"), NAMED)
def test_a_named_mistake_is_named_the_same_in_chinese(number, text, name):
    english, chinese = check(number, text, "en"), check(number, text, "zh")
    assert english.mistake == name, english.message
    assert chinese.status == english.status == "wrong"
    assert chinese.mistake == name  # the name stays English, as data
    assert CJK.search(chinese.message), chinese.message
    assert not english_runs(chinese.message), chinese.message


def test_every_mistake_matched_by_its_error_is_tested_in_both_languages():
    by_error = {m.name for ms in MISTAKES.values() for m in ms if m.error}
    assert by_error <= {name for _n, _t, name in NAMED}


def test_an_error_keeps_its_english_text_whatever_the_language():
    with twolayer.i18n.language("zh"):
        with pytest.raises(CodeError) as refused:
            parse("import os")
    assert CJK.search(str(refused.value))
    assert refused.value.english == "line 1, column 1: import is not allowed here: write " \
                                    "plain assignments and calls"


CASES = [  # (blank, text, status): a wrong, a rejected, a correct, a missing blank
    (2, "grad_w1 = 1.5 * x.T @ ((grad_y_pred @ w2.T) * (h > 0))", "wrong"),
    (1, "print(t, loss_z)", "wrong"),
    (3, "x = x * 2\nw1 -= grad_w1 * learning_rate\nw2 -= grad_w2 * learning_rate", "wrong"),
    (4, "x_tensor = torch.tensor(x, dtype=dtype, requires_grad=True)\n"
        "y_tensor = torch.tensor(y, dtype=dtype)", "wrong"),
    (1, "import os", "rejected"),
    (2, "grad_w1 = [x.T @ grad_y_pred for k in w2]", "rejected"),
    (1, "loss = ((y_pred - y) ** 2).sum()\nprint(t, loss)", "correct"),
    (5, "y_pred = torch.relu(x_tensor @ w1) @ w2", "correct"),
    (6, "", "missing"),
]


@pytest.mark.parametrize(("number", "text", "status"), CASES)
def test_a_blanks_messages_are_chinese(number, text, status):
    result = check(number, text, "zh")
    assert result.status == status, result.message
    for message in (result.message, result.note, *(p.error for p in result.points)):
        if message:
            assert CJK.search(message), message
            assert not english_runs(message), message
    for point in result.points:
        for comparison in point.comparisons:
            assert CJK.search(comparison.tolerance) or comparison.tolerance in (
                "autograd", "unchanged"), comparison.tolerance


ENGLISH = {  # the same checks in English: the messages as they always were
    0: "At N=64, D_in=1000, H=100, D_out=10, t = 0: the gradient of w1 is off by up to",
    1: "At N=64, D_in=1000, H=100, D_out=10, t = 0: line 1, column 10: the name 'loss_z' "
       "is not defined here (defined: D_in, D_out, H, N, h, h_relu, learning_rate, t, w1, "
       "w2, x, y)",
    2: "At N=64, D_in=1000, H=100, D_out=10, t = 0: blank 3 changes x, which the cell's "
       "next lines uses: a blank may change only what it computes.",
    3: "At N=64, D_in=1000, H=100, D_out=10, t = 0: x_tensor is tracked by autograd "
       "(requires_grad is True): the data needs no gradient.",
    4: "line 1, column 1: import is not allowed here: write plain assignments and calls",
    5: "line 1, column 11: a list comprehension is not allowed here: write plain "
       "assignments and calls",
    6: "Correct at every point checked.",
    7: "Correct at every point checked.",
    8: "The blank is empty.",
}


@pytest.mark.parametrize("case", range(len(CASES)))
def test_the_same_check_in_english_is_unchanged(case):
    number, text, status = CASES[case]
    result = check(number, text, "en")
    assert result.status == status
    assert result.message.startswith(ENGLISH[case]), result.message
    assert not CJK.search(result.message + (result.note or ""))
    if case == 7:
        assert result.note.startswith("At h = 0 exactly, where relu has no derivative, your "
                                      "y_pred passes torch.relu(h) or the mask h > 0")
