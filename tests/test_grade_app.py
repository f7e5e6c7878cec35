"""The Grade page in Streamlit's AppTest: a class uploaded, graded once, at a glance."""

import pytest
from apphelpers import chart, open_page
from classfiles import make_class, zipped

from twolayer.grading import batch, gradebook, submissions
from twolayer.ui import grade_view

pytestmark = pytest.mark.slow  # a class graded in Streamlit's AppTest

CLASS = make_class(6, seed=5) + [("class/mallory/homework.ipynb", b"not json"),
                                 ("class/nested.zip", zipped([("x.py", b"1")]))]
UPLOADS = [("class.zip", zipped(CLASS)), ("empty.py", b"")]


def upload(at, files):
    at.get("file_uploader")[0].set_value([(name, raw, "application/octet-stream")
                                          for name, raw in files])
    return at.run(timeout=600)


@pytest.fixture(scope="module")
def expected():
    """The same files graded by the package, as the command line grades them."""
    return list(batch.grade_all(submissions.from_uploads(UPLOADS)))


@pytest.fixture(scope="module")
def graded(expected):
    """The page, the class uploaded and graded; the number of files graded on the way."""
    calls = []
    original = grade_view.grade_task

    def counting(submission):
        calls.append(submission.student)
        return (yield from original(submission))

    grade_view.grade_task = counting
    try:
        at = upload(open_page("Grade"), UPLOADS)
        at.checkbox(key="w_grade_answers").check().run()  # a rerun: nothing graded again
    finally:
        grade_view.grade_task = original
    return at, calls


def test_a_first_visit_says_what_to_upload_and_grades_nothing():
    at = open_page("Grade")
    assert not at.exception and "Upload files to grade them" in at.info[0].value
    assert not at.get("plotly_chart") and not at.dataframe


def test_each_file_is_graded_once_and_each_bad_one_says_why(graded, expected):
    at, calls = graded
    assert not at.exception and not at.error
    assert sorted(calls) == sorted(g.student for g in expected)  # once each, not on rerun
    assert at.metric[0].value == f"{sum(g.graded for g in expected)} of {len(expected)}"
    said = [w.value for w in at.warning]
    for grade in expected:
        if not grade.graded:
            assert f"**{grade.student}** ({grade.path}): not graded: {grade.error}" in said
    assert any("a zip inside the zip" in w for w in said)
    assert any("mallory" in w and "not a Jupyter notebook" in w for w in said)


def test_the_per_blank_chart_and_the_histogram_hold_the_class_s_counts(graded, expected):
    at, _ = graded
    counts, shares = gradebook.status_shares(expected)
    figure = chart(at, "grade_statuses")
    assert [t["name"] for t in figure["data"]] == ["correct", "wrong", "rejected", "missing"]
    for trace in figure["data"]:
        assert list(trace["x"]) == pytest.approx(shares[trace["name"]])
        assert list(trace["customdata"]) == counts[trace["name"]]
    assert trace["y"] == [f"blank {n}" for n in range(1, 8)]
    histogram = chart(at, "grade_scores")["data"][0]
    assert list(histogram["y"]) == gradebook.score_counts(expected)


def test_the_table_has_a_row_per_file_with_its_marks(graded, expected):
    at, _ = graded
    table = at.dataframe[0].value
    assert list(table["student"]) == [g.student for g in expected]
    assert list(table["blank 2"]) == gradebook.table(expected)["blank 2"]
    scores = [None if s != s else int(s) for s in table["score"]]  # NaN for not graded
    assert scores == [g.score if g.graded else None for g in expected]


def test_the_named_mistakes_are_listed_under_their_blank(graded, expected):
    at, _ = graded
    shown = " ".join(m.value for m in at.markdown)
    for item in gradebook.summary(expected):
        for name, count, hint in item.mistakes:
            assert f"**{count} × {name}** — {hint}" in shown


def test_more_than_the_upload_limit_at_once_is_refused_with_what_to_do():
    big = b"#" * (grade_view.UPLOAD_MB * 2**20 // 2 + 1)
    at = upload(open_page("Grade"), [("a.zip", big), ("b.zip", big)])
    assert not at.exception
    assert "at most 50 MB are graded at once" in at.error[0].value
    assert not at.dataframe
