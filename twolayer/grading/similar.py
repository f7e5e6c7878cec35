"""Submissions that share uncommon code, for a teacher to look at: never an accusation.

Each blank's lines are compared after normalising what does not matter to a copy: names
(renamed in order of appearance, the cell's own names kept), spacing and comments (gone
with the syntax tree). A form is uncommon when few files of the batch have it (at most
RARE of them, and never one that RARE_SHARE or more of the class wrote): two files that
are both right the usual way share nothing uncommon. Files are grouped when they share
uncommon forms in at least two blanks, or one uncommon wrong answer; the assignment's own
answer is never uncommon, and in a batch of fewer than SMALL files only a shared wrong
answer counts.
"""

from __future__ import annotations

import ast
import itertools
from collections import defaultdict
from dataclasses import dataclass

from ..exercise.grade import FileGrade
from ..exercise.skeleton import BLANKS
from ..i18n import _, ngettext
from .gradebook import listed

RARE = 3  # files that may share a form for it to count as uncommon
RARE_SHARE = 0.1  # ...and at most this share of the class
KEPT = frozenset({"np", "torch", "print", "float", "int", "abs", "t", "w1", "w2", "x", "y",
                  "h", "h_relu", "y_pred", "grad_y_pred", "grad_w2", "grad_w1", "loss",
                  "learning_rate", "x_tensor", "y_tensor", "N", "D_in", "H", "D_out",
                  "dtype", "device"})  # the cell's own names: renaming them would hide nothing


def normal_form(text: str) -> str | None:
    """A blank's lines with names, spacing and comments normalised; None if they do not
    parse (a refused blank is compared as it is written, stripped)."""
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return " ".join(text.split()) or None
    names: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and node.id not in KEPT:
            node.id = names.setdefault(node.id, f"v{len(names)}")
    return ast.unparse(tree) if tree.body else None


@dataclass(frozen=True)
class Group:
    """Two files that share uncommon forms: who, in which blanks, and for each of those
    blanks how many other files of the batch wrote the same."""

    students: tuple[str, ...]
    blanks: tuple[int, ...]
    others: tuple[int, ...]


ANSWER_FORMS = {b.number: normal_form(b.answer) for b in BLANKS}
SMALL = 5  # a batch smaller than this has no usual right answer to tell apart


def groups(grades: list[FileGrade]) -> list[Group]:
    graded = [g for g in grades if g.graded]
    limit = max(2, min(RARE, int(RARE_SHARE * len(graded))))
    forms = [{n: normal_form(g.texts.get(n, "")) for n in range(1, len(BLANKS) + 1)}
             for g in graded]
    holders = defaultdict(list)  # (blank, form) -> the files that wrote it
    for k, form in enumerate(forms):
        for number, text in form.items():
            if text and text != ANSWER_FORMS[number]:  # the assignment's own: usual
                holders[(number, text)].append(k)
    pairs = defaultdict(list)  # (file, file) -> the blanks whose uncommon form they share
    for (number, _form), files in holders.items():
        if 2 <= len(files) <= limit:
            for pair in itertools.combinations(files, 2):
                pairs[pair].append(number)
    found = []
    for (a, b), numbers in pairs.items():
        wrong = any(graded[a].blanks[n - 1]["status"] != "correct" for n in numbers)
        if wrong or (len(numbers) >= 2 and len(graded) >= SMALL):
            others = tuple(len(holders[(n, forms[a][n])]) - 2 for n in sorted(numbers))
            found.append(Group((graded[a].student, graded[b].student), tuple(sorted(numbers)),
                               others))
    return sorted(found, key=lambda g: (-len(g.blanks), g.students))


def groups_text(grades: list[FileGrade]) -> str:
    """The groups, as text (grade --similar)."""
    found = groups(grades)
    if not found:
        return _("No two files share uncommon code.") + "\n"
    lines = [_("Files that share uncommon code (a reason to look, never proof of copying):")]
    for group in found:
        shared = listed(ngettext("{number} ({count} other file the same)",
                                 "{number} ({count} other files the same)", o, number=n)
                        for n, o in zip(group.blanks, group.others, strict=True))
        first, second = group.students  # a group is a pair
        lines.append("  " + _("{first} and {second}: blank(s) {shared}", first=first,
                              second=second, shared=shared))
    return "\n".join(lines) + "\n"

