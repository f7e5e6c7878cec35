"""Grading completed assignments in bulk: each file's blanks checked, nothing executed.

Each file ends with a grade or with `not graded: why`, whatever it holds: a file that
cannot be read is its own failure, never the batch's, and as a last line of defence
anything unforeseen while grading one file is reported as that file's (`internal`, which
the tests never see). A file costs at most 10 s of CPU (FILE_SECONDS): its checks
(checks.ATTEMPT_SECONDS), then its whole run (runs.RUN_SECONDS, or what is left of the
10 s), which says whether the blanks train as the answers do. The answers' own runs are
made once per process (prepare(), a few seconds), before any file's clock starts.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from ..i18n import _
from ..tasks import finish, shifted
from . import points
from .checks import BlankResult, check_attempt_task
from .evaluator import clock
from .files import FileShapeError, extract, read, text_of
from .runs import RUN_SECONDS, Program, answer_losses, verdict, whole_run_task
from .skeleton import BLANKS

STEPS = 1007  # a file's steps as its task counts them: 7 blanks, then 2 × 500 iterations
FILE_SECONDS = 10.0  # one file's CPU seconds, all told: the bound a class's server relies on
AFTER_RUN = 0.3  # kept for what follows the whole run: its verdicts, the file's grade


@dataclass
class FileGrade:
    """One file: each blank's status and message, the whole run per cell and the score;
    or, if it could not be graded, why."""

    path: str
    blanks: list[dict] = field(default_factory=list)
    run: dict[str, dict] = field(default_factory=dict)
    error: str | None = None  # "not graded" when set
    internal: bool = False  # the grader itself failed on this file (a bug)
    student: str = ""  # who, as a class's gradebook names them
    texts: dict[int, str] = field(default_factory=dict)  # each blank's lines, as found

    @property
    def graded(self) -> bool:
        return self.error is None

    @property
    def score(self) -> int:
        return sum(b["status"] == "correct" for b in self.blanks)

    @property
    def total(self) -> int:
        return len(BLANKS)

    def as_dict(self) -> dict:
        found = {"path": self.path, "blanks": self.blanks, "score": self.score,
                 "total": self.total, "run": self.run}
        return {"student": self.student, **found} if self.student else found

    def not_graded(self) -> str:
        return _("{path}: not graded: {error}", path=self.path, error=self.error)


def grade_file(path: str) -> FileGrade:
    """A file's grade, or why it has none; never an exception."""
    return _guarded(path, lambda: read(path))


def grade_raw_task(path: str, raw: bytes, notebook: bool):
    """A file's grade from its bytes (an upload, a zip's member), as a task (the page grades
    a class in slices); never an exception."""
    try:
        return (yield from grade_blanks_task(path, extract(text_of(raw, notebook))))
    except FileShapeError as error:
        return FileGrade(path, error=str(error))
    except Exception as error:  # noqa: BLE001 - the last line of defence, as in _guarded
        return _failed(path, error)


def _guarded(path: str, text) -> FileGrade:
    try:
        return grade_blanks(path, extract(text()))
    except FileShapeError as error:
        return FileGrade(path, error=str(error))
    except Exception as error:  # noqa: BLE001 - the last line of defence: one file's alone
        return _failed(path, error)


def _failed(path: str, error: Exception) -> FileGrade:
    return FileGrade(path, error=_("the grader failed on it ({kind}: {error})",
                                   kind=type(error).__name__, error=str(error)[:200]),
                     internal=True)


def grade_blanks(path: str, attempt: dict[int, str]) -> FileGrade:
    return finish(grade_blanks_task(path, attempt))


def grade_blanks_task(path: str, attempt: dict[int, str]):
    """grade_blanks() as a task: yields after each blank checked and each iteration run."""
    prepare()  # the answers' own runs, once per process: on no file's clock
    start = clock()
    results = yield from shifted(check_attempt_task(attempt), 0, STEPS)
    left = FILE_SECONDS - AFTER_RUN - (clock() - start)
    run_task = whole_run_task(Program.of(attempt), seconds=min(RUN_SECONDS, left))
    runs = yield from shifted(run_task, len(BLANKS), STEPS)
    run = {str(cell): _verdict(verdict(cell, cell_run)) for cell, cell_run in runs.items()}
    return FileGrade(path, [_entry(result) for result in results], run,
                     internal=any(result.internal for result in results), texts=attempt)


def prepare() -> None:
    """The answers' own runs, made once per process: their weights at every point checked
    and their printed losses, which every file's checks and whole run compare with."""
    points.prepare()
    answer_losses(500)


def _entry(result: BlankResult) -> dict:
    return {"blank": result.blank, "status": result.status, "message": result.message,
            "mistake": result.mistake}


def _verdict(found) -> dict:
    return {"status": found.status, "message": found.message}


def grade_each(paths: list[str]) -> Iterator[FileGrade]:
    """Each file's grade as it is made, in order."""
    for path in paths:
        yield grade_file(path)


def grade_files(paths: list[str]) -> tuple[list[FileGrade], list[str]]:
    """Grades of the readable files, and one line for each file that was not."""
    grades = list(grade_each(paths))
    return [g for g in grades if g.graded], [g.not_graded() for g in grades if not g.graded]
