"""The IANA time zone of a point, found offline from the shipped zone boundaries.

``tzfpy`` carries the timezone-boundary-builder polygons in its wheel, so a site's zone
follows the real lines (Arizona without DST but the Navajo Nation with it, Indiana's
Central and Eastern counties, El Paso on Mountain time) with no network.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import tzfpy

if TYPE_CHECKING:
    from locator.sites import Site


def zone_name_at(lat: float, lon: float) -> str:
    """The IANA zone name (``America/Chicago``) at a WGS84 point."""
    return tzfpy.get_tz(lon, lat)



def site_zone(site: Site) -> str:
    """The zone a site's hours are read in: the one stored with it, or, for a site not
    stored yet, the one at its point."""
    return site.timezone or zone_name_at(site.lat, site.lon)
