"""``locator data import`` and ``locator data status`` through ``locator.cli.main``."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest

from locator.cli import main

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'db' / 'locator.db'}"
    monkeypatch.setenv("LOCATOR_DATABASE_URL", url)
    monkeypatch.delenv("LOCATOR_SOURCES", raising=False)
    return url


@pytest.fixture
def sources(tmp_path: Path) -> Path:
    folder = tmp_path / "sources"
    folder.mkdir()
    for name in ("pls_fy2019_outlets_example.csv", "pls_fy2021_outlets_example.csv",
                 "cenpop_tracts_example.txt", "cenpop_counties_example.txt",
                 "careeronestop_example.csv"):
        shutil.copy(FIXTURES / name, folder)
    return folder


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def summary_rows(out: str) -> dict[str, list[str]]:
    """The summary table's rows, keyed by file name."""
    lines = out.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("file "))
    rows = {}
    for line in lines[start + 1:]:
        if not line or line.startswith(" ") or ":" in line.split()[0]:
            break
        rows[line.split()[0]] = line.split()[1:]
    return rows


def test_import_prints_counts_per_file_and_progress_on_stderr(
        capsys: pytest.CaptureFixture[str], database: str, sources: Path) -> None:
    code, out, err = run(capsys, "data", "import", "--sources", str(sources))
    rows = summary_rows(out)
    assert code == 0
    # source, vintage, read, added, changed, removed, skipped, rejected
    assert rows["pls_fy2021_outlets_example.csv"] == [
        "imls_pls", "FY2021", "5", "4", "0", "0", "1", "0"]
    assert rows["cenpop_tracts_example.txt"][2:] == ["3", "3", "0", "0", "0", "0"]
    assert rows["careeronestop_example.csv"][0] == "careeronestop"
    assert "skipped 1 (books-by-mail service (not a place))" in out
    assert "not imported: pls_fy2019_outlets_example.csv: imls_pls FY2019: FY2021 " \
           "imported instead" in out
    assert "reading pls_fy2021_outlets_example.csv: 5 rows (" in err
    assert "rows/s)" in err
    assert "writing pls_fy2021_outlets_example.csv: 4 rows" in err


def test_import_again_reports_nothing_added_or_changed(
        capsys: pytest.CaptureFixture[str], database: str, sources: Path) -> None:
    run(capsys, "data", "import", "--sources", str(sources))
    code, out, _ = run(capsys, "data", "import", "--sources", str(sources))
    assert code == 0
    for row in summary_rows(out).values():
        assert row[3:6] == ["0", "0", "0"]


def test_import_of_an_older_vintage_on_request_reports_the_difference(
        capsys: pytest.CaptureFixture[str], database: str, sources: Path) -> None:
    run(capsys, "data", "import", "--sources", str(sources))
    code, out, _ = run(capsys, "data", "import", "--sources", str(sources),
                       "--vintage", "FY2019")
    assert code == 0
    # FY2019 brings back one library, changes one phone, retires the FY2021-only library.
    assert summary_rows(out)["pls_fy2019_outlets_example.csv"][3:6] == ["1", "1", "1"]


def test_unknown_vintage_exits_2_with_a_one_line_reason(
        capsys: pytest.CaptureFixture[str], database: str, sources: Path) -> None:
    code, _, err = run(capsys, "data", "import", "--sources", str(sources),
                       "--vintage", "FY1999")
    assert code == 2
    assert err.strip() == ("locator: no source file has vintage 'FY1999'; found: "
                           "2024-03-15, FY2019, FY2021")


