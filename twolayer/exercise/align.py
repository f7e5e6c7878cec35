"""A completed assignment without its `# TODO` markers: its blanks found by the assignment's
own given lines.

Many students delete the markers (and the comments) once their code works, split the
notebook into more cells, or add prints and plots. The cells' given lines are still there:
`h_relu = np.maximum(h, 0)`, `grad_y_pred = 2.0 * (y_pred - y)`, `with torch.no_grad():`
and the rest. Each blank is what lies between the given lines around it, compared token by
token (comments, blank lines and spacing do not count). Blanks 2 and 3 have no given line
between them: blank 3 starts at the first statement that changes w1 or w2. A blank that ends
its loop ends where the loop does (a line indented less). Lines outside the blanks (a plot
after the loop, a timer before it) are not read.
"""

from __future__ import annotations

import ast
import io
import textwrap
import tokenize

from ..i18n import _
from .skeleton import CELLS


class AlignError(ValueError):
    """A given line of the assignment not found in the file, named."""


def given_lines(cell: int) -> list[tuple[int | None, str]]:
    """A cell's given code lines, in order, with a blank's number between them: (None,
    line) for a given line, (number, "") for a blank."""
    out: list[tuple[int | None, str]] = []
    for segment in CELLS[cell]:
        if segment.kind == "blank":
            out.append((segment.blank, ""))
        elif segment.kind == "loop":
            out.append((None, segment.text))
        else:
            out += [(None, line.strip()) for line in segment.text.split("\n")
                    if line.strip() and not line.strip().startswith("#")]
    return out


def tokens(line: str) -> str:
    """A line's code, token by token, without comments and spacing: what two ways of
    spacing the same line share."""
    try:
        parts = [t.string for t in tokenize.generate_tokens(io.StringIO(line.strip()).readline)
                 if t.type not in (tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE,
                                   tokenize.INDENT, tokenize.DEDENT, tokenize.ENDMARKER)]
    except (tokenize.TokenError, SyntaxError, IndentationError):
        return line.split("#")[0].replace(" ", "").strip()
    return "".join(parts)


def align(lines: list[str]) -> dict[int, str]:
    """Each blank's text, found between the given lines (lines: tabs already expanded)."""
    code = [(k, line) for k, line in enumerate(lines)
            if line.strip() and not line.strip().startswith("#")]
    keys = [tokens(line) for _unused, line in code]
    found: dict[int, str] = {}
    position = 0
    for cell in CELLS:
        position = _cell(cell, code, keys, position, found)
    return found


def _cell(cell: int, code, keys, position: int, found: dict) -> int:
    entries = given_lines(cell)
    last = None  # the index in code of the last given line found
    for k, (blank, line) in enumerate(entries):
        if blank is None:
            at = _find(keys, tokens(line), position)
            if at is not None:
                last, position = at, at + 1
            continue
        if last is None:
            raise AlignError(_("the line before blank {blank} ({line}) is not in it",
                               blank=blank, line=_first_given(entries, k, -1)))
        following = next((text for b, text in entries[k + 1:] if b is None), None)
        stop = _stop(code, keys, position, following, last)
        if stop is None:
            raise AlignError(_("the line after blank {blank} ({line}) is not in it",
                               blank=blank, line=following))
        region = [line for _unused, line in code[position:stop]]
        if _next_is_blank(entries, k):  # blanks 2 and 3: no given line between them
            first, rest = _split(region)
            found[blank] = first
            found[entries[k + 1][0]] = rest
        elif blank not in found:
            found[blank] = _dedent(region)
        position = stop
    return position


def _find(keys: list[str], key: str, start: int) -> int | None:
    for k in range(start, len(keys)):
        if keys[k] == key:
            return k
    return None


def _stop(code, keys, start: int, following: str | None, last: int) -> int | None:
    """Where a blank's lines end: at the given line after it, or where its loop ends."""
    if following is not None:
        return _find(keys, tokens(following), start)
    depth = _indent(code[last][1])  # the given line before it is in the loop's body
    for k in range(start, len(code)):
        if _indent(code[k][1]) < depth:
            return k
    return len(code)


def _next_is_blank(entries, k: int) -> bool:
    return k + 1 < len(entries) and entries[k + 1][0] is not None


def _split(region: list[str]) -> tuple[str, str]:
    """Blank 2 and blank 3 from the lines between them: blank 3 starts at the first
    statement that changes w1 or w2."""
    text = _dedent(region)
    try:
        statements = ast.parse(text).body
    except SyntaxError:
        return text, ""
    lines = text.split("\n")
    for statement in statements:
        if _changes_weights(statement):
            cut = statement.lineno - 1
            return "\n".join(lines[:cut]).strip("\n"), "\n".join(lines[cut:]).strip("\n")
    return text, ""


def _changes_weights(statement: ast.stmt) -> bool:
    targets = statement.targets if isinstance(statement, ast.Assign) else \
        [statement.target] if isinstance(statement, ast.AugAssign) else []
    for target in targets:
        for node in ast.walk(target):
            if isinstance(node, ast.Name) and node.id in ("w1", "w2"):
                return True
    return False


def _first_given(entries, k: int, step: int) -> str:
    for _unused, text in (entries[k::step] if step < 0 else entries[k:]):
        if text:
            return text
    return "?"


def _dedent(lines: list[str]) -> str:
    return textwrap.dedent("\n".join(lines)).strip("\n")


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())

