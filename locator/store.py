"""The site store: one SQLite file with a versioned schema.

The database is named by an SQLAlchemy-style URL (``sqlite:///relative/path.db``,
``sqlite:////absolute/path.db`` or ``sqlite:///:memory:``). Migrations are numbered SQL
scripts applied in order and recorded in ``PRAGMA user_version``, so an old database is
brought up to date when opened and a newer one than this code knows is refused.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from locator.errors import InvalidInput
from locator.sites import CountySource, Kind, Site, Status

MIGRATIONS: tuple[str, ...] = (
    # 1: sites, their programs, population points and the import log.
    """
    CREATE TABLE sites (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        kind TEXT NOT NULL,
        lat REAL NOT NULL CHECK (lat BETWEEN -90 AND 90),
        lon REAL NOT NULL CHECK (lon BETWEEN -180 AND 180),
        organization TEXT NOT NULL DEFAULT '',
        address TEXT NOT NULL DEFAULT '',
        city TEXT NOT NULL DEFAULT '',
        state TEXT NOT NULL DEFAULT '',
        zip TEXT NOT NULL DEFAULT '',
        county_fips TEXT NOT NULL DEFAULT '',
        county_source TEXT NOT NULL DEFAULT '',
        phone TEXT NOT NULL DEFAULT '',
        website TEXT NOT NULL DEFAULT '',
        hours TEXT NOT NULL DEFAULT '',
        status TEXT NOT NULL DEFAULT 'approved',
        temporarily_closed INTEGER NOT NULL DEFAULT 0,
        source TEXT NOT NULL DEFAULT '',
        source_id TEXT NOT NULL DEFAULT '',
        vintage TEXT NOT NULL DEFAULT '',
        last_verified TEXT NOT NULL DEFAULT '',
        updated_at TEXT NOT NULL
    );
    CREATE INDEX sites_source ON sites (source);
    CREATE INDEX sites_state_kind ON sites (state, kind);
    CREATE TABLE site_programs (
        site_id TEXT NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
        program TEXT NOT NULL,
        PRIMARY KEY (site_id, program)
    );
    CREATE TABLE population_points (
        id TEXT NOT NULL,
        level TEXT NOT NULL CHECK (level IN ('tract', 'county')),
        state_fips TEXT NOT NULL,
        county_fips TEXT NOT NULL,
        population INTEGER NOT NULL CHECK (population >= 0),
        lat REAL NOT NULL,
        lon REAL NOT NULL,
        vintage TEXT NOT NULL,
        PRIMARY KEY (level, id)
    );
    CREATE TABLE imports (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        source TEXT NOT NULL,
        vintage TEXT NOT NULL,
        file TEXT NOT NULL,
        sha256 TEXT NOT NULL,
        imported_at TEXT NOT NULL,
        summary TEXT NOT NULL
    );
    """,
    # 2: which retirements an import made, so a site that reappears in a later vintage comes
    # back, while one a reviewer retired (or touched since) stays as the reviewer left it.
    """
    CREATE TABLE import_retirements (
        site_id TEXT PRIMARY KEY REFERENCES sites (id) ON DELETE CASCADE,
        source TEXT NOT NULL,
        vintage TEXT NOT NULL,
        retired_at TEXT NOT NULL
    );
    """,
)


def now_iso() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat()


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


@dataclass(frozen=True, slots=True)
class PopulationPoints:
    """Population-weighted points (Census centers of population) as parallel arrays."""

    ids: NDArray
    county_fips: NDArray
    population: NDArray
    lat: NDArray
    lon: NDArray
    level: str
    vintage: str

    def __len__(self) -> int:
        return len(self.ids)

    @classmethod
    def from_rows(cls, rows: Sequence[tuple[str, str, int, float, float]], *, level: str,
                  vintage: str) -> PopulationPoints:
        """Points from ``(id, county_fips, population, lat, lon)`` rows."""
        ids, county_fips, population, lat, lon = zip(*rows, strict=True) if rows else ((),) * 5
        return cls(ids=np.array(ids, dtype=object),
                   county_fips=np.array(county_fips, dtype=object),
                   population=np.array(population, dtype=np.int64),
                   lat=np.array(lat, dtype=float), lon=np.array(lon, dtype=float),
                   level=level, vintage=vintage)

    @property
    def state_fips(self) -> NDArray:
        return np.array([c[:2] for c in self.county_fips.tolist()], dtype=object)


@dataclass(frozen=True, slots=True)
class ImportRecord:
    source: str
    vintage: str
    file: str
    sha256: str
    imported_at: str
    summary: dict


_SITE_COLUMNS = (
    "id", "name", "kind", "lat", "lon", "organization", "address", "city", "state", "zip",
    "county_fips", "county_source", "phone", "website", "hours", "status",
    "temporarily_closed", "source", "source_id", "vintage", "last_verified",
)


class Store:
    """A connection to the site database. Use as a context manager or call ``close()``."""

    def __init__(self, url: str) -> None:
        self.url = url
        path = sqlite_path(url)
        if path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        self._conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self._conn.row_factory = sqlite3.Row
        self._conn.execute("PRAGMA foreign_keys = ON")
        self._conn.execute("PRAGMA journal_mode = WAL") if path != ":memory:" else None
        self.migrate()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._conn.close()

    # -- schema -------------------------------------------------------------------------
    @property
    def schema_version(self) -> int:
        return int(self._conn.execute("PRAGMA user_version").fetchone()[0])

    def migrate(self) -> None:
        current = self.schema_version
        if current > len(MIGRATIONS):
            raise InvalidInput(
                "database schema version %(found)s is newer than this program "
                "(%(known)s); upgrade the locator package", code="schema_too_new",
                found=current, known=len(MIGRATIONS)
            )
        for version, script in enumerate(MIGRATIONS[current:], start=current + 1):
            with self.transaction():
                for statement in _statements(script):
                    self._conn.execute(statement)
                self._conn.execute(f"PRAGMA user_version = {version}")

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """All-or-nothing: an exception inside rolls every change back. Nests safely."""
        if self._conn.in_transaction:
            yield self._conn
            return
        self._conn.execute("BEGIN IMMEDIATE")
        try:
            yield self._conn
        except BaseException:
            self._conn.execute("ROLLBACK")
            raise
        self._conn.execute("COMMIT")

    # -- sites --------------------------------------------------------------------------
    def upsert_sites(self, sites: Iterable[Site]) -> None:
        stamp = now_iso()
        placeholders = ", ".join("?" for _ in (*_SITE_COLUMNS, "updated_at"))
        with self.transaction() as conn:
            for site in sites:
                conn.execute(
                    f"INSERT OR REPLACE INTO sites ({', '.join(_SITE_COLUMNS)}, updated_at) "
                    f"VALUES ({placeholders})",
                    (*_site_values(site), stamp),
                )
                conn.execute("DELETE FROM site_programs WHERE site_id = ?", (site.id,))
                conn.executemany(
                    "INSERT INTO site_programs (site_id, program) VALUES (?, ?)",
                    [(site.id, p) for p in sorted(site.programs)],
                )

    def set_status(self, site_ids: Iterable[str], status: Status) -> None:
        stamp = now_iso()
        ids = list(site_ids)
        with self.transaction() as conn:
            conn.executemany(
                "UPDATE sites SET status = ?, updated_at = ? WHERE id = ?",
                [(status.value, stamp, i) for i in ids],
            )
            # A status a person sets outranks an earlier import's retirement.
            conn.executemany("DELETE FROM import_retirements WHERE site_id = ?",
                             [(i,) for i in ids])

    def sites(self, *, statuses: Iterable[Status] | None = None,
              source: str | None = None) -> list[Site]:
        where, params = [], []
        if statuses is not None:
            values = [Status(s).value for s in statuses]
            where.append(f"status IN ({', '.join('?' for _ in values)})")
            params.extend(values)
        if source is not None:
            where.append("source = ?")
            params.append(source)
        sql = f"SELECT {', '.join(_SITE_COLUMNS)} FROM sites"
        if where:
            sql += " WHERE " + " AND ".join(where)
        programs = self._programs()
        return [_row_to_site(row, programs.get(row[0], _NO_PROGRAMS))
                for row in self._tuples(sql + " ORDER BY id", params)]

    def site(self, site_id: str) -> Site | None:
        rows = self._tuples(f"SELECT {', '.join(_SITE_COLUMNS)} FROM sites WHERE id = ?",
                            (site_id,))
        if not rows:
            return None
        programs = [r[0] for r in self._conn.execute(
            "SELECT program FROM site_programs WHERE site_id = ?", (site_id,))]
        return _row_to_site(rows[0], frozenset(programs))

    def _tuples(self, sql: str, params: Sequence[object] = ()) -> list[tuple]:
        # Plain tuples: for bulk reads sqlite3.Row costs about as much again as the query.
        cursor = self._conn.cursor()
        cursor.row_factory = None
        return cursor.execute(sql, params).fetchall()

    def _programs(self) -> dict[str, frozenset[str]]:
        programs: dict[str, set[str]] = {}
        for site_id, program in self._conn.execute("SELECT site_id, program FROM site_programs"):
            programs.setdefault(site_id, set()).add(program)
        return {site_id: frozenset(p) for site_id, p in programs.items()}

    def retire_missing(self, site_ids: Iterable[str], *, source: str, vintage: str) -> None:
        """Retire sites a source no longer lists, remembering that an import did it."""
        stamp = now_iso()
        ids = list(site_ids)
        with self.transaction() as conn:
            conn.executemany(
                "UPDATE sites SET status = ?, updated_at = ? WHERE id = ?",
                [(Status.RETIRED.value, stamp, i) for i in ids],
            )
            conn.executemany(
                "INSERT OR REPLACE INTO import_retirements (site_id, source, vintage, retired_at) "
                "VALUES (?, ?, ?, ?)",
                [(i, source, vintage, stamp) for i in ids],
            )

    def retired_by_import(self, source: str) -> set[str]:
        """Ids an import of ``source`` retired and nobody has changed since."""
        return {row[0] for row in self._conn.execute(
            "SELECT r.site_id FROM import_retirements r JOIN sites s ON s.id = r.site_id "
            "WHERE r.source = ? AND s.status = ? AND s.updated_at = r.retired_at",
            (source, Status.RETIRED.value))}

    def site_sources(self) -> dict[str, str]:
        """Every stored site id and the source it came from."""
        return dict(self._conn.execute("SELECT id, source FROM sites").fetchall())

    def count_sites(self) -> int:
        return int(self._conn.execute("SELECT count(*) FROM sites").fetchone()[0])

    # -- population ---------------------------------------------------------------------
    def replace_population(self, level: str, rows: Sequence[tuple[str, str, int, float, float]],
                           vintage: str) -> None:
        """Replace all points of a level with ``(id, county_fips, population, lat, lon)`` rows."""
        with self.transaction() as conn:
            conn.execute("DELETE FROM population_points WHERE level = ?", (level,))
            conn.executemany(
                "INSERT INTO population_points "
                "(id, level, state_fips, county_fips, population, lat, lon, vintage) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [(i, level, c[:2], c, p, la, lo, vintage) for i, c, p, la, lo in rows],
            )

    def population(self, level: str, *,
                   state_fips: Iterable[str] | None = None) -> PopulationPoints:
        sql = "SELECT id, county_fips, population, lat, lon FROM population_points WHERE level = ?"
        params: list[str] = [level]
        if state_fips is not None:
            states = list(state_fips)
            sql += f" AND state_fips IN ({', '.join('?' for _ in states)})"
            params.extend(states)
        # (level, id) is the primary key, so this order reads the index sequentially.
        rows = self._tuples(sql + " ORDER BY level, id", params)
        vintage = self._tuples("SELECT vintage FROM population_points WHERE level = ? LIMIT 1",
                               (level,))
        return PopulationPoints.from_rows(rows, level=level,
                                          vintage=vintage[0][0] if vintage else "")

    def population_levels(self) -> dict[str, int]:
        return {level: n for level, n in self._conn.execute(
            "SELECT level, count(*) FROM population_points GROUP BY level")}

    # -- import log ---------------------------------------------------------------------
    def record_import(self, record: ImportRecord) -> None:
        with self.transaction() as conn:
            conn.execute(
                "INSERT INTO imports (source, vintage, file, sha256, imported_at, summary) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (record.source, record.vintage, record.file, record.sha256, record.imported_at,
                 json.dumps(record.summary, sort_keys=True)),
            )

    def imports(self) -> list[ImportRecord]:
        return [
            ImportRecord(r["source"], r["vintage"], r["file"], r["sha256"], r["imported_at"],
                         json.loads(r["summary"]))
            for r in self._conn.execute("SELECT * FROM imports ORDER BY id")
        ]

    def execute(self, sql: str, params: Sequence[object] = ()) -> sqlite3.Cursor:
        """Run a read query; for reports that need an aggregate the methods above lack."""
        return self._conn.execute(sql, params)


def _statements(script: str) -> list[str]:
    return [s.strip() for s in script.split(";") if s.strip()]


def _site_values(site: Site) -> tuple:
    return (
        site.id, site.name, site.kind.value, site.lat, site.lon, site.organization, site.address,
        site.city, site.state, site.zip, site.county_fips, site.county_source.value, site.phone,
        site.website, site.hours, site.status.value, int(site.temporarily_closed), site.source,
        site.source_id, site.vintage, site.last_verified,
    )


_NO_PROGRAMS: frozenset[str] = frozenset()
# Dict look-ups: calling an Enum class per row costs ~1 µs each, three times a row.
_KINDS = {k.value: k for k in Kind}
_STATUSES = {s.value: s for s in Status}
_COUNTY_SOURCES = {c.value: c for c in CountySource}


def _row_to_site(row: tuple, programs: frozenset[str]) -> Site:
    """A site from a row in ``_SITE_COLUMNS`` order, built positionally (the fastest way)."""
    (site_id, name, kind, lat, lon, organization, address, city, state, zip_code, county_fips,
     county_source, phone, website, hours, status, temporarily_closed, source, source_id,
     vintage, last_verified) = row
    return Site(
        site_id, name, _KINDS[kind], lat, lon, organization, address, city, state, zip_code,
        county_fips, _COUNTY_SOURCES[county_source], phone, website, hours, programs,
        _STATUSES[status], bool(temporarily_closed), source, source_id, vintage, last_verified,
    )
