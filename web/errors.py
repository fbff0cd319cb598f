"""Errors as the person asking needs them: JSON under ``/api``, a page everywhere else.

Every API error has the shape ``{"error": code, "detail": message}``, plus ``parameter``
when one parameter is at fault and ``candidates`` when a place is ambiguous. ``error`` and
``parameter`` are for programs and stay English; ``detail`` and the pages are in the
asker's language (``Accept-Language`` or ``?lang=``).
"""

from __future__ import annotations

from flask import Flask, jsonify, make_response, render_template, request
from flask_babel import gettext
from werkzeug.exceptions import HTTPException, InternalServerError

from locator.errors import Ambiguous, InvalidInput, NotFound
from web.data import UnknownPlace
from web.i18n import error_text

_CODES = {404: "not_found", 405: "method_not_allowed", 500: "internal_error"}


def init_app(app: Flask) -> None:
    app.register_error_handler(InvalidInput, _invalid_input)
    app.register_error_handler(Ambiguous, _ambiguous)
    app.register_error_handler(NotFound, _not_found)
    app.register_error_handler(HTTPException, _http_error)


def api_error(status: int, code: str, detail: str, **extra: object):
    response = jsonify({"error": code, "detail": detail, **extra})
    response.status_code = status
    return response


# Machine-read prefixes: the JSON API and the HSDS API profile.
_JSON_PREFIXES = ("/api", "/hsds")


def _wants_json() -> bool:
    return any(request.path == prefix or request.path.startswith(prefix + "/")
               for prefix in _JSON_PREFIXES)


def _invalid_input(error: InvalidInput):
    code = "unknown_place" if isinstance(error, UnknownPlace) else "invalid_parameter"
    extra = {"parameter": error.parameter} if error.parameter else {}
    if _wants_json():
        return api_error(400, code, error_text(error), **extra)
    return _page(400, gettext("That did not work"), error_text(error))


def _ambiguous(error: Ambiguous):
    candidates = [c.to_json() for c in error.candidates]
    if _wants_json():
        return api_error(400, "ambiguous_place", error_text(error), parameter="q",
                         candidates=candidates)
    return _page(400, gettext("Which place?"), error_text(error))


def _not_found(error: NotFound):
    if _wants_json():
        return api_error(404, "not_found", error_text(error))
    return _page(404, gettext("Not found"), gettext(
        "There is no public listing at this address. It may have been removed, or it may "
        "still be waiting for review."))


def _http_error(error: HTTPException):
    status = error.code or 500
    detail, title = _http_words(status, error)
    if _wants_json():
        response = api_error(status, _CODES.get(status, "http_error"), detail)
    else:
        response = make_response(_page(status, title, detail))
    # A 405 must name the methods the route takes (RFC 9110); werkzeug puts them in the
    # exception's own headers, which a custom body would otherwise drop.
    allow = dict(error.get_headers()).get("Allow")
    if allow:
        response.headers["Allow"] = allow
    return response


def _http_words(status: int, error: HTTPException) -> tuple[str, str]:
    """(detail, title) in the person's language; werkzeug's own words are English only."""
    if isinstance(error, InternalServerError):
        return (gettext("something went wrong on our side; the error has been logged"),
                gettext("Something went wrong"))
    if status == 404:
        return (gettext("There is no page at this address. Check the link, or search again."),
                gettext("Not found"))
    if status == 405:
        return (gettext("This address does not answer that kind of request."),
                gettext("Not allowed"))
    return error.description or error.name, error.name


def _page(status: int, title: str, detail: str):
    return render_template("error.html", title=title, detail=detail), status
