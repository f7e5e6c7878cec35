"""The Exercise page in Streamlit's AppTest: blanks typed, checked, shared, uploaded."""

import json
import pathlib
import random

import numpy as np
import pytest
from apphelpers import chart, decode, open_page

from twolayer.exercise import BLANKS, Program, as_file, share, whole_run
from twolayer.exercise.runs import printed_losses

pytestmark = pytest.mark.slow  # the Exercise page run in Streamlit's AppTest

ANSWERS = {b.number: b.answer for b in BLANKS}
FIXTURE = pathlib.Path(__file__).parent / "fixtures" / "assignment_answers.py"
NO_MASK = "grad_h = grad_y_pred @ w2.T\ngrad_w1 = x.T @ grad_h"


@pytest.fixture(autouse=True)
def fresh_cache():
    """Each test checks for itself: no verdict is served from another test's cache."""
    from twolayer.ui import compute

    if compute.STORE is not None:
        compute.STORE.clear()


def area(at, number: int):
    """Blank number's text area, found by its label (its key changes with each upload)."""
    [found] = [t for t in at.text_area if t.label == f"Blank {number}"]
    return found


def type_and_check(at, blanks: dict[int, str]):
    for number, text in blanks.items():
        area(at, number).set_value(text)
    [check] = [b for b in at.button if b.label == "Check"]
    return check.click().run()


def test_a_student_typing_the_answers_sees_seven_green_checks_and_the_whole_run():
    at = open_page("Exercise")
    assert not at.exception and "press **Check**" in at.info[0].value
    blanks = [t for t in at.text_area if t.label.startswith("Blank ")]
    assert len(blanks) == 7 and not at.get("plotly_chart")  # nothing runs before Check
    at = type_and_check(at, ANSWERS)
    assert not at.exception and not at.error
    assert at.success[0].value == "**7 of 7** blanks correct."
    correct = [s for s in at.success if s.value.startswith("**correct** — ")]
    assert len(correct) == 7
    # the whole run: each cell's printed losses over the answers' (the same here)
    expected = whole_run(Program.of(ANSWERS))
    for cell in (1, 2):
        figure = chart(at, f"exercise_curve_{cell}")
        answers, yours = (decode(trace["y"]) for trace in figure["data"])
        np.testing.assert_array_equal(yours, printed_losses(expected[cell]))
        np.testing.assert_array_equal(answers, yours)
    printed = [c.value for c in at.code if c.value.startswith("0 ")]
    assert printed[0].split("\n")[0] == f"0 {expected[1].printed[0][1]}"
    assert printed[0].split("\n")[-1].startswith("499 ")
    # the address bar carries the attempt, and says so
    assert share.decode(at.query_params["attempt"]) == ANSWERS
    assert any("address bar now carries your blanks" in c.value for c in at.caption)


def test_dropping_the_relu_mask_is_named():
    at = type_and_check(open_page("Exercise"), ANSWERS | {2: NO_MASK})
    assert not at.exception
    assert at.warning[0].value == "**6 of 7** blanks correct."
    [wrong] = [e.value for e in at.error if e.value.startswith("**wrong**")]
    assert wrong.startswith("**wrong** — ReLU mask dropped: ")
    assert "grad_h[h < 0] = 0" not in wrong  # a hint, not the answer


def test_an_escape_attempt_is_refused_on_the_page_and_the_app_keeps_serving():
    at = type_and_check(open_page("Exercise"),
                        ANSWERS | {5: "y_pred = ().__class__.__bases__[0].__subclasses__()"})
    assert not at.exception
    [refused] = [w.value for w in at.warning if w.value.startswith("**rejected**")]
    assert refused == "**rejected** — line 1, column 10: the attribute .__subclasses__ is " \
                      "not allowed here"
    # the whole run still ran, with the answer in the refused blank's place, said so
    assert any("Blank(s) 5 ran the assignment's answer" in c.value for c in at.caption)
    at = type_and_check(at, {5: ANSWERS[5]})  # and the next check is served as usual
    assert at.success[0].value == "**7 of 7** blanks correct."


