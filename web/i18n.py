"""The page's language: English or Spanish, chosen per request, and the catalogs behind it.

A person picks a language with ``?lang=es`` (or ``en``) on any page; the choice is kept in
a cookie. Without one, ``Accept-Language`` decides, and English is the fallback. Words come
from the gettext catalogs in ``web/translations`` (``.po`` sources in the repository); the
compiled ``.mo`` files are generated, so the app compiles any that are missing or older
than their source when it starts (``make install`` compiles them too).

Library errors carry an English message template and its parameters; ``error_text`` picks
the words in the person's language here, at the edge.
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from babel import Locale
from babel.lists import format_list
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal as babel_decimal
from flask import Flask, Response, g, request
from flask_babel import Babel, format_percent, get_locale, gettext

from locator.errors import LocatorError, Phrase

TRANSLATIONS = Path(__file__).parent / "translations"
LANGUAGES = {"en": "English", "es": "Español"}
DEFAULT_LANGUAGE = "en"
COOKIE = "lang"
COOKIE_MAX_AGE_S = 365 * 24 * 3600
_VARY = ("Accept-Language", "Cookie")


def init_app(app: Flask) -> None:
    compile_catalogs(TRANSLATIONS)
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT_LANGUAGE)
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(TRANSLATIONS)
    Babel(app, locale_selector=select_language)
    app.jinja_env.globals.update(language_links=language_links, page_language=page_language)
    app.after_request(_remember_language)


def select_language() -> str:
    """``?lang=``, then the cookie, then ``Accept-Language``, then English."""
    if "language" not in g:
        # Each header is looked at only when the ones before it did not decide: this runs
        # on every request, and parsing one that is not needed is most of its cost.
        asked = request.args["lang"].strip().lower() if "lang" in request.args else ""
        if asked in LANGUAGES:
            g.language_asked = asked
            g.language = asked
        elif (kept := _known(request.cookies.get(COOKIE)
                             if "HTTP_COOKIE" in request.environ else None)):
            g.language = kept
        elif "HTTP_ACCEPT_LANGUAGE" in request.environ:
            g.language = request.accept_languages.best_match(LANGUAGES) or DEFAULT_LANGUAGE
        else:
            g.language = DEFAULT_LANGUAGE
    return g.language


def page_language() -> str:
    return str(get_locale() or DEFAULT_LANGUAGE)


def _known(code: str | None) -> str | None:
    return code if code in LANGUAGES else None


def _remember_language(response: Response) -> Response:
    # A page's words depend on these request headers: caches must keep the versions apart.
    # Set as text when no view set a Vary (every search): parsing it costs ~40 µs.
    if "Vary" in response.headers:
        response.vary.update(_VARY)
    else:
        response.headers["Vary"] = ", ".join(_VARY)
    select_language()
    asked = g.get("language_asked")
    if asked and request.cookies.get(COOKIE) != asked:
        response.set_cookie(COOKIE, asked, max_age=COOKIE_MAX_AGE_S, samesite="Lax",
                            httponly=True)
    return response


def language_links() -> list[dict[str, Any]]:
    """The language switch: this same page and search in each language."""
    args = [(key, value) for key, value in request.args.items(multi=True) if key != "lang"]
    current = page_language()
    return [{"code": code, "name": name, "current": code == current,
             "url": f"{request.path}?{urlencode([*args, ('lang', code)])}"}
            for code, name in LANGUAGES.items()]


def error_text(error: LocatorError) -> str:
    """A library error in the person's language, its figures in the locale's format."""
    return gettext(error.message, **{k: _shown(v) for k, v in error.params.items()}) \
        if error.params else gettext(error.message)


def phrase_text(phrase: Phrase | str) -> str:
    """Library words (a ``Phrase``, or a name as it is) in the person's language."""
    return str(_shown(phrase))


def _shown(value: object) -> object:
    if isinstance(value, bool | str):
        return value
    if isinstance(value, int | float):
        try:  # every digit kept: "got 90.0001" must not read "got 90"
            return babel_decimal(value, locale=page_language(), decimal_quantization=False)
        except ArithmeticError:  # beyond Decimal's precision (1e25): as typed is clearer
            return f"{value:g}"
    if isinstance(value, Phrase):
        return gettext(value.template, **{k: _shown(v) for k, v in value.params.items()})
    if isinstance(value, tuple | list):
        return format_list([str(_shown(v)) for v in value], style="or", locale=page_language())
    return value


def percent_text(share: float, fraction: str = "0") -> str:
    """A share as the locale writes a percentage ("12.5%", "12,5 %"), with ``fraction``
    digits ("0": exactly one, "#": at most one)."""
    locale = get_locale() or Locale.parse(DEFAULT_LANGUAGE)
    pattern = _LAST_INTEGER_DIGIT.sub("0." + fraction, locale.percent_formats[None].pattern,
                                      count=1)
    return format_percent(share, pattern)


# In a CLDR percent pattern ("#,##0%", "#,##0\u00a0%"), the last integer digit: the
# fraction digits go after it.
_LAST_INTEGER_DIGIT = re.compile(r"0(?=[^0]*$)")


def compile_catalogs(folder: Path) -> None:
    """Compile each ``.po`` whose ``.mo`` is missing or older; atomically, since several
    server workers may start at once."""
    for po_path in folder.glob("*/LC_MESSAGES/*.po"):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        with po_path.open("rb") as source:
            catalog = read_po(source, locale=po_path.parent.parent.name)
        handle, temporary = tempfile.mkstemp(dir=po_path.parent, suffix=".mo.tmp")
        with os.fdopen(handle, "wb") as out:
            write_mo(out, catalog)
        os.replace(temporary, mo_path)
