"""A generated class of submissions, for the grading tests and benchmarks/grading.py.

Each student's blanks are drawn from the real forms of tests/fixtures/student_forms.py
(right ones, named mistakes, refused lines) and the assignment's answers, some left
empty; some files lose their `# TODO` markers and comments, some are notebooks. Drawn
with a seeded random.Random: the same class every time.
"""

from __future__ import annotations

import io
import json
import random
import zipfile

from fixtures.student_forms import FORMS

from twolayer.exercise import BLANKS, as_file

ANSWERS = {b.number: b.answer for b in BLANKS}
MIX = (("answer", 0.6), ("correct", 0.15), ("wrong", 0.15), ("rejected", 0.05),
       ("missing", 0.05))


def _forms(blank: int, expect: str) -> list[str]:
    return [f["text"] for f in FORMS if f["blank"] == blank and f["expect"] == expect]


def attempt(rng: random.Random) -> dict[int, str]:
    """One student's blanks, each drawn from MIX."""
    blanks = {}
    for number in ANSWERS:
        kind = rng.choices([k for k, _ in MIX], [w for _, w in MIX])[0]
        forms = _forms(number, kind) if kind in ("correct", "wrong", "rejected") else []
        if kind == "answer" or (kind != "missing" and not forms):
            blanks[number] = ANSWERS[number]
        elif kind != "missing":
            blanks[number] = rng.choice(forms)
    return blanks


def notebook(text: str) -> str:
    return json.dumps({"cells": [{"cell_type": "code", "source": text.splitlines(True),
                                  "metadata": {}, "outputs": [], "execution_count": None}],
                       "metadata": {}, "nbformat": 4, "nbformat_minor": 5})


def make_class(count: int = 100, seed: int = 0) -> list[tuple[str, bytes]]:
    """count students' files as (path in a zip, bytes): a folder per student."""
    rng = random.Random(seed)
    files = []
    for k in range(count):
        text = as_file(attempt(rng))
        if rng.random() < 0.1:  # no markers, no comments: found by the given lines
            text = "\n".join(line for line in text.split("\n")
                             if not line.strip().startswith("#"))
        if rng.random() < 0.2:
            files.append((f"student_{k:03d}/homework.ipynb", notebook(text).encode()))
        else:
            files.append((f"student_{k:03d}/homework.py", text.encode()))
    return files


def zipped(files: list[tuple[str, bytes]]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, raw in files:
            archive.writestr(name, raw)
    return out.getvalue()
