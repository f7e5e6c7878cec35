"""Chinese as well as English: the catalog complete and current, every page in each language
alone, and a visitor's choice held from page to page and in links."""

import io
import pathlib
import re
import string

import pytest
from apphelpers import PAGE_FILES, open_page
from babel.messages import pofile
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from test_question_app import SWAPPED
from textscan import chinese, english_runs

from twolayer import i18n
from twolayer.exercise import BLANKS, share
from twolayer.i18n import catalogs
from twolayer.question import share as graph_share

ROOT = pathlib.Path(__file__).resolve().parents[1]
PO = catalogs.po_path("zh")
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2)}
# Translations that are the English on purpose: names and notation the course keeps as
# they are (docs/glossary.md, "Kept as they are")
KEPT = {"dtype", "ReLU", "numpy", "PyTorch", "NaN", "CSV", "SVG", "DOT", "JSON", "float32",
        "float64"}


def read_po() -> Catalog:
    with open(PO, "rb") as handle:
        return pofile.read_po(handle)


def extracted() -> Catalog:
    """Every message the code marks, as `pybabel extract` finds them (docs/translation.md)."""
    template = Catalog(locale="zh")
    sources = [(ROOT / "twolayer", "**.py"), (ROOT / "pages", "**.py"),
               (ROOT, "streamlit_app.py")]
    for folder, pattern in sources:
        for _file, _line, message, comments, _context in extract_from_dir(
                str(folder), method_map=[(pattern, "python")], keywords=KEYWORDS,
                comment_tags=("Translators:",)):
            template.add(message, auto_comments=comments)
    return template


def entries(catalog: Catalog) -> list:
    return [message for message in catalog if message.id]


def test_every_marked_message_has_a_chinese_translation_none_fuzzy_none_obsolete():
    po, marked = read_po(), extracted()
    ids = {m.id if isinstance(m.id, str) else m.id[0] for m in entries(po)}
    wanted = {m.id if isinstance(m.id, str) else m.id[0] for m in entries(marked)}
    assert len(wanted) > 500  # the whole app is marked, not a corner of it
    assert sorted(wanted - ids) == [] and sorted(ids - wanted) == []
    assert [m.id for m in entries(po) if m.fuzzy] == []
    empty = [m.id for m in entries(po)
             if not all(m.string if isinstance(m.string, tuple) else (m.string,))]
    assert empty == []
    assert list(po.obsolete) == []


def test_the_po_is_what_pybabel_extract_and_update_write():
    po = read_po()
    po.update(extracted(), no_fuzzy_matching=True)
    out = io.BytesIO()
    pofile.write_po(out, po, sort_output=True, no_location=True, width=0, ignore_obsolete=True)
    stamp = re.compile(rb'"POT-Creation-Date: [^"]*"\n')
    assert stamp.sub(b"", out.getvalue()) == stamp.sub(b"", PO.read_bytes())


def test_no_translation_is_left_equal_to_its_english_but_the_kept_terms():
    same = [m.id for m in entries(read_po()) if isinstance(m.id, str) and m.string == m.id]
    assert [text for text in same if text not in KEPT] == []


def fields(text: str) -> set[str]:
    return {name for _lit, name, _spec, _conv in string.Formatter().parse(text) if name}


def test_every_translation_keeps_its_placeholders():
    for message in entries(read_po()):
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        wanted = fields(ids[-1]) | {"count"} if len(ids) > 1 else fields(ids[0])
        for text in strings:
            assert fields(text) <= wanted | {"count"} and fields(ids[0]) <= fields(text) | {
                "count"}, message.id


def test_the_compiled_catalog_gives_every_translation_of_the_po():
    zh = catalogs.catalog("zh")
    for message in entries(read_po()):
        if isinstance(message.id, str):
            assert zh.gettext(message.id) == message.string
        else:
            assert zh.ngettext(*message.id, 2) == message.string[0]


def test_a_chinese_text_is_chinese_and_the_same_text_in_english_is_unchanged():
    with i18n.language("zh"):
        zh = i18n._("manual backprop at t = {t}", t=499)
    assert re.search(r"[\u4e00-\u9fff]", zh) and "499" in zh
    assert i18n._("manual backprop at t = {t}", t=499) == "manual backprop at t = 499"


# The only Chinese an English page shows: the language switch, and the name of the
# Exercise page's Chinese comments (each language named in itself)
SWITCH = ("Language · 语言", "中文 (the assignment's own)", "中文")

