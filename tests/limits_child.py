"""Run by test_checker_limits.py in a child process: grade files, or fuzzed attempts and
files, under a memory limit and a CPU limit, and report what each cost.

Reads a JSON job on stdin: {"files": [paths], "attempts": N, "mutations": N, "seed": S,
"folder": an empty working folder}. Prints one JSON object: a report per file and per
fuzzed example (statuses, internal failures, CPU seconds), the process's peak memory
above its base (measured after a warm-up grade), and whether anything outside the
process changed (files written, modules imported).
"""

from __future__ import annotations

import json
import os
import pathlib
import resource
import sys
import tempfile

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]
MEMORY_BOUND = 2**30  # the stated bound: 1 GiB above the base, per file
STATUSES = {"correct", "wrong", "rejected", "missing"}


def cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)  # every thread of the process
    return usage.ru_utime + usage.ru_stime


def peak() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # KiB on Linux


def limit_memory() -> None:
    """A safety net above the bound: the address space the process has, plus more than
    the bound, so that a runaway file fails here instead of taking the machine down."""
    size = int(open("/proc/self/status").read().split("VmSize:")[1].split()[0]) * 1024
    cap = size + MEMORY_BOUND + 2**29
    resource.setrlimit(resource.RLIMIT_AS, (cap, cap))


def report(grade, seconds: float) -> dict:
    return {"path": grade.path, "graded": grade.graded, "internal": grade.internal,
            "statuses": [b["status"] for b in grade.blanks], "error": grade.error,
            "cpu": seconds}


def grade_files(paths: list[str]) -> list[dict]:
    from twolayer.exercise import grade_file

    reports = []
    for path in paths:
        start = cpu()
        grade = grade_file(path)
        reports.append(report(grade, cpu() - start))
    return reports


def fuzz(job: dict) -> list[dict]:
    """Generated attempts and files, graded as files are; each must end with a status per
    blank, no internal failure, within the CPU bound; a blank graded correct must have left
    every other name of the cell as the answer does (checked here, independently)."""
    import fuzzing
    from hypothesis import HealthCheck, given, seed, settings

    from twolayer.exercise.grade import grade_blanks, grade_file

    reports: list[dict] = []
    config = settings(deadline=None, database=None, derandomize=False,
                      suppress_health_check=list(HealthCheck))

    @seed(job["seed"])
    @settings(config, max_examples=max(1, job["attempts"]))
    @given(attempt=fuzzing.attempts())
    def attempts(attempt):
        start = cpu()
        grade = grade_blanks("<fuzzed attempt>", attempt)
        reports.append(report(grade, cpu() - start) | {"attempt": attempt})
        assert {b["status"] for b in grade.blanks} <= STATUSES and len(grade.blanks) == 7
        assert not grade.internal, grade.blanks
        for entry in grade.blanks:
            if entry["status"] == "correct" and attempt[entry["blank"]] != fuzzing.ANSWERS[
                    entry["blank"]]:
                fuzzing.assert_scope_as_the_answer_leaves_it(entry["blank"],
                                                             attempt[entry["blank"]])

    @seed(job["seed"])
    @settings(config, max_examples=max(1, job["mutations"]))
    @given(raw=fuzzing.files(), notebook=fuzzing.booleans())
    def files(raw, notebook):
        with tempfile.NamedTemporaryFile(suffix=".ipynb" if notebook else ".py",
                                         dir=job["folder"], delete=False) as handle:
            handle.write(raw)
        start = cpu()
        grade = grade_file(handle.name)
        os.unlink(handle.name)
        reports.append(report(grade, cpu() - start))
        assert not grade.internal, grade.error or grade.blanks

    if job["attempts"]:
        attempts()
    if job["mutations"]:
        files()
    return reports


def main() -> None:
    job = json.loads(sys.stdin.read())
    from twolayer.serving import threads

    threads.limit(1)  # one thread: its CPU time is the process's
    from twolayer.exercise import grade_file

    assert grade_file(str(ROOT / "tests/fixtures/assignment_answers.py")).score == 7  # warm
    import fuzzing  # noqa: F401
    import hypothesis  # noqa: F401 - loaded before the snapshot of modules
    base, modules = peak(), set(sys.modules)
    listing = sorted(os.listdir(ROOT))
    os.chdir(job["folder"])
    limit_memory()
    reports = grade_files(job["files"]) + fuzz(job)
    print(json.dumps({
        "reports": reports, "peak_above_base": peak() - base,
        "files_written": sorted(os.listdir(job["folder"])),
        "root_changed": sorted((set(os.listdir(ROOT)) ^ set(listing)) - {".hypothesis"}),
        "modules_imported": sorted(m for m in set(sys.modules) - modules
                                   if not m.startswith("hypothesis")),
    }))


if __name__ == "__main__":
    main()
