"""Exercise mode: the assignment's seven `# TODO` blanks, done in the browser and checked
line by line, or graded in bulk from students' files. Student code is never executed as
Python: a small evaluator walks its syntax tree against an allow-list.

- skeleton: the assignment's cells, blanks, answers, and the comments in English
- evaluator: the allow-list evaluator (CodeError for everything it refuses)
- values, costs: the kinds of value it allows, and an operation's cost before it runs
- errors: CodeError
- runs: the cells run with a student's blanks, by the evaluator
- points: where a blank is checked, and the cell's state there (the answers' runs)
- checks: each blank in isolation, at several points, within derived tolerances
- mistakes: the classic mistakes, named with a hint
- notes: which derivative of relu at 0 a correct y_pred implies
- files: blanks found in .py and .ipynb files; an attempt written out as a file
- align: a file without its markers: blanks found between the assignment's given lines
- grade: many files at once
- share: an attempt as a short text for a link, and back
"""

from .checks import BlankResult, check_attempt
from .errors import CodeError
from .files import FileShapeError, as_file, extract, text_of
from .grade import FileGrade, grade_each, grade_file, grade_files
from .runs import Program, printed_losses, whole_run
from .skeleton import BLANKS

__all__ = ["BLANKS", "BlankResult", "CodeError", "FileGrade", "FileShapeError", "Program",
           "as_file", "check_attempt", "extract", "grade_each", "grade_file", "grade_files",
           "printed_losses", "text_of", "whole_run"]
