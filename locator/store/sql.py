"""The ``Store`` in engine-neutral SQLAlchemy Core, on one pooled connection.

Every method is one transaction of its own unless a ``transaction()`` is open around it.
Writes buffer their change-log entries; the outermost commit bumps the data version and
writes the entries under it in the same transaction, so a reader that sees the new version
sees the changes, and on PostgreSQL the one-row version table orders concurrent commits.
"""

from __future__ import annotations

import json
import operator
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from locator.events import Event, EventKind
from locator.sites import CountySource, Kind, Site, Status
from locator.spatial import Catalog, SpatialQueries
from locator.store import schema as t
from locator.store._clock import now_iso
from locator.store._partners import PartnerTables
from locator.store.dialects import WRITE_INTENT
from locator.store.interface import (
    IMPORT_ACTOR,
    SYSTEM_ACTOR,
    Change,
    ChangeSet,
    ImportRecord,
    PopulationPoints,
    PopulationSummary,
    SiteCountColumn,
    Store,
)
from locator.store.migrate import current_revision
from locator.timezones import zone_name_at
from locator.visits import Visit

if TYPE_CHECKING:
    from locator.store.database import Database

# Site fields stored as columns of ``sites``, in ``Site`` order (programs, roles and
# partnership types live in tables of their own).
_COLUMN_FIELDS = (
    "id", "name", "kind", "lat", "lon", "organization", "address", "city", "state", "zip",
    "county_fips", "county_source", "phone", "website", "hours", "status",
    "temporarily_closed", "source", "source_id", "vintage", "last_verified", "contact",
    "timezone",
)
_AUDITED_FIELDS = (*_COLUMN_FIELDS[1:], "programs", "roles", "partnership_types")
_NO_PROGRAMS: frozenset[str] = frozenset()
_NO_ROLES: frozenset[Kind] = frozenset()
# Dict look-ups: calling an Enum class per row costs ~1 µs each, three times a row.
_KINDS = {k.value: k for k in Kind}
_STATUSES = {s.value: s for s in Status}
_COUNTY_SOURCES = {c.value: c for c in CountySource}
# Keeps ``IN (...)`` lists and statement parameters under every engine's limit.
_CHUNK = 500


