"""The Spanish catalog is complete and in step with the code: no message is untranslated
or fuzzy, the catalog holds exactly the strings the code marks today (so a new English
string cannot ship untranslated), and every translation keeps its placeholders."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from conftest import REPO

CATALOGS = REPO / "web" / "translations"
SPANISH = CATALOGS / "es" / "LC_MESSAGES" / "messages.po"
PYBABEL = Path(sys.executable).with_name("pybabel")
PYTHON_FIELD = re.compile(r"%\((\w+)\)s")
SCRIPT_FIELD = re.compile(r"\{(\w+)\}")


def read_catalog(path: Path):
    with path.open("rb") as source:
        return read_po(source, locale=path.parent.parent.name if path.suffix == ".po" else None)


def messages(catalog) -> list:
    return [m for m in catalog if m.id]


def forms(text) -> tuple[str, ...]:
    return (text,) if isinstance(text, str) else tuple(text)


@pytest.fixture(scope="module")
def spanish():
    return read_catalog(SPANISH)


@pytest.fixture(scope="module")
def extracted(tmp_path_factory: pytest.TempPathFactory):
    """The strings the code marks now, extracted exactly as `make translations` does."""
    template = tmp_path_factory.mktemp("extract") / "messages.pot"
    subprocess.run([str(PYBABEL), "extract", "-F", "babel.cfg", "--no-location", "-o",
                    str(template), "."], cwd=REPO, check=True, capture_output=True)
    return read_catalog(template)


def test_spanish_catalog_has_no_untranslated_or_fuzzy_message(spanish) -> None:
    untranslated = [m.id for m in messages(spanish) if not all(forms(m.string))]
    fuzzy = [m.id for m in messages(spanish) if m.fuzzy]
    assert untranslated == [] and fuzzy == []
    assert not spanish.fuzzy


def test_catalog_holds_exactly_the_strings_the_code_marks(spanish, extracted) -> None:
    in_code = {m.id if isinstance(m.id, str) else tuple(m.id) for m in messages(extracted)}
    in_catalog = {m.id if isinstance(m.id, str) else tuple(m.id) for m in messages(spanish)}
    assert sorted(map(str, in_code - in_catalog)) == [], "run `make translations` and translate"
    assert sorted(map(str, in_catalog - in_code)) == [], "stale entries: run `make translations`"
    assert len(in_code) > 300  # the extraction really read the templates and the code


def test_translations_keep_every_placeholder(spanish) -> None:
    for message in messages(spanish):
        for pattern in (PYTHON_FIELD, SCRIPT_FIELD):
            wanted = {frozenset(pattern.findall(text)) for text in forms(message.id)}
            for text in forms(message.string):
                assert frozenset(pattern.findall(text)) in wanted, (message.id, text)
    assert list(spanish.check()) == []  # Babel's own python-format checks


def test_spanish_plural_messages_give_every_form_the_locale_has(spanish) -> None:
    plurals = [m for m in messages(spanish) if m.pluralizable]
    assert plurals and spanish.num_plurals == 3  # CLDR: one, many (millions), other
    assert all(len(m.string) == spanish.num_plurals for m in plurals)
