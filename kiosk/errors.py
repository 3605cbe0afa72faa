"""Errors a person can act on: the ``kiosk`` command prints their message as one line.

Every module that meets bad input a user gave (a configuration file, a command-line value, a
CSV file, the database, an export path) raises a subclass of :class:`UserError`, or wraps the
low-level exception in one, naming the file or option and what was expected. Anything else
that reaches the top of the command is a defect: it is reported in one line too, and its
traceback is logged only with ``--debug``.
"""

from __future__ import annotations


class UserError(Exception):
    """Bad input or a bad environment, explained in one line for the person who can fix it."""

    exit_code = 2
    # What kind of problem, printed as ``kiosk: LABEL: message``. Without a label the message
    # is printed as it is and starts with the command it comes from (``kiosk log purge: …``).
    label = ""

    def as_line(self) -> str:
        """The one line the ``kiosk`` command prints for this error."""
        text = one_line(str(self))
        return f"kiosk: {self.label}: {text}" if self.label else text


class StoreError(UserError):
    """The database or the data directory cannot be used (not a database, not a directory…)."""

    label = "store error"


class ExportError(UserError):
    """An export cannot be written where it was asked to go."""

    label = "export error"


def one_line(text: str) -> str:
    """``text`` with line breaks and runs of spaces folded, for a one-line message."""
    return " ".join(text.split())
