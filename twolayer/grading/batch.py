"""A class graded: each submission by the exercise's checker, in one process as a task (the
page, in slices) or on several processes (the command line's --jobs).

Each submission ends with a grade or `not graded: why`, whatever it holds; its cost is one
file's (at most 10 s of CPU, 1 GiB), so a batch's is the sum of its files'. The grading
writes its messages in the language it is given (the caller's by default), in every process.
"""

from __future__ import annotations

import concurrent.futures
import multiprocessing
from collections.abc import Iterator

from ..exercise.grade import FileGrade, grade_raw_task
from ..i18n import _, current, language
from ..tasks import finish
from .submissions import Submission


def grade_task(submission: Submission):
    """One submission's grade, as a task."""
    if submission.problem is not None:
        grade = FileGrade(submission.source, error=submission.shown_problem())
    else:
        grade = yield from grade_raw_task(submission.source, submission.raw,
                                          submission.notebook)
    grade.student = submission.student
    return grade


def grade(submission: Submission) -> FileGrade:
    return finish(grade_task(submission))


def grade_in(lang: str, submission: Submission) -> FileGrade:
    """grade(), its messages in lang: what a worker process runs."""
    with language(lang):
        return grade(submission)


def grade_all(submissions: list[Submission], jobs: int = 1,
              lang: str | None = None) -> Iterator[FileGrade]:
    """Each submission's grade, in order, as it is made, its messages in lang (by default
    the current language); on `jobs` processes, each with one thread (its CPU bounds count
    all its work)."""
    lang = lang or current()
    if jobs <= 1 or len(submissions) <= 1:
        for submission in submissions:
            yield grade_in(lang, submission)
        return
    with _pool(min(jobs, len(submissions))) as pool:
        futures = [pool.submit(grade_in, lang, submission) for submission in submissions]
        for submission, future in zip(submissions, futures, strict=True):
            with language(lang):  # its own reason, if the worker gave none
                found = _result(lang, submission, future)
            yield found


def _pool(jobs: int) -> concurrent.futures.ProcessPoolExecutor:
    context = multiprocessing.get_context("spawn")  # torch's threads do not survive a fork
    return concurrent.futures.ProcessPoolExecutor(jobs, mp_context=context,
                                                  initializer=_one_thread)


def _result(lang: str, submission: Submission, future, retry: bool = True) -> FileGrade:
    """A worker's grade; if a worker died (killed, out of memory), the file graded again
    in a process of its own, so one file's crash costs no other file its grade."""
    try:
        return future.result()
    except concurrent.futures.process.BrokenProcessPool:
        if retry:
            with _pool(1) as alone:
                return _result(lang, submission, alone.submit(grade_in, lang, submission),
                               retry=False)
        error = _("the grader's process stopped on it (killed, or out of memory)")
    except Exception as failure:  # noqa: BLE001 - one file's failure is that file's alone
        error = _("the grader failed on it ({error})", error=type(failure).__name__)
    return FileGrade(submission.source, error=error, internal=True,
                     student=submission.student)


def _one_thread() -> None:
    from ..serving import threads

    threads.limit(1)
