"""Errors as the person asking needs them: JSON under ``/api``, a page everywhere else.

Every API error has the shape ``{"error": code, "detail": message}``, plus ``parameter``
when one parameter is at fault and ``candidates`` when a place is ambiguous.
"""

from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from werkzeug.exceptions import HTTPException, InternalServerError

from locator.errors import Ambiguous, InvalidInput, NotFound
from web.data import UnknownPlace

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
        return api_error(400, code, str(error), **extra)
    return _page(400, "That did not work", str(error))


def _ambiguous(error: Ambiguous):
    candidates = [c.to_json() for c in error.candidates]
    if _wants_json():
        return api_error(400, "ambiguous_place", str(error), parameter="q",
                         candidates=candidates)
    return _page(400, "Which place?", str(error))


def _not_found(error: NotFound):
    if _wants_json():
        return api_error(404, "not_found", str(error))
    return _page(404, "Not found", "There is no public listing at this address. It may have "
                 "been removed, or it may still be waiting for review.")


def _http_error(error: HTTPException):
    status = error.code or 500
    if isinstance(error, InternalServerError):
        detail = "something went wrong on our side; the error has been logged"
    else:
        detail = error.description or error.name
    if _wants_json():
        return api_error(status, _CODES.get(status, "http_error"), detail)
    return _page(status, error.name, detail)


def _page(status: int, title: str, detail: str):
    return render_template("error.html", title=title, detail=detail), status
