"""Why a view cannot be drawn, in the views' own terms: no HTTP status, no exit code.

The API turns a ``ViewError`` into its JSON error (``app.errors``: 404 for ``NotFound``), the command
line into its one-line message (``app.cli``); the views themselves know neither.
"""

from __future__ import annotations


class ViewError(Exception):
    """A view cannot be drawn as asked: ``message`` says what was wrong, ``fix`` how to put it right."""

    def __init__(self, message: str, fix: str) -> None:
        super().__init__(message)
        self.message = message
        self.fix = fix


class NotFound(ViewError):
    """What the view was asked to draw is not in the graph.

    >>> error = NotFound("ICB", "QZZ", "give an ICB's ODS code")
    >>> error.message, error.fix
    ("no ICB 'QZZ'", "give an ICB's ODS code")
    """

    def __init__(self, what: str, identifier: str, fix: str) -> None:
        super().__init__(f"no {what} {identifier!r}", fix)
