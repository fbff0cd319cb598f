"""The store a request uses: one pooled connection per request, closed at teardown.

The app holds one ``Database`` (engine and pool) per worker process; ``get_store()`` takes a
connection from it the first time a request needs one and ``close_store`` gives it back when
the app context ends, so no connection is ever used by two threads.
"""

from __future__ import annotations

from flask import Flask, current_app, g

from locator.store import Database, Store


def init_app(app: Flask) -> None:
    app.extensions["database"] = Database(app.config["DATABASE_URL"])
    app.teardown_appcontext(close_store)


def get_store() -> Store:
    if "store" not in g:
        database: Database = current_app.extensions["database"]
        g.store = database.connect()
    store: Store = g.store
    return store


def close_store(_error: BaseException | None = None) -> None:
    store = g.pop("store", None)
    if store is not None:
        store.close()
