"""Exercise mode: each blank checked in isolation, named mistakes, whole runs, grading."""

import base64
import json
import pathlib
import string
import zlib

import numpy as np
import pytest

import twolayer as tl
from twolayer.cli import main
from twolayer.exercise import (
    BLANKS,
    FileShapeError,
    Program,
    as_file,
    check_attempt,
    extract,
    printed_losses,
    share,
    text_of,
    whole_run,
)
from twolayer.exercise.checks import check_blank
from twolayer.exercise.points import Context

FIXTURE = pathlib.Path(__file__).parent / "fixtures" / "assignment_answers.py"
ANSWERS = {b.number: b.answer for b in BLANKS}


def check(number: int, text: str):
    return check_blank(number, text, Context.new())


def test_the_assignments_own_answers_are_correct_everywhere():
    results = check_attempt(ANSWERS)
    assert [r.status for r in results] == ["correct"] * 7
    for result in results:
        assert [p.label for p in result.points] == [
            "N=64, D_in=1000, H=100, D_out=10, t = 0",
            "N=64, D_in=1000, H=100, D_out=10, t = 100",
            "N=7, D_in=13, H=5, D_out=3, t = 0"]
        dtypes = {p.dtype for p in result.points}
        assert dtypes == {"float64" if result.blank <= 3 else "float32"}


EQUIVALENT = [
    (1, "loss = np.square(y_pred - y).sum()\nprint(t, loss)"),
    (1, "loss = np.sum((y_pred - y) ** 2)\nprint(t, loss)"),
    (2, "grad_h_relu = grad_y_pred.dot(w2.T)\ngrad_h = grad_h_relu.copy()\n"
        "grad_h = grad_h * (h > 0)\ngrad_w1 = x.T.dot(grad_h)"),
    (2, "grad_w1 = np.dot(x.T, (grad_y_pred @ w2.T) * (h > 0).astype(float))"),
    (2, "grad_w1 = x.T @ np.where(h > 0, grad_y_pred @ w2.T, 0)"),
    (3, "w1 = w1 - learning_rate * grad_w1\nw2 = w2 - learning_rate * grad_w2"),
    (4, "x_tensor = torch.from_numpy(x).to(device=device, dtype=dtype)\n"
        "y_tensor = torch.as_tensor(y, dtype=dtype, device=device)"),
    (5, "y_pred = torch.relu(x_tensor @ w1) @ w2"),
    (5, "y_pred = x_tensor.mm(w1).clamp(min=0).mm(w2)"),
    (5, "h = x_tensor.mm(w1)\nh_relu = torch.maximum(h, torch.zeros_like(h))\n"
        "y_pred = h_relu.mm(w2)"),
    (7, "w1 -= learning_rate * w1.grad\nw2 -= learning_rate * w2.grad"),
    (7, "w1.sub_(learning_rate * w1.grad)\nw2.sub_(w2.grad, alpha=learning_rate)"),
]


@pytest.mark.parametrize(("number", "text"), EQUIVALENT)
def test_equivalent_correct_forms_all_pass(number, text):
    result = check(number, text)
    assert result.status == "correct", result.message


