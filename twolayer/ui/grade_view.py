"""Streamlit pieces of the Grade page: a class's files uploaded, graded in slices, and the
class at a glance, the table, similar submissions and the downloads.

Uploads live in the uploader (Streamlit keeps them in this session's memory only); the
grades in st.session_state["grades"], one per file as it is graded, keyed on the
upload's id, so a rerun (a row chosen, a box ticked) or a grading stopped halfway never
grades a file twice. Nothing uploaded is written to disk or shown to another visitor.
"""

from __future__ import annotations

import streamlit as st

from ..exercise import BLANKS
from ..exercise.checks import status_label
from ..exercise.grade import STEPS, FileGrade
from ..grading import gradebook, similar, submissions
from ..grading.batch import grade_task
from ..i18n import _
from ..outputs import figures
from ..tasks import shifted
from .compute import Progress, run
from .exercise_view import badge, heading

UPLOAD_MB = 50  # a class's zip; each .py or .ipynb is bounded by the checker's 5 MB


def uploads():
    """The uploaded files, as (name, bytes) pairs and their upload ids; None when nothing
    is uploaded, or too much."""
    files = st.file_uploader(
        _("Students' files: .py, .ipynb, or a .zip of them (a folder per student is fine)"),
        type=["py", "ipynb", "zip"], accept_multiple_files=True, max_upload_size=UPLOAD_MB,
        key=f"w_grade_files_{st.session_state.get('grade_uploader', 0)}",
        help=_("Read, never run: each file's blanks are checked as the Exercise page checks "
               "them."))
    if not files:
        return None
    total = sum(f.size for f in files)
    if total > UPLOAD_MB * 2**20:
        st.session_state["grade_uploader"] = st.session_state.get("grade_uploader", 0) + 1
        st.error(_("These files hold {mb:.0f} MB together; at most {limit} MB are graded "
                   "at once. Grade the class in parts, or zip the files.",
                   mb=total / 2**20, limit=UPLOAD_MB))
        return None
    return [(f.name, f.getvalue()) for f in files], tuple(f.file_id for f in files)


def grades(found: list[tuple[str, bytes]], ids: tuple[str, ...]) -> list[FileGrade]:
    """Every file's grade: those graded before in this session kept, the rest graded now."""
    done = st.session_state.setdefault("grades", {})
    finished = st.session_state.get("graded")
    if finished and finished[0] == ids:  # graded already: the zips are not read again
        return [done[k] for k in finished[1]]
    batch = submissions.from_uploads(found)
    keys = [(ids, s.source, s.student) for s in batch]
    for key in list(done):
        if key[0] != ids:  # another upload's grades: dropped with it
            del done[key]
    todo = [(k, s) for k, s in zip(keys, batch, strict=True) if k not in done]
    if todo:
        progress = Progress(_("Grading"), steps=_files_done)
        run(_grading(todo, done, len(batch) - len(todo), len(batch)), _("Grading"), progress)
    st.session_state["graded"] = (ids, keys)
    return [done[k] for k in keys]


