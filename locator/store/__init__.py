"""The site store: the one place that talks to a database.

The rest of the locator uses the ``Store`` protocol and the records beside it, never SQL or
a driver. A database is named by a URL: ``sqlite:///relative/path.db``,
``sqlite:////absolute/path.db`` or ``postgresql://user@host:port/db``. Opening one brings its
schema up to date (Alembic migrations, one history for every engine), or refuses a database
made by a newer release.

- ``open_store(url)``: a store for one command; closing it releases everything.
- ``Database(url)``: one pool per process (the web app); ``.connect()`` gives each request
  a store on its own connection.
"""

from locator.store._clock import now_iso
from locator.store._sqlite import sqlite_path
from locator.store.database import Database, open_store
from locator.store.interface import (
    IMPORT_ACTOR,
    SYSTEM_ACTOR,
    Change,
    ChangeSet,
    ImportRecord,
    PopulationPoints,
    PopulationSummary,
    Store,
)
from locator.store.migrate import head_revision

__all__ = [
    "IMPORT_ACTOR",
    "SYSTEM_ACTOR",
    "Change",
    "ChangeSet",
    "Database",
    "ImportRecord",
    "PopulationPoints",
    "PopulationSummary",
    "Store",
    "head_revision",
    "now_iso",
    "open_store",
    "sqlite_path",
]
