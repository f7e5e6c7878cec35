"""A completed assignment as a file (.py or .ipynb): its blanks, found and never executed.

A file with the seven `# TODO` markers in order: each blank is the code after its marker,
up to the cell's next line (a comment line does not end it and is dropped), the next
marker, or a line indented less than the blank (the end of the loop or of the cell).
Markers win when they are there; without them, each blank is found between the
assignment's given lines around it (twolayer.exercise.align). Tabs indent as Python reads
them.

A notebook is JSON, read with bounds: its numbers are checked as the parser meets them,
and its nesting by the parser's own recursion limit (a RecursionError is the file's: "not
a Jupyter notebook"); the parser is linear in the file's size.
"""

from __future__ import annotations

import json
import textwrap

from ..i18n import _
from .align import AlignError, align
from .skeleton import BLANKS

MAX_BYTES = 5 * 2**20  # a notebook with its outputs; more is not an assignment
MAX_DIGITS = 30  # of a number in a notebook (execution counts, sizes)


class FileShapeError(ValueError):
    """A file that cannot be read, or is not shaped like the assignment."""


def read(path: str) -> str:
    """The code of a .py or .ipynb file, as text."""
    try:
        with open(path, "rb") as handle:
            raw = handle.read(MAX_BYTES + 1)
    except OSError as error:
        raise FileShapeError(_("cannot read it: {reason}", reason=error.strerror)) from None
    if len(raw) > MAX_BYTES:
        raise FileShapeError(_("it is over {most} MB: not an assignment",
                               most=MAX_BYTES // 2**20))
    return text_of(raw, path.endswith(".ipynb"))


def text_of(raw: bytes, notebook: bool) -> str:
    """The code in a file's bytes: a notebook's code cells one after another, or the text."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise FileShapeError(_("it is not UTF-8 text")) from None
    if not notebook:
        return text
    try:
        cells = json.loads(text, parse_int=_number, parse_float=_number)["cells"]
        return "\n".join(_source(cell) for cell in cells if cell.get("cell_type") == "code")
    except (ValueError, KeyError, TypeError, AttributeError, RecursionError):
        raise FileShapeError(_("it is not a Jupyter notebook (no JSON with cells)")) from None


def _number(text: str):
    if len(text) > MAX_DIGITS:
        raise ValueError("a number too long for a notebook")
    return float(text) if any(c in text for c in ".eE") else int(text)


def _source(cell: dict) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else str(source)


def extract(text: str) -> dict[int, str]:
    """The text of each blank, by number: after its `# TODO` marker when all seven are
    there, else between the assignment's given lines around it (twolayer.exercise.align);
    FileShapeError saying which given line is not in the file."""
    lines = [_as_python_reads(line) for line in text.split("\n")]
    markers = [k for k, line in enumerate(lines) if line.strip().startswith("# TODO")]
    if len(markers) != len(BLANKS):
        try:
            return align(lines)
        except AlignError as error:
            raise FileShapeError(_("it has {count} of the {total} `# TODO` markers, and "
                                   "{error}", count=len(markers), total=len(BLANKS),
                                   error=error)) from None
    bounds = [*markers[1:], len(lines)]
    return {blank.number: _blank(lines[start + 1: stop], blank)
            for blank, start, stop in zip(BLANKS, markers, bounds, strict=True)}


def _blank(lines: list[str], blank) -> str:
    """The code lines of one blank, dedented."""
    kept = []
    for line in lines:
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if blank.end and _same(stripped, blank.end):
            break
        if _indent(line) < len(blank.indent):  # the loop or the cell is over
            break
        kept.append(line)
    return textwrap.dedent("\n".join(kept))


def _as_python_reads(line: str) -> str:
    """A line's indentation with tabs to the next multiple of 8, as Python's tokenizer
    counts them; the rest of the line as it is."""
    code = line.lstrip(" \t")
    return line[: len(line) - len(code)].expandtabs(8) + code


def _same(line: str, code: str) -> bool:
    return line.replace(" ", "") == code.replace(" ", "")


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def as_file(attempt: dict[int, str], english: bool = False, header: str = "") -> str:
    """An attempt written out as the assignment's file, blanks filled in: what the Exercise
    page downloads and the grader reads back. header: comment lines put first (question
    1's graph)."""
    from .skeleton import CELLS, PREAMBLE, translate

    parts = [header.rstrip("\n"), PREAMBLE] if header else [PREAMBLE]
    for cell in CELLS.values():
        chunks = []
        for segment in cell:
            if segment.kind == "blank":
                blank = BLANKS[segment.blank - 1]
                text = attempt.get(segment.blank, "").strip("\n")
                chunks.append(textwrap.indent(text, blank.indent) if text else "")
            else:
                chunks.append(segment.text)
        parts.append("\n".join(chunk for chunk in chunks if chunk is not None))
    text = "\n\n".join(parts) + "\n"
    return translate(text) if english else text
