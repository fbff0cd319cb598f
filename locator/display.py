"""Site text as people write it: "JOLIET PUBLIC LIBRARY" is shown as "Joliet Public Library".

The IMLS survey publishes names, addresses and cities in upper case. ``display_text``
recases such text with the ``titlecase`` package (John Gruber's rules: small words,
"Mc" names, ordinals like "1st", hyphens and apostrophes) and, on top of it, the project's
rules for what it cannot know: USPS state and road abbreviations ("IL", "PO Box", "US",
"NE"), roman numerals ("Henry VIII"), and names with an inner capital, spelled as the
shipped county names spell them ("DeKalb", "DuPage", "LaSalle"). Text with any lower-case
letter was typed by a person and is kept as typed. The store keeps the source text; only
what is shown goes through here.
"""

from __future__ import annotations

import re
from functools import cache, lru_cache

from titlecase import titlecase

from locator import geodata

# Two-letter USPS codes that are also common words in names ("Library IN the Park",
# "La Grange", "De Soto"): recased as words, never kept upper case.
# "CT" (court) and "MT" (mount) are street and place abbreviations far more often.
_STATE_CODES_THAT_ARE_WORDS = frozenset({"IN", "OR", "ME", "OK", "HI", "DE", "LA", "MA",
                                         "PA", "OH", "AL", "CO", "ID", "MO", "GA", "CT",
                                         "MT"})
# Abbreviations written in capitals in US addresses and organisation names.
_UPPER_CASE_WORDS = frozenset({
    "PO", "P.O.", "RR", "US", "USA", "NE", "NW", "SE", "SW", "SR", "CR", "FM", "AJC", "YMCA",
    "YWCA", "LLC", "WIOA", "TANF", "NEIU", "SIU", "SIUE", "UIUC", "DC",
    *(code for code in geodata.USPS_BY_FIPS.values() if code not in _STATE_CODES_THAT_ARE_WORDS),
})
# Street-suffix and address abbreviations without a vowel (USPS's and the survey's), which
# title case would take for acronyms ("BLVD"): written as words ("Blvd").
_ABBREVIATED_WORDS = frozenset({
    "BLDG", "BLVD", "BRG", "BRDG", "CRK", "CTR", "FRST", "FWY", "GDN", "HTS", "HWY", "JCT",
    "JNT", "LNDG", "MDW", "MTN", "PKWY", "PLZ", "RDG", "SCH", "SPG", "SPGS", "STN", "SVCS",
    "TRL", "TWNSHP", "TWP", "VLG", "XING"})
# Words with an inner capital that no county is named after (title case gives "Depue").
_MORE_INNER_CAPITALS = ("DePue", "MacArthur")
_ROMAN_NUMERAL = re.compile(r"(?=[IVX]{2})X{0,3}(?:IX|IV|V?I{0,3})")
_EDGE_PUNCTUATION = "()[],;:\"'"


@lru_cache(maxsize=1 << 17)
def display_text(text: str) -> str:
    """``text`` as people write it: recased when it is all upper case, else unchanged.

    Cached: every answer shows each site's name, address and city again, and title casing
    costs about 50 µs a text; the national survey has about 70,000 distinct texts.
    """
    if not text.isupper():
        return text
    return titlecase(text.lower(), callback=_project_word)


def _project_word(word: str, **_: object) -> str | None:
    """The project's spelling of one lower-cased word, or None to let titlecase decide."""
    core = word.strip(_EDGE_PUNCTUATION)
    upper = core.upper()
    spelled: str | None
    if upper in _UPPER_CASE_WORDS or _ROMAN_NUMERAL.fullmatch(upper):
        spelled = upper
    elif upper in _ABBREVIATED_WORDS:
        spelled = core.capitalize()
    else:
        spelled = _inner_capitals().get(core)
    return word.replace(core, spelled) if spelled and core else None


@cache
def _inner_capitals() -> dict[str, str]:
    """Lower-cased word -> spelling, for words like "DeKalb" that title case gets wrong."""
    county_words = (word for county in geodata.counties()
                    for word in re.findall(r"[A-Za-z]+", county.name))
    return {word.lower(): word for word in (*county_words, *_MORE_INNER_CAPITALS)
            if re.search(r"[a-z][A-Z]", word)}
