"""``locator.hsds`` maps any site to HSDS objects and back to the same site, through JSON
and through the data package's tables, whatever text the site holds."""

from __future__ import annotations

import uuid
from datetime import UTC

import orjson
import pytest
from hsds_standard import errors
from hypothesis import given, settings
from hypothesis import strategies as st

from locator import hsds, hsds_files
from locator.hours import read_hours
from locator.sites import PROGRAMS, CountySource, Kind, Site
from locator.store import Change

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
    vintage=TEXT, last_verified=TEXT, roles=st.frozensets(st.sampled_from(list(Kind))),
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


def _without_hours_text(service: dict) -> dict:
    """The service as another publisher would write it: rows, no text as written."""
    return {**service, "attributes": [a for a in service["attributes"]
                                      if a["taxonomy_term"]["code"] != hsds.HOURS_TEXT]}


def test_weekly_hours_are_schedule_rows_of_the_service_at_its_location() -> None:
    site = Site("x", "X", Kind.LIBRARY, 40.0, -89.0, hours="Mon-Fri 9:00-17:00")
    service = hsds.service(site, holiday_years=(2027,))
    (row,) = service["schedules"]
    assert {k: row[k] for k in ("freq", "byday", "opens_at", "closes_at")} == {
        "freq": "WEEKLY", "byday": "MO,TU,WE,TH,FR", "opens_at": "09:00", "closes_at": "17:00"}
    assert row["service_id"] == service["id"]
    assert row["service_at_location_id"] == service["service_at_locations"][0]["id"]
    assert "description" not in row
    records = {a["taxonomy_term"]["code"]: a.get("value")
               for a in (*service["attributes"],
                         *service["service_at_locations"][0]["location"]["attributes"])}
    assert records[hsds.HOURS_TEXT] == "Mon-Fri 9:00-17:00"
    assert records[hsds.TIME_ZONE] == "America/Chicago"
    assert hsds.site_from_service(service) == site
    assert hsds.service(site.replace(hours=""))["schedules"] == []


def test_rows_without_the_text_as_written_read_back_as_canonical_text() -> None:
    site = Site("x", "X", Kind.LIBRARY, 40.0, -89.0, hours="Monday - Friday 8:30 AM - 5 PM")
    bare = _without_hours_text(hsds.service(site))
    assert hsds.site_from_service(bare).hours == "Mo-Fr 08:30-17:00"


def test_the_rows_win_over_text_as_written_that_no_longer_says_the_same() -> None:
    site = Site("x", "X", Kind.LIBRARY, 40.0, -89.0, hours="Mon-Fri 9:00-17:00")
    service = hsds.service(site)
    service["schedules"][0]["opens_at"] = "10:00"
    assert hsds.site_from_service(service).hours == "Mo-Fr 10:00-17:00"


def test_unreadable_hours_are_one_description_row_and_read_back_as_written() -> None:
    site = Site("x", "X", Kind.LIBRARY, 40.0, -89.0, hours="by appointment, call first")
    service = hsds.service(site)
    assert [{k: v for k, v in row.items() if not k.endswith("id")}
            for row in service["schedules"]] == [{"description": "by appointment, call first"}]
    assert hsds.site_from_service(_without_hours_text(service)) == site


def test_rows_another_publisher_writes_in_a_form_not_read_are_kept_as_their_words() -> None:
    site = Site("x", "X", Kind.LIBRARY, 40.0, -89.0)
    service = {**hsds.service(site), "schedules": [
        {"id": str(uuid.uuid4()), "freq": "WEEKLY", "byday": "MO", "opens_at": "09:00-05:00",
         "closes_at": "17:00-05:00", "description": "Mondays, nine to five"},
        {"id": str(uuid.uuid4()), "freq": "MONTHLY", "byday": "2TU", "opens_at": "10:00",
         "closes_at": "12:00", "description": "second Tuesdays, ten to noon"}]}
    assert hsds.site_from_service(service).hours == (
        "Mondays, nine to five; second Tuesdays, ten to noon")


@pytest.mark.parametrize("broken", [
    {"byday": 5}, {"opens_at": 900}, {"valid_from": "someday", "notes": "US federal public "
                                      "holiday: New Year's Day"}, {"freq": "DAILY"}])
def test_broken_rows_beside_the_text_as_written_keep_their_words_and_refuse_nothing(
        broken: dict) -> None:
    site = Site("x", "X", Kind.LIBRARY, 40.0, -89.0, hours="Mon-Fri 9:00-17:00")
    service = hsds.service(site)
    service["schedules"][0].update(broken, description="weekdays")
    assert hsds.site_from_service(service).hours == "weekdays"


