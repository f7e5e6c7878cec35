"""Streamlit pieces of the Exercise page: the assignment's cells with editable blanks, the
checks and the whole run (from the server's cache), links, uploads and downloads.

The attempt (blank number -> text) lives in st.session_state["attempt"]: it changes when
Check is pressed or a file is uploaded, and the address bar carries it (a reload opens it
checked). What is typed and not yet checked lives in st.session_state["drafts"], written
as each text area changes: Streamlit forgets a widget's value when another page is shown,
so each area starts from its draft and nothing typed is lost on a page switch. An upload
renews the areas' keys, so that new areas start from the file's blanks.
"""

from __future__ import annotations

import hashlib
import json
import textwrap

import numpy as np
import streamlit as st

from .. import i18n
from ..exercise import BLANKS, FileShapeError, Program, as_file, extract, share, text_of
from ..exercise.checks import ATTEMPT_SECONDS, BlankResult, check_attempt_task, status_label
from ..exercise.evaluator import MAX_TEXT
from ..exercise.files import MAX_BYTES
from ..exercise.points import POINTS
from ..exercise.runs import SHOWN_LINES, Curve, curves_task
from ..exercise.skeleton import CELLS, translate
from ..i18n import N_, _
from . import options as page_options
from .compute import cached

ANSWERS = {blank.number: blank.answer for blank in BLANKS}
CELL_TITLES = {1: N_("Method 1 · backpropagation by hand (numpy, float64)"),
               2: N_("Method 2 · autograd (PyTorch, float32 as the assignment sets it)")}
CELL_NAMES = {1: N_("Method 1 · backpropagation by hand"),  # a chart's title: short
              2: N_("Method 2 · autograd")}
# Translators: the comments' languages; the second is the assignment's own Chinese
COMMENTS = {"english": N_("English"), "chinese": N_("中文 (the assignment's own)")}


def _link_text(text: str) -> str:
    share.decode(text)  # a ValueError says what is wrong with it
    return text


OPTIONS = (  # the page's own options, in its URL beside the configuration
    page_options.Option("comments", "english", tuple(COMMENTS),  # a Chinese visit: Chinese
                        by_language=(("zh", "chinese"),)),
    page_options.Option("attempt", "", reader=_link_text),
)


# --- The attempt -------------------------------------------------------------------------


def attempt() -> dict[int, str]:
    """The session's attempt; on a session's first visit, the one its link carries (and
    checked at once: a shared link shows what its sender saw)."""
    if "attempt" not in st.session_state:
        link = page_options.value("attempt")
        st.session_state["attempt"] = share.decode(link) if link else {}
        if link:
            st.session_state["checked"] = digest(st.session_state["attempt"])
    return st.session_state["attempt"]


def digest(blanks: dict[int, str]) -> str:
    """A small cache key for an attempt (its text can be 14,000 characters)."""
    text = json.dumps(sorted((n, t) for n, t in blanks.items() if t.strip()))
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def _keep(blanks: dict[int, str]) -> None:
    """A new attempt: stored, marked for checking, and put in the link if it fits."""
    st.session_state["attempt"] = blanks
    st.session_state["drafts"] = dict(blanks)
    st.session_state["checked"] = digest(blanks)
    encoded = share.encode(blanks)
    fits = share.fits_link(encoded)
    page_options.set_value("attempt", encoded if fits else "")
    st.session_state["link_length"] = len(encoded)


def _submitted() -> None:
    """Check pressed: the text areas become the attempt (dedented: indenting is not asked)."""
    _keep({blank.number: textwrap.dedent(st.session_state.get(_key(blank.number), "")).strip()
           for blank in BLANKS})


def _key(number: int) -> str:
    return f"w_blank_{number}_{st.session_state.get('blank_areas', 0)}"


def drafts() -> dict[int, str]:
    """What the text areas hold: the attempt, then whatever was typed since."""
    if "drafts" not in st.session_state:
        st.session_state["drafts"] = dict(attempt())
    return st.session_state["drafts"]


def _drafted(number: int) -> None:
    """A text area changed: its text kept, for when the area is drawn again."""
    drafts()[number] = st.session_state.get(_key(number), "")


