"""Question 1 on the Exercise page (AppTest), its files, its link and `grade --graph`."""

import xml.etree.ElementTree as ET

import pytest
from apphelpers import open_page

from twolayer.cli import main
from twolayer.exercise import extract
from twolayer.question import REFERENCE, check, parse, read, share, to_dot, to_svg, to_text
from twolayer.question.reference import TEXT
from twolayer.ui import question_view

SWAPPED = TEXT.replace("h_relu @ w2", "w2 @ h_relu")


def graph_area(at):
    [area] = [t for t in at.text_area if t.label == "Your graph"]
    return area


def badges(at, status: str) -> list[str]:
    found = at.success if status == "correct" else at.error
    return [b.value for b in found if b.value.startswith(f"**{status}** — ")]


def test_a_first_visit_shows_the_starter_and_no_verdict():
    at = open_page("Exercise")
    assert not at.exception and graph_area(at).value == question_view.STARTER
    assert badges(at, "wrong") == [] and badges(at, "correct") == []
    assert "drawn and checked as you go" in " ".join(c.value for c in at.caption)


def test_the_assignments_graph_typed_is_drawn_checked_and_its_backward_pass_shown():
    at = open_page("Exercise")
    graph_area(at).set_value(TEXT).run()
    assert not at.exception
    assert len(badges(at, "correct")) == 1 and badges(at, "wrong") == []
    forward, back = at.get("graphviz_chart")
    assert "relu" in forward.proto.spec and "grad_w1 = x.T @ grad_h" in back.proto.spec
    assert share.decode(at.query_params["graph"]) == TEXT  # the address bar carries it


def test_swapped_operands_are_named_and_drawn_in_red():
    at = open_page("Exercise")
    graph_area(at).set_value(SWAPPED).run()
    [wrong] = badges(at, "wrong")
    assert "do not chain in this order" in wrong and "h_relu @ w2" not in wrong
    assert "#c0392b" in at.get("graphviz_chart")[0].proto.spec  # the product, in red


def test_a_link_carrying_a_graph_opens_it_checked():
    at = open_page("Exercise", graph=share.encode(SWAPPED))
    assert graph_area(at).value == SWAPPED and len(badges(at, "wrong")) == 1


@pytest.mark.parametrize(("link", "words"), [
    ("x" * 2000, "over 1500 characters"),
    ("!!!", "not one this page wrote"),
    (share.encode("a") [:-2] + "@@", "not one this page wrote"),
])
def test_a_bad_graph_link_is_ignored_with_a_warning(link, words):
    at = open_page("Exercise", graph=link)
    assert not at.exception and graph_area(at).value == question_view.STARTER
    assert any(words in w.value for w in at.warning)


def test_a_dot_file_uploaded_becomes_the_graph_and_a_broken_one_says_its_line():
    at = open_page("Exercise")
    at.file_uploader(key="w_graph_dot").set_value(("mine.dot", to_dot(REFERENCE).encode(),
                                                    "text/vnd.graphviz")).run()
    assert parse(graph_area(at).value) == parse(to_text(REFERENCE))
    assert len(badges(at, "correct")) == 1
    at.file_uploader(key="w_graph_dot").set_value(("bad.dot", b"digraph {\n a -> ",
                                                    "text/vnd.graphviz")).run()
    assert any(e.value.startswith("bad.dot can't be read: line") for e in at.error)


def test_the_table_edits_the_same_graph():
    at = open_page("Exercise")
    graph_area(at).set_value(TEXT).run()
    at.radio(key="w_graph_mode").set_value("table").run()
    assert not at.exception and len(badges(at, "correct")) == 1


def test_an_unreadable_graph_says_why_and_nothing_crashes():
    at = open_page("Exercise")
    graph_area(at).set_value("h = relu(x @ w1) : N×H").run()
    assert not at.exception
    assert any("one operation a line" in e.value for e in at.error)


def test_the_downloaded_py_carries_the_graph_and_still_grades():
    from twolayer.exercise import BLANKS, as_file

    answers = {b.number: b.answer for b in BLANKS}
    header = "\n".join(f"# {line}" for line in TEXT.splitlines()) + "\n"
    text = as_file(answers, header=header)
    assert text.startswith("# x : N×D_in\n") and extract(text) == answers


def test_the_svg_download_is_well_formed_and_names_every_node():
    svg = ET.fromstring(to_svg(REFERENCE))
    texts = {t.text for t in svg.iter("{http://www.w3.org/2000/svg}text")}
    assert {n.name for n in REFERENCE.nodes} <= texts and "matmul" in texts


@pytest.mark.parametrize("text", [TEXT, "x : 64×1000\n" * 3, "名 : N\n"])
def test_a_graph_link_round_trips(text):
    assert share.decode(share.encode(text)) == text


def test_a_link_that_inflates_past_the_notation_s_limit_is_refused():
    import base64
    import zlib

    bomb = base64.urlsafe_b64encode(zlib.compress(b"x" * 10_000_000, 9)).decode()
    with pytest.raises(ValueError, match="over|inflates"):
        share.decode(bomb.rstrip("="))


def test_grade_graph_exits_0_right_1_wrong_2_unreadable(tmp_path, capsys):
    right, wrong, bad = tmp_path / "right.dot", tmp_path / "wrong.txt", tmp_path / "bad.dot"
    right.write_text(to_dot(REFERENCE))
    wrong.write_text(SWAPPED)
    bad.write_text("digraph {\n  a -> ")
    assert main(["grade", "--graph", str(right)]) == 0
    assert capsys.readouterr().out == f"{right}: correct: the assignment's graph\n"
    assert main(["grade", "--graph", str(wrong)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[0] == f"{wrong}: not the assignment's graph"
    assert out[1].startswith("  swapped_operands: ")
    assert check(read(right.read_text())).correct
    assert main(["grade", "--graph", str(bad)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and f"{bad}: line" in err
    huge = tmp_path / "huge.dot"
    huge.write_text("digraph {\n" + "a -> b;\n" * 40_000 + "}")
    assert main(["grade", "--graph", str(huge)]) == 2
    assert "larger than 200 KB" in capsys.readouterr().err
