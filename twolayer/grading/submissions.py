"""A class's submissions, read in memory: files, and zips of them, never written to disk.

A submission is a student's name, the name it came under (a file, or a zip's member), and
its bytes. A zip is read member by member, each bounded before it inflates: a member
larger than a file may be, a total larger than the batch may hold, a ratio of a zip bomb,
all refused before the bytes exist. Member names are shown, never used as paths. A
student's name is the file's name without its extension, or, where several files share
that name (a zip with a folder per student), the folder it sits in; two submissions of
one name are both kept, told apart.
"""

from __future__ import annotations

import dataclasses
import io
import pathlib
import zipfile
from collections import Counter
from dataclasses import dataclass

from ..exercise.errors import Text
from ..exercise.files import MAX_BYTES
from ..i18n import N_

SUFFIXES = (".py", ".ipynb")
MAX_FILES = 1000  # submissions in one batch: ten classes
MAX_TOTAL = 200 * 2**20  # bytes of a batch once inflated
MAX_RATIO = 100  # a member inflating past 100 times its packed size is a bomb, not a notebook
_PAST_TOTAL = N_("the batch would pass {mb} MB with it: grade the class in parts")


@dataclass(frozen=True)
class Submission:
    """One student's file: who (while it is read: its place, see _named), where it came
    from, its bytes, or why it cannot be read (why: set instead of raw, written in the
    language of the grading, which may be a worker's, see shown_problem)."""

    student: str
    source: str
    raw: bytes = b""
    why: Text | None = None

    @property
    def notebook(self) -> bool:
        return self.source.lower().endswith(".ipynb")

    @property
    def problem(self) -> str | None:
        """Why it cannot be read, in English (the data), or None."""
        return None if self.why is None else self.why.english()

    def shown_problem(self) -> str | None:
        """Why it cannot be read, in the current language."""
        return None if self.why is None else str(self.why)


def _refused(student: str, source: str, message: str, **params) -> Submission:
    """A submission that cannot be read, and why (message marked N_(), filled from params)."""
    return Submission(student, source, why=Text(message, **params))


def from_uploads(uploads: list[tuple[str, bytes]]) -> list[Submission]:
    """Submissions from (file name, bytes) pairs: .py, .ipynb, or .zip of them."""
    return _named(_read(uploads))


