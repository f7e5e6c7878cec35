"""Grading in Chinese: `grade --lang zh` writes its messages, the summary and the feedback in
Chinese, in this process and in the --jobs workers; the locale's language by default; the
English as it was. The CSV's columns and the JSON's keys and statuses stay English."""

import concurrent.futures
import csv
import io
import json
import re

import pytest
from classfiles import zipped

from twolayer import i18n
from twolayer.cli import environment_language, main
from twolayer.exercise import BLANKS, as_file
from twolayer.grading import batch, gradebook, similar
from twolayer.grading.submissions import from_uploads

ANSWERS = {b.number: b.answer for b in BLANKS}
GOOD = as_file(ANSWERS).encode()
MASKLESS = {**ANSWERS, 2: "grad_h = grad_y_pred.dot(w2.T)\ngrad_w1 = x.T.dot(grad_h)"}
CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    """Three files on disk: the answers, a dropped ReLU mask, an empty one."""
    folder = tmp_path_factory.mktemp("class")
    for name, raw in (("alice.py", GOOD), ("bob.py", as_file(MASKLESS).encode()),
                      ("dave.py", b"")):
        (folder / name).write_bytes(raw)
    return [str(folder / name) for name in ("alice.py", "bob.py", "dave.py")]


def graded_in(lang: str, files, tmp_path, capsys) -> tuple[str, str, dict]:
    """grade --lang lang of the files: its stdout, stderr and feedback files."""
    folder = tmp_path / lang
    code = main(["grade", *files, "--lang", lang, "--summary", "--similar", "--feedback",
                 str(folder), "--jobs", "1"])
    out, err = capsys.readouterr()
    assert code == 1  # the empty file
    return out, err, {p.name: p.read_text(encoding="utf-8") for p in folder.iterdir()}


def test_lang_zh_writes_the_summary_the_feedback_and_the_refusals_in_chinese(files, tmp_path,
                                                                              capsys):
    out, err, feedback = graded_in("zh", files, tmp_path, capsys)
    assert out.startswith("3 份作业中已批改 2 份；得分：6/7 × 1，7/7 × 1\n")
    assert "第 2 空：正确 1，错误 1\n" in out and "没有发现共用不常见代码的作业。" in out
    assert err.strip().endswith("dave.py：未批改：文件是空的")
    bob = feedback["bob.md"]
    assert "得分：**6/7**" in bob and "## 第 2 空：" in bob
    assert "**错误**：" in bob and "**正确**：" in bob and "- 完整运行：" in bob
    assert "Score:" not in bob and "**wrong**" not in bob
    assert "未批改：文件是空的" in feedback["dave.md"]
    assert all(CJK.search(text) for text in feedback.values())


def test_lang_en_is_the_english_as_it_was(files, tmp_path, capsys):
    out, err, feedback = graded_in("en", files, tmp_path, capsys)
    assert out.startswith("2 of 3 files graded; scores: 6/7 × 1, 7/7 × 1\n")
    assert "blank 2: correct 1, wrong 1\n" in out and "No two files share uncommon code." in out
    assert err.strip().endswith("dave.py: not graded: it is empty")
    assert "Score: **6 of 7**" in feedback["bob.md"] and "**wrong**: " in feedback["bob.md"]
    assert "Not graded: it is empty" in feedback["dave.md"]
    assert not CJK.search(out + err + "".join(feedback.values()))