class SqlStore(PartnerTables):
    """A ``Store`` on one connection, used by the thread that opened it.

    Without a connection given, one is taken from the pool when the store is first asked
    something: a web request that never needs the database never touches the pool.
    """

    def __init__(self, database: Database, connection: sa.Connection | None = None, *,
                 owns_database: bool = False) -> None:
        self._database = database
        self._dialect = database.dialect
        self._connection = connection
        self._owns_database = owns_database
        self._thread = threading.get_ident()
        self._pending: list[dict[str, Any]] = []

    # -- lifecycle ------------------------------------------------------------------------
    @property
    def url(self) -> str:
        return self._database.url

    @property
    def engine_name(self) -> str:
        return self._dialect.name

    @property
    def _conn(self) -> sa.Connection:
        if self._connection is None:
            self._connection = self._database.engine.connect()
        return self._connection

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None
        if self._owns_database:
            self._database.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- transactions ---------------------------------------------------------------------
    @contextmanager
    def transaction(self) -> Iterator[None]:
        self._check_thread()
        if self._conn.in_transaction():
            yield from self._savepoint()
            return
        self._conn.info[WRITE_INTENT] = True
        try:
            root = self._conn.begin()
        finally:
            self._conn.info.pop(WRITE_INTENT, None)
        try:
            yield
            self._write_change_log()
        except BaseException:
            self._pending.clear()
            root.rollback()
            raise
        root.commit()

    def _savepoint(self) -> Iterator[None]:
        mark = len(self._pending)
        savepoint = self._conn.begin_nested()
        try:
            yield
        except BaseException:
            del self._pending[mark:]
            savepoint.rollback()
            raise
        savepoint.commit()

    @contextmanager
    def _writing(self) -> Iterator[sa.Connection]:
        """Join the transaction open around a write method, or open one for it alone."""
        if self._conn.in_transaction():
            self._check_thread()
            yield self._conn
            return
        with self.transaction():
            yield self._conn

    @contextmanager
    def _reading(self) -> Iterator[sa.Connection]:
        self._check_thread()
        if self._conn.in_transaction():
            yield self._conn
            return
        with self._conn.begin():
            yield self._conn

    def _check_thread(self) -> None:
        if threading.get_ident() != self._thread:
            raise RuntimeError("a Store belongs to the thread that opened it: open one per "
                               "thread (Database.connect()) rather than sharing one")

    @property
    def schema_revision(self) -> str:
        with self._reading() as conn:
            return current_revision(conn) or ""

    # -- sites ----------------------------------------------------------------------------
    def upsert_sites(self, sites: Iterable[Site], *, actor: str = SYSTEM_ACTOR) -> None:
        # The zone follows the point: derived on every write, so a moved site never keeps
        # the zone of where it was.
        new = {site.id: site.replace(timezone=zone_name_at(site.lat, site.lon))
               for site in sites}
        if not new:
            return
        stamp = now_iso()
        with self._writing() as conn:
            old = {site.id: site for site in self.sites(ids=new)}
            statement = self._upsert(t.sites, ("id",))
            rows = [{**_site_row(site), "updated_at": stamp} for site in new.values()]
            for part in _chunked(rows):
                conn.execute(statement, part)
            ids = list(new)
            for part_ids in _chunked(ids):
                conn.execute(sa.delete(t.site_programs)
                             .where(t.site_programs.c.site_id.in_(part_ids)))
            programs = [{"site_id": site.id, "program": program}
                        for site in new.values() for program in sorted(site.programs)]
            for part in _chunked(programs):
                conn.execute(sa.insert(t.site_programs), part)
            self._replace_roles(conn, new)
            self._replace_partnership_types(conn, new)
            for site_id, site in new.items():
                before = old.get(site_id)
                if before is None:
                    self._log(actor, "add", site_id, {}, stamp)
                elif fields := _changed_fields(before, site):
                    self._log(actor, "update", site_id, fields, stamp)

    def set_status(self, site_ids: Iterable[str], status: Status, *,
                   actor: str = SYSTEM_ACTOR) -> None:
        ids = list(dict.fromkeys(site_ids))
        with self._writing() as conn:
            self._change_status(conn, ids, status, actor, "status")
            # A status a person sets outranks an earlier import's retirement.
            for part in _chunked(ids):
                conn.execute(sa.delete(t.import_retirements)
                             .where(t.import_retirements.c.site_id.in_(part)))

    def retire_missing(self, site_ids: Iterable[str], *, source: str, vintage: str,
                       actor: str = IMPORT_ACTOR) -> None:
        ids = list(dict.fromkeys(site_ids))
        if not ids:
            return
        with self._writing() as conn:
            stamp = self._change_status(conn, ids, Status.RETIRED, actor, "retire")
            statement = self._upsert(t.import_retirements, ("site_id",))
            rows = [{"site_id": i, "source": source, "vintage": vintage, "retired_at": stamp}
                    for i in ids]
            for part in _chunked(rows):
                conn.execute(statement, part)

    def _change_status(self, conn: sa.Connection, ids: list[str], status: Status,
                       actor: str, action: str) -> str:
        stamp = now_iso()
        before = self._statuses(conn, ids)
        statement = (sa.update(t.sites).where(t.sites.c.id == sa.bindparam("site_id"))
                     .values(status=status.value, updated_at=stamp))
        for part in _chunked(ids):
            conn.execute(statement, [{"site_id": i} for i in part])
        for site_id in ids:
            old = before.get(site_id)
            if old is not None and old != status.value:
                self._log(actor, action, site_id, {"status": [old, status.value]}, stamp)
        return stamp

    def _statuses(self, conn: sa.Connection, ids: list[str]) -> dict[str, str]:
        found: dict[str, str] = {}
        for part in _chunked(ids):
            found.update(conn.execute(sa.select(t.sites.c.id, t.sites.c.status)
                                      .where(t.sites.c.id.in_(part))).all())
        return found

    def retired_by_import(self, source: str) -> set[str]:
        r, s = t.import_retirements, t.sites
        query = (sa.select(r.c.site_id).join(s, s.c.id == r.c.site_id)
                 .where(r.c.source == source, s.c.status == Status.RETIRED.value,
                        s.c.updated_at == r.c.retired_at))
        with self._reading() as conn:
            return set(conn.execute(query).scalars())

    def sites(self, *, statuses: Iterable[Status] | None = None, source: str | None = None,
              ids: Iterable[str] | None = None) -> list[Site]:
        query = sa.select(*(t.sites.c[name] for name in _COLUMN_FIELDS))
        if statuses is not None:
            query = query.where(t.sites.c.status.in_([Status(s).value for s in statuses]))
        if source is not None:
            query = query.where(t.sites.c.source == source)
        with self._reading() as conn:
            if ids is None:
                found = self._read_sites(conn, query.order_by(t.sites.c.id), None)
            else:
                found = []
                for part in _chunked(sorted(set(ids))):
                    found.extend(self._read_sites(conn, query.where(t.sites.c.id.in_(part)),
                                                  part))
        # Sorted here too: an engine's collation may order text otherwise than code points
        # (and on rows already in order this costs about a millisecond).
        return sorted(found, key=_site_id)

    def _read_sites(self, conn: sa.Connection, query: sa.Select[Any],
                    ids: Sequence[str] | None) -> list[Site]:
        programs = self._programs(conn, ids)
        roles = self._roles(conn, ids)
        partnerships = self._partnership_types(conn, ids)
        result = conn.execute(query)
        to_site = _site_reader(tuple(result.keys()))
        return [to_site(row, programs.get(row[0], _NO_PROGRAMS), roles.get(row[0], _NO_ROLES),
                        partnerships.get(row[0], _NO_PROGRAMS))
                for row in result]

    def _replace_roles(self, conn: sa.Connection, new: dict[str, Site]) -> None:
        for part_ids in _chunked(list(new)):
            conn.execute(sa.delete(t.site_roles).where(t.site_roles.c.site_id.in_(part_ids)))
        roles = [{"site_id": site.id, "kind": kind.value}
                 for site in new.values() for kind in sorted(site.roles)]
        for part in _chunked(roles):
            conn.execute(sa.insert(t.site_roles), part)

    def _roles(self, conn: sa.Connection,
               ids: Sequence[str] | None) -> dict[str, frozenset[Kind]]:
        query = sa.select(t.site_roles.c.site_id, t.site_roles.c.kind)
        if ids is not None:
            query = query.where(t.site_roles.c.site_id.in_(ids))
        roles: dict[str, set[Kind]] = {}
        for site_id, kind in conn.execute(query):
            roles.setdefault(site_id, set()).add(_KINDS[kind])
        return {site_id: frozenset(r) for site_id, r in roles.items()}

    def _replace_partnership_types(self, conn: sa.Connection, new: dict[str, Site]) -> None:
        p = t.site_partnership_types
        for part_ids in _chunked(list(new)):
            conn.execute(sa.delete(p).where(p.c.site_id.in_(part_ids)))
        rows = [{"site_id": site.id, "partnership_type": slug}
                for site in new.values() for slug in sorted(site.partnership_types)]
        for part in _chunked(rows):
            conn.execute(sa.insert(p), part)

    def _partnership_types(self, conn: sa.Connection,
                           ids: Sequence[str] | None) -> dict[str, frozenset[str]]:
        p = t.site_partnership_types
        query = sa.select(p.c.site_id, p.c.partnership_type)
        if ids is not None:
            query = query.where(p.c.site_id.in_(ids))
        found: dict[str, set[str]] = {}
        for site_id, slug in conn.execute(query):
            found.setdefault(site_id, set()).add(slug)
        return {site_id: frozenset(f) for site_id, f in found.items()}

    def _programs(self, conn: sa.Connection,
                  ids: Sequence[str] | None) -> dict[str, frozenset[str]]:
        query = sa.select(t.site_programs.c.site_id, t.site_programs.c.program)
        if ids is not None:
            query = query.where(t.site_programs.c.site_id.in_(ids))
        programs: dict[str, set[str]] = {}
        for site_id, program in conn.execute(query):
            programs.setdefault(site_id, set()).add(program)
        return {site_id: frozenset(p) for site_id, p in programs.items()}

    def site(self, site_id: str) -> Site | None:
        found = self.sites(ids=[site_id])
        return found[0] if found else None

    def site_sources(self) -> dict[str, str]:
        with self._reading() as conn:
            return dict(conn.execute(sa.select(t.sites.c.id, t.sites.c.source)).all())

    def count_sites(self) -> int:
        with self._reading() as conn:
            return int(conn.execute(sa.select(sa.func.count()).select_from(t.sites))
                       .scalar_one())

    def count_sites_by(self, column: SiteCountColumn, *,
                       active_only: bool = True) -> dict[str, int]:
        key = t.sites.c[column]
        query = sa.select(key, sa.func.count()).group_by(key)
        if active_only:
            query = query.where(t.sites.c.status != Status.RETIRED.value)
        with self._reading() as conn:
            counts = {value: int(n) for value, n in conn.execute(query)}
        return dict(sorted(counts.items()))  # code-point order on every engine

    # -- events ---------------------------------------------------------------------------
    def upsert_events(self, events: Iterable[Event], *, actor: str = SYSTEM_ACTOR) -> None:
        new = {event.id: event for event in events}
        if not new:
            return
        stamp = now_iso()
        with self._writing() as conn:
            old = {event.id for event in self.events(ids=new)}
            rows = [{**_event_row(event), "updated_at": stamp} for event in new.values()]
            statement = self._upsert(t.events, ("id",))
            for part in _chunked(rows):
                conn.execute(statement, part)
            for event in new.values():
                # No site_id: an event changes no site, so no process reloads one for it.
                self._log(actor, "event_update" if event.id in old else "event_add", None,
                          {"event_id": [None, event.id], "site_id": [None, event.site_id]},
                          stamp)

    def remove_events(self, event_ids: Iterable[str], *, actor: str = SYSTEM_ACTOR) -> None:
        ids = list(dict.fromkeys(event_ids))
        if not ids:
            return
        stamp = now_iso()
        with self._writing() as conn:
            for event in self.events(ids=ids):
                self._log(actor, "event_remove", None,
                          {"event_id": [event.id, None], "site_id": [event.site_id, None]},
                          stamp)
            for part in _chunked(ids):
                conn.execute(sa.delete(t.events).where(t.events.c.id.in_(part)))

    def events(self, *, ids: Iterable[str] | None = None,
               site_ids: Iterable[str] | None = None, source: str | None = None,
               ending_after_utc: datetime | None = None,
               starting_before_utc: datetime | None = None) -> list[Event]:
        e = t.events
        query = sa.select(e)
        if source is not None:
            query = query.where(e.c.source == source)
        if ending_after_utc is not None:
            query = query.where(e.c.end_utc > _utc_text(ending_after_utc))
        if starting_before_utc is not None:
            query = query.where(e.c.start_utc < _utc_text(starting_before_utc))
        found: list[Event] = []
        with self._reading() as conn:
            for column, wanted in ((e.c.id, ids), (e.c.site_id, site_ids)):
                if wanted is not None:
                    values = sorted(set(wanted))
                    for part in _chunked(values):
                        found.extend(_event(r) for r in conn.execute(
                            query.where(column.in_(part))))
                    break
            else:
                found = [_event(r) for r in conn.execute(query)]
        return sorted(found, key=_event_order)

    def event(self, event_id: str) -> Event | None:
        found = self.events(ids=[event_id])
        return found[0] if found else None

    # -- mobile unit visits -----------------------------------------------------------------
    def record_visits(self, visits: Iterable[Visit], *, actor: str = SYSTEM_ACTOR) -> None:
        stamp = now_iso()
        rows = [{"unit": v.unit, "site_id": v.site_id, "visit_date": v.visit_date.isoformat(),
                 "customers_served": v.customers_served, "recorded_at": stamp, "actor": actor}
                for v in visits]
        if not rows:
            return
        statement = self._upsert(t.visits, ("unit", "site_id", "visit_date"))
        with self._writing() as conn:
            for part in _chunked(rows):
                conn.execute(statement, part)
            self._log(actor, "visits", None, {"visits": [None, len(rows)]}, stamp)

    def visits(self, *, unit: str | None = None) -> list[Visit]:
        v = t.visits
        query = sa.select(v.c.unit, v.c.site_id, v.c.visit_date, v.c.customers_served)
        if unit is not None:
            query = query.where(v.c.unit == unit)
        with self._reading() as conn:
            found = [Visit(r.unit, r.site_id, date.fromisoformat(r.visit_date),
                           r.customers_served) for r in conn.execute(query)]
        return sorted(found, key=lambda x: (x.visit_date, x.unit, x.site_id))

    # -- population -----------------------------------------------------------------------
    def replace_population(self, level: str,
                           rows: Sequence[tuple[str, str, int, float, float]],
                           vintage: str, *, actor: str = IMPORT_ACTOR) -> None:
        p = t.population_points
        with self._writing() as conn:
            conn.execute(sa.delete(p).where(p.c.level == level))
            values = [{"id": i, "level": level, "state_fips": c[:2], "county_fips": c,
                       "population": n, "lat": la, "lon": lo, "vintage": vintage}
                      for i, c, n, la, lo in rows]
            for part in _chunked(values, 5000):
                conn.execute(sa.insert(p), part)
            self._log(actor, "population", None, {"level": [None, level],
                                                   "vintage": [None, vintage]}, now_iso())

    def population(self, level: str, *,
                   state_fips: Iterable[str] | None = None) -> PopulationPoints:
        p = t.population_points
        query = (sa.select(p.c.id, p.c.county_fips, p.c.population, p.c.lat, p.c.lon)
                 .where(p.c.level == level))
        if state_fips is not None:
            query = query.where(p.c.state_fips.in_(list(state_fips)))
        # (level, id) is the primary key, so this order reads the index sequentially.
        query = query.order_by(p.c.level, p.c.id)
        with self._reading() as conn:
            rows = list(conn.execute(query))
            vintage = conn.execute(sa.select(p.c.vintage).where(p.c.level == level)
                                   .limit(1)).scalar()
        return PopulationPoints.from_rows(rows, level=level, vintage=vintage or "")

    def population_levels(self) -> dict[str, int]:
        p = t.population_points
        with self._reading() as conn:
            return {level: int(n) for level, n in conn.execute(
                sa.select(p.c.level, sa.func.count()).group_by(p.c.level))}

    def population_summary(self) -> dict[str, PopulationSummary]:
        p = t.population_points
        query = (sa.select(p.c.level, sa.func.count(), sa.func.sum(p.c.population),
                           sa.func.max(p.c.vintage))
                 .group_by(p.c.level).order_by(p.c.level))
        with self._reading() as conn:
            return {level: PopulationSummary(int(n), int(total), vintage)
                    for level, n, total, vintage in conn.execute(query)}

    def population_county_fips(self) -> frozenset[str]:
        p = t.population_points
        with self._reading() as conn:
            return frozenset(conn.execute(sa.select(p.c.county_fips).distinct()).scalars())

    # -- import log -----------------------------------------------------------------------
    def record_import(self, record: ImportRecord, *, actor: str = IMPORT_ACTOR) -> None:
        with self._writing() as conn:
            conn.execute(sa.insert(t.imports).values(
                source=record.source, vintage=record.vintage, file=record.file,
                sha256=record.sha256, imported_at=record.imported_at,
                summary=json.dumps(record.summary, sort_keys=True)))
            self._log(actor, "import", None, {"file": [None, record.file],
                                               "sha256": [None, record.sha256]},
                      record.imported_at)

    def imports(self) -> list[ImportRecord]:
        i = t.imports
        query = sa.select(i.c.source, i.c.vintage, i.c.file, i.c.sha256, i.c.imported_at,
                          i.c.summary).order_by(i.c.id)
        with self._reading() as conn:
            return [ImportRecord(r.source, r.vintage, r.file, r.sha256, r.imported_at,
                                 json.loads(r.summary)) for r in conn.execute(query)]

    # -- change log -----------------------------------------------------------------------
    def data_version(self) -> int:
        self._check_thread()
        if not self._conn.in_transaction():
            return self._dialect.read_data_version(self._conn)
        return int(self._conn.execute(sa.select(t.data_version.c.version)).scalar_one())

    def changes_since(self, version: int) -> ChangeSet:
        c = t.changes
        with self._reading() as conn:
            current = int(conn.execute(sa.select(t.data_version.c.version)).scalar_one())
            rows = conn.execute(sa.select(c.c.action, c.c.site_id).distinct()
                                .where(c.c.version > version)).all()
        actions = {action for action, _ in rows}
        return ChangeSet(since=version, version=current,
                         site_ids=frozenset(i for _, i in rows if i is not None),
                         population_changed="population" in actions,
                         # A version that went back means the database was replaced.
                         everything="restore" in actions or current < version)

    def history(self, site_id: str | None = None) -> list[Change]:
        c = t.changes
        query = sa.select(c.c.version, c.c.changed_at, c.c.actor, c.c.action, c.c.site_id,
                          c.c.fields).order_by(c.c.id)
        if site_id is not None:
            query = query.where(c.c.site_id == site_id)
        with self._reading() as conn:
            return [Change(r.version, r.changed_at, r.actor, r.action, r.site_id,
                           r.fields or {}) for r in conn.execute(query)]

    def _log(self, actor: str, action: str, site_id: str | None,
             fields: dict[str, list[Any]], stamp: str) -> None:
        self._pending.append({"changed_at": stamp, "actor": actor, "action": action,
                              "site_id": site_id, "fields": fields or None})

    def _write_change_log(self) -> None:
        if not self._pending:
            return
        v = t.data_version
        version = self._conn.execute(
            sa.update(v).values(version=v.c.version + 1).returning(v.c.version)).scalar_one()
        entries = [{**entry, "version": version} for entry in self._pending]
        self._pending.clear()
        for part in _chunked(entries, 2000):
            self._conn.execute(sa.insert(t.changes), part)

    # -- spatial and durability -----------------------------------------------------------
    def spatial(self, catalog: Catalog) -> SpatialQueries:
        return self._dialect.spatial(self, catalog)

    def backup(self, path: Path) -> None:
        self._check_thread()
        self._dialect.backup(self._database.engine, path)

    def restore(self, path: Path) -> None:
        self._check_thread()
        before = self.data_version()
        self._dialect.restore(self._database.engine, path)
        self._database.migrate()
        restored = self.data_version()
        with self.transaction():
            # Past every version any process has seen, so each one reloads everything.
            self._conn.execute(sa.update(t.data_version).values(
                version=max(before, restored)))
            self._log(SYSTEM_ACTOR, "restore", None, {"file": [None, str(path)]}, now_iso())

    # -- statements -----------------------------------------------------------------------
    def _upsert(self, table: sa.Table, key: tuple[str, ...]) -> Any:
        """``INSERT ... ON CONFLICT (key) DO UPDATE``: the row is changed in place, so rows
        that refer to it (``ON DELETE CASCADE``) survive, unlike with a replace."""
        insert = self._dialect.insert(table)
        return insert.on_conflict_do_update(
            index_elements=list(key),
            set_={c.name: insert.excluded[c.name] for c in table.c if c.name not in key})


