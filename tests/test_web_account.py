"""Logging in, out and registering: the form's fields, CSRF on every state-changing request,
session cookies and their rotation at login, pending and disabled accounts, rehashing, and
failed logins limited across app instances that share one database."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from html_page import Elements
from partner_web import PASSWORD, add_account, csrf_token, log_in, partner_app

from locator import accounts, logins
from locator.accounts import AccountStatus, Role
from locator.store import open_store


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'partner.db'}"


def session_cookie(client) -> str | None:
    cookie = client.get_cookie("session")
    return cookie.value if cookie else None


def test_the_login_form_has_exactly_email_password_and_csrf_token(db_url: str) -> None:
    page = Elements(partner_app(db_url).test_client().get("/login").get_data(as_text=True))
    forms = page.all("form", method="post")
    assert len(forms) == 1
    names = [a["name"] for t, a in page.tags if t in ("input", "select", "textarea")
             and a.get("name")]
    assert sorted(names) == ["csrf_token", "email", "password"]


@pytest.mark.parametrize(("path", "data"), [
    ("/login", {"email": "a@b.example", "password": PASSWORD}),
    ("/register", {"name": "A", "organization": "B", "email": "a@b.example",
                   "phone": "1", "password": PASSWORD, "confirm": PASSWORD}),
    ("/logout", {}),
])
def test_a_state_changing_request_without_a_valid_token_gets_400(
        db_url: str, path: str, data: dict[str, str]) -> None:
    client = partner_app(db_url).test_client()
    assert client.post(path, data=data).status_code == 400
    assert client.post(path, data={**data, "csrf_token": "forged"}).status_code == 400
    with open_store(db_url) as store:
        assert store.users() == []


def test_a_json_call_carries_the_token_in_x_csrftoken(db_url: str) -> None:
    add_account(db_url, "ana@library.example")
    client = partner_app(db_url).test_client()
    log_in(client, "ana@library.example")
    assert client.post("/logout", json={}).status_code == 400
    token = csrf_token(client, "/logout")
    answer = client.post("/logout", json={}, headers={"X-CSRFToken": token})
    assert answer.status_code == 302
    assert client.get("/account").status_code == 302


def test_registration_makes_a_pending_account_that_cannot_log_in_until_verified(
        db_url: str, tmp_path: Path) -> None:
    client = partner_app(db_url).test_client()
    answer = client.post("/register", data={
        "name": "Ana", "organization": "Lincoln Library", "email": " Ana@Library.Example ",
        "phone": "217-555-0100", "county_fips": "17167", "password": PASSWORD,
        "confirm": PASSWORD, "csrf_token": csrf_token(client, "/register")})
    assert answer.status_code == 201
    with open_store(db_url) as store:
        user = store.user_by_email("ana@library.example")
    assert user is not None and user.status is AccountStatus.PENDING
    assert PASSWORD.encode() not in (tmp_path / "partner.db").read_bytes()
    assert log_in(client, "ana@library.example").status_code == 403
    with open_store(db_url) as store:
        store.update_user(user.id, actor="admin", status=AccountStatus.ACTIVE)
    assert log_in(client, "ana@library.example").status_code == 302
    assert "Lincoln Library" in client.get("/account").get_data(as_text=True)


def test_registration_says_what_to_fix_next_to_each_field(db_url: str) -> None:
    client = partner_app(db_url).test_client()
    answer = client.post("/register", data={
        "name": "", "organization": "Lib", "email": "not-an-address", "phone": "1",
        "password": "short", "confirm": "other", "csrf_token": csrf_token(client, "/register")})
    page = Elements(answer.get_data(as_text=True))
    errors = {a["id"] for a in page.all("p", **{"class": "error"}) if a.get("id")}
    assert errors == {"name-error", "email-error", "county_fips-error", "password-error",
                      "confirm-error"}
    assert page.all("select", name="county_fips")[0]["aria-describedby"] == "county_fips-error"
    assert page.all("input", name="email")[0]["aria-describedby"] == "email-error"


def test_disabled_accounts_cannot_log_in_and_lose_their_session(db_url: str) -> None:
    user = add_account(db_url, "ana@library.example")
    client = partner_app(db_url).test_client()
    assert log_in(client, "ana@library.example").status_code == 302
    assert client.get("/account").status_code == 200
    with open_store(db_url) as store:
        store.update_user(user.id, actor="admin", status=AccountStatus.DISABLED)
    assert client.get("/account").status_code == 302
    assert log_in(client, "ana@library.example").status_code == 403


def test_the_session_id_changes_at_login_and_cookies_are_guarded(db_url: str) -> None:
    add_account(db_url, "ana@library.example")
    client = partner_app(db_url).test_client()
    before = (csrf_token(client), session_cookie(client))
    answer = log_in(client, "ana@library.example")
    assert answer.status_code == 302 and answer.location == "/account"
    assert session_cookie(client) != before[1]
    with client.session_transaction() as session:
        sid = session["sid"]
    log_in(client, "ana@library.example")
    with client.session_transaction() as session:
        assert session["sid"] != sid
    header = answer.headers["Set-Cookie"]
    assert "HttpOnly" in header and "SameSite=Lax" in header and "Expires=" in header
    assert "Secure" not in header


def test_over_tls_the_session_cookie_is_secure(db_url: str) -> None:
    add_account(db_url, "ana@library.example")
    client = partner_app(db_url).test_client()
    csrf_token(client)
    answer = client.post("/login", base_url="https://localhost", headers={
        "Referer": "https://localhost/login"}, data={
        "email": "ana@library.example", "password": PASSWORD,
        "csrf_token": csrf_token(client)})
    assert answer.status_code == 302
    assert "Secure" in answer.headers["Set-Cookie"]


def test_a_new_secret_key_is_used_at_once_and_old_keys_only_as_fallbacks(
        db_url: str) -> None:
    # The session interface keeps its signing serializer between requests; a key rotated
    # while the app runs must still decide which cookies are good.
    add_account(db_url, "ana@library.example")
    app = partner_app(db_url)
    client = app.test_client()
    log_in(client, "ana@library.example")
    assert client.get("/account").status_code == 200
    signed_before = session_cookie(client)
    assert signed_before
    app.secret_key = "rotated"
    assert client.get("/account").status_code == 302
    client.set_cookie("session", signed_before)
    app.config["SECRET_KEY_FALLBACKS"] = ["partner-tests"]
    assert client.get("/account").status_code == 200
    assert session_cookie(client) != signed_before  # signed again, with the new key


def test_a_search_without_a_session_sets_no_cookie(db_url: str) -> None:
    answer = partner_app(db_url).test_client().get("/api/nearest?lat=40&lon=-90")
    assert answer.status_code == 200
    assert "Set-Cookie" not in answer.headers


def test_sessions_expire(db_url: str) -> None:
    assert partner_app(db_url).permanent_session_lifetime.total_seconds() == 8 * 3600
    add_account(db_url, "ana@library.example")
    client = partner_app(db_url, PERMANENT_SESSION_LIFETIME=1).test_client()
    log_in(client, "ana@library.example")
    assert client.get("/account").status_code == 200
    time.sleep(2.1)
    assert client.get("/account").status_code == 302


def test_a_link_elsewhere_is_not_followed_after_login(db_url: str) -> None:
    add_account(db_url, "ana@library.example")
    client = partner_app(db_url).test_client()
    for target in ("https://evil.example/", "//evil.example/x"):
        token = csrf_token(client)
        answer = client.post(f"/login?next={target}", data={
            "email": "ana@library.example", "password": PASSWORD, "csrf_token": token})
        assert answer.location == "/account"


def test_a_hash_with_older_parameters_is_replaced_at_login(db_url: str) -> None:
    user = add_account(db_url, "ana@library.example")
    weak = PasswordHasher(time_cost=1, memory_cost=8 * 1024).hash(PASSWORD)
    with open_store(db_url) as store:
        store.update_user(user.id, actor="test", password_hash=weak)
    assert log_in(partner_app(db_url).test_client(), "ana@library.example").status_code == 302
    with open_store(db_url) as store:
        rehashed = store.user(user.id).password_hash
    assert rehashed != weak and not accounts.needs_rehash(rehashed)
    assert accounts.verify_password(rehashed, PASSWORD)


def test_failed_logins_in_one_app_instance_lock_the_account_in_another(db_url: str) -> None:
    add_account(db_url, "ana@library.example")
    first, second = partner_app(db_url).test_client(), partner_app(db_url).test_client()
    for i in range(logins.MAX_FAILURES):
        client = (first, second)[i % 2]
        answer = log_in(client, "ana@library.example", "wrong password",
                        **{"X-Forwarded-For": "ignored"})
        assert answer.status_code == 401
    locked = log_in(first, "ana@library.example")  # even the right password waits
    assert locked.status_code == 429
    wait_s = int(locked.headers["Retry-After"])
    assert 0 < wait_s <= logins.WINDOW_S
    text = Elements(locked.get_data(as_text=True)).plain_text
    assert re.search(r"Try again in 1[45] minutes, at ", text)
    assert log_in(second, "ana@library.example").status_code == 429


def test_failures_from_one_address_lock_it_for_every_account(db_url: str) -> None:
    add_account(db_url, "ana@library.example")
    client = partner_app(db_url).test_client()
    for i in range(logins.MAX_FAILURES):
        assert log_in(client, f"guess{i}@library.example", "wrong").status_code == 401
    assert log_in(client, "ana@library.example").status_code == 429
    other_address = partner_app(db_url).test_client()
    answer = other_address.post("/login", environ_base={"REMOTE_ADDR": "192.0.2.9"}, data={
        "email": "ana@library.example", "password": PASSWORD,
        "csrf_token": csrf_token(other_address)})
    assert answer.status_code == 302


def test_hostile_registration_text_is_stored_as_text_and_shown_escaped(db_url: str) -> None:
    hostile = ("<script>alert(1)</script>'; DROP TABLE users;-- "
               "\u202e\u05e2\u05d1\u05e8\u05d9\u05ea 中文 🙂")
    client = partner_app(db_url).test_client()
    answer = client.post("/register", data={
        "name": hostile, "organization": hostile, "email": "ana@library.example",
        "phone": hostile[:40], "county_fips": "17167", "password": PASSWORD,
        "confirm": PASSWORD, "csrf_token": csrf_token(client, "/register")})
    assert answer.status_code == 201
    with open_store(db_url) as store:
        user = store.user_by_email("ana@library.example")
        store.update_user(user.id, actor="admin", status=AccountStatus.ACTIVE,
                          role=Role.PARTNER)
    assert user.name == hostile and user.organization == hostile
    log_in(client, "ana@library.example")
    html = client.get("/account").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert hostile in Elements(html).plain_text


def test_what_to_fix_is_said_in_spanish(db_url: str) -> None:
    client = partner_app(db_url).test_client()
    answer = client.post("/register?lang=es", data={
        "name": "", "organization": "Lib", "email": "x", "phone": "1", "password": "short",
        "confirm": "other", "csrf_token": csrf_token(client, "/register?lang=es")})
    text = Elements(answer.get_data(as_text=True)).plain_text
    assert "Las contraseñas no coinciden." in text
    assert "'x' no es una dirección de correo electrónico" in text
    assert "Condado de Sangamon" in text and "Elija el condado" in text
    assert "This field is required" not in text and "Field must be" not in text


def test_the_account_page_is_in_spanish(db_url: str) -> None:
    add_account(db_url, "rev@area.example", role=Role.REVIEWER, areas=("17167",))
    client = partner_app(db_url).test_client()
    log_in(client, "rev@area.example")
    text = Elements(client.get("/account?lang=es").get_data(as_text=True)).plain_text
    assert "Su cuenta" in text and "Revisor" in text and "Áreas que usted revisa" in text
    assert "Your account" not in text and "Reviewer" not in text


def test_the_account_page_names_the_county_given_at_registration(db_url: str) -> None:
    add_account(db_url, "ana@library.example", county_fips="17167")
    client = partner_app(db_url).test_client()
    log_in(client, "ana@library.example")
    text = Elements(client.get("/account").get_data(as_text=True)).plain_text
    assert "Sangamon County, IL" in text
    text = Elements(client.get("/account?lang=es").get_data(as_text=True)).plain_text
    assert "Condado de Sangamon, IL" in text
