"""Errors the library raises for input a user can fix.

The CLI turns them into exit code 2 and a one-line message; the web app into HTTP 400/404.
"""

from __future__ import annotations


class LocatorError(Exception):
    """Base for errors whose message is meant for the person who gave the input."""


class InvalidInput(LocatorError):
    """Input that cannot be understood; the message says what was expected."""

    def __init__(self, message: str, *, parameter: str | None = None) -> None:
        super().__init__(message)
        self.parameter = parameter


class NotFound(LocatorError):
    """A well-formed reference to something that does not exist."""


class Ambiguous(LocatorError):
    """Input that matches several places; the caller must choose one of ``candidates``."""

    def __init__(self, message: str, candidates: list) -> None:
        super().__init__(message)
        self.candidates = candidates
