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

from ..exercise.files import MAX_BYTES

SUFFIXES = (".py", ".ipynb")
MAX_FILES = 1000  # submissions in one batch: ten classes
MAX_TOTAL = 200 * 2**20  # bytes of a batch once inflated
MAX_RATIO = 100  # a member inflating past 100 times its packed size is a bomb, not a notebook
_PAST_TOTAL = f"the batch would pass {MAX_TOTAL // 2**20} MB with it: grade the class in parts"


@dataclass(frozen=True)
class Submission:
    """One student's file: who (while it is read: its place, see _named), where it came
    from, its bytes, or why it cannot be read (problem: set instead of raw)."""

    student: str
    source: str
    raw: bytes = b""
    problem: str | None = None

    @property
    def notebook(self) -> bool:
        return self.source.lower().endswith(".ipynb")


def from_uploads(uploads: list[tuple[str, bytes]]) -> list[Submission]:
    """Submissions from (file name, bytes) pairs: .py, .ipynb, or .zip of them."""
    return _named(_read(uploads))


def _read(uploads: list[tuple[str, bytes]]) -> list[Submission]:
    found: list[Submission] = []
    total = 0
    for name, raw in uploads:
        if name.lower().endswith(".zip") and len(raw) > MAX_TOTAL:
            members = [Submission(_where(name), name, problem=f"the zip is over "
                                  f"{MAX_TOTAL // 2**20} MB")]
        elif name.lower().endswith(".zip"):
            members = _zip(name, raw, MAX_TOTAL - total)
        elif total + len(raw) > MAX_TOTAL:
            members = [Submission(_where(name), name, problem=_PAST_TOTAL)]
        else:
            members = [_file(name, name, raw)]
        found += members
        total += sum(len(m.raw) for m in members)
        if len(found) > MAX_FILES:
            found = found[:MAX_FILES] + [Submission("", name, problem=f"more than {MAX_FILES:,} "
                                                    "files in one batch: the rest is left out")]
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
            problems.append(Submission(_where(path), path,
                                       problem=f"cannot read it: {error.strerror}"))
            continue
        if len(raw) > MAX_TOTAL - total and len(raw) <= limit:
            problems.append(Submission(_where(path), path, problem=_PAST_TOTAL))
            continue
        uploads.append((path, raw))
        total += min(len(raw), limit)
    return _named(_read(uploads) + problems)


def _file(source: str, member: str, raw: bytes) -> Submission:
    student = _where(member)
    if not raw:
        return Submission(student, source, problem="it is empty")
    if len(raw) > MAX_BYTES:
        return Submission(student, source, problem=f"it is over {MAX_BYTES // 2**20} MB: "
                                                   "not an assignment")
    if not member.lower().endswith(SUFFIXES):
        return Submission(student, source, problem="not a .py or .ipynb file")
    return Submission(student, source, raw)


def _zip(name: str, raw: bytes, room: int) -> list[Submission]:
    """A zip's .py and .ipynb members, each bounded before it inflates."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(raw))
        members = [m for m in archive.infolist() if not m.is_dir()]
    except (zipfile.BadZipFile, ValueError, OSError, NotImplementedError) as error:
        return [Submission(_where(name), name, problem=f"not a zip file ({error})")]
    wanted = [m for m in members if m.filename.lower().endswith(SUFFIXES) and
              not _hidden(m.filename)]
    nested = [m for m in members if m.filename.lower().endswith(".zip")]
    found = [Submission(_where(m.filename), f"{name}: {m.filename}",
                        problem="a zip inside the zip: upload it on its own") for m in nested]
    if not wanted and not nested:
        return [Submission(_where(name), name, problem="the zip holds no .py or .ipynb "
                                                         "file: no assignment in it")]
    for member in wanted[:MAX_FILES]:
        found.append(_member(archive, name, member, room))
        room -= len(found[-1].raw)
    return found


def _member(archive: zipfile.ZipFile, name: str, member: zipfile.ZipInfo, room: int):
    source = f"{name}: {member.filename}"
    student = _where(member.filename)
    limit = min(MAX_BYTES, room)
    if member.file_size > room:
        return Submission(student, source, problem=_PAST_TOTAL)
    if member.file_size > limit or member.file_size > MAX_RATIO * max(member.compress_size, 1):
        return Submission(student, source, problem=f"it would inflate to "
                                                   f"{member.file_size:,} bytes: refused")
    try:
        with archive.open(member) as handle:
            raw = handle.read(limit + 1)  # the header may lie: never more than the limit
    except (zipfile.BadZipFile, RuntimeError, OSError, NotImplementedError, ValueError) as error:
        return Submission(student, source, problem=f"cannot be read from the zip ({error})")
    if len(raw) > limit:
        return Submission(student, source, problem="it inflates past the size a file may "
                                                   "have: refused")
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