def test_the_csv_and_the_json_keep_their_english_columns_keys_and_statuses(files, capsys):
    assert main(["grade", *files[:2], "--lang", "zh", "--csv", "--jobs", "1"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert rows[1]["blank 2 status"] == "wrong" and rows[1]["score"] == "6"
    assert main(["grade", *files[1:2], "--lang", "zh", "--json", "--jobs", "1"]) == 0
    [entry] = json.loads(capsys.readouterr().out)["files"]
    assert entry["blanks"][1]["status"] == "wrong" and entry["run"]["1"]["status"] == "trains"


def test_the_language_reaches_the_jobs_workers(files, tmp_path, capsys):
    # a file's refusal is written where it is graded: in a worker process
    notes = tmp_path / "notes.txt"
    notes.write_bytes(b"x")
    assert main(["grade", files[2], str(notes), "--lang", "zh", "--jobs", "2"]) == 1
    lines = capsys.readouterr().err.strip().splitlines()
    assert lines[0].endswith("dave.py：未批改：文件是空的")
    assert lines[1].endswith("notes.txt：未批改：不是 .py 或 .ipynb 文件")


class Died:
    """A future whose worker died: the file is graded again, in a process of its own."""

    def result(self):
        raise concurrent.futures.process.BrokenProcessPool("killed")


def test_a_file_graded_again_after_its_worker_died_gets_the_language_too():
    [empty] = from_uploads([("dave.py", b"")])
    grade = batch._result("zh", empty, Died())
    assert grade.error == "文件是空的" and grade.student == "dave"


def test_grade_all_writes_in_the_caller_s_language_by_default():
    found = from_uploads([("dave.py", b""), ("notes.txt", b"x")])
    with i18n.language("zh"):
        grades = list(batch.grade_all(found))
    assert [g.error for g in grades] == ["文件是空的", "不是 .py 或 .ipynb 文件"]
    assert [s.problem for s in found] == ["it is empty", "not a .py or .ipynb file"]  # data
    assert [g.error for g in batch.grade_all(found)] == ["it is empty",
                                                         "not a .py or .ipynb file"]


def test_zip_refusals_and_similar_code_notes_in_chinese():
    wrong = "err = y_pred - y\nloss = (err*err).mean()\nprint(t, loss)"
    inner = zipped([("bob.py", GOOD)])
    found = from_uploads([("class.zip", zipped([("inner.zip", inner)])),
                          ("photos.zip", zipped([("a.png", b"\x89PNG")]))])
    with i18n.language("zh"):
        assert [batch.grade(s).error for s in found] == [
            "zip 压缩包里还有 zip 压缩包：请单独上传它",
            "zip 压缩包里没有 .py 或 .ipynb 文件：其中没有作业"]
        grades = [_graded("ann", {1: wrong}), _graded("ben", {1: wrong}),
                  *(_graded(f"s{k}", {}) for k in range(8))]
        text = similar.groups_text(grades)
    assert text.startswith("共用不常见代码的作业（只是值得对照看看的理由，绝不是抄袭的证据）：\n")
    assert "  ann 和 ben：第 1 空（另有 0 份作业相同）\n" in text


def _graded(student, texts):
    from twolayer.exercise.grade import FileGrade

    wrong = set(texts)
    blanks = [{"blank": n, "status": "wrong" if n in wrong else "correct", "message": "",
               "mistake": None} for n in ANSWERS]
    return FileGrade(f"{student}.py", blanks, student=student, texts={**ANSWERS, **texts})


def test_the_status_words_are_translated_where_shown_only():
    with i18n.language("zh"):
        assert [gradebook.status_label(s) for s in gradebook.STATUSES] == [
            "正确", "错误", "被拒绝", "未填"]
    assert gradebook.status_label("wrong") == "wrong"


@pytest.mark.parametrize(("environ", "lang"), [
    ({}, "en"),
    ({"LANG": "zh_CN.UTF-8"}, "zh"),
    ({"LANG": "zh_TW"}, "zh"),
    ({"LANG": "en_US.UTF-8"}, "en"),
    ({"LANG": "C.UTF-8"}, "en"),
    ({"LC_MESSAGES": "zh_CN.UTF-8", "LANG": "en_US.UTF-8"}, "zh"),
    ({"LC_ALL": "C", "LC_MESSAGES": "zh_CN.UTF-8", "LANG": "zh_CN.UTF-8"}, "en"),
    ({"LC_ALL": "", "LANG": "zh_CN.UTF-8"}, "zh"),  # set but empty: not set
])
def test_the_default_language_is_the_locale_s(environ, lang):
    assert environment_language(environ) == lang


@pytest.fixture
def empty_file(tmp_path):
    path = tmp_path / "dave.py"
    path.write_bytes(b"")
    return str(path)


def test_lang_zh_cn_in_the_environment_gives_chinese_and_lc_all_c_english(empty_file,
                                                                          monkeypatch, capsys):
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    assert main(["grade", empty_file]) == 1
    assert capsys.readouterr().err.strip().endswith("未批改：文件是空的")
    monkeypatch.setenv("LC_ALL", "C")
    assert main(["grade", empty_file]) == 1
    assert capsys.readouterr().err.strip().endswith("dave.py: not graded: it is empty")
    assert main(["grade", empty_file, "--lang", "zh"]) == 1  # the flag wins
    assert "未批改" in capsys.readouterr().err


def test_a_bad_lang_is_one_line_and_exit_2(capsys):
    assert main(["grade", "x.py", "--lang", "fr"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "--lang" in err and "fr" in err


def test_grade_graph_follows_lang(tmp_path, capsys):
    path = tmp_path / "graph.txt"
    path.write_text("x: N×D_in\nloss = sum(x)\n", encoding="utf-8")
    assert main(["grade", "--graph", str(path), "--lang", "zh"]) == 1
    out = capsys.readouterr().out
    assert out.startswith(f"{path}：与原作业的计算图不一致\n") and "  missing_relu：" in out
    assert main(["grade", "--graph", str(path), "--lang", "en"]) == 1
    assert capsys.readouterr().out.startswith(f"{path}: not the assignment's graph\n")
