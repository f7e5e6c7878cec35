"""The one error the checker's evaluator raises: a student's code refused or failed."""

from __future__ import annotations

import ast


class CodeError(Exception):
    """A student's code refused or failed; the message says what, where, and why.

    refused: stopped by the checker's own rules or bounds (a construct outside the
    allow-list, a size refused before it is made, the time limit) rather than run and
    failed (a name not defined, shapes that do not fit, an error numpy or torch raised).
    """

    def __init__(self, message: str, node: ast.AST | None = None, refused: bool = True):
        where = ""
        if node is not None and hasattr(node, "lineno"):
            where = f"line {node.lineno}, column {node.col_offset + 1}: "
        super().__init__(where + message)
        self.refused = refused


class OutOfTime(CodeError):
    """A run stopped by its deadline: the bound's doing, not a mistake in the lines."""
