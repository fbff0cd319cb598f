"""Who may use each partner and review route: every route, page or direct POST that skips
the form, for an anonymous visitor, the partner who filed the request, a partner of
another organisation, a reviewer of another area, the reviewer of this area (assigned the
county by its FIPS code, or a region that holds it) and an admin."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
from partner_web import add_account, csrf_token, log_in, partner_app
from web_sites import SITES, make_db

from locator import listings
from locator.accounts import AccountStatus, NewUser, Role
from locator.events import Event, EventKind
from locator.listings import PARTNER_SOURCE, RequestAction, RequestStatus
from locator.store import open_store

LIBRARY = next(s for s in SITES if s.id == "lib-springfield").replace(
    organization="Lincoln Library")
PEOPLE = {
    "partner": "ana@lincoln.example",
    "other_partner": "bo@other.example",
    "other_reviewer": "rev@cook.example",
    "reviewer": "rev@sangamon.example",
    "region_reviewer": "rev@central.example",
    "admin": "boss@state.example",
}
REGIONS = {"17167": "Central Illinois", "17115": "Central Illinois", "17031": "Cook"}
REVIEWERS = frozenset({"other_reviewer", "reviewer", "region_reviewer", "admin"})
ANYONE = frozenset({"partner", "other_partner"}) | REVIEWERS
REVIEWERS_HERE = frozenset({"reviewer", "region_reviewer", "admin"})
ADMIN = frozenset({"admin"})
SITE_ORG = frozenset({"partner"}) | REVIEWERS_HERE
FILER_ORG = frozenset({"partner"})
ADD_FORM = {"kind": "access_site", "name": "Job Lab", "organization": "Lincoln Library",
            "address": "900 W Jefferson St", "city": "Springfield", "state": "IL",
            "zip": "62702", "lat": "39.8017", "lon": "-89.6690"}
# A sent-back request to add another place, not a duplicate of ADD_FORM's.
OTHER_ADD_FORM = {**ADD_FORM, "name": "Eastside Lab", "address": "1200 E Cook St",
                  "lat": "39.7960", "lon": "-89.6300"}
CHANGE_FORM = {"kind": "library", "name": "Lincoln Library", "organization": "Lincoln Library",
               "address": "326 S 7th St", "city": "Springfield", "state": "IL",
               "zip": "62701", "hours": "Mon-Fri 9-5"}
EVENT_FORM = {"title": "Workshop", "kind": "workshop", "start": "2027-01-12T10:00",
              "end": "2027-01-12T12:00"}

# (method, path, form data, who may) — {request}, {change}, {sent_back}, {sent_back_add}
# and {pending_user} are filled in.
ROUTES = (
    ("GET", "/account", None, ANYONE),
    ("GET", "/partner/", None, ANYONE),
    ("GET", "/partner/check?q=62701", None, ANYONE),
    ("GET", "/partner/add", None, ANYONE),
    ("POST", "/partner/add", ADD_FORM, ANYONE),
    ("GET", "/partner/sites/lib-springfield/extend", None, ANYONE),
    ("POST", "/partner/sites/lib-springfield/extend", {"roles": "access_site"}, ANYONE),
    ("POST", "/partner/sites/lib-springfield/confirm", {}, SITE_ORG),
    ("GET", "/review/", None, REVIEWERS),
    ("GET", "/review/stale", None, REVIEWERS),
    ("GET", "/review/{request}", None, REVIEWERS_HERE),
    ("POST", "/review/{request}/approve", {}, REVIEWERS_HERE),
    ("POST", "/review/{request}/reject", {"reason": "no"}, REVIEWERS_HERE),
    ("POST", "/review/{request}/send-back", {"reason": "fix"}, REVIEWERS_HERE),
    ("GET", "/review/sites/lib-springfield/history", None, REVIEWERS_HERE),
    ("POST", "/review/sites/lib-springfield/retire", {}, ADMIN),
    ("POST", "/review/accounts/{pending_user}/verify", {}, REVIEWERS_HERE),
    ("POST", "/review/accounts/{disabled_user}/verify", {}, ADMIN),
    ("GET", "/partner/sites/lib-springfield/change", None, SITE_ORG),
    ("POST", "/partner/sites/lib-springfield/change", CHANGE_FORM, SITE_ORG),
    ("GET", "/partner/requests/{sent_back}/edit", None, FILER_ORG),
    ("POST", "/partner/requests/{sent_back}/edit", {**CHANGE_FORM, "hours": "9-1"}, FILER_ORG),
    ("GET", "/partner/requests/{sent_back_add}/edit", None, FILER_ORG),
    ("POST", "/partner/requests/{sent_back_add}/edit",
     {**OTHER_ADD_FORM, "zip": "62703"}, FILER_ORG),
    ("GET", "/review/{change}", None, REVIEWERS_HERE),
    ("POST", "/review/{change}/approve", {}, REVIEWERS_HERE),
    ("POST", "/review/{change}/reject", {"reason": "no"}, REVIEWERS_HERE),
    ("POST", "/review/{change}/send-back", {"reason": "fix"}, REVIEWERS_HERE),
    ("GET", "/partner/sites", None, ANYONE),
    ("GET", "/partner/sites/lib-springfield/hours", None, SITE_ORG),
    ("POST", "/partner/sites/lib-springfield/hours", {"hours": "Mo-Fr 09:00-17:00"}, SITE_ORG),
    ("GET", "/partner/sites/lib-springfield/events", None, SITE_ORG),
    ("GET", "/partner/sites/lib-springfield/events/new", None, SITE_ORG),
    ("POST", "/partner/sites/lib-springfield/events/new", EVENT_FORM, SITE_ORG),
    ("GET", "/partner/events/{event}/edit", None, SITE_ORG),
    ("POST", "/partner/events/{event}/edit", EVENT_FORM, SITE_ORG),
    ("POST", "/partner/events/{event}/delete", {}, SITE_ORG),
    # Only a mobile unit's account (its organisation runs stops): nobody here.
    ("GET", "/partner/visits", None, frozenset()),
)
# What each POST route changes, to see that a refused request changed nothing.
NEW_POSTS = tuple((path, data, who) for method, path, data, who in ROUTES
                  if method == "POST" and ("/change" in path or "/edit" in path
                                           or "{change}" in path))


@pytest.fixture(scope="module")
def template_db(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, int]]:
    directory = tmp_path_factory.mktemp("authorisation")
    url = make_db(directory, (LIBRARY, *SITES[1:]))
    add_account(url, PEOPLE["partner"], organization="Lincoln Library")
    add_account(url, PEOPLE["other_partner"], organization="Other Org")
    add_account(url, PEOPLE["other_reviewer"], role=Role.REVIEWER, organization="LWA 7",
                areas=("17031",))
    add_account(url, PEOPLE["reviewer"], role=Role.REVIEWER, organization="LWA 21",
                areas=("17167",))
    add_account(url, PEOPLE["region_reviewer"], role=Role.REVIEWER, organization="LWA 21",
                areas=("Central Illinois",))
    add_account(url, PEOPLE["admin"], role=Role.ADMIN, organization="State")
    disabled = add_account(url, "gone@x.example", organization="X", county_fips="17167",
                           status=AccountStatus.DISABLED)
    with open_store(url) as store:
        store.replace_regions(REGIONS)
        partner = store.user_by_email(PEOPLE["partner"])
        filed = store.add_request(action=RequestAction.EXTEND, user=partner,
                                  site_id=LIBRARY.id, county_fips="17167",
                                  fields={"roles": ["access_site"]})
        pending = store.add_user(NewUser("new@x.example", "New", "X", "1",
                                         county_fips="17167"), "$argon2id$x")
        reviewer = store.user_by_email(PEOPLE["reviewer"])
        change = store.add_request(action=RequestAction.CHANGE, user=partner,
                                   site_id=LIBRARY.id, county_fips="17167",
                                   fields={"hours": "Mon-Fri 9-5"})
        sent_back = listings.reject(store, store.add_request(
            action=RequestAction.CHANGE, user=partner, site_id=LIBRARY.id,
            county_fips="17167", fields={"hours": "9-5"}),
            reviewer=reviewer, reason="Which days?", send_back=True)
        add_fields = {**OTHER_ADD_FORM, "lat": 39.7960, "lon": -89.6300}
        sent_back_add = listings.reject(store, store.add_request(
            action=RequestAction.ADD, user=partner, site_id=None, county_fips="17167",
            fields=add_fields), reviewer=reviewer, reason="Suite?", send_back=True)
        store.upsert_events([Event("partner-ev-1", LIBRARY.id, "Ours", EventKind.WORKSHOP,
                                   datetime(2027, 1, 5, 16, tzinfo=UTC),
                                   datetime(2027, 1, 5, 17, tzinfo=UTC), "America/Chicago",
                                   source=PARTNER_SOURCE)])
    assert pending.status is AccountStatus.PENDING
    return directory / "web.db", {"request": filed.id, "pending_user": pending.id,
                                  "disabled_user": disabled.id, "change": change.id,
                                  "sent_back": sent_back.id, "sent_back_add": sent_back_add.id,
                                  "event": "partner-ev-1"}


CASES = [(method, path, data, who, role) for method, path, data, who in ROUTES
         for role in ("anonymous", *PEOPLE)]


@pytest.mark.parametrize(("method", "path", "data", "allowed", "role"), CASES,
                         ids=[f"{m} {p} as {r}" for m, p, _, _, r in CASES])
def test_route_allows_only_its_people(template_db, tmp_path: Path, method: str, path: str,
                                      data: dict[str, str] | None, allowed: frozenset[str],
                                      role: str) -> None:
    source, ids = template_db
    shutil.copy(source, tmp_path / "web.db")
    client = partner_app(f"sqlite:///{tmp_path / 'web.db'}").test_client()
    if role != "anonymous":
        assert log_in(client, PEOPLE[role]).status_code == 302
    url = path.format(**ids)
    if method == "GET":
        answer = client.get(url)
    else:
        answer = client.post(url, data={**data, "csrf_token": csrf_token(client)})
    if role == "anonymous":
        assert answer.status_code == 302 and answer.location.startswith("/login")
    elif role in allowed:
        assert answer.status_code in (200, 302), answer.get_data(as_text=True)[:500]
        if answer.status_code == 302:
            assert not answer.location.startswith("/login")
    else:
        assert answer.status_code == 403


def test_a_partner_sees_only_their_organisations_requests(template_db, tmp_path: Path) -> None:
    source, ids = template_db
    shutil.copy(source, tmp_path / "web.db")
    url = f"sqlite:///{tmp_path / 'web.db'}"
    own, other = partner_app(url).test_client(), partner_app(url).test_client()
    log_in(own, PEOPLE["partner"])
    log_in(other, PEOPLE["other_partner"])
    marker = f'data-request="{ids["request"]}"'
    assert marker in own.get("/partner/").get_data(as_text=True)
    assert marker not in other.get("/partner/").get_data(as_text=True)
    reviewer = partner_app(url).test_client()
    log_in(reviewer, PEOPLE["other_reviewer"])
    assert marker not in reviewer.get("/review/").get_data(as_text=True)


def _snapshot(url: str) -> tuple[object, ...]:
    with open_store(url) as store:
        return (store.sites(), store.site_requests(), store.history(LIBRARY.id))


NEW_POST_CASES = [(path, data, role) for path, data, who in NEW_POSTS
                  for role in ("anonymous", *PEOPLE) if role not in who]


@pytest.mark.parametrize(("path", "data", "role"), NEW_POST_CASES,
                         ids=[f"{p} as {r}" for p, _, r in NEW_POST_CASES])
def test_a_refused_post_changes_nothing(template_db, tmp_path: Path, path: str,
                                        data: dict[str, str], role: str) -> None:
    """A direct POST by someone the route refuses leaves every site, request and audit
    entry as it was."""
    source, ids = template_db
    shutil.copy(source, tmp_path / "web.db")
    url = f"sqlite:///{tmp_path / 'web.db'}"
    client = partner_app(url).test_client()
    if role != "anonymous":
        log_in(client, PEOPLE[role])
    before = _snapshot(url)
    answer = client.post(path.format(**ids), data={**data, "csrf_token": csrf_token(client)})
    assert answer.status_code in (302, 403)
    assert _snapshot(url) == before


CSRF_CASES = [(path, data, sorted(who)[0]) for path, data, who in NEW_POSTS]


@pytest.mark.parametrize(("path", "data", "role"), CSRF_CASES,
                         ids=[p for p, _, _ in CSRF_CASES])
def test_new_posts_without_a_valid_token_are_refused(template_db, tmp_path: Path, path: str,
                                                     data: dict[str, str], role: str) -> None:
    source, ids = template_db
    shutil.copy(source, tmp_path / "web.db")
    url = f"sqlite:///{tmp_path / 'web.db'}"
    client = partner_app(url).test_client()
    log_in(client, PEOPLE[role])
    before = _snapshot(url)
    for token in ({}, {"csrf_token": "forged"}):
        assert client.post(path.format(**ids), data={**data, **token}).status_code == 400
    assert _snapshot(url) == before


def test_a_request_is_edited_only_while_sent_back_and_never_approved_by_its_partner(
        template_db, tmp_path: Path) -> None:
    source, ids = template_db
    shutil.copy(source, tmp_path / "web.db")
    url = f"sqlite:///{tmp_path / 'web.db'}"
    client = partner_app(url).test_client()
    log_in(client, PEOPLE["partner"])
    token = csrf_token(client)
    before = _snapshot(url)
    pending_edit = client.post(f"/partner/requests/{ids['change']}/edit",
                               data={**CHANGE_FORM, "csrf_token": token})
    assert pending_edit.status_code == 409
    assert client.post(f"/review/{ids['change']}/approve",
                       data={"csrf_token": token}).status_code == 403
    assert client.post("/partner/requests/999999/edit",
                       data={**CHANGE_FORM, "csrf_token": token}).status_code == 404
    assert _snapshot(url) == before
    with open_store(url) as store:
        assert store.site_request(ids["change"]).status is RequestStatus.PENDING
