"""What an import does to the database: atomic, idempotent, vintage-aware, never losing data."""

from __future__ import annotations

import hashlib
import shutil
import zipfile
from pathlib import Path

import pytest
from conftest import dump_tables

from locator.errors import InvalidInput
from locator.importer import FileResult, ImportReport, import_sources
from locator.sites import Kind, Site, Status
from locator.store import Store

FIXTURES = Path(__file__).parent / "fixtures"
BOTH_PLS = ("pls_fy2019_outlets_example.csv", "pls_fy2021_outlets_example.csv")


def sources_with(folder: Path, *names: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name in names:
        shutil.copy(FIXTURES / name, folder / name)
    return folder


def result_for(report: ImportReport, source: str) -> FileResult:
    return next(r for r in report.results if r.source == source)


def dump(store: Store) -> list[tuple[str, list[tuple[object, ...]]]]:
    return dump_tables(store.url)


def test_importing_the_same_files_twice_adds_and_changes_nothing(
        tmp_path: Path, fresh_store: Store) -> None:
    folder = sources_with(tmp_path / "src", "pls_fy2021_outlets_example.csv",
                          "sites_example.csv", "careeronestop_example.csv",
                          "cenpop_tracts_example.txt")
    import_sources(fresh_store, folder)
    sites_before = fresh_store.sites(statuses=None)
    again = import_sources(fresh_store, folder)
    for result in again.results:
        assert (result.added, result.changed, result.removed) == (0, 0, 0), result
    assert fresh_store.sites(statuses=None) == sites_before


def test_newest_vintage_is_imported_and_the_older_one_passed_over(
        tmp_path: Path, fresh_store: Store) -> None:
    folder = sources_with(tmp_path / "src", *BOTH_PLS)
    report = import_sources(fresh_store, folder)
    assert [(r.file, r.vintage) for r in report.results] == [
        ("pls_fy2021_outlets_example.csv", "FY2021")]
    assert report.passed_over == (
        ("pls_fy2019_outlets_example.csv", "imls_pls FY2019: FY2021 imported instead"),)
    assert {s.vintage for s in fresh_store.sites()} == {"FY2021"}


def test_a_named_vintage_is_imported_instead_of_the_newest(
        tmp_path: Path, fresh_store: Store) -> None:
    folder = sources_with(tmp_path / "src", *BOTH_PLS, "cenpop_tracts_example.txt")
    report = import_sources(fresh_store, folder, vintage="FY2019")
    assert result_for(report, "imls_pls").vintage == "FY2019"
    assert result_for(report, "census_cenpop_tract").rows_read == 3  # sole file, still read
    assert fresh_store.site("pls-IL9002-002") is not None


def test_a_vintage_no_file_has_is_an_error_listing_those_found(
        tmp_path: Path, fresh_store: Store) -> None:
    folder = sources_with(tmp_path / "src", *BOTH_PLS)
    with pytest.raises(InvalidInput, match="no source file has vintage 'FY2020'; found: "
                                           "FY2019, FY2021"):
        import_sources(fresh_store, folder, vintage="FY2020")
    assert fresh_store.count_sites() == 0


def test_newer_vintage_reports_added_changed_removed_and_retires_instead_of_deleting(
        tmp_path: Path, fresh_store: Store) -> None:
    folder = sources_with(tmp_path / "src", *BOTH_PLS)
    first = result_for(import_sources(fresh_store, folder, vintage="FY2019"), "imls_pls")
    second = result_for(import_sources(fresh_store, folder), "imls_pls")
    assert (first.added, first.changed, first.removed) == (4, 0, 0)
    assert (second.added, second.changed, second.removed, second.unchanged) == (1, 1, 1, 2)
    gone = fresh_store.site("pls-IL9002-002")
    assert gone is not None and gone.status is Status.RETIRED
    assert fresh_store.site("pls-IL9001-002").phone == "(217) 555-0199"
    assert fresh_store.site("pls-IL9004-002").temporarily_closed
    assert fresh_store.site("pls-IL9001-003").vintage == "FY2021"  # unchanged, newer vintage


def test_a_site_an_import_retired_returns_when_its_source_lists_it_again(
        tmp_path: Path, fresh_store: Store) -> None:
    folder = sources_with(tmp_path / "src", *BOTH_PLS)
    import_sources(fresh_store, folder, vintage="FY2019")
    import_sources(fresh_store, folder)
    back = result_for(import_sources(fresh_store, folder, vintage="FY2019"), "imls_pls")
    assert fresh_store.site("pls-IL9002-002").status is Status.APPROVED
    assert fresh_store.site("pls-IL9004-002").status is Status.RETIRED
    assert (back.added, back.changed, back.removed) == (0, 2, 1)


def test_a_status_a_reviewer_set_survives_reimports(tmp_path: Path, fresh_store: Store) -> None:
    folder = sources_with(tmp_path / "src", *BOTH_PLS)
    import_sources(fresh_store, folder, vintage="FY2019")
    import_sources(fresh_store, folder)  # retires pls-IL9002-002
    fresh_store.set_status(["pls-IL9001-003"], Status.RETIRED)
    fresh_store.set_status(["pls-IL9002-002"], Status.APPROVED)
    fresh_store.set_status(["pls-IL9002-002"], Status.RETIRED)
    import_sources(fresh_store, folder, vintage="FY2019")
    assert fresh_store.site("pls-IL9001-003").status is Status.RETIRED
    assert fresh_store.site("pls-IL9002-002").status is Status.RETIRED


def test_fields_the_source_does_not_supply_survive_a_reimport(
        tmp_path: Path, fresh_store: Store) -> None:
    folder = sources_with(tmp_path / "src", "pls_fy2021_outlets_example.csv")
    import_sources(fresh_store, folder)
    library = fresh_store.site("pls-IL9001-002")
    fresh_store.upsert_sites([library.replace(programs=frozenset({"wifi"}), hours="Mon 9-5",
                                              website="https://example.org/library")])
    result = result_for(import_sources(fresh_store, folder), "imls_pls")
    kept = fresh_store.site("pls-IL9001-002")
    assert (result.added, result.changed) == (0, 0)
    assert (kept.programs, kept.hours, kept.website) == (
        {"wifi"}, "Mon 9-5", "https://example.org/library")


def test_a_refused_row_keeps_the_stored_site_instead_of_retiring_it(
        tmp_path: Path, fresh_store: Store) -> None:
    folder = sources_with(tmp_path / "src", "sites_example.csv")
    import_sources(fresh_store, folder)
    path = folder / "sites_example.csv"
    path.write_text(path.read_text("utf-8").replace("40.1164,-88.2434", "140.1164,-88.2434"),
                    encoding="utf-8")
    report = import_sources(fresh_store, folder)
    assert [i.row for i in report.issues] == [2]
    assert report.results[0].removed == 0
    assert fresh_store.site("example-access-1").status is Status.APPROVED
    assert fresh_store.site("example-access-1").lat == 40.1164


def test_an_unreadable_file_changes_nothing(tmp_path: Path, fresh_store: Store) -> None:
    folder = sources_with(tmp_path / "src", "sites_example.geojson")
    import_sources(fresh_store, folder)
    before = dump(fresh_store)
    (folder / "sites_example.geojson").write_text('{"type": "FeatureCollection", "features"',
                                                  encoding="utf-8")
    report = import_sources(fresh_store, folder)
    assert len(report.issues) == 1
    assert dump(fresh_store) == before


def test_an_id_another_source_owns_is_refused(tmp_path: Path, fresh_store: Store) -> None:
    fresh_store.upsert_sites([Site("shared-1", "Example Reviewer Site", Kind.ACCESS_SITE,
                                   40.1, -88.2, state="IL", source="partner")])
    folder = tmp_path / "src"
    folder.mkdir()
    (folder / "sites.csv").write_text(
        "id,name,kind,lat,lon,state\nshared-1,Example Copy,library,40.1,-88.2,IL\n",
        encoding="utf-8")
    report = import_sources(fresh_store, folder)
    assert [str(i) for i in report.issues] == [
        "sites.csv:2: id shared-1 already belongs to source 'partner'"]
    assert fresh_store.site("shared-1").name == "Example Reviewer Site"


def test_a_failure_part_way_leaves_the_database_exactly_as_before(
        tmp_path: Path, fresh_store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = sources_with(tmp_path / "src", *BOTH_PLS, "cenpop_tracts_example.txt",
                          "sites_example.csv")
    import_sources(fresh_store, folder, vintage="FY2019")
    before = dump(fresh_store)
    calls = []

    def fail_on_the_last_file(record: object) -> None:
        calls.append(record)
        if len(calls) == 3:
            raise OSError("disk full")
        original(record)

    original = fresh_store.record_import
    monkeypatch.setattr(fresh_store, "record_import", fail_on_the_last_file)
    with pytest.raises(OSError, match="disk full"):
        import_sources(fresh_store, folder)  # FY2021 would add, change and retire sites
    assert len(calls) == 3  # the first two files were written before the failure
    assert dump(fresh_store) == before


def test_every_import_is_logged_with_file_checksum_and_counts(
        tmp_path: Path, fresh_store: Store) -> None:
    folder = sources_with(tmp_path / "src", "pls_fy2021_outlets_example.csv")
    import_sources(fresh_store, folder)
    import_sources(fresh_store, folder)
    records = fresh_store.imports()
    digest = hashlib.sha256(
        (folder / "pls_fy2021_outlets_example.csv").read_bytes()).hexdigest()
    assert [(r.source, r.vintage, r.file, r.sha256) for r in records] == [
        ("imls_pls", "FY2021", "pls_fy2021_outlets_example.csv", digest)] * 2
    assert records[0].summary["added"] == 4
    assert records[1].summary["added"] == 0
    assert records[0].summary["skipped"] == {"books-by-mail service (not a place)": 1}
    assert records[0].summary["issues"] == 0


def test_a_missing_sources_folder_is_an_error_that_says_what_to_do(
        tmp_path: Path, fresh_store: Store) -> None:
    with pytest.raises(InvalidInput, match="locator data fetch"):
        import_sources(fresh_store, tmp_path / "nowhere")


def test_the_same_vintage_twice_is_imported_once(tmp_path: Path, fresh_store: Store) -> None:
    folder = sources_with(tmp_path / "src", "pls_fy2021_outlets_example.csv")
    with zipfile.ZipFile(folder / "pls_fy2021_csv.zip", "w") as archive:
        archive.write(folder / "pls_fy2021_outlets_example.csv", "outlets.csv")
    report = import_sources(fresh_store, folder)
    assert [r.file for r in report.results] == ["pls_fy2021_csv.zip[outlets.csv]"]
    assert report.passed_over == (
        ("pls_fy2021_outlets_example.csv",
         "same source and vintage as pls_fy2021_csv.zip[outlets.csv]"),)
