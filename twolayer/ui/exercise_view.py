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

from ..exercise import BLANKS, FileShapeError, Program, as_file, extract, share, text_of
from ..exercise.checks import ATTEMPT_SECONDS, BlankResult, check_attempt_task
from ..exercise.evaluator import MAX_TEXT
from ..exercise.files import MAX_BYTES
from ..exercise.points import POINTS
from ..exercise.runs import SHOWN_LINES, Curve, curves_task
from ..exercise.skeleton import CELLS, translate
from ..i18n import _
from . import options as page_options
from .compute import cached

ANSWERS = {blank.number: blank.answer for blank in BLANKS}
CELL_TITLES = {1: "Method 1 · backpropagation by hand (numpy, float64)",
               2: "Method 2 · autograd (PyTorch, float32 as the assignment sets it)"}
COMMENTS = {"english": "English", "chinese": "中文 (the assignment's own)"}


def _link_text(text: str) -> str:
    share.decode(text)  # a ValueError says what is wrong with it
    return text


OPTIONS = (  # the page's own options, in its URL beside the configuration
    page_options.Option("comments", "english", tuple(COMMENTS)),
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
            raise FileShapeError(f"it is over {MAX_BYTES // 2**20} MB: not an assignment")
        blanks = extract(text_of(raw, upload.name.endswith(".ipynb")))
    except FileShapeError as error:
        st.session_state["exercise_error"] = (f"{upload.name} can't be checked: {error}. "
                                              "Upload your completed assignment, .py or "
                                              ".ipynb: its blanks are found after their "
                                              "`# TODO` markers, or between the "
                                              "assignment's own lines.")
        return
    st.session_state["blank_areas"] = st.session_state.get("blank_areas", 0) + 1  # new areas
    _keep(blanks)


# --- Checks and runs, from the server's cache --------------------------------------------


def results() -> list[BlankResult] | None:
    """The checks of the current attempt, if Check was pressed for it."""
    blanks = attempt()
    if st.session_state.get("checked") != digest(blanks):
        return None
    return cached(("exercise check", digest(blanks)), lambda: check_attempt_task(blanks),
                  "Checking your blanks")


def curves(blanks: dict[int, str]) -> dict[int, Curve]:
    """Both cells run with these blanks, 500 iterations each: a Curve per cell."""
    return cached(("exercise run", digest(blanks)), lambda: curves_task(Program.of(blanks)),
                  "Running both cells, 500 iterations each")


# --- Drawing -----------------------------------------------------------------------------


def controls(header: str = "") -> bool:
    """The comments' language, an upload, a download (header: comment lines put first in
    it); True for English comments."""
    language, upload, download = st.columns([1.2, 1.6, 1])
    comments = page_options.radio("comments", "Comments in the code", tuple(COMMENTS),
                                  COMMENTS.get, container=language)
    upload.file_uploader("Check a file: your completed assignment (.py or .ipynb)",
                         type=["py", "ipynb"], key="w_exercise_file", on_change=_uploaded,
                         max_upload_size=MAX_BYTES // 2**20,
                         help="Read, never run: its blanks are found after the seven "
                              "`# TODO` markers (or, without them, between the "
                              "assignment's own lines) and checked like the ones typed "
                              "here.")
    english = comments == "english"
    download.download_button("Download as .py", as_file(attempt(), english, header),
                             "assignment.py",
                             "text/x-python", on_click="ignore", width="stretch",
                             help="The assignment with your blanks filled in: the file a "
                                  "teacher grades with `python -m twolayer grade`.")
    if "exercise_error" in st.session_state:
        st.error(st.session_state.pop("exercise_error"))
    return english


def link_note() -> None:
    """Whether the address bar carries the attempt, and what to do when it is too long."""
    length = st.session_state.get("link_length")
    if not length:  # nothing checked yet in this session, or nothing written
        return
    if length <= share.MAX_LINK:
        st.caption("The address bar now carries your blanks: copy it to share this attempt.")
    else:
        st.warning(f"Your blanks are too long for a link ({length:,} characters packed, at "
                   f"most {share.MAX_LINK:,}): the address bar leaves them out. Share them "
                   "with “Download as .py” instead.")


def score(checked: list[BlankResult] | None) -> None:
    if checked is None:
        st.info("Fill in the blanks and press **Check** (or upload a file). Each blank is "
                "checked on its own, with the assignment's values everywhere else.")
        return
    correct = sum(r.status == "correct" for r in checked)
    line = f"**{correct} of {len(checked)}** blanks correct."
    (st.success if correct == len(checked) else st.warning)(line)


def cells(english: bool, checked: list[BlankResult] | None) -> None:
    """Both cells, read-only code around the editable blanks, each with its verdict."""
    by_blank = {r.blank: r for r in checked or ()}
    st.html("<style>.stTextArea textarea {font-family: 'Source Code Pro', monospace;}</style>")
    for cell, segments in CELLS.items():
        st.subheader(CELL_TITLES[cell])
        code: list[str] = []
        for segment in segments:
            if segment.kind != "blank":
                code.append(translate(segment.text) if english else segment.text)
                continue
            _code(code)
            code = []
            _blank(BLANKS[segment.blank - 1], english, by_blank.get(segment.blank))
        _code(code)
    st.button("Check", type="primary", on_click=_submitted,
              help=f"Checks every blank (at most {ATTEMPT_SECONDS:g} s), then runs both "
                   "cells whole.")


def _code(texts: list[str]) -> None:
    text = "\n".join(texts).strip("\n")
    if text:
        st.code(text, language="python")


def _blank(blank, english: bool, result: BlankResult | None) -> None:
    heading = f"**Blank {blank.number}** · {blank.task}"
    if not english:
        heading += f" ({blank.task_zh.lstrip('# ')})"
    st.markdown(heading)
    lines = max(2, blank.answer.count("\n") + 2)
    st.text_area(f"Blank {blank.number}", drafts().get(blank.number, ""),
                 key=_key(blank.number), max_chars=MAX_TEXT, on_change=_drafted,
                 args=(blank.number,),
                 height=34 + 24 * lines, label_visibility="collapsed",
                 placeholder="Your lines (no indentation needed)")
    if result is not None:
        verdict(result)
    with st.expander("Show the answer"):
        st.code(blank.answer, language="python")
        st.caption("The assignment's own lines. Other forms pass too: a blank is judged by "
                   "what it computes.")


BADGES = {  # Streamlit's own icon font: drawn the same wherever the page is opened
    "correct": (st.success, ":material/check_circle:"),
    "wrong": (st.error, ":material/cancel:"),
    "rejected": (st.warning, ":material/block:"),
    "missing": (st.info, ":material/edit:"),
}


def badge(status: str, message: str) -> None:
    """A blank's status as a coloured box with its icon, and its message."""
    show, icon = BADGES[status]
    show(f"**{status}** — {message}", icon=icon)


def verdict(result: BlankResult) -> None:
    """The blank's badge and message, and each point's comparison on request."""
    badge(result.status, result.message)
    if result.note:
        st.caption(result.note)
    if result.points:
        with st.expander("Details: every point checked"):
            for point in result.points:
                _point(point)


def _point(point) -> None:
    st.markdown(f"**{point.label}** · {point.dtype}")
    if point.error:
        st.caption(f"Stopped: {point.error}")
        return
    st.table({
        "output": [c.name for c in point.comparisons],
        "shape (yours / expected)": [f"{_shape(c.shape)} / {_shape(c.expected_shape)}"
                                     for c in point.comparisons],
        "exactly equal": ["yes" if c.exact else "no" for c in point.comparisons],
        "within tolerance": ["yes" if c.close else "no" for c in point.comparisons],
        "largest difference": [f"{c.max_diff:.3g}" for c in point.comparisons],
        "tolerance": [c.tolerance for c in point.comparisons],
    })
    for c in point.comparisons:
        for index, yours, expected in c.wrong:
            st.caption(f"{c.name}{list(index) if index else ''}: yours {yours:.8g} vs "
                       f"expected {expected:.8g}")


def _shape(shape: tuple) -> str:
    if shape == ("missing",):
        return "missing"
    return "(" + ", ".join(str(d) for d in shape) + (",)" if len(shape) == 1 else ")")


def whole_run() -> None:
    """Both cells run whole with the student's blanks: loss curves over the answers', and
    the printed lines."""
    blanks = attempt()
    program = Program.of(blanks)
    if program.substituted:
        which = ", ".join(str(n) for n in sorted(program.substituted))
        st.caption(f"Blank(s) {which} ran the assignment's answer (empty or refused), so "
                   "that the rest could run.")
    yours, answers = curves(blanks), curves(ANSWERS)
    for cell, column in zip(CELLS, st.columns(len(CELLS)), strict=True):
        with column:
            _cell_run(cell, yours[cell], answers[cell])


def _cell_run(cell: int, yours: Curve, answers: Curve) -> None:
    from ..outputs import figures  # plotly loads once the whole run is asked for

    title = CELL_TITLES[cell].split(" (")[0]
    if yours.error:
        st.error(f"The run stopped at {yours.error}")
    bad = np.flatnonzero(~np.isfinite(yours.losses))
    if yours.lines == 0:
        st.warning("This cell printed nothing, so there is no curve: print the loss as "
                   "`print(t, loss)`.")
    elif bad.size:
        st.error(f"From t = {bad[0]} the printed loss is not a finite number (inf/NaN, or "
                 "not printed as print(t, loss)): the curve stops there.")
    if yours.lines:
        st.plotly_chart(figures.exercise_curve(title, yours.losses, answers.losses,
                                               figures.translated(_, figures.EXERCISE_CURVE)),
                        key=f"exercise_curve_{cell}")
        shown = [*yours.head, *(("...",) if yours.lines > len(yours.head) + len(yours.tail)
                                else ()), *yours.tail]
        st.caption(f"What it printed (the first {SHOWN_LINES} and last 2 of "
                   f"{yours.lines:,} lines):")
        st.code("\n".join(shown), language=None)


def points_text() -> str:
    """The points each blank is checked at, in words."""
    return "; ".join(f"{problem.n}×{problem.d_in} data, H={problem.hidden}, "
                     f"D_out={problem.d_out} at t = {t}" for problem, t in POINTS)
