"""How a site is shown to a person: labels, distances, and safe links.

Site text is data: templates autoescape it, and the only links made from it are
``http(s)`` websites, ``tel:`` numbers and ``geo:`` points, so a stored ``javascript:``
address stays plain text.
"""

from __future__ import annotations

import re
from datetime import date
from urllib.parse import quote, urlsplit

from flask import current_app
from flask_babel import format_date, format_decimal, gettext

from locator import geodata
from locator.errors import LocatorError
from locator.listings import PARTNERSHIP_TYPES
from locator.places import Place
from locator.sites import PROGRAMS_BY_SLUG, Site
from web.i18n import phrase_text


def distance_text(distance_mi: float) -> str:
    """Miles in the page's locale: one decimal near by, whole miles from 100 on."""
    if distance_mi < 0.1:
        return gettext("under %(miles)s mi", miles=format_decimal(0.1, "0.0"))
    miles = format_decimal(distance_mi, "#,##0.0" if distance_mi < 100 else "#,##0")
    return gettext("%(miles)s mi", miles=miles)


def date_text(iso_date: str) -> str:
    """An ISO date as the locale writes it in full ("Tuesday, January 12, 2021", "martes,
    12 de enero de 2021"); text that is not an ISO date is shown as stored."""
    try:
        return format_date(date.fromisoformat(iso_date[:10]), format="full")
    except ValueError:
        return iso_date


def full_address(site: Site) -> str:
    city_state = ", ".join(p for p in (site.display_city, site.state) if p)
    locality = " ".join(p for p in (city_state, site.zip) if p)
    return ", ".join(p for p in (site.display_address, locality) if p)


_BARE_DOMAIN = re.compile(r"^[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+(/|$)")


def website_url(site: Site) -> str | None:
    """The site's website as a link target, or None when it is not a plain web address."""
    url = site.website.strip()
    if _BARE_DOMAIN.match(url):
        url = "http://" + url
    parts = urlsplit(url)
    return url if parts.scheme in ("http", "https") and parts.netloc else None


def tel_url(site: Site) -> str | None:
    digits = re.sub(r"\D", "", site.phone.split("x")[0].split("ext")[0])
    if len(digits) == 10:
        return f"tel:+1{digits}"
    if len(digits) == 11 and digits.startswith("1"):
        return f"tel:+{digits}"
    return None


def geo_uri(site: Site) -> str:
    """A ``geo:`` URI (RFC 5870) that opens the phone's own map app at the site, labelled."""
    point = f"{site.lat:.6f},{site.lon:.6f}"
    return f"geo:{point}?q={point}({quote(site.display_name, safe='')})"


def web_directions_url(site: Site) -> str | None:
    """A web directions link, only when an online mode is configured (``DIRECTIONS_URL``)."""
    template = current_app.config.get("DIRECTIONS_URL") or ""
    if not template:
        return None
    return template.format(lat=f"{site.lat:.6f}", lon=f"{site.lon:.6f}",
                           name=quote(site.display_name, safe=""))


def place_label(place: Place) -> str:
    """How a searched place is named on the page: an address's note in the page's language."""
    if not place.note:
        return place.label
    base = place.label.removesuffix(f" ({place.note})")
    return f"{base} ({gettext(place.note)})"


def area_name(area_id: str, name: str) -> str:
    """A county's name in the page's language ("Sangamon County, IL", "Condado de
    Sangamon, IL"), with its state when ``name`` has it; any other area as it is named."""
    try:
        county = geodata.county(area_id)
    except LocatorError:
        return name
    if name == county.label:
        return phrase_text(county.label_phrase)
    return phrase_text(county.name_phrase) if name == county.full_name else name


def county_name(fips: str) -> str:
    """A county's name with its state in the page's language, or the code when it names
    none."""
    try:
        return area_name(fips, geodata.county(fips).label)
    except LocatorError:
        return fips


def program_labels(site: Site) -> list[str]:
    return [gettext(PROGRAMS_BY_SLUG[p].label) if p in PROGRAMS_BY_SLUG else p
            for p in sorted(site.programs)]


def partnership_labels(site: Site) -> list[str]:
    """A site's partnership types by their labels in the page's language, in the order the
    seed document lists them."""
    return [gettext(label) for slug, label in PARTNERSHIP_TYPES.items()
            if slug in site.partnership_types]


TEMPLATE_HELPERS = {f.__name__: f for f in (
    distance_text, date_text, full_address, website_url, tel_url, geo_uri, web_directions_url,
    program_labels, partnership_labels, area_name, county_name, place_label)}
