"""docs/sites-format.md says what the importer does: checked, so the two cannot drift."""

from __future__ import annotations

import re
from pathlib import Path

from locator.events import EventKind
from locator.hours import HoursStatus, read_hours
from locator.importer import import_sources
from locator.sites import PROGRAMS, Kind
from locator.sources import _eventsfile, _sitesfile
from locator.sources._checks import OUTSIDE_STATE_LIMIT_MI
from locator.store import Store

DOC = (Path(__file__).resolve().parents[1] / "docs" / "sites-format.md").read_text("utf-8")


def documented_table_rows(heading_column: str) -> list[str]:
    """First-column values of the markdown table whose header starts with ``heading_column``."""
    lines = DOC.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(f"| {heading_column} |"))
    rows = []
    for line in lines[start + 2:]:
        if not line.startswith("|"):
            break
        rows.append(line.split("|")[1].strip().strip("`"))
    return rows


def test_every_column_the_reader_knows_is_documented_in_order() -> None:
    assert documented_table_rows("column") == [*_sitesfile.REQUIRED, *_sitesfile.OPTIONAL]


def test_every_program_and_kind_is_documented() -> None:
    assert documented_table_rows("slug") == [p.slug for p in PROGRAMS]
    for kind in Kind:
        assert f"`{kind.value}`" in DOC


def test_the_documented_distance_limit_is_the_one_applied() -> None:
    assert f"within {OUTSIDE_STATE_LIMIT_MI:g} miles of, the state" in DOC


def test_the_documented_examples_import_without_issues(tmp_path: Path,
                                                       fresh_store: Store) -> None:
    csv_example = re.search(r"```csv\n(.*?)```", DOC, re.S).group(1)
    geojson_example = re.search(r"```json\n(.*?)```", DOC, re.S).group(1)
    (tmp_path / "example.csv").write_text(csv_example, encoding="utf-8")
    (tmp_path / "example.geojson").write_text(geojson_example, encoding="utf-8")
    report = import_sources(fresh_store, tmp_path)
    assert report.issues == ()
    assert {s.id for s in fresh_store.sites()} == {"example-access-1", "example-geo-1"}


def test_every_events_column_is_documented_in_order() -> None:
    assert documented_table_rows("event column") == [*_eventsfile.REQUIRED,
                                                     *_eventsfile.OPTIONAL]
    for kind in EventKind:
        assert f"`{kind.value}`" in DOC


def test_the_documented_events_example_imports_without_issues(tmp_path: Path,
                                                              fresh_store: Store) -> None:
    sites_example, events_example, _ = re.findall(r"```csv\n(.*?)```", DOC, re.S)
    (tmp_path / "example.csv").write_text(sites_example, encoding="utf-8")
    (tmp_path / "example-events.csv").write_text(events_example, encoding="utf-8")
    report = import_sources(fresh_store, tmp_path)
    assert report.issues == ()
    assert [e.id for e in fresh_store.events()] == ["example-workshop-1"]
def test_the_documented_hours_forms_read_as_documented() -> None:
    lines = DOC.splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip() == "| written | read as |")
    rows = []
    for line in lines[start + 2:]:
        if not line.strip().startswith("|"):
            break
        written, read_as = (cell.strip().strip("`") for cell in line.strip().split("|")[1:3])
        rows.append((written, read_hours(written).canonical, read_as))
    assert len(rows) >= 10
    assert [(w, got) for w, got, _ in rows] == [(w, expected) for w, _, expected in rows]


def test_the_documented_unreadable_hours_are_kept_as_text() -> None:
    for text in ("by appointment", "T,Th 9-5", "Mon-Fri 1-4"):
        assert f"`{text}`" in DOC
        assert read_hours(text).status is HoursStatus.UNREADABLE


def test_the_documented_regions_example_imports_without_issues(tmp_path: Path,
                                                               fresh_store: Store) -> None:
    regions_example = re.findall(r"```csv\n(.*?)```", DOC, re.S)[2]
    (tmp_path / "lwia.csv").write_text(regions_example, encoding="utf-8")
    report = import_sources(fresh_store, tmp_path)
    assert report.issues == ()
    assert fresh_store.regions() == {"17167": "LWIA 21", "17115": "LWIA 21"}
