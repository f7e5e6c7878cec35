"""The Exercise page's work: what a Check costs, next to the assignment's own loops.

    python benchmarks/exercise.py

1. The whole run: both cells, 500 iterations each, walked by the allow-list evaluator,
   against the same two loops run directly (twolayer.train_numpy and train_torch, one
   thread, as the app runs them): the evaluator's overhead as a ratio.
2. A check of the assignment's answers (7 blanks × 3 points), and of an attempt with
   one wrong blank (which also tries the named mistakes).
3. A file graded as `grade` does: the check, then the whole run that says whether it
   trains.
4. The worst an attempt can do: seven blanks of the heaviest lines the bounds let
   through, against the CPU seconds a check (checks.ATTEMPT_SECONDS) and a whole run
   (runs.RUN_SECONDS) may take.

Medians of a few repeats, one process; the machine is shared and noisy: compare ratios.
"""

from __future__ import annotations

import pathlib
import statistics
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def median_seconds(function, repeats: int = 3) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    import twolayer as tl
    from twolayer.exercise import BLANKS, Program, check_attempt, whole_run
    from twolayer.exercise.grade import grade_blanks
    from twolayer.exercise.runs import ASSIGNMENT
    from twolayer.serving import threads

    threads.limit(1)
    answers = {b.number: b.answer for b in BLANKS}
    program = Program.of(answers)
    x, y, w1, w2 = ASSIGNMENT.arrays()

    def direct():
        tl.train_numpy(x, y, w1, w2, 1e-6, 500)
        tl.train_torch(x, y, w1, w2, 1e-6, 500, dtype="float32")

    check_attempt(answers)  # torch's first use, outside the timings
    evaluated, bare = median_seconds(lambda: whole_run(program)), median_seconds(direct)
    print(f"whole run, evaluated: {evaluated:.2f} s; the loops run directly: {bare:.2f} s; "
          f"{evaluated / bare:.2f}x")
    print(f"check of the answers: {median_seconds(lambda: check_attempt(answers)):.2f} s")
    print(f"a file graded (check and whole run): "
          f"{median_seconds(lambda: grade_blanks('answers', answers)):.2f} s")
    wrong = answers | {2: "grad_h = grad_y_pred @ w2.T\ngrad_w1 = x.T @ grad_h"}
    print(f"check with the ReLU mask dropped: "
          f"{median_seconds(lambda: check_attempt(wrong)):.2f} s")
    # x as 250×256, four products of it a line, as many lines as a blank may hold
    lines = ["a = x.reshape(250, 256)"] + ["z = a.T @ a @ a.T @ a"] * 28  # 600 nodes
    from twolayer.exercise.checks import ATTEMPT_SECONDS
    from twolayer.exercise.runs import RUN_SECONDS

    heavy = dict.fromkeys(range(1, 8), "\n".join(lines))
    results = []
    seconds = median_seconds(lambda: results.append(check_attempt(heavy)), repeats=1)
    statuses = sorted({r.status for r in results[0]})
    print(f"check of seven of the heaviest blanks: {seconds:.1f} s (bounded: "
          f"{ATTEMPT_SECONDS:g} CPU seconds and one operation); statuses {statuses}")
    run = median_seconds(lambda: whole_run(Program.of(heavy)), repeats=1)
    print(f"whole run of them: {run:.1f} s (bounded: {RUN_SECONDS:g} CPU seconds and one "
          "operation)")


if __name__ == "__main__":
    main()
