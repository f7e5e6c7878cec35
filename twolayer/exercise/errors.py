"""The one error the checker's evaluator raises: a student's code refused or failed."""

from __future__ import annotations

import ast


class CodeError(Exception):
    """A student's code refused or failed; the message says what, where, and why."""

    def __init__(self, message: str, node: ast.AST | None = None):
        where = ""
        if node is not None and hasattr(node, "lineno"):
            where = f"line {node.lineno}, column {node.col_offset + 1}: "
        super().__init__(where + message)


class OutOfTime(CodeError):
    """A run stopped by its deadline: the bound's doing, not a mistake in the lines."""
