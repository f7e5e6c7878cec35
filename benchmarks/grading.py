"""A class graded: the command line on one and on two processes, and the Grade page, each
against the same files checked one by one in one process.

    python benchmarks/grading.py [--files 100]

The class is tests/classfiles.py's: a realistic mix of the real forms students write
(right ones, named mistakes, refused lines, empty blanks), a tenth of the files without
their markers, a fifth notebooks, a folder per student, in one zip.

1. One by one: each file graded in this process, one thread (the floor).
2. `python -m twolayer grade class.zip --csv --jobs 1` and `--jobs 2`, whole commands
   (their start, torch's import, included): files per second, and the ratio to 1.
3. The Grade page in Streamlit's AppTest, the zip uploaded: time to the table, and the
   session's memory: the upload's bytes and the grades kept (pickled).

One run, the measures one after another: the machine is shared and noisy, so read the
ratios. Aims on a 2-core machine: --jobs 2 at >= 1.7x the one-process rate; the page
within 1.3x the command line's one-process time.
"""

from __future__ import annotations

import argparse
import os
import pathlib
import pickle
import subprocess
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]


def one_by_one(raw: bytes) -> float:
    from twolayer.grading import batch, submissions

    found = submissions.from_uploads([("class.zip", raw)])
    start = time.perf_counter()
    for submission in found:
        batch.grade(submission)
    return time.perf_counter() - start


def command(path: pathlib.Path, jobs: int) -> float:
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "twolayer", "grade", str(path), "--csv",
                           "--jobs", str(jobs)], cwd=ROOT, capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    seconds = time.perf_counter() - start
    if done.returncode not in (0, 1):
        raise SystemExit(f"grade --jobs {jobs} failed: {done.stderr[-500:]}")
    return seconds


def page(raw: bytes) -> tuple[float, int]:
    from apphelpers import open_page

    at = open_page("Grade")
    at.get("file_uploader")[0].set_value([("class.zip", raw, "application/zip")])
    start = time.perf_counter()
    at.run(timeout=3600)
    seconds = time.perf_counter() - start
    if at.exception or not at.dataframe:
        raise SystemExit(f"the page failed: {at.exception}")
    return seconds, len(pickle.dumps(dict(at.session_state["grades"])))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--files", type=int, default=100)
    files = parser.parse_args().files

    from classfiles import make_class, zipped

    from twolayer.serving import threads

    threads.limit(1)
    raw = zipped(make_class(files, seed=0))
    with tempfile.TemporaryDirectory() as folder:
        path = pathlib.Path(folder) / "class.zip"
        path.write_bytes(raw)
        floor = one_by_one(raw)
        print(f"{files} files, zip {len(raw) / 2**10:.0f} KiB")
        print(f"one by one, in-process       {floor:7.1f} s  {files / floor:5.2f} files/s")
        single = command(path, 1)
        print(f"grade --jobs 1               {single:7.1f} s  {files / single:5.2f} files/s  "
              f"{floor / single:.2f}x the one-by-one rate")
        double = command(path, 2)
        print(f"grade --jobs 2               {double:7.1f} s  {files / double:5.2f} files/s  "
              f"{floor / double:.2f}x the one-by-one rate (aim >= 1.7x)")
    seconds, kept = page(raw)
    print(f"Grade page (AppTest)         {seconds:7.1f} s  {files / seconds:5.2f} files/s  "
          f"{seconds / single:.2f}x grade --jobs 1's time (aim <= 1.3x)")
    print(f"page session: upload {len(raw) / 2**20:.2f} MiB (limit 50), grades kept "
          f"{kept / 2**20:.2f} MiB ({kept / files / 2**10:.1f} KiB a file)")


if __name__ == "__main__":
    main()
