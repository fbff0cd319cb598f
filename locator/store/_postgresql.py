"""PostgreSQL with PostGIS: one database shared by several app servers.

``postgresql://user@host:port/db`` is opened with psycopg 3 (SQLAlchemy's
``postgresql+psycopg`` dialect) behind SQLAlchemy's connection pool, checked before each
use so a restarted server costs one retry, not an error page. Sites carry a
``geography(Point, 4326)`` column kept by the database itself (a generated column) with a
GiST index; ``locator.store._postgis`` answers nearest, radius and box queries from it.
Which engine answers each query is decided by ``bench/postgis_queries.py`` (see
``FASTER_IN_SQL``); the answers are the same either way.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg_dialect
from sqlalchemy.engine import make_url

from locator.errors import InvalidInput
from locator.spatial import Catalog, SpatialQueries
from locator.store.dialects import Dialect
from locator.store.interface import Store

# Connections each app process keeps open, and how many more it may open under a burst.
# A gthread worker serves THREADS_PER_WORKER requests at once, each on its own connection.
POOL_SIZE = 5
MAX_OVERFLOW = 5
# Any constant shared by every process of this program: the migration's advisory lock.
_MIGRATION_LOCK = 0x6C6F6361  # "loca"
# Queries the database answers faster than the in-process KD-trees, as measured by
# bench/postgis_queries.py on the national data (empty: the KD-trees win every query,
# by one to two orders of magnitude, because a round trip alone costs more than a search).
FASTER_IN_SQL: frozenset[str] = frozenset()


class PostgresDialect(Dialect):
    name = "postgresql"

    def create_engine(self, url: str) -> sa.Engine:
        return sa.create_engine(driver_url(url), pool_size=POOL_SIZE,
                                max_overflow=MAX_OVERFLOW, pool_pre_ping=True)

    def insert(self, table: sa.Table) -> Any:
        return pg_dialect.insert(table)

    def lock_for_migration(self, connection: sa.Connection) -> None:
        # Several app servers may start at once against one database: one migrates, the
        # others wait here and then find nothing left to do.
        connection.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"),
                           {"key": _MIGRATION_LOCK})

    def spatial(self, store: Store, catalog: Catalog) -> SpatialQueries:
        if not FASTER_IN_SQL:
            return catalog
        from locator.store._postgis import PostgisQueries, Routed

        return Routed(catalog, PostgisQueries(store, catalog), FASTER_IN_SQL)

    def backup(self, engine: sa.Engine, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        scratch = path.with_name(f".{path.name}.tmp")
        try:
            _run_client("pg_dump", engine, "--format=custom", "--no-owner",
                        f"--file={scratch}")
            scratch.replace(path)
        finally:
            scratch.unlink(missing_ok=True)

    def restore(self, engine: sa.Engine, path: Path) -> None:
        if not path.is_file():
            raise InvalidInput(f"no backup file {path}", parameter="FILE", code="bad_backup")
        _run_client("pg_restore", engine, "--clean", "--if-exists", "--no-owner",
                    "--single-transaction", "--exit-on-error", str(path))


def driver_url(url: str) -> sa.URL:
    """``postgresql://`` as the psycopg 3 driver's SQLAlchemy URL."""
    parsed = make_url(url)
    return parsed.set(drivername="postgresql+psycopg")


def _run_client(program: str, engine: sa.Engine, *args: str) -> None:
    """Run pg_dump or pg_restore against the engine's database, or say what to install."""
    executable = shutil.which(program) or _debian_client(program)
    if executable is None:
        raise InvalidInput(f"{program} is not installed; PostgreSQL backups need the "
                           "PostgreSQL client programs (Debian: apt-get install "
                           "postgresql-client)", parameter="FILE", code="bad_backup")
    url = engine.url
    # The password goes by environment, never on a command line that `ps` shows.
    dbname = url.set(drivername="postgresql", password=None).render_as_string(False)
    env = {**os.environ, **({"PGPASSWORD": url.password} if url.password else {})}
    completed = subprocess.run([executable, f"--dbname={dbname}", *args], env=env,
                               capture_output=True, text=True, check=False)
    if completed.returncode != 0:
        raise InvalidInput(f"{program} failed: {completed.stderr.strip()}", parameter="FILE",
                           code="backup_failed")


def _debian_client(program: str) -> str | None:
    """Debian installs every version's clients in /usr/lib/postgresql/N/bin: the newest."""
    found = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{program}"),
                   key=lambda p: int(p.parts[-3]) if p.parts[-3].isdigit() else 0)
    return str(found[-1]) if found else None


DIALECT = PostgresDialect()
