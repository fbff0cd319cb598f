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


def rows(path: Path, columns: dict[str, str] | None = None
         ) -> dict[str, list[tuple[object, ...]]]:
    """Every row of the legacy tables: of ``columns`` (table -> column list), or all."""
    with sqlite3.connect(path) as conn:
        return {table: conn.execute(
            f"SELECT {(columns or {}).get(table, '*')} FROM {table} ORDER BY 1, 2").fetchall()
            for table in LEGACY_TABLES}


def legacy_columns(path: Path) -> dict[str, str]:
    """The columns the first release gave each table (later migrations add some)."""
    with sqlite3.connect(path) as conn:
        return {table: ", ".join(r[1] for r in conn.execute(f"PRAGMA table_info({table})"))
                for table in LEGACY_TABLES}


def test_fixture_is_a_first_release_database(tmp_path: Path) -> None:
    with sqlite3.connect(legacy_copy(tmp_path)) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 2
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
    assert "alembic_version" not in tables
    assert set(LEGACY_TABLES) <= tables


def test_first_release_database_upgrades_in_place_with_nothing_lost(tmp_path: Path) -> None:
    path = legacy_copy(tmp_path)
    before, columns = rows(path), legacy_columns(path)
    with open_store(f"sqlite:///{path}") as store:
        assert store.schema_revision == head_revision()
        library = store.site("pls-IL9001-002")
        access = store.site("example-access-1")
        assert store.retired_by_import("imls_pls") == {"pls-IL9002-002"}
        assert [r.summary for r in store.imports()] == [{"added": 2, "removed": 1}]
        assert store.population_levels() == {"tract": 2, "county": 1}
    assert rows(path, columns) == before
    assert library is not None and library.programs == {"public_computers", "wifi"}
    assert library.county_source is CountySource.SOURCE and library.kind is Kind.LIBRARY
    assert access is not None and access.status is Status.PENDING
    assert access.temporarily_closed is True and access.last_verified == "2026-11-01"
    # Each site's zone, which the first release did not store, filled from its point.
    assert (library.timezone, access.timezone) == ("America/Chicago", "America/Chicago")


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
