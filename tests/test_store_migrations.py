"""Schema migrations: a first-release database upgrades in place with nothing lost, every
command migrates on first use, and a database newer than the code is refused."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from conftest import legacy_database

from locator.cli import main as cli_main
from locator.errors import InvalidInput
from locator.sites import CountySource, Kind, Status
from locator.store import head_revision, open_store

FIXTURES = Path(__file__).parent / "fixtures"
LEGACY_TABLES = ("sites", "site_programs", "population_points", "imports",
                 "import_retirements")


def legacy_copy(tmp_path: Path) -> Path:
    return legacy_database(tmp_path / "legacy.db")


# Columns later releases added to the first release's tables, with the value an upgrade
# gives the rows already there.
ADDED_COLUMNS = {"sites": {"contact": ""}}


def rows(path: Path, *, as_first_release: bool = False) -> dict[str, list[tuple[object, ...]]]:
    """Every row of the first release's tables; ``as_first_release`` checks each column
    added since holds its upgrade value and leaves it out."""
    found = {}
    with sqlite3.connect(path) as conn:
        for table in LEGACY_TABLES:
            result = conn.execute(f"SELECT * FROM {table} ORDER BY 1, 2")
            names = [d[0] for d in result.description]
            added = ADDED_COLUMNS.get(table, {}) if as_first_release else {}
            kept = [i for i, name in enumerate(names) if name not in added]
            table_rows = result.fetchall()
            for row in table_rows:
                assert {n: row[names.index(n)] for n in added} == added
            found[table] = [tuple(row[i] for i in kept) for row in table_rows]
    return found


def test_fixture_is_a_first_release_database(tmp_path: Path) -> None:
    with sqlite3.connect(legacy_copy(tmp_path)) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 2
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
    assert "alembic_version" not in tables
    assert set(LEGACY_TABLES) <= tables


def test_first_release_database_upgrades_in_place_with_nothing_lost(tmp_path: Path) -> None:
    path = legacy_copy(tmp_path)
    before = rows(path)
    with open_store(f"sqlite:///{path}") as store:
        assert store.schema_revision == head_revision()
        library = store.site("pls-IL9001-002")
        access = store.site("example-access-1")
        assert store.retired_by_import("imls_pls") == {"pls-IL9002-002"}
        assert [r.summary for r in store.imports()] == [{"added": 2, "removed": 1}]
        assert store.population_levels() == {"tract": 2, "county": 1}
    assert rows(path, as_first_release=True) == before
    assert library is not None and library.programs == {"public_computers", "wifi"}
    assert library.county_source is CountySource.SOURCE and library.kind is Kind.LIBRARY
    assert access is not None and access.status is Status.PENDING
    assert access.temporarily_closed is True and access.last_verified == "2026-11-01"


def test_upgraded_database_takes_new_writes_and_reopens_without_migrating(
        tmp_path: Path) -> None:
    url = f"sqlite:///{legacy_copy(tmp_path)}"
    with open_store(url) as store:
        store.set_status(["pls-IL9002-002"], Status.APPROVED)
        version = store.data_version()
    with open_store(url) as store:
        assert store.site("pls-IL9002-002").status is Status.APPROVED
        assert store.data_version() == version == 1


def test_every_command_brings_the_schema_up_to_date_on_first_use(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    path = legacy_copy(tmp_path)
    monkeypatch.setenv("LOCATOR_DATABASE_URL", f"sqlite:///{path}")
    assert cli_main(["data", "status"]) == 0
    assert "sites: 3" in capsys.readouterr().out
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchone()[0] == \
            head_revision()


def test_database_at_a_revision_this_code_does_not_know_is_refused(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "future.db"
    open_store(f"sqlite:///{path}").close()
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '0099_from_the_future'")
    with pytest.raises(InvalidInput, match=r"newer than this program.*upgrade the locator"):
        open_store(f"sqlite:///{path}")
    monkeypatch.setenv("LOCATOR_DATABASE_URL", f"sqlite:///{path}")
    assert cli_main(["data", "status"]) == 2
    assert "newer than this program" in capsys.readouterr().err


def test_a_failed_migration_leaves_the_first_release_database_as_it_was(
        tmp_path: Path) -> None:
    path = legacy_copy(tmp_path)
    # A table in the way of the newest migration makes it fail part-way.
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE changes (x INTEGER)")
    before = rows(path)
    with pytest.raises(Exception, match="changes"):
        open_store(f"sqlite:///{path}")
    with sqlite3.connect(path) as conn:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 2
    assert "alembic_version" not in tables and "data_version" not in tables
    assert rows(path) == before
