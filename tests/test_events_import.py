"""Events CSVs through ``locator data import``: times read in the site's own zone, bad rows
reported as file:row: reason, and a new version of the file replacing the old one's events."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from locator.events import EventKind
from locator.importer import import_sources
from locator.sources import Format, discover
from locator.store import Store

SITES = """id,name,kind,lat,lon,state
champaign-1,Champaign Access Site,access_site,40.1164,-88.2434,IL
phoenix-1,Phoenix Library,library,33.4484,-112.0740,AZ
"""
HEADER = "event_id,site_id,title,start,end,kind,capacity,languages,registration_url,phone"
WINTER = ("ev-winter,champaign-1,Resume workshop,2027-01-12T10:00,2027-01-12T12:00,workshop,"
          "20,en;es,example.org/register,217-555-0100")
SUMMER = "ev-summer,champaign-1,Job fair,2027-07-13T10:00,2027-07-13T15:00,job_fair,,,,"
ARIZONA = "ev-az,phoenix-1,Hiring event,2027-07-13T10:00,2027-07-13T11:00,hiring_event,,,,"
OFFSET = "ev-offset,champaign-1,Training,2027-01-12T10:00-05:00,2027-01-12T11:00-05:00,,,,,"


def write(folder: Path, *lines: str) -> None:
    folder.mkdir(exist_ok=True)
    (folder / "sites.csv").write_text(SITES)
    (folder / "events.csv").write_text("\n".join((HEADER, *lines)) + "\n")


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def test_events_file_is_recognised_by_its_columns(tmp_path: Path) -> None:
    write(tmp_path, WINTER)
    formats = {f.path.name: f.format for f in discover(tmp_path).files}
    assert formats == {"events.csv": Format.EVENTS_CSV, "sites.csv": Format.SITES_CSV}


def test_times_without_offset_are_read_in_the_sites_zone(tmp_path: Path,
                                                          fresh_store: Store) -> None:
    write(tmp_path, WINTER, SUMMER, ARIZONA, OFFSET)
    report = import_sources(fresh_store, tmp_path)
    assert report.issues == ()
    events = {e.id: e for e in fresh_store.events()}
    # Central standard time is UTC-6, daylight time UTC-5; Arizona keeps UTC-7 all year.
    assert events["ev-winter"].start_utc == utc(2027, 1, 12, 16)
    assert events["ev-summer"].start_utc == utc(2027, 7, 13, 15)
    assert events["ev-az"].start_utc == utc(2027, 7, 13, 17)
    assert events["ev-offset"].start_utc == utc(2027, 1, 12, 15)
    assert events["ev-az"].zone == "America/Phoenix"
    assert events["ev-winter"].zone == "America/Chicago"
    assert events["ev-winter"].start.isoformat() == "2027-01-12T10:00:00-06:00"


def test_every_field_of_an_event_row_is_stored(tmp_path: Path, fresh_store: Store) -> None:
    write(tmp_path, WINTER, OFFSET)
    import_sources(fresh_store, tmp_path)
    winter = fresh_store.event("ev-winter")
    assert winter is not None
    assert (winter.title, winter.kind, winter.site_id) == (
        "Resume workshop", EventKind.WORKSHOP, "champaign-1")
    assert (winter.capacity, winter.languages) == (20, ("en", "es"))
    assert winter.registration_url == "https://example.org/register"
    assert winter.phone == "(217) 555-0100"
    assert winter.end_utc == utc(2027, 1, 12, 18)
    offset = fresh_store.event("ev-offset")
    assert offset is not None and offset.kind is EventKind.OTHER and offset.capacity is None


@pytest.mark.parametrize(("line", "reason"), [
    ("bad,nowhere-1,T,2027-01-12T10:00,2027-01-12T11:00,,,,,",
     "site_id nowhere-1 is not a site in the database"),
    ("bad,champaign-1,T,2027-01-12T10:00,2027-01-12T09:00,,,,,",
     "end 2027-01-12T09:00 is not after start 2027-01-12T10:00"),
    ("bad,champaign-1,T,next Tuesday,2027-01-12T09:00,,,,,",
     "start 'next Tuesday' is not an ISO 8601 date and time"),
    ("bad,champaign-1,T,2027-01-12T10:00,2027-01-12T11:00,party,,,,",
     "kind 'party' is not one of workshop, job_fair"),
    ("bad,champaign-1,T,2027-01-12T10:00,2027-01-12T11:00,,lots,,,",
     "capacity 'lots' is not a positive whole number"),
    ("bad,champaign-1,T,2027-01-12T10:00,2027-01-12T11:00,,,Spanish please,,",
     "languages: 'Spanish please' is not a language tag"),
    ("bad,champaign-1,T,2027-01-12T10:00,2027-01-12T11:00,,,,javascript:alert(1),",
     "registration_url 'javascript:alert(1)' is not a web address"),
    ("bad,champaign-1,,2027-01-12T10:00,2027-01-12T11:00,,,,,", "title is empty"),
    ("bad,champaign-1,T,2027-01-12T10:00-05:00,2027-01-12T11:00,,,,,",
     "start and end must both have an offset or both have none"),
    ("ev-winter,champaign-1,T,2027-01-12T10:00,2027-01-12T11:00,,,,,",
     "duplicate event_id ev-winter (first at row 2)"),
])
def test_bad_event_rows_are_reported_and_not_stored(tmp_path: Path, fresh_store: Store,
                                                    line: str, reason: str) -> None:
    write(tmp_path, WINTER, line)
    issues = import_sources(fresh_store, tmp_path).issues
    assert len(issues) == 1
    assert str(issues[0]).startswith(f"events.csv:3: {reason}")
    assert [e.id for e in fresh_store.events()] == ["ev-winter"]


def test_a_new_version_of_the_file_changes_and_removes_events(tmp_path: Path,
                                                              fresh_store: Store) -> None:
    write(tmp_path, WINTER, SUMMER)
    import_sources(fresh_store, tmp_path)
    again = import_sources(fresh_store, tmp_path).results
    events_result = next(r for r in again if r.file == "events.csv")
    assert (events_result.added, events_result.changed, events_result.unchanged) == (0, 0, 2)
    write(tmp_path, WINTER.replace("Resume workshop", "Resume clinic"))
    result = next(r for r in import_sources(fresh_store, tmp_path).results
                  if r.file == "events.csv")
    assert (result.changed, result.removed) == (1, 1)
    assert [(e.id, e.title) for e in fresh_store.events()] == [("ev-winter", "Resume clinic")]
    actions = [c.action for c in fresh_store.history() if c.action.startswith("event")]
    assert actions == ["event_add", "event_add", "event_update", "event_remove"]


def test_events_are_chosen_by_time_window(tmp_path: Path, fresh_store: Store) -> None:
    write(tmp_path, WINTER, SUMMER, ARIZONA)
    import_sources(fresh_store, tmp_path)
    between = fresh_store.events(ending_after_utc=utc(2027, 1, 12, 17),
                                 starting_before_utc=utc(2027, 7, 13, 16))
    assert [e.id for e in between] == ["ev-winter", "ev-summer"]
    assert [e.id for e in fresh_store.events(site_ids=["phoenix-1"])] == ["ev-az"]


@pytest.mark.parametrize("bad", [
    "ev-summer,champaign-1,Job fair,2027-07-13T10:00,2027-07-13T15:00,party,,,,",
    "ev-summer,champaign-1,Job fair,2027-07-13T10:00,2027-07-13T09:00,job_fair,,,,",
    "ev-summer,champaign-1,,2027-07-13T10:00,2027-07-13T15:00,job_fair,,,,",
])
def test_a_refused_row_keeps_the_stored_event_of_its_id_unchanged(
        tmp_path: Path, fresh_store: Store, bad: str) -> None:
    write(tmp_path, WINTER, SUMMER)
    import_sources(fresh_store, tmp_path)
    stored = fresh_store.event("ev-summer")
    write(tmp_path, WINTER, bad)
    report = import_sources(fresh_store, tmp_path)
    assert [str(i).split(": ")[0] for i in report.issues] == ["events.csv:3"]
    assert fresh_store.event("ev-summer") == stored
    result = next(r for r in report.results if r.file == "events.csv")
    assert (result.removed, result.rejected) == (0, 1)
    assert "event_remove" not in [c.action for c in fresh_store.history()]
