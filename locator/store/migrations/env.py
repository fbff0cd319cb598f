"""Alembic's entry point: run the migrations on the connection ``locator.store`` hands over.

The store opens the transaction around the whole upgrade, so on SQLite as on PostgreSQL an
interrupted upgrade leaves the database as it was.
"""

from alembic import context

connection = context.config.attributes["connection"]
context.configure(connection=connection, transactional_ddl=True)
with context.begin_transaction():
    context.run_migrations()
