"""Errors the library raises for input a user can fix.

The CLI turns them into exit code 2 and a one-line message; the web app into HTTP 400/404.
Each error carries a ``code`` (what went wrong, for programs), an English ``message``
template with ``%(name)s`` placeholders, and the ``params`` that fill it. ``str(error)`` is
the English sentence (the CLI's); the web translates the template into the person's
language (``web.i18n.error_text``), so the library never chooses the words of a page.

Templates are given as literal strings to these constructors (or marked with ``N_``) so
that ``pybabel extract`` finds them for the catalog.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Phrase:
    """Words inside a message that are translated with it ("Springfield (25 states)"): an
    English template and its parameters."""

    template: str
    params: Mapping[str, object]  # str, int, float or another Phrase

    def __str__(self) -> str:
        return self.template % self.params


Param = str | int | float | Phrase | Sequence[str | Phrase]


def N_(message: str) -> str:  # the name gettext extractors look for
    """Mark an English string for the translation catalog; the edge translates it."""
    return message


class LocatorError(Exception):
    """Base for errors whose message is meant for the person who gave the input."""

    def __init__(self, message: str, *, code: str, parameter: str | None = None,
                 **params: Param) -> None:
        super().__init__(message % {k: _english(v) for k, v in params.items()}
                         if params else message)
        self.message = message
        self.code = code
        self.parameter = parameter
        self.params = params


def _english(value: Param) -> Param:
    """A parameter as the English sentence shows it; a list joined with "or"."""
    if isinstance(value, str | int | float):
        return value
    if isinstance(value, Phrase):
        return str(value)
    return " or ".join(str(v) for v in value)


class InvalidInput(LocatorError):
    """Input that cannot be understood; the message says what was expected."""


class NotFound(LocatorError):
    """A well-formed reference to something that does not exist."""


class Ambiguous(LocatorError):
    """Input that matches several places; the caller must choose one of ``candidates``."""

    def __init__(self, message: str, candidates: list, *, code: str = "ambiguous_place",
                 **params: Param) -> None:
        # ``params`` are the message's placeholders, never the ``parameter`` keyword.
        super().__init__(message, code=code, **params)  # type: ignore[arg-type]
        self.candidates = candidates
