"""Grading completed assignments in bulk: each file's blanks checked, nothing executed."""

from __future__ import annotations

from dataclasses import dataclass, field

from .checks import BlankResult, check_attempt
from .files import FileShapeError, extract, read
from .skeleton import BLANKS


@dataclass
class FileGrade:
    """One file: each blank's status and message, and the score."""

    path: str
    blanks: list[dict] = field(default_factory=list)

    @property
    def score(self) -> int:
        return sum(b["status"] == "correct" for b in self.blanks)

    @property
    def total(self) -> int:
        return len(BLANKS)

    def as_dict(self) -> dict:
        return {"path": self.path, "blanks": self.blanks, "score": self.score,
                "total": self.total}


def grade_file(path: str) -> FileGrade:
    """A file's grade; FileShapeError if it cannot be read or is not the assignment."""
    return grade_blanks(path, extract(read(path)))


def grade_blanks(path: str, attempt: dict[int, str]) -> FileGrade:
    results = check_attempt(attempt)
    return FileGrade(path, [_entry(result) for result in results])


def _entry(result: BlankResult) -> dict:
    return {"blank": result.blank, "status": result.status, "message": result.message}


def grade_files(paths: list[str]) -> tuple[list[FileGrade], list[str]]:
    """Grades of the readable files, and one line for each file that was not."""
    grades, problems = [], []
    for path in paths:
        try:
            grades.append(grade_file(path))
        except FileShapeError as error:
            problems.append(f"{path}: not graded: {error}")
    return grades, problems
