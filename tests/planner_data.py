"""A tiny coverage world for the planner's web tests, where answers can be worked out by hand.

The sites are ``web_sites.SITES`` (around Springfield, IL, plus a site named as markup).
Residents are four made-up tract centers of population:

* Sangamon County (17167): 1,000 residents exactly at the Springfield Job Center, and 3,000
  residents 0.2 degrees of latitude due north of it (13.8 straight-line miles);
* Macon County (17115): 500 residents at the Decatur Affiliate Office;
* Vigo County, IN (18167): 200 residents in Terre Haute, far from every site.
"""

from __future__ import annotations

import math
from pathlib import Path

from web_sites import SITES, make_db

from locator.geo import EARTH_RADIUS_MI
from locator.store import open_store

JOB_CENTER = next(s for s in SITES if s.id == "ajc-springfield")
AFFILIATE = next(s for s in SITES if s.id == "aff-decatur")
NORTH_OFFSET_DEG = 0.2
NORTH_OFFSET_MI = EARTH_RADIUS_MI * math.radians(NORTH_OFFSET_DEG)
TRACTS = (
    ("17167000100", "17167", 1000, JOB_CENTER.lat, JOB_CENTER.lon),
    ("17167000200", "17167", 3000, JOB_CENTER.lat + NORTH_OFFSET_DEG, JOB_CENTER.lon),
    ("17115000100", "17115", 500, AFFILIATE.lat, AFFILIATE.lon),
    ("18167000100", "18167", 200, 39.4667, -87.4139),
)


def make_coverage_db(directory: Path) -> str:
    url = make_db(directory)
    with open_store(url) as store:
        store.replace_population("tract", TRACTS, vintage="2020")
    return url