NAMED = [
    (1, "loss = ((y_pred - y) ** 2).mean()\nprint(t, loss)", "mean instead of sum"),
    (1, "loss = ((y_pred - y) ** 2).sum()", "print(t, loss) missing"),
    (2, "grad_w1 = x.T.dot(grad_y_pred.dot(w2.T))", "ReLU mask dropped"),
    (2, "grad_w1 = x.T @ (((y_pred - y) @ w2.T) * (h > 0))", "factor 2 missing"),
    (2, "grad_w1 = x.T @ ((grad_y_pred @ w2) * (h > 0))", "transpose on the wrong side"),
    (3, "w1 += learning_rate * grad_w1\nw2 += learning_rate * grad_w2", "update sign flipped"),
    (3, "w1 -= learning_rate * grad_w1", "w2 not updated"),
    (4, "x_tensor = torch.tensor(x)\ny_tensor = torch.tensor(y)", "float64 tensors"),
    (5, "y_pred = x_tensor @ w1 @ w2", "ReLU missing (h instead of h_relu)"),
    (5, "y_pred = torch.relu(x_tensor @ w1).detach() @ w2.detach()",
     "y_pred not tracked by autograd"),
    (6, "loss.backward()\nloss.backward()", "backward() called twice"),
    (6, "y_pred.backward()", "backward() on y_pred"),
    (7, "w1 += learning_rate * w1.grad\nw2 += learning_rate * w2.grad", "update sign flipped"),
    (7, "w1 = w1 - learning_rate * w1.grad\nw2 = w2 - learning_rate * w2.grad", "not in place"),
    # what real students get wrong (tests/fixtures/student_forms.py)
    (1, "loss = np.square(y_pred - y)\nprint(t, loss)", "the loss is an array"),
    (1, "loss = np.square(y_pred, y).sum()\nprint(t, loss)", "np.square(a, b) writes into b"),
    (2, "grad_h = grad_y_pred.dot(w2.T)\ngrad_h[grad_h < 0] = 0\ngrad_w1 = x.T.dot(grad_h)",
     "mask taken on the gradient"),
    (2, "grad_h = grad_y_pred.dot(w2.T).clip(min=0)\ngrad_w1 = x.T.dot(grad_h)",
     "mask taken on the gradient"),
    (2, "grad_h = grad_y_pred.mm(w2.t())\ngrad_w1 = x.t().mm(grad_h * (h > 0))",
     "torch methods on numpy arrays"),
    (3, "w1 -= learning_rate * w1\nw2 -= learning_rate * w2",
     "the weight instead of its gradient"),
    (3, "w1 += grad_w1 * learning_rate\nw2 -= grad_w2 * learning_rate",
     "one weight's update sign flipped"),
    (4, "x_tensor = torch.from_numpy(x)\ny_tensor = torch.from_numpy(y)", "float64 tensors"),
    (4, "x_tensor = torch.tensor(x, dtype=dtype)\ny_tensor = torch.tensor(y, dtype=int)",
     "integer tensors"),
    (6, "loss.backward", "backward not called"),
    (7, "w1 -= learning_rate * w1.grad\nw2 += learning_rate * w2.grad",
     "one weight's update sign flipped"),
]


@pytest.mark.parametrize(("number", "text", "name"), NAMED)
def test_classic_mistakes_are_named_with_a_hint_not_the_answer(number, text, name):
    result = check(number, text)
    assert result.status == "wrong"
    assert result.mistake == name
    assert result.message.startswith(name + ": ")
    assert BLANKS[number - 1].answer not in result.message


def test_a_wrong_value_lists_shape_difference_and_first_wrong_entries():
    result = check(2, "grad_w1 = 1.5 * x.T @ ((grad_y_pred @ w2.T) * (h > 0))")
    assert result.status == "wrong" and result.mistake is None
    comparison = result.points[0].comparisons[0]
    assert comparison.name == "the gradient of w1"
    assert comparison.shape == comparison.expected_shape == (1000, 100)
    assert not comparison.exact and not comparison.close
    assert comparison.wrong and all(abs(y - 1.5 * e) <= 1e-9 * abs(e)
                                    for _, y, e in comparison.wrong if e)
    assert "the gradient of w1 is off by up to" in result.message


def test_shape_is_compared_strictly():
    """(1, 1) is not (): the same value in another shape is wrong."""
    result = check(1, "loss = ((y_pred - y) ** 2).sum(keepdims=True)\nprint(t, loss)")
    assert result.status == "wrong"
    (first, *_) = result.points[0].comparisons
    assert (first.shape, first.expected_shape) == ((1, 1), ())
    assert "has shape (1, 1), expected ()" in result.message


def test_a_transpose_that_fits_only_square_shapes_is_caught_by_the_small_problem():
    """x.T @ g with x square would hide a transposed product; the second problem has no
    two sizes equal."""
    result = check(2, "grad_w1 = (x.T @ ((grad_y_pred @ w2.T) * (h > 0))).T.T")
    assert result.status == "correct"
    small = [p for p in check(2, "grad_w1 = ((grad_y_pred @ w2.T) * (h > 0)).T @ x")
             .points if "N=7" in p.label]
    assert small and not small[0].ok


def test_refused_and_missing_blanks():
    assert check(1, "").status == "missing"
    assert check(1, "# nothing yet").status == "missing"
    refused = check(1, "import os")
    assert refused.status == "rejected" and "import" in refused.message
    assert "line 1, column 1" in refused.message


