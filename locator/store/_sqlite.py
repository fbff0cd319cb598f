"""SQLite: one file, WAL so readers never wait for a writer, a busy timeout so writers
queue instead of failing, and the online backup API for consistent copies."""

from __future__ import annotations

import os
import sqlite3
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import sqlite as sqlite_dialect

from locator.errors import InvalidInput
from locator.store.dialects import WRITE_INTENT, Dialect

# Long enough for a writer to wait out a national import (a few seconds) with room to spare.
BUSY_TIMEOUT_S = 60.0
# ``PRAGMA user_version`` of the first release's schema -> the migration it equals.
_LEGACY_REVISIONS = {1: "0001_sites", 2: "0002_import_retirements"}


def sqlite_path(url: str) -> str:
    """The file path (or ``:memory:``) an ``sqlite:///`` URL names."""
    prefix = "sqlite:///"
    if not url.startswith(prefix):
        raise InvalidInput(
            "unsupported database URL '%(url)s': expected sqlite:///path/to/file.db",
            code="bad_database_url", parameter="LOCATOR_DATABASE_URL", url=url,
        )
    path = url[len(prefix):]
    if not path:
        raise InvalidInput("the database URL names no file", code="bad_database_url",
                           parameter="LOCATOR_DATABASE_URL")
    return path


class SqliteDialect(Dialect):
    name = "sqlite"

    def create_engine(self, url: str) -> sa.Engine:
        path = sqlite_path(url)
        if path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = sa.create_engine(f"sqlite:///{path}",
                                  connect_args={"timeout": BUSY_TIMEOUT_S})
        sa.event.listen(engine, "connect", _configure_connection)
        sa.event.listen(engine, "begin", _begin)
        return engine

    def insert(self, table: sa.Table) -> Any:
        return sqlite_dialect.insert(table)

    def legacy_revision(self, connection: sa.Connection) -> str | None:
        version = int(connection.exec_driver_sql("PRAGMA user_version").scalar_one())
        if version == 0:
            return None
        if version not in _LEGACY_REVISIONS:
            raise InvalidInput(
                "database schema version %(found)s is newer than this program "
                "(%(known)s); upgrade the locator package", code="schema_too_new",
                found=version, known=max(_LEGACY_REVISIONS))
        return _LEGACY_REVISIONS[version]

    def read_data_version(self, connection: sa.Connection) -> int:
        # One statement in the driver's autocommit mode is already atomic; skipping
        # BEGIN/COMMIT and the statement layer makes the per-request check ~4x cheaper.
        driver = connection.connection.driver_connection
        assert isinstance(driver, sqlite3.Connection)
        return int(driver.execute("SELECT version FROM data_version").fetchone()[0])

    def backup(self, engine: sa.Engine, path: Path) -> None:
        # Into a temporary file beside the target, then renamed: a failed copy never
        # leaves a half-written file under the backup's name.
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, scratch = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        os.close(fd)
        try:
            with _driver_connection(engine) as source:
                target = sqlite3.connect(scratch)
                try:
                    source.backup(target)  # all pages in one step: one consistent snapshot
                finally:
                    target.close()
            os.replace(scratch, path)
        finally:
            Path(scratch).unlink(missing_ok=True)

    def restore(self, engine: sa.Engine, path: Path) -> None:
        source = _open_backup(path)
        try:
            with _driver_connection(engine) as target:
                source.backup(target)
        finally:
            source.close()


def _configure_connection(dbapi_connection: sqlite3.Connection, _record: object) -> None:
    # Transactions are begun by ``_begin``, not by the driver, so SAVEPOINT and
    # BEGIN IMMEDIATE behave as written.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
    if cursor.execute("PRAGMA database_list").fetchone()[2]:  # a file, not :memory:
        cursor.execute("PRAGMA journal_mode = WAL")
    cursor.close()


def _begin(connection: sa.Connection) -> None:
    # A writer takes the write lock up front: a read that later wants to write could fail
    # at once with "database is locked" instead of waiting its turn.
    immediate = connection.info.get(WRITE_INTENT)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


@contextmanager
def _driver_connection(engine: sa.Engine) -> Iterator[sqlite3.Connection]:
    """The sqlite3 connection under a pooled connection, outside any transaction."""
    raw = engine.raw_connection()
    try:
        connection = raw.driver_connection
        assert isinstance(connection, sqlite3.Connection)
        yield connection
    finally:
        raw.close()


def _open_backup(path: Path) -> sqlite3.Connection:
    if not path.is_file():
        raise InvalidInput("no backup file %(path)s", code="no_backup_file", parameter="FILE",
                           path=str(path))
    source = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        tables = {row[0] for row in source.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table'")}
    except sqlite3.DatabaseError as error:
        source.close()
        raise InvalidInput("%(path)s is not an SQLite database (%(reason)s)",
                           code="not_a_backup", parameter="FILE", path=str(path),
                           reason=str(error)) from error
    if "sites" not in tables:
        source.close()
        raise InvalidInput("%(path)s is not a locator backup: it has no sites table",
                           code="not_a_backup", parameter="FILE", path=str(path))
    return source


DIALECT = SqliteDialect()
