"""Grading a class: uploads and zips read in memory and bounded, the gradebook, feedback,
similar submissions, and the command line's grade flags."""

import csv
import io
import json
import pathlib
import zipfile

import pytest
from classfiles import make_class, zipped

from twolayer.cli import main
from twolayer.exercise import BLANKS, as_file
from twolayer.exercise.grade import FileGrade
from twolayer.exercise.mistakes import MISTAKES
from twolayer.grading import batch, gradebook, similar, submissions
from twolayer.grading.submissions import MAX_BYTES, from_uploads

ANSWERS = {b.number: b.answer for b in BLANKS}
GOOD = as_file(ANSWERS).encode()
MASKLESS = {**ANSWERS, 2: "grad_h = grad_y_pred.dot(w2.T)\ngrad_w1 = x.T.dot(grad_h)"}
REFUSED = {**ANSWERS, 4: "import os"}


def problems(found) -> dict[str, str]:
    return {s.source: s.problem for s in found if s.problem}


# --- What bad input gets ------------------------------------------------------------------


def bomb(size: int) -> bytes:
    """A zip whose one member of zeros packs a thousandfold."""
    return zipped([("class/mallory/homework.py", b"0" * size)])


def test_a_member_that_would_inflate_past_a_file_s_limit_is_refused_before_it_inflates():
    [found] = from_uploads([("bomb.zip", bomb(MAX_BYTES + 1))])
    assert found.raw == b"" and f"{MAX_BYTES + 1:,} bytes: refused" in found.problem