def test_relu_convention_note_at_ties():
    notes = {text: check(5, text).note for text in (
        "y_pred = torch.relu(x_tensor @ w1) @ w2",
        "y_pred = (x_tensor @ w1).clamp(min=0) @ w2",
        "y_pred = torch.maximum(x_tensor @ w1, torch.zeros(N, H, dtype=dtype)) @ w2")}
    values = list(notes.values())
    assert "none of the gradient" in values[0]
    assert "all of it" in values[1]
    assert "half of it" in values[2]


def test_whole_run_of_the_answers_prints_the_assignments_losses():
    """Method 1 through the evaluator matches twolayer's numpy training bit for bit (the
    same operations on the same arrays); method 2 agrees within float32's bound."""
    runs = whole_run(Program.answers(), iterations=60)
    reference = tl.train_numpy(*tl.make_dataset(0, 64, 1000, 10),
                               *tl.init_weights(0, 1000, 100, 10), 1e-6, 60).losses
    losses_1, losses_2 = printed_losses(runs[1]), printed_losses(runs[2])
    assert runs[1].error is None and runs[2].error is None
    assert [item[0] for item in runs[1].printed] == list(range(60))
    np.testing.assert_array_equal(losses_1, reference)
    assert np.all(np.abs(losses_2 - reference) <= 1e-3 * reference)


def test_whole_run_reports_the_iteration_and_blank_that_failed():
    attempt = ANSWERS | {2: "grad_w1 = x @ grad_y_pred"}
    runs = whole_run(Program.of(attempt), iterations=5)
    assert runs[1].iterations == 0
    assert runs[1].error.startswith("iteration 0: blank 2: ")
    assert runs[2].error is None and runs[2].iterations == 5


def test_an_empty_or_refused_blank_runs_the_answer_and_says_so():
    program = Program.of(ANSWERS | {3: "", 5: "__import__('os')"})
    assert program.substituted[3] == "empty"
    assert program.substituted[5].startswith("refused: ")


# --- files and grading -------------------------------------------------------------------


def test_the_assignments_answers_as_a_file_score_seven(capsys):
    code = main(["grade", str(FIXTURE), "--json"])
    out, err = capsys.readouterr()
    report = json.loads(out)
    assert code == 0 and err == ""
    (graded,) = report["files"]
    assert graded["score"] == graded["total"] == 7
    assert [b["blank"] for b in graded["blanks"]] == list(range(1, 8))
    assert {b["status"] for b in graded["blanks"]} == {"correct"}
    assert report["not_graded"] == []


def test_grade_text_table_and_a_notebook(tmp_path, capsys):
    text = FIXTURE.read_text().replace("y_loss=((y_pred-y)**2).sum()",
                                       "y_loss=((y_pred-y)**2).mean()")
    notebook = {"cells": [{"cell_type": "markdown", "source": ["# TODO not code"]},
                          *({"cell_type": "code", "source": part.splitlines(True)}
                            for part in text.split("# In["))],
                "nbformat": 4}
    path = tmp_path / "student.ipynb"
    path.write_text(json.dumps(notebook), encoding="utf-8")
    code = main(["grade", str(path)])
    out, _ = capsys.readouterr()
    assert code == 0
    first, second = out.splitlines()[:2]
    assert first == f"{path}: 6/7  ✗ ✓ ✓ ✓ ✓ ✓ ✓"
    assert second.startswith("  blank 1 wrong: mean instead of sum: ")


def test_unreadable_and_misshapen_files_exit_1_with_one_line_each(tmp_path, capsys):
    other = tmp_path / "other.py"
    other.write_text("print('hello')\n")
    binary = tmp_path / "binary.py"
    binary.write_bytes(b"\xff\xfe\x00")
    code = main(["grade", str(FIXTURE), str(other), str(binary), str(tmp_path / "gone.py")])
    out, err = capsys.readouterr()
    assert code == 1  # some file not graded (2 is for bad arguments)
    assert out.splitlines()[0].endswith("7/7  ✓ ✓ ✓ ✓ ✓ ✓ ✓")
    lines = err.splitlines()
    assert len(lines) == 3
    assert lines[0] == f"twolayer: {other}: not graded: it has 0 of the 7 `# TODO` " \
                       "markers, and the line before blank 1 (y_pred = h_relu.dot(w2)) " \
                       "is not in it"
    assert "not UTF-8" in lines[1] and "cannot read it" in lines[2]