# What a page shows in Chinese: the pages as they open, the Exercise page with an attempt
# of every status and a graph with findings, the Grade page with a class graded.
ANSWERS = {b.number: b.answer for b in BLANKS}
NO_MASK = "grad_h = grad_y_pred @ w2.T\ngrad_w1 = x.T @ grad_h"
ESCAPE = "y_pred = ().__class__.__bases__[0].__subclasses__()"
ATTEMPT = share.encode(ANSWERS | {2: NO_MASK, 5: ESCAPE, 6: ""})
VIEWS = {name: (name, {}) for name in PAGE_FILES}
VIEWS |= {
    "Exercise checked": ("Exercise", {"attempt": ATTEMPT, "graph": graph_share.encode(SWAPPED)}),
    "Comparison agree": ("Comparison", {"tab": "agree"}),
    "Comparison live": ("Comparison", {"tab": "live"}),
    "Comparison teacher": ("Comparison", {"data": "teacher", "iterations": 30}),
    "Comparison diverged": ("Comparison", {"loss": "mean", "learning_rate": 1,
                                           "iterations": 30}),
    "Graph sine, a line followed": ("Computational Graph", {"data": "sine", "iterations": 30,
                                                            "line": "grad_w1"}),
}


@pytest.fixture(autouse=True)
def fresh_cache():
    """Each view computed in its own language: nothing served from another test's cache."""
    import streamlit as st

    from twolayer.ui import compute

    st.cache_data.clear()
    if compute.STORE is not None:
        compute.STORE.clear()


def shown(view: str, lang: str):
    """The view opened in lang, run without an exception."""
    page, query = VIEWS[view]
    at = open_page(page, lang=lang, **query)
    assert not at.exception
    return at


@pytest.mark.slow
@pytest.mark.parametrize("view", VIEWS)
def test_each_page_in_chinese_has_no_run_of_english_words(view):
    at = shown(view, "zh")
    assert english_runs(at) == []
    assert at.title[0].value in chinese(at)  # and it is Chinese, not empty


@pytest.mark.slow
def test_the_graph_state_is_cached_per_language():
    # autograd's node labels are made inside the cached graph state: a Chinese visitor after
    # an English one must not get the English labels from the server's cache, nor the reverse
    def autograd_spec(lang):
        at = open_page("Computational Graph", lang=lang, iterations=20)
        assert not at.exception
        return at.get("graphviz_chart")[1].proto.spec

    assert "receives ‖·‖=" in autograd_spec("en")
    zh = autograd_spec("zh")
    assert "收到 ‖·‖=" in zh and "receives" not in zh
    assert "receives ‖·‖=" in autograd_spec("en")


@pytest.mark.slow
@pytest.mark.parametrize("view", VIEWS)
def test_each_page_in_english_has_no_chinese_but_the_language_switch(view):
    found = [text for text in chinese(shown(view, "en")) if text not in SWITCH]
    assert found == []


@pytest.mark.slow
def test_the_grade_page_in_chinese_with_a_class_graded():
    from classfiles import make_class, zipped
    from test_grade_app import upload

    files = make_class(3, seed=7) + [("class/mallory/homework.ipynb", b"not json")]
    at = upload(open_page("Grade", lang="zh"), [("class.zip", zipped(files))])
    assert not at.exception and at.get("plotly_chart")
    assert english_runs(at) == []


@pytest.mark.slow
@pytest.mark.parametrize("locale, lang", [("zh-CN", "zh"), ("zh-TW", "zh"), ("zh", "zh"),
                                          ("en-US", "en"), ("fr-FR", "en"), (None, "en")])
def test_a_browser_in_chinese_gets_chinese_and_any_other_gets_english(locale, lang):
    at = open_page("Comparison", configure=False, locale=locale)
    assert not at.exception and at.session_state["lang"] == lang
    texts = [text for text in chinese(at) if text not in SWITCH]
    assert at.title[0].value in texts if lang == "zh" else texts == []
    assert "lang" not in at.query_params  # the browser's own: not put in links


@pytest.mark.slow
def test_the_address_wins_over_the_browser():
    at = open_page("Comparison", configure=False, locale="zh-CN", lang="en")
    assert at.session_state["lang"] == "en" and at.query_params["lang"] == "en"


@pytest.mark.slow
def test_a_language_switched_on_one_page_holds_on_the_next_and_in_its_links():
    at = open_page("Comparison")
    assert at.session_state["lang"] == "en" and "lang" not in at.query_params
    at.segmented_control(key="w_lang").set_value("zh").run()
    assert at.query_params["lang"] == "zh"  # the address bar, a share link, says it
    links = [link.proto for link in at.get("page_link")]
    assert links and all("lang=zh" in link.query_string for link in links)
    at.switch_page(PAGE_FILES["Lock-step"]).run()
    assert not at.exception and at.session_state["lang"] == "zh"
    assert english_runs(at) == [] and at.query_params["lang"] == "zh"
    at.segmented_control(key="w_lang").set_value("en").run()
    assert at.query_params["lang"] == "en"
    assert all(text in SWITCH for text in chinese(at))