def _files_done(done: int, total: int) -> str:
    count = total // STEPS
    return _("file {k:,} of {count:,}", k=min(done // STEPS + 1, count), count=count)


def _grading(todo, done: dict, first: int, count: int):
    """The files not yet graded, each kept as soon as it is."""
    for k, (key, submission) in enumerate(todo):
        done[key] = yield from shifted(grade_task(submission), (first + k) * STEPS,
                                       count * STEPS)


def overview(found: list[FileGrade]) -> None:
    """How many files were graded, the mean score, and why each other file was not."""
    graded = [g for g in found if g.graded]
    left, middle, right = st.columns(3)
    left.metric(_("Files graded"), _("{graded} of {total}", graded=len(graded),
                                     total=len(found)))
    if graded:
        mean = sum(g.score for g in graded) / len(graded)
        middle.metric(_("Mean score"), _("{mean:.1f} of {total}", mean=mean,
                                         total=len(BLANKS)))
        right.metric(_("All blanks correct"), sum(g.score == len(BLANKS) for g in graded))
    for grade in found:
        if not grade.graded:
            st.warning(_("**{student}** ({path}): not graded: {error}", student=grade.student,
                         path=grade.path, error=grade.error), icon=":material/block:")


def charts(found: list[FileGrade]) -> None:
    """Per blank, the share of each status; the scores' distribution."""
    counts, shares = gradebook.status_shares(found)
    left, right = st.columns([3, 2])
    left.plotly_chart(figures.blank_statuses(
        [_("blank {number}", number=b.number) for b in BLANKS], shares, counts,
        figures.translated(_, figures.BLANK_STATUSES)), key="grade_statuses")
    right.plotly_chart(figures.score_histogram(
        gradebook.score_counts(found),
        figures.translated(_, figures.SCORE_HISTOGRAM)), key="grade_scores")


def mistakes(found: list[FileGrade]) -> None:
    """Per blank, the named mistakes by how many files made them, with their hints."""
    for item, blank in zip(gradebook.summary(found), BLANKS, strict=True):
        wrong = item.statuses["wrong"] + item.statuses["rejected"]
        if not wrong:
            continue
        with st.expander(_("Blank {number} · {task} — {wrong} wrong, {rejected} rejected",
                           number=blank.number, task=_(blank.task),
                           wrong=item.statuses["wrong"], rejected=item.statuses["rejected"])):
            for name, count, hint in item.mistakes:
                st.markdown(f"**{count} × {_(name)}** — {_(hint)}")  # marked where written
            if item.unnamed:
                st.markdown(_("**{count} ×** wrong without a named mistake: look at these "
                              "files' messages.", count=item.unnamed))


def table(found: list[FileGrade]) -> FileGrade | None:
    """A row per file, sortable and searchable; the file whose row is chosen."""
    marks = gradebook.listed(f"{mark} {status_label(status)}"
                             for status, mark in gradebook.MARKS.items())
    st.caption(_("A mark per blank: {marks}. Click a column's name to sort it; choose a row "
                 "to see that file's blanks.", marks=marks))
    event = st.dataframe(gradebook.table(found), key="grade_table", on_select="rerun",
                         selection_mode="single-row", hide_index=True, width="stretch")
    rows = event.selection.rows if event else []
    return found[rows[0]] if rows and rows[0] < len(found) else None


def file_blanks(grade: FileGrade) -> None:
    """One file's blanks with their messages, as the Exercise page shows a student's."""
    st.subheader(_("{student}: {score} of {total}", student=grade.student,
                   score=grade.score, total=grade.total) if grade.graded
                 else grade.student)
    st.caption(grade.path)
    if not grade.graded:
        st.warning(_("Not graded: {error}", error=grade.error))
        return
    for entry, blank in zip(grade.blanks, BLANKS, strict=True):
        st.markdown(heading(blank))
        if grade.texts.get(blank.number):
            st.code(grade.texts[blank.number], language="python")
        badge(entry["status"], entry["message"])
    for cell in grade.run.values():
        st.caption(_("Whole run: {message}", message=cell["message"]))


def similar_groups(found: list[FileGrade]) -> None:
    """Files that share uncommon code, with what the grouping does and does not mean."""
    st.markdown(_(
        "Files are grouped when they share **uncommon** lines in the same blanks: the same "
        "wrong answer, or the same unusual form in two blanks or more, compared after "
        "renaming variables and dropping spacing and comments. Uncommon means few files of "
        "this batch wrote it; two files right in the usual way are never grouped. A group "
        "is a reason to look at two files side by side, **never proof of copying**: "
        "students who studied together, or one slide's code, share lines honestly."))
    found_groups = similar.groups(found)
    if not found_groups:
        st.info(_("No two files share uncommon code."))
        return
    # Translators: between two or more students' names ("Ann and Bo")
    joined = _(" and ")
    st.dataframe({
        _("files"): [joined.join(g.students) for g in found_groups],
        _("blanks shared"): [", ".join(str(n) for n in g.blanks) for g in found_groups],
        _("other files with the same"): [", ".join(str(o) for o in g.others)
                                         for g in found_groups],
    }, hide_index=True, width="stretch", key="grade_similar")


def downloads(found: list[FileGrade]) -> None:
    """The gradebook (CSV), a feedback file per student (zip), the whole result (JSON)."""
    answers = st.checkbox(_("Include the answers in the feedback files"),
                          key="w_grade_answers",
                          help=_("Off: each blank's status, message and hint only."))
    left, middle, right = st.columns(3)
    left.download_button(_("Gradebook (.csv)"), gradebook.csv_text(found), "gradebook.csv",
                         "text/csv", on_click="ignore", width="stretch",
                         help=_("A row per file, a column per blank (1 correct, 0 otherwise), "
                                "score, total and each blank's status: imports into a "
                                "spreadsheet or an LMS gradebook."))
    middle.download_button(_("Feedback per student (.zip)"),
                           gradebook.feedback_zip(found, answers), "feedback.zip",
                           "application/zip", on_click="ignore", width="stretch",
                           help=_("One Markdown file per student: each blank's status, "
                                  "message and hint."))
    right.download_button(_("Everything (.json)"), gradebook.json_text(found), "grades.json",
                          "application/json", on_click="ignore", width="stretch",
                          help=_("The same shape as `python -m twolayer grade --json`."))