def _read(uploads: list[tuple[str, bytes]]) -> list[Submission]:
    found: list[Submission] = []
    total = 0
    for name, raw in uploads:
        if name.lower().endswith(".zip") and len(raw) > MAX_TOTAL:
            members = [_refused(_where(name), name, N_("the zip is over {mb} MB"),
                                mb=MAX_TOTAL // 2**20)]
        elif name.lower().endswith(".zip"):
            members = _zip(name, raw, MAX_TOTAL - total)
        elif total + len(raw) > MAX_TOTAL:
            members = [_refused(_where(name), name, _PAST_TOTAL, mb=MAX_TOTAL // 2**20)]
        else:
            members = [_file(name, name, raw)]
        found += members
        total += sum(len(m.raw) for m in members)
        if len(found) > MAX_FILES:
            found = found[:MAX_FILES] + [_refused("", name, N_(
                "more than {limit:,} files in one batch: the rest is left out"), limit=MAX_FILES)]
            break
    return found


def from_paths(paths: list[str]) -> list[Submission]:
    """Submissions from files on disk (the command line): .py, .ipynb, or .zip of them;
    read only while the batch stays within MAX_TOTAL bytes."""
    uploads, problems, total = [], [], 0
    for path in paths:
        limit = MAX_TOTAL if path.lower().endswith(".zip") else MAX_BYTES
        try:
            with open(path, "rb") as handle:
                raw = handle.read(min(limit, MAX_TOTAL - total) + 1)  # over: refused as such
        except OSError as error:
            problems.append(_refused(_where(path), path, N_("cannot read it: {why}"),
                                     why=error.strerror))
            continue
        if len(raw) > MAX_TOTAL - total and len(raw) <= limit:
            problems.append(_refused(_where(path), path, _PAST_TOTAL, mb=MAX_TOTAL // 2**20))
            continue
        uploads.append((path, raw))
        total += min(len(raw), limit)
    return _named(_read(uploads) + problems)


def _file(source: str, member: str, raw: bytes) -> Submission:
    student = _where(member)
    if not raw:
        return _refused(student, source, N_("it is empty"))
    if len(raw) > MAX_BYTES:
        return _refused(student, source, N_("it is over {mb} MB: not an assignment"),
                        mb=MAX_BYTES // 2**20)
    if not member.lower().endswith(SUFFIXES):
        return _refused(student, source, N_("not a .py or .ipynb file"))
    return Submission(student, source, raw)


def _zip(name: str, raw: bytes, room: int) -> list[Submission]:
    """A zip's .py and .ipynb members, each bounded before it inflates."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(raw))
        members = [m for m in archive.infolist() if not m.is_dir()]
    except (zipfile.BadZipFile, ValueError, OSError, NotImplementedError) as error:
        return [_refused(_where(name), name, N_("not a zip file ({error})"), error=str(error))]
    wanted = [m for m in members if m.filename.lower().endswith(SUFFIXES) and
              not _hidden(m.filename)]
    nested = [m for m in members if m.filename.lower().endswith(".zip")]
    found = [_refused(_where(m.filename), f"{name}: {m.filename}",
                      N_("a zip inside the zip: upload it on its own")) for m in nested]
    if not wanted and not nested:
        return [_refused(_where(name), name,
                         N_("the zip holds no .py or .ipynb file: no assignment in it"))]
    for member in wanted[:MAX_FILES]:
        found.append(_member(archive, name, member, room))
        room -= len(found[-1].raw)
    return found


def _member(archive: zipfile.ZipFile, name: str, member: zipfile.ZipInfo, room: int):
    source = f"{name}: {member.filename}"
    student = _where(member.filename)
    limit = min(MAX_BYTES, room)
    if member.file_size > room:
        return _refused(student, source, _PAST_TOTAL, mb=MAX_TOTAL // 2**20)
    if member.file_size > limit or member.file_size > MAX_RATIO * max(member.compress_size, 1):
        return _refused(student, source, N_("it would inflate to {size:,} bytes: refused"),
                        size=member.file_size)
    try:
        with archive.open(member) as handle:
            raw = handle.read(limit + 1)  # the header may lie: never more than the limit
    except (zipfile.BadZipFile, RuntimeError, OSError, NotImplementedError, ValueError) as error:
        return _refused(student, source, N_("cannot be read from the zip ({error})"),
                        error=str(error))
    if len(raw) > limit:
        return _refused(student, source,
                        N_("it inflates past the size a file may have: refused"))
    return _file(source, member.filename, raw)


def _hidden(member: str) -> bool:
    """macOS's __MACOSX/ copies and dot files, which every zip made on a Mac holds."""
    parts = pathlib.PurePosixPath(member.replace("\\", "/")).parts
    return any(part.startswith("__MACOSX") or part.startswith(".") and part not in ("..", ".")
               for part in parts)


def _where(member: str) -> str:
    """A file's place, as a name to show: its folders and its name, printable, no `..`."""
    parts = [p for p in member.replace("\\", "/").split("/") if p and p not in (".", "..")]
    return "/".join("".join(c if c.isprintable() else "?" for c in p)[:80] for p in parts)


def _named(found: list[Submission]) -> list[Submission]:
    """Each submission's student: its file's name without the extension or, where several
    files share that name (homework.py in a folder per student), the folder it sits in;
    two of one name are both kept, the second is "name (2)"."""
    stems = Counter(_stem(s.student) for s in found)
    seen: Counter = Counter()
    named = []
    for submission in found:
        name = _stem(submission.student)
        if stems[name] > 1 and "/" in submission.student:
            name = submission.student.rsplit("/", 2)[-2]
        seen[name] += 1
        if seen[name] > 1:
            name = f"{name} ({seen[name]})"
        named.append(dataclasses.replace(submission, student=name))
    return named


def _stem(where: str) -> str:
    return where.rsplit("/", 1)[-1].rsplit(".", 1)[0] or "?"