def _utc_text(moment: datetime) -> str:
    """The stored layout of an instant; equal layouts make text order time order."""
    return moment.astimezone(UTC).replace(microsecond=0).isoformat()


def _event_row(event: Event) -> dict[str, Any]:
    return {"id": event.id, "site_id": event.site_id, "title": event.title,
            "kind": event.kind.value, "start_utc": _utc_text(event.start_utc),
            "end_utc": _utc_text(event.end_utc), "zone": event.zone,
            "description": event.description, "registration_url": event.registration_url,
            "phone": event.phone, "capacity": event.capacity,
            "languages": list(event.languages), "source": event.source}


def _event(row: Any) -> Event:
    return Event(id=row.id, site_id=row.site_id, title=row.title, kind=EventKind(row.kind),
                 start_utc=datetime.fromisoformat(row.start_utc),
                 end_utc=datetime.fromisoformat(row.end_utc), zone=row.zone,
                 description=row.description, registration_url=row.registration_url,
                 phone=row.phone, capacity=row.capacity, languages=tuple(row.languages),
                 source=row.source)


def _event_order(event: Event) -> tuple[datetime, str]:
    return event.start_utc, event.id


def _site_id(site: Site) -> str:
    return site.id


def _chunked(values: Sequence[Any], size: int = _CHUNK) -> Iterator[Sequence[Any]]:
    for start in range(0, len(values), size):
        yield values[start:start + size]