def test_a_member_packed_a_hundredfold_is_a_bomb_even_under_the_file_limit():
    [found] = from_uploads([("bomb.zip", bomb(MAX_BYTES // 2))])  # zeros pack ~1000:1
    assert found.raw == b"" and "refused" in found.problem


def test_a_batch_past_its_total_is_refused_member_by_member(monkeypatch):
    monkeypatch.setattr(submissions, "MAX_TOTAL", 2 * len(GOOD) + 10)
    files = [(f"class/s{k}/homework.py", GOOD) for k in range(3)]
    found = from_uploads([("class.zip", zipped(files))])
    assert [bool(s.raw) for s in found] == [True, True, False]
    assert "grade the class in parts" in found[2].problem


def test_member_names_with_dots_and_absolute_paths_are_shown_never_used_as_paths(tmp_path):
    names = ["../../escape/homework.py", "/etc/cron.d/homework.py", "a\\..\\..\\win.py",
             "odd\x1b[31m/homework.py"]
    found = from_uploads([("class.zip", zipped([(n, GOOD) for n in names]))])
    assert [s.source for s in found] == [f"class.zip: {n}" for n in names]
    assert [s.student for s in found] == ["escape", "cron.d", "win", "odd?[31m"]
    assert all(s.raw == GOOD for s in found)  # each read from memory, as bytes
    assert all(c.isprintable() for s in found for c in s.student)
    assert not (tmp_path.parent / "escape").exists()


def test_a_zip_inside_the_zip_is_refused_with_a_reason_and_the_rest_read():
    inner = zipped([("bob.py", GOOD)])
    found = from_uploads([("class.zip", zipped([("inner.zip", inner), ("alice.py", GOOD)]))])
    assert problems(found) == {"class.zip: inner.zip": "a zip inside the zip: upload it on "
                                                       "its own"}
    assert [s.student for s in found if s.raw] == ["alice"]


def test_a_zip_with_no_assignment_in_it_says_so():
    [found] = from_uploads([("photos.zip", zipped([("a.png", b"\x89PNG"), ("b.txt", b"x")]))])
    assert found.problem == "the zip holds no .py or .ipynb file: no assignment in it"


def test_macos_copies_in_a_zip_are_skipped():
    found = from_uploads([("class.zip", zipped([("__MACOSX/alice/._homework.py", b"\0\5"),
                                                ("alice/homework.py", GOOD)]))])
    assert [(s.source, s.problem) for s in found] == [("class.zip: alice/homework.py", None)]


def test_two_files_of_one_student_name_are_both_kept_and_told_apart():
    found = from_uploads([("alice.py", GOOD), ("class.zip", zipped([("alice.py", GOOD)]))])
    assert [s.student for s in found] == ["alice", "alice (2)"]


def test_a_folder_per_student_names_each_file_by_its_folder():
    files = [("class/ann/homework.py", GOOD), ("class/ben/homework.ipynb", GOOD),
             ("class/cat.py", GOOD)]
    assert [s.student for s in from_uploads([("c.zip", zipped(files))])] == ["ann", "ben",
                                                                            "cat"]


@pytest.mark.parametrize(("name", "raw", "problem"), [
    ("empty.py", b"", "it is empty"),
    ("huge.py", b"#" * (MAX_BYTES + 1), "it is over 5 MB: not an assignment"),
    ("notes.txt", b"hello", "not a .py or .ipynb file"),
    ("broken.zip", b"PK\3\4 not really", "not a zip file"),
])
def test_each_unreadable_upload_says_why(name, raw, problem):
    [found] = from_uploads([(name, raw)])
    assert found.problem.startswith(problem)


@pytest.mark.parametrize(("name", "raw", "why"), [
    ("latin.py", "# é\n".encode("latin-1") + GOOD, "not UTF-8"),
    ("broken.ipynb", b'{"cells": [', "not a Jupyter notebook"),
])
def test_a_file_that_is_not_text_or_not_a_notebook_is_not_graded_and_says_why(name, raw, why):
    [found] = from_uploads([(name, raw)])
    grade = batch.grade(found)
    assert not grade.graded and why in grade.error


def test_every_other_file_is_still_graded_beside_each_bad_input():
    uploads = [("empty.py", b""), ("bomb.zip", bomb(MAX_BYTES + 1)),
               ("latin.py", b"\xe9" + GOOD), ("alice.py", GOOD)]
    grades = list(batch.grade_all(from_uploads(uploads)))
    assert [g.graded for g in grades] == [False, False, False, True]
    assert grades[-1].score == 7 and grades[-1].student == "alice"


# --- The gradebook, the class at a glance, feedback ----------------------------------------


@pytest.fixture(scope="module")
def three():
    """Three students graded for real: the answers, a dropped ReLU mask, a refused line."""
    uploads = [("alice.py", GOOD), ("bob.py", as_file(MASKLESS).encode()),
               ("carol.py", as_file(REFUSED).encode()), ("dave.py", b"")]
    return list(batch.grade_all(from_uploads(uploads)))


def test_the_gradebook_has_a_row_per_file_and_a_column_per_blank(three):
    rows = list(csv.DictReader(io.StringIO(gradebook.csv_text(three))))
    assert [r["student"] for r in rows] == ["alice", "bob", "carol", "dave"]
    assert [r["score"] for r in rows] == ["7", "6", "6", ""]
    assert [r["blank 2"] for r in rows] == ["1", "0", "1", ""]
    assert [r["blank 4 status"] for r in rows] == ["correct", "correct", "rejected", ""]
    assert rows[3]["not graded"] == "it is empty" and rows[0]["total"] == "7"


def test_the_summary_counts_each_status_and_ranks_the_named_mistakes(three):
    items = gradebook.summary(three)
    assert items[1].statuses == {"correct": 2, "wrong": 1}
    [(name, count, hint)] = items[1].mistakes
    mask = next(m for m in MISTAKES[2] if m.name == name)
    assert count == 1 and hint == mask.hint and "mask" in name.lower()
    assert items[3].statuses == {"correct": 2, "rejected": 1}
    assert gradebook.score_counts(three) == [0, 0, 0, 0, 0, 0, 2, 1]
    counts, shares = gradebook.status_shares(three)
    assert counts["wrong"][1] == 1 and shares["correct"][1] == pytest.approx(2 / 3)
    text = gradebook.summary_text(three)
    assert text.startswith("3 of 4 files graded; scores: 6/7 × 2, 7/7 × 1\n")
    assert f"  1 × {name}: {hint}\n" in text


def test_feedback_gives_status_message_and_hint_never_the_answer_unless_asked(three):
    bob = gradebook.feedback(three[1])
    assert "Score: **6 of 7**" in bob and three[1].blanks[1]["message"] in bob
    assert ANSWERS[2] not in bob
    assert ANSWERS[2] in gradebook.feedback(three[1], include_answers=True)
    assert "Not graded: it is empty" in gradebook.feedback(three[3])
    with zipfile.ZipFile(io.BytesIO(gradebook.feedback_zip(three))) as archive:
        assert archive.namelist() == ["alice.md", "bob.md", "carol.md", "dave.md"]
        assert archive.read("bob.md").decode() == bob


def test_feedback_names_are_ascii_and_told_apart():
    grades = [FileGrade("x", student=s) for s in ("张三", "a/b", "ok", "ok", "")]
    assert gradebook.feedback_names(grades) == ["student.md", "a_b.md", "ok.md", "ok_2.md",
                                                "student_2.md"]


def test_the_json_is_the_shape_grade_json_prints(three, tmp_path, capsys):
    paths = []
    for grade, raw in zip(three[:2], (GOOD, as_file(MASKLESS).encode()), strict=True):
        paths.append(tmp_path / f"{grade.student}.py")
        paths[-1].write_bytes(raw)
    assert main(["grade", *map(str, paths), "--json", "--jobs", "1"]) == 0
    printed = json.loads(capsys.readouterr().out)
    ours = json.loads(gradebook.json_text(three[:2]))
    for entry in printed["files"] + ours["files"]:
        entry.pop("path")
    assert printed == ours


# --- Similar submissions --------------------------------------------------------------------


def graded(student: str, texts: dict[int, str], wrong=()) -> FileGrade:
    """A grade made by hand: each blank correct but those in wrong."""
    blanks = [{"blank": n, "status": "wrong" if n in wrong else "correct", "message": "",
               "mistake": None} for n in ANSWERS]
    return FileGrade(f"{student}.py", blanks, student=student, texts={**ANSWERS, **texts})


def test_files_right_the_usual_way_are_never_grouped():
    usual = {1: "loss = np.square(y_pred - y).sum()\nprint(t, loss)"}
    assert similar.groups([graded(f"s{k}", usual) for k in range(10)]) == []


def test_the_same_wrong_answer_renamed_and_respaced_is_grouped():
    a = "err = y_pred - y\nloss = (err*err).mean()  # mine\nprint(t, loss)"
    b = "# the loss\nd   = y_pred - y\nloss = (d * d).mean()\nprint(t, loss)"
    grades = [graded("ann", {1: a}, wrong={1}), graded("ben", {1: b}, wrong={1}),
              *(graded(f"s{k}", {}) for k in range(8))]
    assert similar.groups(grades) == [similar.Group(("ann", "ben"), (1,), (0,))]
    assert "ann and ben: blank(s) 1 (0 other files the same)" in similar.groups_text(grades)


def test_an_unusual_right_form_shared_in_two_blanks_is_grouped_one_is_not():
    odd = {1: "loss = np.einsum('ij,ij->', y_pred - y, y_pred - y)\nprint(t, loss)",
           3: "w1 = w1 - learning_rate * grad_w1\nw2 = w2 - learning_rate * grad_w2"}
    grades = [graded("ann", odd), graded("ben", odd), graded("cat", {1: odd[1]}),
              *(graded(f"s{k}", {}) for k in range(27))]  # 30 files: 3 may share a form
    assert similar.groups(grades) == [similar.Group(("ann", "ben"), (1, 3), (1, 0))]


def test_a_form_many_files_share_is_not_uncommon():
    shared = {1: "loss = ((y_pred - y) ** 2).sum()\nprint(t, loss)",
              3: "w1 = w1 - learning_rate * grad_w1\nw2 = w2 - learning_rate * grad_w2"}
    grades = [graded(f"s{k}", shared if k < 5 else {}) for k in range(20)]
    assert similar.groups(grades) == []


# --- The command line --------------------------------------------------------------------


@pytest.fixture(scope="module")
def class_zip(tmp_path_factory):
    path = tmp_path_factory.mktemp("class") / "class.zip"
    files = make_class(5, seed=3) + [("class/mallory/homework.ipynb", b"not json")]
    path.write_bytes(zipped(files))
    return path


@pytest.mark.slow
def test_grade_a_zip_csv_summary_similar_and_feedback(class_zip, tmp_path, capsys):
    folder = tmp_path / "feedback"
    code = main(["grade", str(class_zip), "--csv", "--summary", "--similar", "--feedback",
                 str(folder), "--jobs", "2"])
    out, err = capsys.readouterr()
    assert code == 1  # the notebook that is not JSON
    assert err.count("not graded") == 1 and "mallory" in err
    rows = list(csv.DictReader(out.splitlines()[:7]))  # the gradebook, then the rest
    assert [r["student"] for r in rows] == [*(f"student_{k:03d}" for k in range(5)),
                                                "mallory"]
    assert "5 of 6 files graded; scores:" in out
    assert ("No two files share uncommon code." in out or
            "a reason to look, never proof of copying" in out)
    assert sorted(p.name for p in folder.iterdir()) == [
        "mallory.md", *(f"student_{k:03d}.md" for k in range(5))]


@pytest.mark.slow
def test_jobs_2_grades_as_one_process_does(class_zip, capsys):
    assert main(["grade", str(class_zip), "--json", "--jobs", "1"]) == 1
    one = json.loads(capsys.readouterr().out)
    assert main(["grade", str(class_zip), "--json", "--jobs", "2"]) == 1
    two = json.loads(capsys.readouterr().out)
    assert one == two and len(one["files"]) == 5


@pytest.mark.parametrize("jobs", ["0", "-1", "many", "65"])
def test_a_bad_jobs_value_is_one_line_and_exit_2(jobs, capsys):
    assert main(["grade", "x.py", "--jobs", jobs]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "--jobs" in err


def test_a_zip_member_not_graded_says_why_on_stderr(tmp_path, capsys):
    path = tmp_path / "class.zip"
    path.write_bytes(zipped([("empty/homework.py", b"")]))
    assert main(["grade", str(path)]) == 1
    assert capsys.readouterr().err.strip() == (f"twolayer: {path}: empty/homework.py: not "
                                               "graded: it is empty")


def test_csv_of_a_file_read_from_disk_names_its_student(tmp_path, capsys):
    path = pathlib.Path(tmp_path / "zoe.py")
    path.write_bytes(GOOD)
    assert main(["grade", str(path), "--csv"]) == 0
    [row] = csv.DictReader(io.StringIO(capsys.readouterr().out))
    assert row["student"] == "zoe" and row["score"] == "7"