def _uploaded() -> None:
    """A file arrived: its blanks become the attempt (the text areas show them), checked."""
    upload = st.session_state.get("w_exercise_file")
    if upload is None:
        return
    raw = upload.getvalue()
    try:
        if len(raw) > MAX_BYTES:
            raise FileShapeError(_("it is over {mb} MB: not an assignment",
                                   mb=MAX_BYTES // 2**20))
        blanks = extract(text_of(raw, upload.name.endswith(".ipynb")))
    except FileShapeError as error:
        st.session_state["exercise_error"] = _(
            "{name} can't be checked: {error}. Upload your completed assignment, .py or "
            ".ipynb: its blanks are found after their `# TODO` markers, or between the "
            "assignment's own lines.", name=upload.name, error=error)
        return
    st.session_state["blank_areas"] = st.session_state.get("blank_areas", 0) + 1  # new areas
    _keep(blanks)


# --- Checks and runs, from the server's cache --------------------------------------------


def results() -> list[BlankResult] | None:
    """The checks of the current attempt, if Check was pressed for it."""
    blanks = attempt()
    if st.session_state.get("checked") != digest(blanks):
        return None
    return cached(("exercise check", i18n.current(), digest(blanks)),  # messages: in words
                  lambda: check_attempt_task(blanks), _("Checking your blanks"))


def curves(blanks: dict[int, str]) -> dict[int, Curve]:
    """Both cells run with these blanks, 500 iterations each: a Curve per cell."""
    return cached(("exercise run", i18n.current(), digest(blanks)),
                  lambda: curves_task(Program.of(blanks)),
                  _("Running both cells, 500 iterations each"))


# --- Drawing -----------------------------------------------------------------------------


def controls(header: str = "") -> bool:
    """The comments' language, an upload, a download (header: comment lines put first in
    it); True for English comments."""
    language, upload, download = st.columns([1.2, 1.6, 1])
    comments = page_options.radio("comments", _("Comments in the code"), tuple(COMMENTS),
                                  {k: _(v) for k, v in COMMENTS.items()}.get,
                                  container=language)
    upload.file_uploader(_("Check a file: your completed assignment (.py or .ipynb)"),
                         type=["py", "ipynb"], key="w_exercise_file", on_change=_uploaded,
                         max_upload_size=MAX_BYTES // 2**20,
                         help=_("Read, never run: its blanks are found after the seven "
                                "`# TODO` markers (or, without them, between the "
                                "assignment's own lines) and checked like the ones typed "
                                "here."))
    english = comments == "english"
    download.download_button(_("Download as .py"), as_file(attempt(), english, header),
                             "assignment.py",
                             "text/x-python", on_click="ignore", width="stretch",
                             help=_("The assignment with your blanks filled in: the file a "
                                    "teacher grades with `python -m twolayer grade`."))
    if "exercise_error" in st.session_state:
        st.error(st.session_state.pop("exercise_error"))
    return english


def link_note() -> None:
    """Whether the address bar carries the attempt, and what to do when it is too long."""
    length = st.session_state.get("link_length")
    if not length:  # nothing checked yet in this session, or nothing written
        return
    if length <= share.MAX_LINK:
        st.caption(_("The address bar now carries your blanks: copy it to share this "
                     "attempt."))
    else:
        st.warning(_("Your blanks are too long for a link ({length:,} characters packed, at "
                     "most {limit:,}): the address bar leaves them out. Share them with "
                     "“Download as .py” instead.", length=length, limit=share.MAX_LINK))


def score(checked: list[BlankResult] | None) -> None:
    if checked is None:
        st.info(_("Fill in the blanks and press **Check** (or upload a file). Each blank is "
                  "checked on its own, with the assignment's values everywhere else."))
        return
    correct = sum(r.status == "correct" for r in checked)
    line = _("**{correct} of {total}** blanks correct.", correct=correct, total=len(checked))
    (st.success if correct == len(checked) else st.warning)(line)


def cells(english: bool, checked: list[BlankResult] | None) -> None:
    """Both cells, read-only code around the editable blanks, each with its verdict."""
    by_blank = {r.blank: r for r in checked or ()}
    st.html('<style>.stTextArea textarea {font-family: "Source Code Pro",monospace;}</style>')
    for cell, segments in CELLS.items():
        st.subheader(_(CELL_TITLES[cell]))
        code: list[str] = []
        for segment in segments:
            if segment.kind != "blank":
                code.append(translate(segment.text) if english else segment.text)
                continue
            _code(code)
            code = []
            _blank(BLANKS[segment.blank - 1], english, by_blank.get(segment.blank))
        _code(code)
    st.button(_("Check"), type="primary", on_click=_submitted,
              help=_("Checks every blank (at most {seconds:g} s), then runs both cells "
                     "whole.", seconds=ATTEMPT_SECONDS))


def _code(texts: list[str]) -> None:
    text = "\n".join(texts).strip("\n")
    if text:
        st.code(text, language="python")


def _blank(blank, english: bool, result: BlankResult | None) -> None:
    st.markdown(heading(blank, english))
    lines = max(2, blank.answer.count("\n") + 2)
    st.text_area(_("Blank {number}", number=blank.number), drafts().get(blank.number, ""),
                 key=_key(blank.number), max_chars=MAX_TEXT, on_change=_drafted,
                 args=(blank.number,),
                 height=34 + 24 * lines, label_visibility="collapsed",
                 placeholder=_("Your lines (no indentation needed)"))
    if result is not None:
        verdict(result)
    with st.expander(_("Show the answer")):
        st.code(blank.answer, language="python")
        st.caption(_("The assignment's own lines. Other forms pass too: a blank is judged by "
                     "what it computes."))


def heading(blank, english: bool = True) -> str:
    """A blank's heading: its number and task; with the Chinese comments, the
    assignment's own heading too, unless the task is already shown in Chinese."""
    task = _(blank.task)
    text = _("**Blank {number}** · {task}", number=blank.number, task=task)
    if not english and task == blank.task:  # English, or not yet translated
        text += f" ({blank.task_zh.lstrip('# ')})"
    return text


BADGES = {  # Streamlit's own icon font: drawn the same wherever the page is opened
    "correct": (st.success, ":material/check_circle:"),
    "wrong": (st.error, ":material/cancel:"),
    "rejected": (st.warning, ":material/block:"),
    "missing": (st.info, ":material/edit:"),
}


def badge(status: str, message: str) -> None:
    """A blank's status as a coloured box with its icon, and its message."""
    show, icon = BADGES[status]
    show(f"**{status_label(status)}** — {message}", icon=icon)


def verdict(result: BlankResult) -> None:
    """The blank's badge and message, and each point's comparison on request."""
    badge(result.status, result.message)
    if result.note:
        st.caption(result.note)
    if result.points:
        with st.expander(_("Details: every point checked")):
            for point in result.points:
                _point(point)


def _point(point) -> None:
    st.markdown(f"**{point.label}** · {point.dtype}")
    if point.error:
        st.caption(_("Stopped: {error}", error=point.error))
        return
    yes, no = _("yes"), _("no")
    st.table({
        _("output"): [_(c.name) for c in point.comparisons],
        _("shape (yours / expected)"): [f"{_shape(c.shape)} / {_shape(c.expected_shape)}"
                                        for c in point.comparisons],
        _("exactly equal"): [yes if c.exact else no for c in point.comparisons],
        _("within tolerance"): [yes if c.close else no for c in point.comparisons],
        _("largest difference"): [f"{c.max_diff:.3g}" for c in point.comparisons],
        _("tolerance"): [c.tolerance for c in point.comparisons],
    })
    for c in point.comparisons:
        for index, yours, expected in c.wrong:
            st.caption(_("{name}{index}: yours {yours:.8g} vs expected {expected:.8g}",
                         name=_(c.name), index=list(index) if index else "", yours=yours,
                         expected=expected))


def _shape(shape: tuple) -> str:
    if shape == ("missing",):
        return _("missing")
    return "(" + ", ".join(str(d) for d in shape) + (",)" if len(shape) == 1 else ")")


def whole_run() -> None:
    """Both cells run whole with the student's blanks: loss curves over the answers', and
    the printed lines."""
    blanks = attempt()
    program = Program.of(blanks)
    if program.substituted:
        which = ", ".join(str(n) for n in sorted(program.substituted))
        st.caption(_("Blank(s) {which} ran the assignment's answer (empty or refused), so "
                     "that the rest could run.", which=which))
    yours, answers = curves(blanks), curves(ANSWERS)
    for cell, column in zip(CELLS, st.columns(len(CELLS)), strict=True):
        with column:
            _cell_run(cell, yours[cell], answers[cell])


def _cell_run(cell: int, yours: Curve, answers: Curve) -> None:
    from ..outputs import figures  # plotly loads once the whole run is asked for

    title = _(CELL_NAMES[cell])
    if yours.error:
        st.error(_("The run stopped at {error}", error=yours.error))
    bad = np.flatnonzero(~np.isfinite(yours.losses))
    if yours.lines == 0:
        st.warning(_("This cell printed nothing, so there is no curve: print the loss as "
                     "`print(t, loss)`."))
    elif bad.size:
        st.error(_("From t = {t} the printed loss is not a finite number (inf/NaN, or not "
                   "printed as print(t, loss)): the curve stops there.", t=bad[0]))
    if yours.lines:
        st.plotly_chart(figures.exercise_curve(title, yours.losses, answers.losses,
                                               figures.translated(_, figures.EXERCISE_CURVE)),
                        key=f"exercise_curve_{cell}")
        shown = [*yours.head, *(("...",) if yours.lines > len(yours.head) + len(yours.tail)
                                else ()), *yours.tail]
        st.caption(_("What it printed (the first {first} and last 2 of {lines:,} lines):",
                     first=SHOWN_LINES, lines=yours.lines))
        st.code("\n".join(shown), language=None)


def points_text() -> str:
    """The points each blank is checked at, in words."""
    # Translators: between the points of a list ("64×1000 data, …; 5×7 data, …")
    separator = _("; ")
    return separator.join(_("{n}×{d_in} data, H={hidden}, D_out={d_out} at t = {t}",
                            n=problem.n, d_in=problem.d_in, hidden=problem.hidden,
                            d_out=problem.d_out, t=t) for problem, t in POINTS)
