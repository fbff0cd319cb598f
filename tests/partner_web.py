"""Helpers for the partner web tests: an app on a fresh database, accounts in each role,
and a client that logs in through the real form with its CSRF token."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from html_page import Elements

from locator import accounts
from locator.accounts import AccountStatus, NewUser, Role, User
from locator.store import open_store
from web import create_app

PASSWORD = "correct horse battery staple"


_BUILT: list[Flask] = []


def partner_app(database_url: str, **config: object) -> Flask:
    app = create_app({"DATABASE_URL": database_url, "TESTING": True,
                      "SECRET_KEY": "partner-tests", **config})
    _BUILT.append(app)
    return app


def close_apps() -> None:
    """Close the database connections of every app ``partner_app`` built (a PostgreSQL
    test must end with none open)."""
    while _BUILT:
        _BUILT.pop().extensions["database"].dispose()


def add_account(database_url: str, email: str, *, role: Role = Role.PARTNER,
                organization: str = "Lincoln Library", areas: tuple[str, ...] = (),
                status: AccountStatus = AccountStatus.ACTIVE,
                password: str = PASSWORD, county_fips: str = "") -> User:
    with open_store(database_url) as store:
        user = store.add_user(NewUser(email=email, name=email.split("@")[0],
                                      organization=organization, phone="217-555-0100",
                                      role=role, county_fips=county_fips),
                              accounts.hash_password(password))
        return store.update_user(user.id, actor="test", status=status, areas=areas)


def csrf_token(client: FlaskClient, path: str = "/login") -> str:
    page = Elements(client.get(path).get_data(as_text=True))
    return next(a["value"] for a in page.all("input", name="csrf_token"))


def log_in(client: FlaskClient, email: str, password: str = PASSWORD, **headers: str):
    return client.post("/login", data={"email": email, "password": password,
                                       "csrf_token": csrf_token(client)},
                       headers=headers)