def test_sources_folder_comes_from_the_environment(
        capsys: pytest.CaptureFixture[str], database: str, sources: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LOCATOR_SOURCES", str(sources))
    code, out, _ = run(capsys, "data", "import")
    assert code == 0
    assert "pls_fy2021_outlets_example.csv" in summary_rows(out)


def test_if_empty_with_no_source_files_imports_the_bundled_snapshot_and_says_how_to_update(
        capsys: pytest.CaptureFixture[str], database: str, tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    code, out, _ = run(capsys, "data", "import", "--if-empty", "--sources", str(empty))
    assert code == 0
    assert out.startswith(f"no source files found in {empty}: importing the data snapshot "
                          "bundled with the app")
    assert "locator data fetch" in out
    for name in ("pls_fy2024_csv.zip", "CenPop2020_Mean_TR.txt", "CenPop2020_Mean_CO.txt"):
        assert name in out
    assert summary_rows(out)["locator-snapshot.zip[pls_fy2021_outlets.csv]"][:4] == [
        "imls_pls", "FY2021", "17,426", "17,425"]


def test_without_if_empty_no_source_files_is_an_error(
        capsys: pytest.CaptureFixture[str], database: str, tmp_path: Path) -> None:
    code, _, err = run(capsys, "data", "import", "--sources", str(tmp_path))
    assert code == 2
    assert f"no source files found in {tmp_path}" in err


def test_if_empty_leaves_a_loaded_database_alone(
        capsys: pytest.CaptureFixture[str], database: str, sources: Path) -> None:
    run(capsys, "data", "import", "--sources", str(sources), "--vintage", "FY2019")
    code, out, _ = run(capsys, "data", "import", "--sources", str(sources), "--if-empty")
    assert code == 0
    assert out.startswith("the database already holds 6 sites; nothing imported")
    code, out, _ = run(capsys, "data", "status", "--format", "json")
    pls = next(i for i in json.loads(out)["imports"] if i["source"] == "imls_pls")
    assert pls["vintage"] == "FY2019"


def write_bad_rows(folder: Path, count: int) -> None:
    lines = ["id,name,kind,lat,lon,state"]
    lines += [f"bad-{n},Example Site {n},access_site,,-88.2,IL" for n in range(count)]
    (folder / "sites.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_first_refused_rows_are_listed_and_verbose_lists_them_all(
        capsys: pytest.CaptureFixture[str], database: str, tmp_path: Path) -> None:
    write_bad_rows(tmp_path, 25)
    code, out, _ = run(capsys, "data", "import", "--sources", str(tmp_path))
    listed = [line for line in out.splitlines() if line.startswith("  sites.csv:")]
    assert code == 0
    assert "refused rows (25):" in out
    assert listed[0] == "  sites.csv:2: missing coordinate: lat is empty"
    assert len(listed) == 20
    assert "... and 5 more" in out
    code, out, _ = run(capsys, "data", "import", "--sources", str(tmp_path), "--verbose")
    assert len([line for line in out.splitlines() if line.startswith("  sites.csv:")]) == 25


def test_report_file_holds_every_refused_row(
        capsys: pytest.CaptureFixture[str], database: str, tmp_path: Path) -> None:
    folder = tmp_path / "sources"
    folder.mkdir()
    write_bad_rows(folder, 25)
    report = tmp_path / "refused.csv"
    code, out, _ = run(capsys, "data", "import", "--sources", str(folder),
                       "--report", str(report))
    with report.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert code == 0
    assert f"all 25 refused rows written to {report}" in out
    assert [int(r["row"]) for r in rows] == list(range(2, 27))
    assert {r["file"] for r in rows} == {"sites.csv"}


def test_status_shows_kinds_states_population_and_files(
        capsys: pytest.CaptureFixture[str], database: str, sources: Path) -> None:
    run(capsys, "data", "import", "--sources", str(sources))
    code, out, _ = run(capsys, "data", "status", "--format", "json")
    status = json.loads(out)
    assert code == 0
    assert status["database"] == database
    assert status["sites"]["total"] == 6
    assert status["sites"]["by_kind"] == {"affiliate_center": 1, "bookmobile": 1,
                                          "comprehensive_center": 1, "library": 3}
    assert status["sites"]["by_state"] == {"IL": 6}
    assert status["population"]["tract"] == {"points": 3, "population": 3500, "vintage": ""}
    assert [(i["source"], i["file"]) for i in status["imports"]] == [
        ("careeronestop", "careeronestop_example.csv"),
        ("census_cenpop_county", "cenpop_counties_example.txt"),
        ("census_cenpop_tract", "cenpop_tracts_example.txt"),
        ("imls_pls", "pls_fy2021_outlets_example.csv"),
    ]
    code, out, _ = run(capsys, "data", "status")
    assert code == 0
    assert "by kind (not retired): affiliate_center 1, bookmobile 1, comprehensive_center 1, " \
           "library 3" in out
    assert "tract: 3 points, 3,500 people" in out
    assert "imls_pls" in out and "FY2021" in out


def test_status_counts_kinds_and_states_without_retired_sites(
        capsys: pytest.CaptureFixture[str], database: str, sources: Path) -> None:
    run(capsys, "data", "import", "--sources", str(sources), "--vintage", "FY2019")
    run(capsys, "data", "import", "--sources", str(sources))  # retires one FY2019 library
    status = json.loads(run(capsys, "data", "status", "--format", "json")[1])["sites"]
    assert status["total"] == 7
    assert status["by_status"] == {"approved": 6, "retired": 1}
    assert sum(status["by_kind"].values()) == sum(status["by_state"].values()) == 6


def test_status_of_an_empty_database_says_how_to_load_data(
        capsys: pytest.CaptureFixture[str], database: str) -> None:
    code, out, _ = run(capsys, "data", "status")
    assert code == 0
    assert "nothing is loaded yet: run `locator data fetch` and `locator data import`" in out


@pytest.mark.parametrize("action", ["fetch", "import", "status"])
def test_every_data_command_has_an_example_in_its_help(
        capsys: pytest.CaptureFixture[str], action: str) -> None:
    with pytest.raises(SystemExit):
        main(["data", action, "--help"])
    assert f"example:\n  locator data {action}" in capsys.readouterr().out