def test_the_attempt_survives_page_switches():
    at = type_and_check(open_page("Exercise"), ANSWERS | {2: NO_MASK})
    at.switch_page("pages/3_Autograd.py").run()
    at.switch_page("pages/5_Exercise.py").run()
    assert not at.exception
    assert area(at, 2).value == NO_MASK
    assert area(at, 7).value == ANSWERS[7]
    assert at.warning[0].value == "**6 of 7** blanks correct."  # still checked


def test_a_shared_link_opens_the_same_attempt_checked():
    link = share.encode(ANSWERS | {2: NO_MASK, 6: ""})
    at = open_page("Exercise", attempt=link, comments="chinese")
    assert not at.exception
    assert area(at, 2).value == NO_MASK
    assert area(at, 6).value == ""
    assert at.warning[0].value == "**5 of 7** blanks correct."
    assert any(i.value == "**missing** — The blank is empty." for i in at.info)
    assert any("# 前向传播：计算输出值 y" in c.value for c in at.code)  # the original comments


def test_a_damaged_link_is_said_and_ignored():
    at = open_page("Exercise", attempt="eNp9kE1rxCAQhv-LpzG40")
    assert not at.exception
    assert at.warning[0].value == ("Link parameter ignored: attempt is not a link made by the "
                                   "Exercise page (damaged or cut short?).")
    assert all(t.value == "" for t in at.text_area if t.label.startswith("Blank "))


def test_an_attempt_too_long_for_a_link_says_so_and_leaves_the_address_bar():
    noise = random.Random(0)  # comments that do not compress: 7 × 400 random characters

    def comment() -> str:
        return "# " + "".join(noise.choice("abcdefghijklmnopqrstuvwxyz0123456789")
                              for _ in range(400))

    at = type_and_check(open_page("Exercise"),
                        {n: f"{comment()}\n{text}" for n, text in ANSWERS.items()})
    assert not at.exception
    assert "too long for a link" in at.warning[0].value
    assert "attempt" not in at.query_params
    assert at.success[0].value == "**7 of 7** blanks correct."


def test_english_comments_by_default():
    at = open_page("Exercise")
    assert any("# Forward pass: compute the predicted y" in c.value for c in at.code)


def upload(at, content: bytes, name: str):
    at.file_uploader(key="w_exercise_file").set_value((name, content, "text/x-python"))
    return at.run()


def test_an_uploaded_file_is_checked_and_fills_the_blanks():
    at = upload(open_page("Exercise"), FIXTURE.read_bytes(), "homework.py")
    assert not at.exception and at.success[0].value == "**7 of 7** blanks correct."
    assert area(at, 4).value.startswith("x_tensor")
    # a notebook too: the download read back as cells
    text = as_file(ANSWERS | {2: NO_MASK})
    notebook = json.dumps({"cells": [{"cell_type": "code",
                                      "source": text.splitlines(keepends=True)}]})
    at = upload(at, notebook.encode(), "homework.ipynb")
    assert at.warning[0].value == "**6 of 7** blanks correct."


@pytest.mark.parametrize(("content", "message"), [
    (b"print('hello')\n", "has 0 of the 7 `# TODO` markers"),
    (b"\xff\xfe# TODO", "it is not UTF-8 text"),
])
def test_a_file_that_is_not_the_assignment_is_explained(content, message):
    at = upload(open_page("Exercise"), content, "other.py")
    assert not at.exception
    assert at.error[0].value.startswith("other.py can't be checked: ")
    assert message in at.error[0].value


def test_text_typed_and_not_yet_checked_survives_a_page_switch():
    at = open_page("Exercise")
    area(at, 2).set_value(NO_MASK).run()
    area(at, 5).set_value("y_pred = torch.relu(x_tensor @ w1) @ w2").run()
    at.switch_page("pages/3_Autograd.py").run()
    at.switch_page("pages/5_Exercise.py").run()
    assert not at.exception
    assert area(at, 2).value == NO_MASK
    assert area(at, 5).value == "y_pred = torch.relu(x_tensor @ w1) @ w2"
    assert at.info[0].value.startswith("Fill in the blanks and press **Check**")  # unchecked
