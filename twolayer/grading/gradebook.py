"""What a class's grades become: a gradebook (CSV), the class at a glance (per blank, the
share of each status and the named mistakes, ranked), a feedback file per student, the
whole as JSON (the shape of `grade --json`)."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections import Counter
from dataclasses import dataclass, field

from ..exercise.checks import STATUS_NAMES, status_label
from ..exercise.grade import FileGrade
from ..exercise.mistakes import MISTAKES
from ..exercise.skeleton import BLANKS
from ..i18n import _
from ..outputs import export

STATUSES = tuple(STATUS_NAMES)  # the CSV and JSON keep the words; feedback shows their names


def listed(items) -> str:
    """Items as a list in the current language."""
    # Translators: what separates the items of a list ("correct 2, wrong 1")
    return _(", ").join(items)


def as_json(grades: list[FileGrade]) -> dict:
    """The shape `grade --json` prints."""
    return {"files": [g.as_dict() for g in grades if g.graded],
            "not_graded": [g.not_graded() for g in grades if not g.graded]}


def csv_text(grades: list[FileGrade]) -> str:
    """The gradebook: a row per file, a column per blank (1 correct, 0 otherwise), the score
    and the total, and a status column per blank; a file not graded says why."""
    out = io.StringIO()
    writer = csv.writer(out)
    numbers = [b.number for b in BLANKS]
    writer.writerow(["student", "file", "score", "total", *(f"blank {n}" for n in numbers),
                     *(f"blank {n} status" for n in numbers), "not graded"])
    for grade in grades:
        if not grade.graded:
            writer.writerow([grade.student, grade.path, "", len(BLANKS), *[""] * 14,
                             grade.error])
            continue
        statuses = [b["status"] for b in grade.blanks]
        writer.writerow([grade.student, grade.path, grade.score, grade.total,
                         *(int(s == "correct") for s in statuses), *statuses, ""])
    return out.getvalue()


@dataclass
class BlankSummary:
    """One blank across the class: how many files had each status, the named mistakes by
    how many made them (name, count, hint), and how many wrong answers had no name."""

    number: int
    statuses: Counter = field(default_factory=Counter)
    mistakes: list[tuple[str, int, str]] = field(default_factory=list)
    unnamed: int = 0


def summary(grades: list[FileGrade]) -> list[BlankSummary]:
    graded = [g for g in grades if g.graded]
    found = []
    for blank in BLANKS:
        entries = [g.blanks[blank.number - 1] for g in graded]
        names = Counter(e.get("mistake") for e in entries if e["status"] == "wrong")
        unnamed = names.pop(None, 0)
        hints = {m.name: m.hint for m in MISTAKES.get(blank.number, ())}
        ranked = [(name, count, hints.get(name, "")) for name, count in names.most_common()]
        found.append(BlankSummary(blank.number, Counter(e["status"] for e in entries),
                                  ranked, unnamed))
    return found


def scores(grades: list[FileGrade]) -> Counter:
    """How many graded files scored each score, 0 to 7."""
    return Counter(g.score for g in grades if g.graded)


def score_counts(grades: list[FileGrade]) -> list[int]:
    """counts[s]: how many graded files scored s, for s from 0 to the total."""
    found = scores(grades)
    return [found[s] for s in range(len(BLANKS) + 1)]


def status_shares(grades: list[FileGrade]) -> tuple[dict, dict]:
    """Per status, each blank's number of graded files with it and their share."""
    items = summary(grades)
    graded = max(1, sum(1 for g in grades if g.graded))
    counts = {s: [item.statuses[s] for item in items] for s in STATUSES}
    return counts, {s: [c / graded for c in counts[s]] for s in STATUSES}


MARKS = {"correct": "✓", "wrong": "✗", "rejected": "!", "missing": "·"}  # as grade prints them


def table(grades: list[FileGrade]) -> dict[str, list]:
    """The table a teacher sorts and filters: a row per file, the score, a mark per blank
    (MARKS), and why a file was not graded."""
    rows = {"student": [g.student for g in grades], "file": [g.path for g in grades],
            "score": [g.score if g.graded else None for g in grades]}
    for blank in BLANKS:
        rows[f"blank {blank.number}"] = [MARKS[g.blanks[blank.number - 1]["status"]]
                                         if g.graded else "" for g in grades]
    rows["not graded"] = [g.error or "" for g in grades]
    return rows


def summary_text(grades: list[FileGrade]) -> str:
    """The class at a glance, as text (grade --summary)."""
    graded = [g for g in grades if g.graded]
    found = listed(f"{s}/{len(BLANKS)} × {n}" for s, n in sorted(scores(grades).items()))
    lines = [_("{graded} of {files} files graded; scores: {scores}", graded=len(graded),
               files=len(grades), scores=found)]
    for item in summary(grades):
        shares = listed(f"{status_label(s)} {item.statuses[s]}" for s in STATUSES
                        if item.statuses[s])
        lines.append(_("blank {number}: {shares}", number=item.number, shares=shares))
        for name, count, hint in item.mistakes:
            lines.append("  " + _("{count} × {name}: {hint}", count=count, name=_(name),
                                  hint=_(hint) if hint else hint))
        if item.unnamed:
            lines.append("  " + _("{count} wrong without a named mistake", count=item.unnamed))
    return "\n".join(lines) + "\n"


def feedback(grade: FileGrade, include_answers: bool = False) -> str:
    """A student's feedback, in Markdown: each blank's status and message (the hint of a
    named mistake), never the answer unless the teacher asks for it."""
    lines = [f"# {grade.student or grade.path}", "", _("File: `{path}`", path=grade.path), ""]
    if not grade.graded:
        return "\n".join([*lines, _("Not graded: {error}", error=grade.error), ""])
    lines += [_("Score: **{score} of {total}**", score=grade.score, total=grade.total), ""]
    for entry, blank in zip(grade.blanks, BLANKS, strict=True):
        lines += [_("## Blank {number}: {task}", number=blank.number, task=_(blank.task)), "",
                  _("**{status}**: {message}", status=status_label(entry["status"]),
                    message=entry["message"]), ""]
        if include_answers and entry["status"] != "correct":
            lines += [_("The assignment's answer:"), "", "```python", blank.answer, "```", ""]
    for cell in grade.run.values():
        lines.append(_("- whole run: {message}", message=cell["message"]))
    return "\n".join(lines) + "\n"


def feedback_zip(grades: list[FileGrade], include_answers: bool = False) -> bytes:
    """A zip of every student's feedback file, made in memory."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, grade in zip(feedback_names(grades), grades, strict=True):
            archive.writestr(name, feedback(grade, include_answers))
    return out.getvalue()


def json_text(grades: list[FileGrade]) -> str:
    """The whole result as `grade --json` prints it."""
    return export.json_text(as_json(grades))


def feedback_names(grades: list[FileGrade]) -> list[str]:
    """A file name per grade for its feedback: ASCII, told apart, never a path."""
    names, seen = [], Counter()
    for grade in grades:
        stem = re.sub(r"[^A-Za-z0-9_-]+", "_", grade.student).strip("_") or "student"
        seen[stem] += 1
        names.append(f"{stem}.md" if seen[stem] == 1 else f"{stem}_{seen[stem]}.md")
    return names
