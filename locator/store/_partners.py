"""The ``Store``'s accounts, failed logins, partner requests and their audit trail.

A mix-in of ``SqlStore``: it uses the store's connection and transactions, so a request's
approval and the site it makes live commit together. Audit entries are only inserted.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from contextlib import AbstractContextManager
from typing import Any

import sqlalchemy as sa

from locator.accounts import AccountStatus, NewUser, Role, User
from locator.errors import InvalidInput, NotFound
from locator.listings import AuditEntry, RequestAction, RequestStatus, SiteRequest
from locator.store import schema as t
from locator.store._clock import now_iso

USER_SUBJECT = "user"
REQUEST_SUBJECT = "request"
_USER_COLUMNS = ("id", "email", "name", "organization", "phone", "role", "status", "areas",
                 "password_hash", "created_at", "county_fips")
_REQUEST_COLUMNS = ("id", "action", "site_id", "user_id", "organization", "county_fips",
                    "status", "fields", "reason", "created_at", "updated_at")


class PartnerTables:
    """Accounts and requests; ``SqlStore`` provides the connection plumbing."""

    def _writing(self) -> AbstractContextManager[sa.Connection]:
        raise NotImplementedError

    def _reading(self) -> AbstractContextManager[sa.Connection]:
        raise NotImplementedError

    # -- accounts -------------------------------------------------------------------------
    def add_user(self, new: NewUser, password_hash: str, *, actor: str = "system") -> User:
        stamp = now_iso()
        with self._writing() as conn:
            if self._user_row(conn, t.users.c.email == new.email) is not None:
                raise InvalidInput("an account for %(email)s exists already",
                                   code="email_taken", parameter="email", email=new.email)
            user_id = conn.execute(sa.insert(t.users).values(
                email=new.email, name=new.name, organization=new.organization,
                phone=new.phone, role=new.role.value, status=new.status.value, areas=[],
                password_hash=password_hash, created_at=stamp, county_fips=new.county_fips,
            ).returning(t.users.c.id)).scalar_one()
            _audit(conn, stamp, actor, "register", USER_SUBJECT, user_id, {
                "email": [None, new.email], "role": [None, new.role.value],
                "status": [None, new.status.value]}
                | ({"county_fips": [None, new.county_fips]} if new.county_fips else {}))
            user = self._user_row(conn, t.users.c.id == user_id)
        assert user is not None
        return user

    def user(self, user_id: int) -> User | None:
        with self._reading() as conn:
            return self._user_row(conn, t.users.c.id == user_id)

    def user_by_email(self, email: str) -> User | None:
        with self._reading() as conn:
            return self._user_row(conn, t.users.c.email == email)

    def users(self) -> list[User]:
        with self._reading() as conn:
            rows = conn.execute(_select_users().order_by(t.users.c.email))
            return [_user(row) for row in rows]

    def update_user(self, user_id: int, *, actor: str, role: Role | None = None,
                    areas: Sequence[str] | None = None, status: AccountStatus | None = None,
                    password_hash: str | None = None) -> User:
        with self._writing() as conn:
            before = self._user_row(conn, t.users.c.id == user_id)
            if before is None:
                raise NotFound("no account %(id)s", code="unknown_user", id=str(user_id))
            values: dict[str, Any] = {}
            changed: dict[str, list[Any]] = {}
            for name, old, new in (
                    ("role", before.role.value, role and role.value),
                    ("status", before.status.value, status and status.value),
                    ("areas", list(before.areas), None if areas is None else list(areas))):
                if new is not None and new != old:
                    values[name] = new
                    changed[name] = [old, new]
            if password_hash is not None:
                values["password_hash"] = password_hash
                changed["password"] = ["", "changed"]
            if values:
                conn.execute(sa.update(t.users).where(t.users.c.id == user_id).values(values))
                _audit(conn, now_iso(), actor, "update", USER_SUBJECT, user_id, changed)
            after = self._user_row(conn, t.users.c.id == user_id)
        assert after is not None
        return after

    def _user_row(self, conn: sa.Connection, where: sa.ColumnElement[bool]) -> User | None:
        row = conn.execute(_select_users().where(where)).first()
        return None if row is None else _user(row)

    # -- regions --------------------------------------------------------------------------
    def replace_regions(self, by_county: Mapping[str, str]) -> None:
        with self._writing() as conn:
            conn.execute(sa.delete(t.regions))
            if by_county:
                conn.execute(sa.insert(t.regions), [
                    {"county_fips": fips, "region": region}
                    for fips, region in sorted(by_county.items())])

    def regions(self) -> dict[str, str]:
        with self._reading() as conn:
            rows = conn.execute(sa.select(t.regions.c.county_fips, t.regions.c.region))
            return {row.county_fips: row.region for row in rows}

    # -- failed logins --------------------------------------------------------------------
    def record_login_failure(self, keys: Iterable[str], at_s: float) -> None:
        rows = [{"key": key, "failed_at_s": at_s} for key in keys]
        with self._writing() as conn:
            conn.execute(sa.insert(t.login_failures), rows)

    def login_failures(self, key: str, since_s: float) -> list[float]:
        f = t.login_failures
        query = (sa.select(f.c.failed_at_s).where(f.c.key == key, f.c.failed_at_s >= since_s)
                 .order_by(f.c.failed_at_s))
        with self._reading() as conn:
            return [float(at) for at in conn.execute(query).scalars()]

    def clear_login_failures(self, key: str) -> None:
        with self._writing() as conn:
            conn.execute(sa.delete(t.login_failures).where(t.login_failures.c.key == key))

    # -- partner requests -----------------------------------------------------------------
    def add_request(self, *, action: RequestAction, user: User, site_id: str | None,
                    county_fips: str, fields: dict[str, Any]) -> SiteRequest:
        stamp = now_iso()
        with self._writing() as conn:
            request_id = conn.execute(sa.insert(t.site_requests).values(
                action=action.value, site_id=site_id, user_id=user.id,
                organization=user.organization, county_fips=county_fips,
                status=RequestStatus.PENDING.value, fields=fields, reason="",
                created_at=stamp, updated_at=stamp,
            ).returning(t.site_requests.c.id)).scalar_one()
            _audit(conn, stamp, user.email, f"request_{action.value}", REQUEST_SUBJECT,
                   request_id, {name: [None, value] for name, value in fields.items()})
        found = self.site_request(int(request_id))
        assert found is not None
        return found

    def site_request(self, request_id: int) -> SiteRequest | None:
        with self._reading() as conn:
            return _request_row(conn, request_id)

    def site_requests(self, *, statuses: Iterable[RequestStatus] | None = None,
                      user_id: int | None = None,
                      organization: str | None = None) -> list[SiteRequest]:
        r = t.site_requests
        query = _select_requests().order_by(r.c.id.desc())
        if statuses is not None:
            query = query.where(r.c.status.in_([RequestStatus(s).value for s in statuses]))
        if user_id is not None:
            query = query.where(r.c.user_id == user_id)
        if organization is not None:
            query = query.where(r.c.organization == organization)
        with self._reading() as conn:
            return [_request(row) for row in conn.execute(query)]

    def update_request(self, request_id: int, *, actor: str, action: str,
                       status: RequestStatus | None = None, reason: str | None = None,
                       fields: dict[str, Any] | None = None,
                       county_fips: str | None = None) -> SiteRequest:
        stamp = now_iso()
        with self._writing() as conn:
            before = _request_row(conn, request_id)
            if before is None:
                raise NotFound("no request %(id)s", code="unknown_request", id=str(request_id))
            changed = _request_changes(before, status, reason, fields, county_fips)
            values = {name: new for name, (_, new) in changed.items()
                      if name in ("status", "reason", "county_fips")}
            if fields is not None:
                values["fields"] = fields
            conn.execute(sa.update(t.site_requests).where(t.site_requests.c.id == request_id)
                         .values(**values, updated_at=stamp))
            _audit(conn, stamp, actor, action, REQUEST_SUBJECT, request_id, changed)
            after = _request_row(conn, request_id)
        assert after is not None
        return after

    def audit(self, subject: str, subject_id: str) -> list[AuditEntry]:
        a = t.audit_entries
        query = (sa.select(a.c.at, a.c.actor, a.c.action, a.c.subject, a.c.subject_id,
                           a.c.fields)
                 .where(a.c.subject == subject, a.c.subject_id == str(subject_id))
                 .order_by(a.c.id))
        with self._reading() as conn:
            return [AuditEntry(r.at, r.actor, r.action, r.subject, r.subject_id,
                               r.fields or {}) for r in conn.execute(query)]


def _select_users() -> sa.Select[Any]:
    return sa.select(*(t.users.c[name] for name in _USER_COLUMNS))


def _user(row: Any) -> User:
    return User(id=int(row.id), email=row.email, name=row.name, organization=row.organization,
                phone=row.phone, role=Role(row.role), status=AccountStatus(row.status),
                areas=tuple(row.areas or ()), password_hash=row.password_hash,
                created_at=row.created_at, county_fips=row.county_fips)


def _select_requests() -> sa.Select[Any]:
    return sa.select(*(t.site_requests.c[name] for name in _REQUEST_COLUMNS))


def _request_row(conn: sa.Connection, request_id: int) -> SiteRequest | None:
    row = conn.execute(_select_requests().where(t.site_requests.c.id == request_id)).first()
    return None if row is None else _request(row)


def _request(row: Any) -> SiteRequest:
    return SiteRequest(id=int(row.id), action=RequestAction(row.action), site_id=row.site_id,
                       user_id=int(row.user_id), organization=row.organization,
                       county_fips=row.county_fips, status=RequestStatus(row.status),
                       fields=dict(row.fields or {}), reason=row.reason,
                       created_at=row.created_at, updated_at=row.updated_at)


def _request_changes(before: SiteRequest, status: RequestStatus | None, reason: str | None,
                     fields: dict[str, Any] | None,
                     county_fips: str | None) -> dict[str, list[Any]]:
    changed: dict[str, list[Any]] = {}
    if status is not None and status is not before.status:
        changed["status"] = [before.status.value, status.value]
    if reason is not None and reason != before.reason:
        changed["reason"] = [before.reason, reason]
    if county_fips is not None and county_fips != before.county_fips:
        changed["county_fips"] = [before.county_fips, county_fips]
    for name in sorted(set(fields or {}) | (set(before.fields) if fields else set())):
        old, new = before.fields.get(name), (fields or {}).get(name)
        if old != new:
            changed[f"fields.{name}"] = [old, new]
    return changed


def _audit(conn: sa.Connection, stamp: str, actor: str, action: str, subject: str,
           subject_id: object, fields: dict[str, list[Any]]) -> None:
    conn.execute(sa.insert(t.audit_entries).values(
        at=stamp, actor=actor, action=action, subject=subject, subject_id=str(subject_id),
        fields=fields or None))