def test_whole_minute_times_with_seconds_read_as_their_minutes() -> None:
    site = Site("x", "X", Kind.LIBRARY, 40.0, -89.0, hours="Mo-Fr 09:00-17:00")
    service = hsds.service(site)
    service["schedules"][0].update(opens_at="09:00:00", closes_at="17:00:00")
    assert hsds.site_from_service(service) == site


# The forms of issue 11: split shifts, past midnight, 24/7, closed days, federal holidays,
# dated closures and openings, a mobile center's dated visit.
STRUCTURED = [
    "Mo-Fr 08:30-17:00; Sa 09:00-12:00; PH off",
    "Mo-Fr 08:00-12:00,13:00-17:00; We 13:00-19:00",
    "Fr-Sa 22:00-02:00",
    "24/7",
    "Mo-Fr 09:00-17:00; Sa,PH closed",
    "Mo-Fr 09:00-17:00; 2027 Dec 20-2028 Jan 02 off; 2027 Jan 12 10:00-14:00",
    "2027 Jan 12 10:00-14:00",
    "Mon-Fri 8:30am-5pm",
    "M,W 9-12; Tu 1-4pm",
]


@pytest.mark.parametrize("text", STRUCTURED)
def test_structured_hours_come_back_as_the_same_canonical_text(text: str) -> None:
    site = Site("x", "X", Kind.MOBILE_CENTER, 41.6, -88.1, hours=text)
    service = orjson.loads(orjson.dumps(hsds.service(site, holiday_years=(2027, 2028))))
    assert all(row.get("freq") == "WEEKLY" or row.get("description") == "Closed"
               for row in service["schedules"])
    back = hsds.site_from_service(service)
    assert back.hours == text
    assert read_hours(back.hours).canonical == read_hours(text).canonical
    # From the rows alone: the same opening times, in canonical form.
    alone = read_hours(hsds.site_from_service(_without_hours_text(service)).hours)
    assert alone.is_structured
    assert hsds.service(site.replace(hours=alone.canonical), holiday_years=(2027, 2028),
                        )["schedules"] == service["schedules"]


AUDITED = ("name", "kind", "lat", "lon", "organization", "address", "city", "state", "zip",
           "county_fips", "phone", "website", "hours", "status", "temporarily_closed",
           "programs", "roles", "last_verified")
# What the store's JSON change log holds (JSON has no infinity or NaN).
VALUES = st.one_of(st.none(), TEXT, st.floats(allow_nan=False, allow_infinity=False), st.booleans(),
                   st.lists(TEXT, max_size=3))
changes = st.builds(
    Change, version=st.integers(1, 10**6),
    changed_at=st.datetimes(timezones=st.just(UTC)).map(
        lambda d: d.replace(microsecond=0).isoformat()),
    actor=TEXT.filter(bool), action=st.sampled_from(["add", "update", "status", "retire"]),
    site_id=st.none(),
    fields=st.dictionaries(st.sampled_from(AUDITED), st.tuples(VALUES, VALUES).map(list),
                           max_size=4))


@settings(max_examples=40, deadline=None)
@given(sites, st.lists(changes, max_size=5))
def test_every_change_of_any_site_is_one_valid_metadata_row_per_field(
        site: Site, history: list[Change]) -> None:
    service = orjson.loads(orjson.dumps(hsds.service(site, history=history)))
    nested = [row for rows in _lists(service, "metadata") for row in rows]
    expected = [(c.action, name, old, new, c.actor) for c in history
                for name, (old, new) in (c.fields or {"id": [None, site.id]}).items()]
    found = [(r["last_action_type"], r["field_name"], orjson.loads(r["previous_value"]),
              orjson.loads(r["replacement_value"]), r["updated_by"]) for r in nested]
    assert sorted(found, key=repr) == sorted(expected, key=repr)
    for row in nested:
        assert errors("metadata.json", row) == []
        assert row["previous_value"] and row["replacement_value"]
    assert hsds.site_from_service(service) == site
    tabled = hsds_files.table_rows([site], histories={site.id: history})["metadata"]
    assert sorted(r["id"] for r in tabled) == sorted(r["id"] for r in nested)


def _lists(value: object, key: str) -> list[list]:
    if isinstance(value, dict):
        own = [value[key]] if isinstance(value.get(key), list) else []
        return own + [x for k, v in value.items() if k != key for x in _lists(v, key)]
    if isinstance(value, list):
        return [x for item in value for x in _lists(item, key)]
    return []