def test_grading_never_executes_the_file(tmp_path, capsys):
    """A file whose blanks would write a file if run as Python is graded and writes none."""
    marker = tmp_path / "ran"
    text = FIXTURE.read_text().replace(
        "y_loss=((y_pred-y)**2).sum()",
        f"open({str(marker)!r}, 'w').write('x')\n    y_loss=((y_pred-y)**2).sum()")
    path = tmp_path / "sneaky.py"
    path.write_text(text)
    assert main(["grade", str(path), "--json"]) == 0
    blank_1 = json.loads(capsys.readouterr().out)["files"][0]["blanks"][0]
    assert blank_1["status"] == "rejected"
    assert blank_1["message"] == "line 1, column 1: the attribute .write is not allowed here"
    assert not marker.exists()


def test_an_attempt_written_as_a_file_reads_back_blank_for_blank():
    attempt = ANSWERS | {2: "grad_h = (grad_y_pred @ w2.T) * (h > 0)\ngrad_w1 = x.T @ grad_h"}
    for english in (False, True):
        text = as_file(attempt, english=english)
        assert extract(text) == attempt
        assert ("# Compute the gradient of w1" in text) == english
    empty = extract(as_file({}))
    assert set(empty.values()) == {""}


def test_text_of_refuses_what_is_not_a_notebook():
    with pytest.raises(FileShapeError, match="not a Jupyter notebook"):
        text_of(b"[1, 2]", notebook=True)
    assert text_of("# TODO\n".encode("utf-8-sig"), notebook=False) == "# TODO\n"


def test_an_attempt_has_a_time_budget_and_reports_what_it_did_not_check():
    results = check_attempt(ANSWERS, seconds=0.0)
    assert [r.status for r in results] == ["rejected"] * 7  # the time limit: a bound
    assert results[0].message == ("Not checked: the blanks before it used up the 0 s one "
                                  "check may take.")


def _link(payload: bytes) -> str:
    return base64.urlsafe_b64encode(zlib.compress(payload)).decode().rstrip("=")


def test_a_link_carries_an_attempt_both_ways():
    attempt = ANSWERS | {2: "# 梯度 (comments and all)\n" + ANSWERS[2], 6: ""}
    link = share.encode(attempt)
    assert share.decode(link) == {n: t for n, t in attempt.items() if t}
    assert set(link) <= set(string.ascii_letters + string.digits + "-_")  # URL-safe as is
    assert share.encode({}) == ""


@pytest.mark.parametrize(("link", "message"), [
    ("x" * (share.MAX_LINK + 1), "at most 1,800"),
    ("not base64!", "not a link made by the Exercise page"),
    (_link(b"[1, 2]"), "must hold blanks 1 to 7"),
    (_link(b'{"8": "x = 1"}'), "must hold blanks 1 to 7"),
    (_link(b'{"1": 5}'), "must hold blanks 1 to 7"),
    (_link(('{"1": "%s"}' % ("a" * 2001)).encode()), "at most 2,000 characters"),
    (_link(b"{" * 10), "not a link made by the Exercise page"),
    # a zip bomb: a link short enough to pass that would inflate to a megabyte
    (_link(b" " * 1_000_000), "not a link made by the Exercise page"),
])
def test_a_bad_link_is_refused_with_a_reason(link, message):
    with pytest.raises(ValueError, match=message):
        share.decode(link)


def test_the_zip_bomb_link_is_short_enough_to_reach_the_inflater():
    assert len(_link(b" " * 1_000_000)) <= share.MAX_LINK


STATUSES = [  # (blank, lines, status): each status means one thing
    (5, "y_pred = torch.zeros(10**6, 10**6, device=device, dtype=dtype)", "rejected"),  # a size
    (1, "import os", "rejected"),  # a construct outside the allow-list
    (1, "print(t, np.square(y_pred - y).mean())", "wrong"),  # ran, computed something else
    (2, "grad_w1 = x @ grad_y_pred", "wrong"),  # ran as Python would: shapes that do not fit
    (3, "", "missing"),
]


