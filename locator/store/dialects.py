"""What differs between engines, behind one small class per engine.

The store's statements are engine-neutral SQLAlchemy Core; what is not lives here: how to
open the engine, the dialect's ``INSERT ... ON CONFLICT``, what a first-release database
looks like, how to back up and restore, and who answers spatial queries. An engine's
module is imported only when a URL names it, so SQLite needs no PostgreSQL driver.
"""

from __future__ import annotations

import importlib
from abc import ABC, abstractmethod
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from locator.errors import InvalidInput
from locator.spatial import Catalog, SpatialQueries
from locator.store.schema import data_version

if TYPE_CHECKING:
    from locator.store.interface import Store

# URL scheme -> module defining ``DIALECT``.
_MODULES = {
    "sqlite": "locator.store._sqlite",
    "postgresql": "locator.store._postgresql",
}
# Set on a connection's ``info`` while it begins a transaction that will write.
WRITE_INTENT = "locator_write_intent"


class Dialect(ABC):
    """One database engine's particulars."""

    name: str

    @abstractmethod
    def create_engine(self, url: str) -> sa.Engine:
        """An engine with a connection pool, configured for many readers and writers."""

    @abstractmethod
    def insert(self, table: sa.Table) -> Any:
        """The dialect's ``insert``, whose statements have ``on_conflict_do_update``."""

    def legacy_revision(self, connection: sa.Connection) -> str | None:
        """The migration a database made before migrations were tracked is at, if any."""
        return None

    def lock_for_migration(self, connection: sa.Connection) -> None:
        """Keep two processes from migrating at once (inside the migration transaction).
        SQLite needs nothing: the migration's BEGIN IMMEDIATE already excludes writers."""
        return None

    def read_data_version(self, connection: sa.Connection) -> int:
        """The data version, read outside any transaction: once per web request, so an
        engine may answer it in a cheaper way than a transaction of its own."""
        with connection.begin():
            return int(connection.execute(sa.select(data_version.c.version)).scalar_one())

    def spatial(self, store: Store, catalog: Catalog) -> SpatialQueries:
        """The in-process KD-trees, unless an engine answers some queries faster itself."""
        return catalog

    @abstractmethod
    def backup(self, engine: sa.Engine, path: Path) -> None: ...

    @abstractmethod
    def restore(self, engine: sa.Engine, path: Path) -> None: ...


def scheme(url: str) -> str:
    return url.split(":", 1)[0].split("+", 1)[0].lower()


def dialect_for(url: str) -> Dialect:
    name = _MODULES.get(scheme(url))
    if name is None or "://" not in url:
        raise InvalidInput(
            "unsupported database URL '%(url)s': expected sqlite:///path/to/file.db or "
            "postgresql://user@host:port/database",
            code="bad_database_url", parameter="LOCATOR_DATABASE_URL", url=url,
        )
    dialect: Dialect = importlib.import_module(name).DIALECT
    return dialect
