"""``locator data backup`` and ``restore`` on SQLite: a consistent copy while others write,
and a restore that brings it back whole and tells every process to reload."""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

import pytest
from conftest import legacy_database
from web_sites import SITES, make_db

from locator.cli import main as cli_main
from locator.errors import InvalidInput
from locator.sites import Kind, Site, Status
from locator.store import head_revision, open_store, sqlite_path
from web import create_app
from web.data import site_data

FIXTURES = Path(__file__).parent / "fixtures"


def table_rows(path: str | Path, table: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(path) as conn:
        return conn.execute(f"SELECT * FROM {table} ORDER BY 1, 2").fetchall()


def keep_writing(url: str, stop: threading.Event) -> None:
    with open_store(url) as store:
        n = 0
        while not stop.is_set():
            store.upsert_sites([Site(f"w-{n}", f"Written {n}", Kind.ACCESS_SITE, 40.0, -89.0)])
            n += 1


def test_backup_taken_while_another_process_writes_is_one_consistent_snapshot(
        tmp_path: Path) -> None:
    url = make_db(tmp_path)
    stop = threading.Event()
    writer = threading.Thread(target=keep_writing, args=(url, stop))
    writer.start()
    try:
        with open_store(url) as store:
            while store.count_sites() < len(SITES) + 3:  # the writer is under way
                time.sleep(0.01)
            for n in range(5):
                store.backup(tmp_path / f"copy-{n}.db")
                time.sleep(0.02)
    finally:
        stop.set()
        writer.join()
    counts = []
    for n in range(5):
        copy = tmp_path / f"copy-{n}.db"
        with sqlite3.connect(copy) as conn:
            assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
            version = conn.execute("SELECT version FROM data_version").fetchone()[0]
            logged = conn.execute("SELECT max(version), count(*) FROM changes "
                                  "WHERE action = 'add'").fetchone()
            sites = conn.execute("SELECT count(*) FROM sites").fetchone()[0]
        # Each write adds one site under one new version: a torn copy would disagree.
        assert logged == (version, sites)
        counts.append(sites)
    assert counts == sorted(counts) and counts[-1] > counts[0]


def test_restore_brings_back_exactly_what_was_backed_up(tmp_path: Path) -> None:
    url = make_db(tmp_path)
    backup = tmp_path / "backups" / "locator.db"
    with open_store(url) as store:
        store.backup(backup)
    saved = {t: table_rows(backup, t) for t in ("sites", "site_programs")}
    with open_store(url) as store:
        store.upsert_sites([Site("later", "Added Later", Kind.LIBRARY, 40.0, -89.0)])
        store.set_status(["lib-springfield"], Status.RETIRED)
        before = store.data_version()
        store.restore(backup)
        assert store.data_version() > before
        assert store.changes_since(before).everything
        assert store.schema_revision == head_revision()
    live = sqlite_path(url)
    assert {t: table_rows(live, t) for t in saved} == saved


def test_a_running_app_reloads_everything_after_a_restore(tmp_path: Path) -> None:
    url = make_db(tmp_path)
    backup = tmp_path / "copy.db"
    with open_store(url) as store:
        store.backup(backup)
    app = create_app({"DATABASE_URL": url, "TESTING": True})
    with open_store(url) as store:
        store.set_status(["lib-springfield"], Status.RETIRED)
    with app.app_context():
        assert "lib-springfield" not in site_data().catalog().sites
    with open_store(url) as store:
        store.restore(backup)
    with app.app_context():
        catalog = site_data().catalog()
    assert set(catalog.sites) == {s.id for s in SITES if s.status is Status.APPROVED}


def test_restoring_a_first_release_backup_upgrades_it(tmp_path: Path) -> None:
    old = legacy_database(tmp_path / "old.db")
    with open_store(make_db(tmp_path)) as store:
        store.restore(old)
        assert store.schema_revision == head_revision()
        assert store.count_sites() == 3


def test_restore_refuses_a_file_that_is_not_a_backup(tmp_path: Path) -> None:
    url = make_db(tmp_path)
    text = tmp_path / "notes.txt"
    text.write_text("not a database\n" * 100, encoding="utf-8")
    empty = tmp_path / "empty.db"
    sqlite3.connect(empty).close()
    with open_store(url) as store:
        with pytest.raises(InvalidInput, match="not an SQLite database"):
            store.restore(text)
        with pytest.raises(InvalidInput, match="not a locator backup"):
            store.restore(empty)
        with pytest.raises(InvalidInput, match="no backup file"):
            store.restore(tmp_path / "missing.db")
        assert store.count_sites() == len(SITES)


def test_backup_and_restore_commands_round_trip(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    url = make_db(tmp_path)
    monkeypatch.setenv("LOCATOR_DATABASE_URL", url)
    target = tmp_path / "out" / "backup.db"
    assert cli_main(["data", "backup", str(target)]) == 0
    assert f"database copied to {target}" in capsys.readouterr().out
    with open_store(url) as store:
        store.upsert_sites([Site("later", "Added Later", Kind.LIBRARY, 40.0, -89.0)])
    assert cli_main(["data", "restore", str(target)]) == 0
    assert f"restored from {target}: {len(SITES)} sites" in capsys.readouterr().out
    assert cli_main(["data", "restore", str(tmp_path / "nope.db")]) == 2
    assert "no backup file" in capsys.readouterr().err
