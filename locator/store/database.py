"""A database: one engine and its connection pool per process, migrated on first use.

``Database(url).connect()`` hands out a ``Store`` holding one pooled connection, for one
command or one web request; ``open_store(url)`` is the one-liner for a command.
"""

from __future__ import annotations

from locator.store import migrate
from locator.store.dialects import dialect_for
from locator.store.interface import Store
from locator.store.sql import SqlStore


class Database:
    """The engine and pool for one URL. Safe to share between threads; its stores are not."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.dialect = dialect_for(url)
        self.engine = self.dialect.create_engine(url)
        try:
            migrate.upgrade(self.engine, self.dialect)
        except BaseException:
            self.engine.dispose()
            raise

    def connect(self) -> Store:
        """A store on a connection of its own, taken from the pool when the store is first
        used and returned to it when the store is closed."""
        return SqlStore(self)

    def migrate(self) -> None:
        migrate.upgrade(self.engine, self.dialect)

    def dispose(self) -> None:
        self.engine.dispose()


def open_store(url: str) -> Store:
    """A store for one command: closing it also closes the database's pool."""
    database = Database(url)
    return SqlStore(database, database.engine.connect(), owns_database=True)