def _site_row(site: Site) -> dict[str, Any]:
    row = {name: getattr(site, name) for name in _COLUMN_FIELDS}
    row["temporarily_closed"] = int(site.temporarily_closed)
    for name in ("kind", "county_source", "status"):
        row[name] = row[name].value
    return row


def _changed_fields(old: Site, new: Site) -> dict[str, list[Any]]:
    """Field -> [old, new] for every field that differs, as JSON values."""
    changed: dict[str, list[Any]] = {}
    for name in _AUDITED_FIELDS:
        before, after = getattr(old, name), getattr(new, name)
        if before != after:
            changed[name] = [_json_value(before), _json_value(after)]
    return changed


def _json_value(value: object) -> object:
    return sorted(value) if isinstance(value, frozenset) else value


SiteReader = Callable[[Any, frozenset[str], frozenset[Kind], frozenset[str]], Site]


def _site_reader(keys: tuple[str, ...]) -> SiteReader:
    """A function from a result row to a ``Site``, finding each field's column by name.

    The names are looked up once per query; each row is then taken apart in one
    ``itemgetter`` call, which keeps a national read as fast as positional tuples were.
    """
    pick = operator.itemgetter(*(keys.index(name) for name in _COLUMN_FIELDS))

    def to_site(row: Any, programs: frozenset[str], roles: frozenset[Kind],
                partnership_types: frozenset[str]) -> Site:
        (site_id, name, kind, lat, lon, organization, address, city, state, zip_code,
         county_fips, county_source, phone, website, hours, status, temporarily_closed,
         source, source_id, vintage, last_verified, contact, timezone) = pick(row)
        return Site(
            site_id, name, _KINDS[kind], lat, lon, organization, address, city, state,
            zip_code, county_fips, _COUNTY_SOURCES[county_source], phone, website, hours,
            programs, _STATUSES[status], bool(temporarily_closed), source, source_id,
            vintage, last_verified, roles, partnership_types, contact, timezone,
        )

    return to_site
