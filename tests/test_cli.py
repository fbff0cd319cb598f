"""The ``locator`` command: documented, and the ``nearest`` contract kept."""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from locator.cli import build_parser, main
from locator.geo import haversine_mi
from locator.sites import Kind, Site, Status
from locator.store import open_store

REPO = Path(__file__).resolve().parents[1]
NEAREST_QUERY_KEYS = {"label", "lat", "lon", "precision"}
NEAREST_RESULT_KEYS = {"id", "name", "kind", "address", "city", "state", "zip", "county_fips",
                       "lat", "lon", "distance_mi"}


def _subcommands(parser: argparse.ArgumentParser,
                 prefix: str = "") -> dict[str, argparse.ArgumentParser]:
    found: dict[str, argparse.ArgumentParser] = {}
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                found[f"{prefix}{name}"] = sub
                found.update(_subcommands(sub, f"{prefix}{name} "))
    return found


def test_every_command_help_has_an_example() -> None:
    commands = _subcommands(build_parser())
    assert {"nearest", "data fetch", "data import", "data status"} <= set(commands)
    for name, parser in commands.items():
        assert "example:" in parser.format_help(), f"`locator {name} --help` has no example"


def test_every_command_is_documented_in_the_readme() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    for name in _subcommands(build_parser()):
        assert f"locator {name}" in readme, f"README does not document `locator {name}`"


def test_python_dash_m_runs_the_same_command() -> None:
    done = subprocess.run([sys.executable, "-m", "locator", "--help"], capture_output=True,
                          text=True, check=False)
    assert done.returncode == 0
    assert "nearest" in done.stdout


@pytest.fixture
def national_env(national_db_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("LOCATOR_DATABASE_URL", national_db_url)
    return national_db_url


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_nearest_json_keeps_the_contract_and_matches_brute_force(
        national_env: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "nearest", "62701", "-k", "5", "--kind", "library",
                           "bookmobile", "--format", "json")
    assert code == 0
    answer = json.loads(out)
    assert set(answer["query"]) == NEAREST_QUERY_KEYS
    assert answer["query"]["precision"] == "zip"
    rows = answer["results"]
    assert len(rows) == 5
    assert all(set(row) >= NEAREST_RESULT_KEYS for row in rows)
    assert {row["kind"] for row in rows} <= {"library", "bookmobile"}

    with open_store(national_env) as store:
        sites = [s for s in store.sites() if s.kind in (Kind.LIBRARY, Kind.BOOKMOBILE)]
    q = answer["query"]
    distance_mi = haversine_mi(q["lat"], q["lon"], [s.lat for s in sites], [s.lon for s in sites])
    expected = sorted(zip(distance_mi.tolist(), (s.id for s in sites), strict=True))[:5]
    assert [row["id"] for row in rows] == [site_id for _, site_id in expected]
    assert np.allclose([row["distance_mi"] for row in rows], [d for d, _ in expected], atol=1e-6)


def test_nearest_within_limits_the_distance(national_env: str,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "nearest", "41.88, -87.63", "-k", "50", "--within", "2",
                           "--format", "json")
    assert code == 0
    rows = json.loads(out)["results"]
    assert rows and all(row["distance_mi"] <= 2 for row in rows)
    assert [r["distance_mi"] for r in rows] == sorted(r["distance_mi"] for r in rows)


def test_nearest_geojson_is_lon_lat(national_env: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "nearest", "60601", "-k", "3", "--format", "geojson")
    assert code == 0
    collection = json.loads(out)
    assert collection["type"] == "FeatureCollection"
    for feature in collection["features"]:
        lon, lat = feature["geometry"]["coordinates"]
        assert (lon, lat) == (feature["properties"]["lon"], feature["properties"]["lat"])


def test_nearest_csv_has_a_header_and_a_row_per_site(national_env: str,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "nearest", "Peoria, IL", "-k", "4", "--format", "csv")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert len(rows) == 4
    assert float(rows[0]["distance_mi"]) <= float(rows[-1]["distance_mi"])


def test_nearest_table_says_distances_are_straight_line(
        national_env: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "nearest", "62701", "-k", "2")
    assert code == 0
    assert "straight-line" in out


@pytest.mark.parametrize("argv", [
    ["nearest", "zzzz not a place 12"],
    ["nearest", "95, 10"],
    ["nearest", "62701", "-k", "0"],
    ["nearest", "62701", "--kind", "spaceport"],
    ["nearest", "62701", "--program", "underwater basket weaving"],
    ["nearest", "62701", "--within", "-3"],
])
def test_nearest_bad_input_exits_2_with_one_line(national_env: str, argv: list[str],
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(capsys, *argv)
    assert code == 2
    assert out == ""
    assert len(err.strip().splitlines()) == 1


def test_nearest_ambiguous_input_lists_candidates(national_env: str,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(capsys, "nearest", "Springfield")
    assert code == 2
    assert out == ""
    lines = err.strip().splitlines()
    assert len(lines) > 3
    assert any(", IL" in line for line in lines[1:])


def test_nearest_on_an_empty_database_says_how_to_load_data(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("LOCATOR_DATABASE_URL", f"sqlite:///{tmp_path / 'empty.db'}")
    code, _, err = run_cli(capsys, "nearest", "62701")
    assert code == 2
    assert "locator data import" in err


def test_nearest_never_lists_pending_sites(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"

    with open_store(url) as store:
        store.upsert_sites([
            Site("pending", "Pending Place", Kind.ACCESS_SITE, 39.80, -89.65,
                 status=Status.PENDING),
            Site("public", "Public Place", Kind.LIBRARY, 39.70, -89.65),
        ])
    monkeypatch.setenv("LOCATOR_DATABASE_URL", url)
    code, out, _ = run_cli(capsys, "nearest", "39.8, -89.65", "--format", "json")
    assert code == 0
    assert [row["id"] for row in json.loads(out)["results"]] == ["public"]


def test_output_cut_short_by_the_reader_ends_quietly(national_env: str) -> None:
    reader = subprocess.Popen(
        [sys.executable, "-m", "locator", "coverage", "--within", "5", "--by", "county"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env={**os.environ})
    assert reader.stdout is not None
    reader.stdout.readline()
    reader.stdout.close()  # as `| head -1` does
    _, err = reader.communicate(timeout=120)
    assert reader.returncode == 0
    assert b"Traceback" not in err


def test_suggest_explains_when_every_library_already_counts(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    with open_store(url) as store:
        store.upsert_sites([Site("lib", "Library", Kind.LIBRARY, 40.0, -89.0,
                                 county_fips="17001", state="IL")])
        store.replace_population("tract", [("17001000100", "17001", 500, 40.5, -89.0)], "2020")
    monkeypatch.setenv("LOCATOR_DATABASE_URL", url)
    code, out, err = run_cli(capsys, "suggest", "--n", "2", "--within", "5")
    assert code == 2
    assert out == ""
    assert "--candidates tracts" in err
    code, out, _ = run_cli(capsys, "suggest", "--n", "1", "--within", "5",
                           "--candidates", "tracts", "--format", "json")
    assert code == 0
    assert json.loads(out)["suggestions"][0]["newly_covered"] == 500
