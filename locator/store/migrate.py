"""Bring a database's schema up to date with Alembic, run from code on first use.

One migration history serves every engine. A database the first release made (before
Alembic) is recognised by its engine's legacy marker and stamped at the matching migration
first, so it upgrades in place. A database at a migration this code does not ship was made
by a newer release and is refused: upgrading the code is the fix, not guessing.
"""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from locator.errors import InvalidInput
from locator.store.dialects import WRITE_INTENT, Dialect

MIGRATIONS_DIR = Path(__file__).with_name("migrations")


def _config(connection: sa.Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    head = ScriptDirectory.from_config(_config()).get_current_head()
    assert head is not None
    return head


def current_revision(connection: sa.Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def upgrade(engine: sa.Engine, dialect: Dialect) -> None:
    """Migrate to the newest revision in one transaction, or refuse a newer database."""
    with engine.connect() as connection:
        connection.info[WRITE_INTENT] = True
        try:
            transaction = connection.begin()
        finally:
            connection.info.pop(WRITE_INTENT, None)
        with transaction:
            dialect.lock_for_migration(connection)
            revision = current_revision(connection)
            if revision is None:
                revision = dialect.legacy_revision(connection)
                if revision is not None:
                    command.stamp(_config(connection), revision)
            if revision == head_revision():
                return
            _refuse_unknown(revision)
            command.upgrade(_config(connection), "head")


def _refuse_unknown(revision: str | None) -> None:
    if revision is None:
        return
    script = ScriptDirectory.from_config(_config())
    known = {r.revision for r in script.walk_revisions()}
    if revision not in known:
        raise InvalidInput(
            "database schema revision '%(found)s' is newer than this program (which knows "
            "up to '%(known)s'); upgrade the locator package", code="schema_too_new",
            found=revision, known=head_revision())
