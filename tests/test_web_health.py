"""``GET /healthz`` says whether the database answers, and is never cached."""

from __future__ import annotations

from pathlib import Path

from web_sites import make_db

from locator.store import sqlite_path
from web import create_app


def test_healthz_gives_engine_and_data_version_when_the_database_answers(
        tmp_path: Path) -> None:
    app = create_app({"DATABASE_URL": make_db(tmp_path), "SECRET_KEY": "test"})
    response = app.test_client().get("/healthz")
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "ok"
    assert body["engine"] == "sqlite"
    assert isinstance(body["data_version"], int)
    assert response.headers["Cache-Control"] == "no-store"


def test_healthz_is_503_when_the_database_does_not_answer(tmp_path: Path) -> None:
    url = make_db(tmp_path)
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "test"})
    # The database goes away under the running app: its file replaced by a folder.
    app.extensions["database"].dispose()
    path = Path(sqlite_path(url))
    for leftover in path.parent.glob(path.name + "*"):
        leftover.unlink()
    path.mkdir()
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json() == {"status": "unavailable", "engine": "sqlite",
                                   "data_version": None}
    assert response.headers["Cache-Control"] == "no-store"
