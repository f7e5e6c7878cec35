"""Real students' code: the ways public two-layer scripts write the seven blanks, each
with the status it must get (tests/fixtures/student_forms.py, with the source of each).

Every right form is accepted, every wrong one is not (wrong, or rejected where the form
could never be accepted without executing code), and none ever meets the checker's own
failure.
"""

import collections
import pathlib
import sys

import pytest

sys.path.insert(0, str(pathlib.Path(__file__).parent / "fixtures"))
from student_forms import FORMS  # noqa: E402

from twolayer.exercise.checks import check_blank  # noqa: E402
from twolayer.exercise.points import Context  # noqa: E402


def test_the_corpus_is_what_it_says():
    """At least 80 distinct forms, right and wrong, of every blank, each with its source."""
    assert len(FORMS) >= 80
    texts = ["".join(f["text"].split()) for f in FORMS]
    assert len(set(texts)) == len(texts)
    by_blank = collections.Counter((f["blank"], f["expect"]) for f in FORMS)
    for blank in range(1, 8):
        assert by_blank[(blank, "correct")] >= 5 and by_blank[(blank, "wrong")] >= 5, blank
    assert all(f["source"] for f in FORMS)


@pytest.mark.slow  # 234 forms, each at three points
@pytest.mark.parametrize("form", FORMS, ids=lambda f: f"blank{f['blank']}-{f['expect']}")
def test_every_right_form_is_accepted_and_every_wrong_one_is_not(form):
    result = check_blank(form["blank"], form["text"], Context.new())
    assert not result.internal, result.message
    if form["expect"] == "correct":
        assert result.status == "correct", result.message
    elif form["expect"] == "rejected":
        assert result.status == "rejected", result.message
    else:
        assert result.status in ("wrong", "rejected"), result.message
