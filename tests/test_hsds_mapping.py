"""``locator.hsds`` maps any site to HSDS objects and back to the same site, through JSON
and through the data package's tables, whatever text the site holds."""

from __future__ import annotations

import orjson
from hypothesis import given, settings
from hypothesis import strategies as st

from locator import hsds, hsds_files
from locator.sites import PROGRAMS, CountySource, Kind, Site

# Any text a CSV cell and JSON carry: no lone surrogates (they cannot be UTF-8) and no NUL.
TEXT = st.text(st.characters(exclude_categories=["Cs"], exclude_characters="\x00"),
               max_size=40)
SITE_IDS = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,20}", fullmatch=True)

sites = st.builds(
    Site, id=SITE_IDS, name=TEXT.filter(bool), kind=st.sampled_from(list(Kind)),
    lat=st.floats(-90, 90), lon=st.floats(-180, 180), organization=TEXT, address=TEXT,
    city=TEXT, state=TEXT, zip=TEXT, county_fips=TEXT,
    county_source=st.sampled_from(list(CountySource)), phone=TEXT, website=TEXT, hours=TEXT,
    programs=st.frozensets(st.sampled_from([p.slug for p in PROGRAMS])),
    temporarily_closed=st.booleans(), source=TEXT.filter(bool), source_id=TEXT,
    vintage=TEXT, last_verified=TEXT,
)


@settings(max_examples=60, deadline=None)
@given(sites)
def test_a_site_survives_its_nested_service_as_json(site: Site) -> None:
    service = orjson.loads(orjson.dumps(hsds.service(site)))
    assert hsds.site_from_service(service, source="unused") == site


def through_tables(site_list: list[Site]) -> list[dict]:
    """The services rebuilt from the CSV text of every table, as an import reads them."""
    rows = hsds_files.table_rows(site_list)
    files = {table.path: hsds_files.table_csv(table, rows[table.name])
             for table in hsds_files.TABLES}
    services = hsds_files.services_from_package(hsds_files.package_descriptor(), files.get)
    return [service for _, service in services]


@settings(max_examples=40, deadline=None)
@given(st.lists(sites, min_size=1, max_size=4, unique_by=lambda s: s.id))
def test_sites_survive_the_data_package_tables(site_list: list[Site]) -> None:
    back = [hsds.site_from_service(service) for service in through_tables(site_list)]
    assert back == site_list


def test_an_incomplete_address_is_kept_outside_the_address_object() -> None:
    site = Site("x", "X", Kind.ACCESS_SITE, 40.0, -89.0, city="Petersburg", state="IL",
                source="file:x.csv")
    location = hsds.location(site)
    assert location["addresses"] == []
    carried = {a["taxonomy_term"]["code"]: a.get("value", "") for a in location["attributes"]}
    assert carried == {"city": "Petersburg", "state": "IL"}
    assert hsds.site_from_service(hsds.service(site)) == site


def test_the_hours_text_is_the_schedule_description() -> None:
    site = Site("x", "X", Kind.LIBRARY, 40.0, -89.0, hours="Mon-Fri 9:00-17:00")
    assert [s["description"] for s in hsds.service(site)["schedules"]] == ["Mon-Fri 9:00-17:00"]
    assert hsds.service(site.replace(hours=""))["schedules"] == []
