"""Accounts in the store and on the command line: hashes kept (never a password), roles and
areas set, disabled accounts, an audit line per change, and failed logins counted in the
database so every process sees them."""

from __future__ import annotations

import io
import sqlite3
from pathlib import Path

import pytest
from argon2 import PasswordHasher

from locator import accounts, logins
from locator.accounts import AccountStatus, NewUser, Role
from locator.cli import main
from locator.errors import InvalidInput
from locator.store import Store, open_store

PASSWORD = "correct horse battery staple"


def partner(email: str = "ana@library.example", organization: str = "Lib") -> NewUser:
    return NewUser(email=email, name="Ana", organization=organization, phone="217-555-0100")


def test_a_new_account_is_pending_and_keeps_only_a_hash(fresh_store: Store,
                                                        tmp_path: Path) -> None:
    user = fresh_store.add_user(partner(), accounts.hash_password(PASSWORD))
    assert user.status is AccountStatus.PENDING and user.role is Role.PARTNER
    assert user.password_hash.startswith("$argon2id$")
    assert accounts.verify_password(user.password_hash, PASSWORD)
    assert not accounts.verify_password(user.password_hash, PASSWORD + "x")
    with sqlite3.connect(tmp_path / "locator.db") as conn:
        dump = "\n".join(conn.iterdump())
    assert PASSWORD not in dump


def test_an_email_has_one_account(fresh_store: Store) -> None:
    fresh_store.add_user(partner(), accounts.hash_password(PASSWORD))
    with pytest.raises(InvalidInput) as error:
        fresh_store.add_user(partner(), accounts.hash_password(PASSWORD))
    assert error.value.code == "email_taken"


def test_a_hash_with_older_parameters_needs_rehashing() -> None:
    weak = PasswordHasher(time_cost=1, memory_cost=8 * 1024).hash(PASSWORD)
    assert accounts.verify_password(weak, PASSWORD)
    assert accounts.needs_rehash(weak)
    assert not accounts.needs_rehash(accounts.hash_password(PASSWORD))


def test_every_account_change_is_audited_without_the_hash(fresh_store: Store) -> None:
    user = fresh_store.add_user(partner(), accounts.hash_password(PASSWORD))
    fresh_store.update_user(user.id, actor="admin@x.example", role=Role.REVIEWER,
                            areas=["17031"], status=AccountStatus.ACTIVE,
                            password_hash=accounts.hash_password(PASSWORD + "!"))
    entries = fresh_store.audit("user", str(user.id))
    assert [e.action for e in entries] == ["register", "update"]
    assert entries[1].actor == "admin@x.example"
    assert entries[1].fields == {"role": ["partner", "reviewer"], "areas": [[], ["17031"]],
                                 "status": ["pending", "active"],
                                 "password": ["", "changed"]}
    assert "$argon2" not in repr(entries)


def test_short_passwords_and_bad_addresses_are_refused() -> None:
    with pytest.raises(InvalidInput) as short:
        accounts.hash_password("short")
    assert short.value.code == "short_password"
    with pytest.raises(InvalidInput) as email:
        accounts.normalize_email("not an address")
    assert email.value.code == "bad_email"
    assert accounts.normalize_email("  Ana@Library.Example ") == "ana@library.example"


def test_ten_failures_lock_a_key_until_the_first_leaves_the_window(
        fresh_store: Store) -> None:
    keys = [logins.account_key("ana@library.example")]
    start_s = 1_000_000.0
    for i in range(logins.MAX_FAILURES - 1):
        logins.record_failure(fresh_store, keys, start_s + i)
    assert logins.retry_after_s(fresh_store, keys, start_s + 20) == 0
    logins.record_failure(fresh_store, keys, start_s + 20)
    assert logins.retry_after_s(fresh_store, keys, start_s + 21) == logins.WINDOW_S - 21
    assert logins.retry_after_s(fresh_store, keys, start_s + logins.WINDOW_S) == 0
    logins.record_success(fresh_store, "ana@library.example")
    assert fresh_store.login_failures(keys[0], 0) == []


def test_failures_recorded_by_one_process_lock_the_key_in_another(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'shared.db'}"
    keys = [logins.address_key("192.0.2.7")]
    with open_store(url) as first, open_store(url) as second:
        for i in range(logins.MAX_FAILURES):
            logins.record_failure(first, keys, 5000.0 + i)
        assert logins.retry_after_s(second, keys, 5010.0) > 0


@pytest.fixture
def cli_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("LOCATOR_DATABASE_URL", url)
    return url


def test_create_admin_reads_the_password_from_piped_stdin(
        cli_db: str, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    assert main(["users", "create-admin", "--email", "Boss@Example.org"]) == 0
    with open_store(cli_db) as store:
        admin = store.user_by_email("boss@example.org")
    assert admin is not None and admin.role is Role.ADMIN and admin.active
    assert accounts.verify_password(admin.password_hash, PASSWORD)
    assert "created admin boss@example.org" in capsys.readouterr().out


def test_create_admin_refuses_a_short_password(
        cli_db: str, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    assert main(["users", "create-admin", "--email", "boss@example.org"]) == 2
    assert "at least 12 characters" in capsys.readouterr().err
    with open_store(cli_db) as store:
        assert store.users() == []


def test_create_admin_at_a_terminal_asks_twice_and_refuses_a_mismatch(
        cli_db: str, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    answers = iter([PASSWORD, PASSWORD + "?"])
    monkeypatch.setattr("sys.stdin.isatty", lambda: True, raising=False)
    monkeypatch.setattr("getpass.getpass", lambda prompt: next(answers))
    assert main(["users", "create-admin", "--email", "boss@example.org"]) == 2
    assert "the two passwords differ" in capsys.readouterr().err


def test_set_role_list_disable_and_reset_password(
        cli_db: str, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    with open_store(cli_db) as store:
        store.add_user(partner("rev@wa.example", "Workforce Area 7"),
                       accounts.hash_password(PASSWORD))
        store.replace_regions({"17031": "Northern Cook"})
    assert main(["users", "set-role", "REV@wa.example", "reviewer", "--area", "17031",
                 "--area", " Northern  Cook "]) == 0
    assert capsys.readouterr().out == "rev@wa.example: reviewer for 17031, Northern Cook\n"
    assert main(["users", "list"]) == 0
    listed = capsys.readouterr().out.splitlines()
    assert listed[1].split()[:3] == ["rev@wa.example", "reviewer", "active"]
    assert listed[1].endswith("17031, Northern Cook")
    monkeypatch.setattr("sys.stdin", io.StringIO("a brand new passphrase\n"))
    assert main(["users", "reset-password", "rev@wa.example"]) == 0
    assert main(["users", "disable", "rev@wa.example"]) == 0
    with open_store(cli_db) as store:
        user = store.user_by_email("rev@wa.example")
    assert user is not None and user.status is AccountStatus.DISABLED
    assert user.areas == ("17031", "Northern Cook")
    assert accounts.verify_password(user.password_hash, "a brand new passphrase")
    assert main(["users", "disable", "nobody@wa.example"]) == 2
    assert "no account for nobody@wa.example" in capsys.readouterr().err
