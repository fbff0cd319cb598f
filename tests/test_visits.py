"""The mobile workforce centers' visits log: CSV import with bad rows as file:row: reason,
idempotent re-import, and the per unit, county and month report (CLI and CSV) checked
against totals added up by hand from the same rows."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from locator.cli import main
from locator.sites import Kind, Site
from locator.store import open_store

STOPS = (
    Site("stop-lockport", "Lockport Library lot", Kind.MOBILE_CENTER, 43.1706, -78.6903,
         organization="Niagara Mobile Center", state="NY", county_fips="36063"),
    Site("stop-lewiston", "Lewiston Town Hall lot", Kind.MOBILE_CENTER, 43.1725, -79.0356,
         organization="Niagara Mobile Center", state="NY", county_fips="36063"),
    Site("stop-medina", "Medina Library lot", Kind.MOBILE_CENTER, 43.2200, -78.3870,
         organization="Niagara Mobile Center", state="NY", county_fips="36073"),
    Site("lib-lockport", "Lockport Public Library", Kind.LIBRARY, 43.1700, -78.6900,
         state="NY", county_fips="36063"),
)
GOOD = [
    ("Niagara Mobile Center", "stop-lockport", "2027-01-12", "9"),
    ("Niagara Mobile Center", "stop-lewiston", "2027-01-19", "4"),
    ("Niagara Mobile Center", "stop-lockport", "2027-02-09", "7"),
    ("Niagara Mobile Center", "stop-medina", "2027-02-16", "5"),
    ("Orleans Van", "stop-medina", "2027-02-17", "3"),
]
BAD = [
    (("Niagara Mobile Center", "stop-nowhere", "2027-01-12", "1"),
     "site_id stop-nowhere is not a site in the database"),
    (("Niagara Mobile Center", "lib-lockport", "2027-01-12", "1"),
     "site lib-lockport is a library, not a mobile_center stop"),
    (("Niagara Mobile Center", "stop-lockport", "12/01/2027", "1"),
     "date '12/01/2027' is not a date (expected YYYY-MM-DD)"),
    (("Niagara Mobile Center", "stop-lockport", "2027-01-13", "some"),
     "customers_served 'some' is not a whole number"),
    (("", "stop-lockport", "2027-01-14", "1"), "unit is empty"),
]


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'locator.db'}"
    with open_store(url) as store:
        store.upsert_sites(STOPS)
    monkeypatch.setenv("LOCATOR_DATABASE_URL", url)
    return url


def write_log(path: Path, rows: list[tuple[str, ...]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(("unit", "site_id", "date", "customers_served"))
        writer.writerows(rows)
    return path


def hand_totals(rows: list[tuple[str, ...]]) -> dict[tuple[str, str, str], tuple[int, int]]:
    county = {s.id: s.county_fips for s in STOPS}
    sums: dict[tuple[str, str, str], tuple[int, int]] = {}
    for unit, site_id, day, served in rows:
        key = (unit, county[site_id], day[:7])
        visits, customers = sums.get(key, (0, 0))
        sums[key] = (visits + 1, customers + int(served))
    return sums


def report_csv(capsys: pytest.CaptureFixture[str], *extra: str) -> list[dict[str, str]]:
    assert main(["visits", "report", "--format", "csv", *extra]) == 0
    return list(csv.DictReader(io.StringIO(capsys.readouterr().out)))


def test_import_reports_bad_rows_and_stores_the_good_ones(
        tmp_path: Path, database: str, capsys: pytest.CaptureFixture[str]) -> None:
    log = write_log(tmp_path / "visits.csv", [*GOOD, *(row for row, _ in BAD)])
    assert main(["visits", "import", str(log)]) == 0
    out = capsys.readouterr().out
    assert f"{len(GOOD)} visits stored from visits.csv; {len(BAD)} rows refused" in out
    for number, (_, reason) in enumerate(BAD, start=len(GOOD) + 2):
        assert f"visits.csv:{number}: {reason}" in out
    with open_store(database) as store:
        assert len(store.visits()) == len(GOOD)


def test_report_adds_up_per_unit_county_and_month(
        tmp_path: Path, database: str, capsys: pytest.CaptureFixture[str]) -> None:
    main(["visits", "import", str(write_log(tmp_path / "visits.csv", GOOD))])
    capsys.readouterr()
    rows = report_csv(capsys)
    got = {(r["unit"], r["county_fips"], r["month"]): (int(r["visits"]),
                                                      int(r["customers_served"]))
           for r in rows}
    assert got == hand_totals(GOOD)
    assert [(r["unit"], r["county_fips"], r["month"]) for r in rows] == sorted(got)
    only = report_csv(capsys, "--unit", "Orleans Van")
    assert [(r["county_fips"], r["visits"]) for r in only] == [("36073", "1")]


def test_importing_a_log_again_counts_each_visit_once(
        tmp_path: Path, database: str, capsys: pytest.CaptureFixture[str]) -> None:
    log = write_log(tmp_path / "visits.csv", GOOD)
    main(["visits", "import", str(log)])
    corrected = [(*GOOD[0][:3], "11"), *GOOD[1:]]
    main(["visits", "import", str(write_log(tmp_path / "visits.csv", corrected))])
    capsys.readouterr()
    got = {(r["unit"], r["county_fips"], r["month"]): (int(r["visits"]),
                                                      int(r["customers_served"]))
           for r in report_csv(capsys)}
    assert got == hand_totals(corrected)


def test_report_is_written_to_a_file_and_as_a_table(
        tmp_path: Path, database: str, capsys: pytest.CaptureFixture[str]) -> None:
    main(["visits", "import", str(write_log(tmp_path / "visits.csv", GOOD))])
    out_file = tmp_path / "report.csv"
    assert main(["visits", "report", "--format", "csv", "-o", str(out_file)]) == 0
    assert out_file.read_text().splitlines()[0] == "unit,county_fips,month,visits,customers_served"
    capsys.readouterr()
    assert main(["visits", "report"]) == 0
    last = capsys.readouterr().out.splitlines()[-1].split()
    assert last == ["total", str(len(GOOD)), str(sum(int(r[3]) for r in GOOD))]


def test_a_file_without_the_columns_is_refused(
        tmp_path: Path, database: str, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "visits.csv"
    bad.write_text("unit,date\nX,2027-01-12\n")
    assert main(["visits", "import", str(bad)]) == 2
    assert "missing required column(s): site_id, customers_served" in capsys.readouterr().err
