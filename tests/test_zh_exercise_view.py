"""The Exercise page's code comments follow the visit's language unless chosen."""

import pytest
from apphelpers import open_page

ENGLISH = "# Forward pass: compute the predicted y"
CHINESE = "# 前向传播：计算输出值 y"  # the assignment's own comment


def comments(at) -> str:
    """Which comments the assignment's cells show."""
    code = "\n".join(c.value for c in at.code)
    assert (ENGLISH in code) != (CHINESE in code)
    return "english" if ENGLISH in code else "chinese"


@pytest.mark.parametrize(("query", "expected"), [
    ({"lang": "zh"}, "chinese"),  # a Chinese visit: the assignment's own comments
    ({"lang": "zh", "comments": "english"}, "english"),  # the link's own choice wins
    ({"lang": "en"}, "english"),
    ({"lang": "en", "comments": "chinese"}, "chinese"),
])
def test_the_comments_follow_the_language_unless_the_link_chooses(query, expected):
    at = open_page("Exercise", **query)
    assert not at.exception
    assert comments(at) == expected
    [radio] = [r for r in at.radio if r.key == "w_opt_comments"]
    assert radio.value == expected


def test_a_default_that_follows_the_language_stays_out_of_the_link():
    at = open_page("Exercise", lang="zh")
    assert "comments" not in at.query_params
    at = open_page("Exercise", lang="zh", comments="english")
    assert at.query_params["comments"] == "english"


def test_a_visitor_s_choice_wins_over_the_language():
    at = open_page("Exercise", lang="zh")
    [radio] = [r for r in at.radio if r.key == "w_opt_comments"]
    at = radio.set_value("english").run()
    assert not at.exception and comments(at) == "english"
    assert at.query_params["comments"] == "english"  # a chosen value: in the link
    at.switch_page("pages/3_Autograd.py").run()
    at.switch_page("pages/5_Exercise.py").run()
    assert comments(at) == "english"


def test_the_comment_options_read_naturally_in_each_language():
    [zh] = [r for r in open_page("Exercise", lang="zh").radio if r.key == "w_opt_comments"]
    [en] = [r for r in open_page("Exercise", lang="en").radio if r.key == "w_opt_comments"]
    assert en.options == ["English", "中文 (the assignment's own)"]
    assert zh.options == ["英文", "中文（原作业的注释）"]
