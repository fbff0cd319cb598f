"""How a site is shown to a person: labels, distances, and safe links.

Site text is data: templates autoescape it, and the only links made from it are
``http(s)`` websites, ``tel:`` numbers and ``geo:`` points, so a stored ``javascript:``
address stays plain text.
"""

from __future__ import annotations

import re
from urllib.parse import quote, urlsplit

from flask import current_app

from locator.sites import PROGRAMS_BY_SLUG, Site


def distance_text(distance_mi: float) -> str:
    if distance_mi < 0.1:
        return "under 0.1 mi"
    return f"{distance_mi:.1f} mi" if distance_mi < 100 else f"{distance_mi:,.0f} mi"


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


def program_labels(site: Site) -> list[str]:
    return [PROGRAMS_BY_SLUG[p].label if p in PROGRAMS_BY_SLUG else p
            for p in sorted(site.programs)]


TEMPLATE_HELPERS = {f.__name__: f for f in (
    distance_text, full_address, website_url, tel_url, geo_uri, web_directions_url,
    program_labels)}
