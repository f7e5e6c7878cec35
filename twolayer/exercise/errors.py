"""The one error the checker's evaluator raises: a student's code refused or failed.

Its message is written in the visitor's language; the same message in English is kept
alongside (CodeError.english), and that is what the named mistakes match pieces of
(twolayer.exercise.mistakes): a translated message is for reading, never for matching.
"""

from __future__ import annotations

import ast

from ..i18n import N_, _, language


class Text:
    """A message not yet written: its English text, marked with N_() where it is made, and
    its placeholders' values (numbers, names, code, or other Texts). Written in the current
    language by str(), in English by english()."""

    __slots__ = ("template", "params")

    def __init__(self, template: str, /, **params):
        self.template, self.params = template, params

    def __str__(self) -> str:
        if not self.params:
            return _(self.template)
        return _(self.template, **{name: str(value) if isinstance(value, Text) else value
                                   for name, value in self.params.items()})

    def english(self) -> str:
        with language("en"):
            return str(self)


class CodeError(Exception):
    """A student's code refused or failed; the message says what, where, and why.

    refused: stopped by the checker's own rules or bounds (a construct outside the
    allow-list, a size refused before it is made, the time limit) rather than run and
    failed (a name not defined, shapes that do not fit, an error numpy or torch raised).
    message: an English text marked N_(), filled from params (or a Text); str(error) is it
    in the current language, error.english in English, error.text the Text of both.
    """

    def __init__(self, message: str | Text, /, node: ast.AST | None = None, refused: bool = True,
                 **params):
        text = message if isinstance(message, Text) else Text(message, **params)
        if node is not None and hasattr(node, "lineno"):
            text = Text(N_("line {line}, column {column}: {message}"), line=node.lineno,
                        column=node.col_offset + 1, message=text)
        self.text = text
        super().__init__(str(text))
        self.refused = refused

    @property
    def english(self) -> str:
        """The message in English, written when asked (a mistake's match), not on raise."""
        return self.text.english()


class OutOfTime(CodeError):
    """A run stopped by its deadline: the bound's doing, not a mistake in the lines."""
