"""A site's IANA zone from its point, across the US lines that split states and tribes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from locator.timezones import zone_name_at

# (place, lat, lon, zone): city-centre points, chosen on both sides of each split
POINTS = [
    ("Gary, IN (Chicago area, Central)", 41.5934, -87.3464, "America/Chicago"),
    ("Indianapolis, IN", 39.7684, -86.1581, "America/Indiana/Indianapolis"),
    ("Evansville, IN (southwest, Central)", 37.9716, -87.5711, "America/Chicago"),
    ("Knox, IN (Starke County, Central)", 41.2959, -86.6250, "America/Indiana/Knox"),
    ("Tell City, IN (Perry County, Central)", 37.9514, -86.7678, "America/Indiana/Tell_City"),
    ("Vincennes, IN (Eastern)", 38.6773, -87.5286, "America/Indiana/Vincennes"),
    ("Phoenix, AZ (no DST)", 33.4484, -112.0740, "America/Phoenix"),
    ("Window Rock, AZ (Navajo Nation, DST)", 35.6803, -109.0526, "America/Denver"),
    ("Tuba City, AZ (Navajo Nation, DST)", 36.1350, -111.2399, "America/Denver"),
    ("Kykotsmovi, AZ (Hopi, inside the Navajo Nation, no DST)", 35.8769, -110.6206,
     "America/Phoenix"),
    ("El Paso, TX (Mountain)", 31.7619, -106.4850, "America/Denver"),
    ("Chicago, IL", 41.8781, -87.6298, "America/Chicago"),
    ("Nashville, TN (Central)", 36.1627, -86.7816, "America/Chicago"),
    ("Knoxville, TN (Eastern)", 35.9606, -83.9207, "America/New_York"),
    ("Louisville, KY (Eastern)", 38.2527, -85.7585, "America/Kentucky/Louisville"),
    ("Bowling Green, KY (Central)", 36.9685, -86.4808, "America/Chicago"),
    ("Pensacola, FL (Central)", 30.4213, -87.2169, "America/Chicago"),
    ("Tallahassee, FL (Eastern)", 30.4383, -84.2807, "America/New_York"),
    ("Boise, ID (Mountain)", 43.6150, -116.2023, "America/Boise"),
    ("Moscow, ID (Pacific)", 46.7324, -117.0002, "America/Los_Angeles"),
    ("Menominee, MI (Central)", 45.1078, -87.6143, "America/Menominee"),
    ("Honolulu, HI", 21.3069, -157.8583, "Pacific/Honolulu"),
]


@pytest.mark.parametrize(("place", "lat", "lon", "zone"), POINTS, ids=[p[0] for p in POINTS])
def test_zone_follows_the_real_lines(place: str, lat: float, lon: float, zone: str) -> None:
    assert zone_name_at(lat, lon) == zone


def _offsets_h(zone_name: str) -> tuple[float, float]:
    """UTC offsets in hours on a January and a July day."""
    zone = ZoneInfo(zone_name)
    return tuple(datetime(2027, month, 15, 12, tzinfo=UTC).astimezone(zone).utcoffset()
                 / timedelta(hours=1) for month in (1, 7))


def test_phoenix_keeps_standard_time_while_the_navajo_nation_keeps_dst() -> None:
    assert _offsets_h(zone_name_at(33.4484, -112.0740)) == (-7, -7)
    assert _offsets_h(zone_name_at(35.6803, -109.0526)) == (-7, -6)


def test_gary_is_an_hour_behind_indianapolis_all_year() -> None:
    gary = _offsets_h(zone_name_at(41.5934, -87.3464))
    indianapolis = _offsets_h(zone_name_at(39.7684, -86.1581))
    assert gary == (-6, -5)
    assert indianapolis == (-5, -4)