@pytest.mark.parametrize(("number", "text", "status"), STATUSES)
def test_rejected_means_the_checkers_rules_wrong_means_it_ran(number, text, status):
    assert check(number, text).status == status


@pytest.mark.parametrize("label", ['"iter:", t, "loss:", loss', '"迭代次数：", t, "损失：", loss',
                                   "t, loss, sep='\\t'"])
def test_a_print_with_labels_prints_the_loss(label):
    result = check(1, f"loss = np.square(y_pred - y).sum()\nprint({label})")
    assert result.status == "correct", result.message


@pytest.mark.parametrize(("text", "message"), [
    ("z = 'a' + 'b'", "strings are not allowed"),
    ("print(f'{t}')", "an f-string is not allowed"),
    ("print('%d' % t)", "the operator Mod is not allowed"),
    ("print('{}'.format(t))", "the attribute .format is not allowed"),
])
def test_a_string_is_allowed_only_as_a_label_in_print(text, message):
    result = check(1, text)
    assert result.status == "rejected" and message in result.message


# --- Files without their markers ----------------------------------------------------------


def _without_markers(text: str) -> str:
    return "\n".join(line for line in text.split("\n") if not line.strip().startswith("#"))


def test_a_file_without_markers_and_comments_is_found_by_its_given_lines():
    assert extract(_without_markers(FIXTURE.read_text())) == ANSWERS


def test_markers_win_when_they_are_there():
    text = FIXTURE.read_text().replace("h = x.dot(w1)", "h = x @ w1")  # a given line changed
    assert extract(text) == ANSWERS


BENT = [  # (what a student did to the file, how)
    ("translated the comments", lambda t: t.replace("# 前向传播：计算输出值 y",
                                                    "# forward pass: compute y")),
    ("respaced the given lines", lambda t: t.replace("h_relu = np.maximum(h, 0)",
                                                     "h_relu=np.maximum( h,0 )")),
    ("added prints and a plot after the loop", lambda t: t.replace(
        "    grad_y_pred = 2.0 * (y_pred - y)",
        "    grad_y_pred = 2.0 * (y_pred - y)\n    print('grad', t)").replace(
        "dtype = torch.float", "plt.plot(losses)\nstart = time.time()\ndtype = torch.float")),
    ("changed the device line", lambda t: t.replace(
        'device = torch.device("cuda:0" if torch.cuda.is_available() else "cpu")',
        'device = torch.device("cpu")')),
]


@pytest.mark.parametrize(("what", "bend"), BENT, ids=[w for w, _ in BENT])
def test_a_bent_file_without_markers_still_finds_every_blank(what, bend):
    found = extract(bend(_without_markers(FIXTURE.read_text())))
    assert set(found) == set(ANSWERS)
    if what == "changed the device line":  # it lands in blank 4, where it changes nothing
        assert found.pop(4) == 'device = torch.device("cpu")\n' + ANSWERS[4]
    assert found == {n: text for n, text in ANSWERS.items() if n in found}


def test_a_notebook_split_into_more_cells_without_markers_grades(tmp_path, capsys):
    text = _without_markers(FIXTURE.read_text())
    parts = text.split("\n    grad_y_pred")  # the loop cut into two cells
    cells = [parts[0], "    grad_y_pred" + parts[1]]
    path = tmp_path / "split.ipynb"
    path.write_text(json.dumps({"cells": [{"cell_type": "code", "source": c.splitlines(True)}
                                          for c in cells], "nbformat": 4}), encoding="utf-8")
    assert extract(text_of(path.read_bytes(), notebook=True)) == ANSWERS


def test_a_file_that_cannot_be_aligned_names_the_given_line_it_could_not_find():
    text = _without_markers(FIXTURE.read_text()).replace(
        "loss = (y_pred - y_tensor).pow(2).sum()", "loss = ((y_pred - y_tensor) ** 2).sum()")
    with pytest.raises(FileShapeError) as refused:
        extract(text)
    assert str(refused.value) == ("it has 0 of the 7 `# TODO` markers, and the line after "
                                  "blank 5 (loss = (y_pred - y_tensor).pow(2).sum()) is not "
                                  "in it")
