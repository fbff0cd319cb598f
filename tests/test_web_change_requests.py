"""Change requests on the web, on each engine: a partner proposes new values for their live
site, the reviewer of its county reads a field-by-field diff, sends it back, the partner fixes
it, and approval makes it live in another process with each old and new value audited. The
duplicate check shows open requests to partners and never to the public."""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient
from html_page import Elements
from partner_web import add_account, csrf_token, log_in, partner_app
from test_web_i18n import english_phrases, reader_text
from web_sites import SITES

from locator.accounts import Role
from locator.listings import RequestAction, RequestStatus
from locator.store import open_store

SANGAMON = "17167"
LIBRARY_ID = "lib-springfield"
OURS = tuple(s.replace(organization="Lincoln Library") if s.id == LIBRARY_ID else s
             for s in SITES)
# As the store gives it back: with the zone it derives from the point.
LIBRARY = next(s for s in OURS if s.id == LIBRARY_ID).replace(timezone="America/Chicago")
# The change form as the library's listing fills it in.
LISTED = {"kind": "library", "name": LIBRARY.name, "organization": "Lincoln Library",
          "address": LIBRARY.address, "city": LIBRARY.city, "state": LIBRARY.state,
          "zip": LIBRARY.zip, "phone": LIBRARY.phone, "website": LIBRARY.website,
          "hours": LIBRARY.hours, "programs": sorted(LIBRARY.programs), "contact": ""}
HOSTILE = ("<script>alert(1)</script><img src=x onerror=alert(2)>'; DROP TABLE sites;-- "
           "\u202e\u05e9\u05dc\u05d5\u05dd \u0645\u0631\u062d\u0628\u0627 中文 🙂")


@pytest.fixture
def db_url(database_url: str) -> str:
    with open_store(database_url) as store:
        store.upsert_sites(OURS)
    add_account(database_url, "ana@lincoln.example", organization="Lincoln Library")
    add_account(database_url, "bo@other.example", organization="Other Org")
    add_account(database_url, "rev@sangamon.example", role=Role.REVIEWER,
                organization="LWA 21", areas=(SANGAMON,))
    add_account(database_url, "boss@state.example", role=Role.ADMIN, organization="State")
    return database_url


@pytest.fixture
def client_for(db_url: str) -> Iterator[Callable[[str | None], FlaskClient]]:
    """A client of an app of its own (a process of its own, as far as the catalog goes),
    logged in as the account given; every app's pool is closed at the end."""
    apps: list[Flask] = []

    def client(email: str | None) -> FlaskClient:
        app = partner_app(db_url)
        apps.append(app)
        answer = app.test_client()
        if email:
            assert log_in(answer, email).status_code == 302
        return answer

    yield client
    for app in apps:
        app.extensions["database"].dispose()


def post(client: FlaskClient, path: str, data: dict[str, object] | None = None,
         token_from: str = "/login"):
    return client.post(path, data={**(data or {}), "csrf_token": csrf_token(client, token_from)})


def diff_rows(page: str) -> dict[str, tuple[str, str, str]]:
    """field -> (label, now, proposed) as the review page shows them."""
    rows = re.findall(r'<tr data-field="([^"]+)"><th scope="row">(.*?)</th><td>(.*?)</td>'
                      r'<td>(.*?)</td></tr>', page, re.S)
    return {name: (html.unescape(label), html.unescape(now), html.unescape(new))
            for name, label, now, new in rows}


def only_request(url: str):
    with open_store(url) as store:
        found = store.site_requests()
    assert len(found) == 1
    return found[0]


CHANGE = f"/partner/sites/{LIBRARY_ID}/change"
Clients = Callable[[str | None], FlaskClient]


def test_a_change_is_reviewed_as_a_diff_sent_back_fixed_and_goes_live(
        db_url: str, client_for: Clients) -> None:
    public = client_for(None)
    assert public.get(f"/api/sites/{LIBRARY_ID}").get_json()["hours"]["text"] == LIBRARY.hours
    partner = client_for("ana@lincoln.example")
    form = Elements(partner.get(CHANGE).get_data(as_text=True))
    assert form.all("input", name="name", value=LIBRARY.name)
    assert ["checked" in a for a in form.all("input", name="programs", value="wifi")] == [True]
    assert ["checked" in a for a in form.all("input", name="programs", value="resume_help")] \
        == [False]

    unchanged = post(partner, CHANGE, LISTED, token_from=CHANGE)
    assert unchanged.status_code == 200 and "Nothing differs" in unchanged.get_data(as_text=True)
    with open_store(db_url) as store:
        assert store.site_requests() == []

    proposed = {**LISTED, "hours": "Mon-Fri 9-5", "website": "", "contact": "Ana Díaz",
                "partnership_types": ["signed_mou", "joint_location"]}
    assert post(partner, CHANGE, proposed, token_from=CHANGE).status_code == 302
    filed = only_request(db_url)
    assert filed.action is RequestAction.CHANGE and filed.status is RequestStatus.PENDING
    assert filed.fields == {"hours": "Mon-Fri 9-5", "website": "", "contact": "Ana Díaz",
                            "partnership_types": ["joint_location", "signed_mou"]}
    assert public.get(f"/api/sites/{LIBRARY_ID}").get_json()["hours"]["text"] == LIBRARY.hours
    assert "Ana Díaz" not in public.get(f"/sites/{LIBRARY_ID}").get_data(as_text=True)

    reviewer = client_for("rev@sangamon.example")
    assert f'data-request="{filed.id}"' in reviewer.get("/review/").get_data(as_text=True)
    rows = diff_rows(reviewer.get(f"/review/{filed.id}").get_data(as_text=True))
    assert rows == {
        "website": ("Website", LIBRARY.website, ""),
        "hours": ("Hours", LIBRARY.hours, "Mon-Fri 9-5"),
        "contact": ("Contact person for this listing", "", "Ana Díaz"),
        "partnership_types": ("Partnership types", "",
                              "Joint location; Signed MOU")}
    assert post(reviewer, f"/review/{filed.id}/send-back",
                {"reason": "Which days is it open on Saturday?"}).status_code == 302

    states = partner.get("/partner/").get_data(as_text=True)
    assert "Which days is it open on Saturday?" in states
    edit = f"/partner/requests/{filed.id}/edit"
    assert f'href="{edit}"' in states
    page = partner.get(edit).get_data(as_text=True)
    assert "Which days is it open on Saturday?" in page
    assert Elements(page).all("input", name="contact", value="Ana Díaz")
    assert post(partner, edit, {**proposed, "hours": "Mon-Fri 9-5, Sat 9-1"},
                token_from=edit).status_code == 302
    again = only_request(db_url)
    assert again.status is RequestStatus.PENDING and again.reason == ""
    assert again.fields["hours"] == "Mon-Fri 9-5, Sat 9-1"
    assert post(partner, edit, proposed, token_from=CHANGE).status_code == 409  # pending now

    assert post(reviewer, f"/review/{filed.id}/approve").status_code == 302
    site = public.get(f"/api/sites/{LIBRARY_ID}").get_json()
    assert site["hours"]["text"] == "Mon-Fri 9-5, Sat 9-1" and site["website"] in ("", None)
    shown = Elements(public.get(f"/sites/{LIBRARY_ID}").get_data(as_text=True)).plain_text
    assert "Joint location" in shown and "Signed MOU" in shown and "Ana Díaz" in shown
    spanish = public.get(f"/sites/{LIBRARY_ID}", headers={"Accept-Language": "es"})
    assert "Memorando de entendimiento (MOU) firmado" in spanish.get_data(as_text=True)
    history = reviewer.get(f"/review/sites/{LIBRARY_ID}/history").get_data(as_text=True)
    for old, new in ((LIBRARY.hours, "Mon-Fri 9-5, Sat 9-1"), (LIBRARY.website, ""),
                     ("", "Ana Díaz")):
        assert f"<td>{html.escape(old)}</td><td>{html.escape(new)}</td>" in history
    assert "rev@sangamon.example" in history
    assert Elements(partner.get("/partner/").get_data(as_text=True)).all(
        "tr", data_status="approved")


def test_a_rejected_change_leaves_the_site_and_tells_the_partner_why(
        db_url: str, client_for: Clients) -> None:
    partner = client_for("ana@lincoln.example")
    assert post(partner, CHANGE, {**LISTED, "name": "Lincoln Library Annex"},
                token_from=CHANGE).status_code == 302
    filed = only_request(db_url)
    admin = client_for("boss@state.example")
    assert post(admin, f"/review/{filed.id}/reject",
                {"reason": "The annex is a different place"}).status_code == 302
    with open_store(db_url) as store:
        assert store.site(LIBRARY_ID) == LIBRARY
    states = partner.get("/partner/").get_data(as_text=True)
    assert "The annex is a different place" in states and 'data-status="rejected"' in states
    assert partner.get(f"/partner/requests/{filed.id}/edit").status_code == 409


def test_a_claimed_library_may_be_changed_by_its_partner_once_the_claim_is_approved(
        db_url: str, client_for: Clients) -> None:
    other = client_for("bo@other.example")
    change = "/partner/sites/ajc-springfield/change"
    assert other.get(change).status_code == 403
    extend = "/partner/sites/ajc-springfield/extend"
    assert post(other, extend, {"roles": ["access_site"]}, token_from=extend).status_code == 302
    assert other.get(change).status_code == 403  # pending claims give no rights
    admin = client_for("boss@state.example")
    assert post(admin, f"/review/{only_request(db_url).id}/approve").status_code == 302
    assert other.get(change).status_code == 200
    checked = Elements(other.get("/partner/check?q=39.7817,-89.6443&name=Springfield+Job")
                       .get_data(as_text=True))
    assert checked.all("a", href=change)


def test_the_duplicate_check_shows_open_requests_to_partners_only(
        db_url: str, client_for: Clients) -> None:
    ana = client_for("ana@lincoln.example")
    lab = {"kind": "access_site", "name": "Westside Job Lab", "organization": "Lincoln Library",
           "address": "900 W Jefferson St", "city": "Springfield", "state": "IL",
           "zip": "62702", "lat": "39.8017", "lon": "-89.6690"}
    assert post(ana, "/partner/add", lab, token_from="/partner/add").status_code == 302
    filed = only_request(db_url)

    bo = client_for("bo@other.example")
    check = Elements(bo.get("/partner/check?q=39.8017,-89.6690&name=Westside+Lab")
                     .get_data(as_text=True))
    assert check.all("li", data_request=str(filed.id))
    same = post(bo, "/partner/add", {**lab, "name": "Westside Job Lab ", "organization":
                                     "Other Org", "address": "900 West Jefferson Street"},
                token_from="/partner/add")
    assert same.status_code == 409
    assert f'data-request="{filed.id}"' in same.get_data(as_text=True)
    with open_store(db_url) as store:
        assert len(store.site_requests()) == 1
    assert post(bo, "/partner/add", {**lab, "organization": "Other Org",
                                     "different_service": "y"},
                token_from="/partner/add").status_code == 302

    public = client_for(None)
    assert public.get("/partner/check?q=39.8017,-89.6690").status_code == 302
    for path in ("/api/nearest?q=39.8017,-89.6690&k=50",
                 "/api/sites?bbox=-89.7,39.75,-89.6,39.85", "/?q=39.8017,-89.6690"):
        text = public.get(path).get_data(as_text=True)
        assert "Westside" not in text, path
    # a reviewer of the county sees the other open request on the new one's page
    reviewer = client_for("rev@sangamon.example")
    with open_store(db_url) as store:
        second = store.site_requests()[0]
    page = Elements(reviewer.get(f"/review/{second.id}").get_data(as_text=True))
    assert page.all("li", data_request=str(filed.id))


def test_a_sent_back_new_site_is_fixed_and_moves_to_its_countys_queue(
        db_url: str, client_for: Clients) -> None:
    partner = client_for("ana@lincoln.example")
    lab = {"kind": "access_site", "name": "Westside Job Lab", "organization": "Lincoln Library",
           "address": "900 W Jefferson St", "city": "Springfield", "state": "IL",
           "zip": "62702", "lat": "39.8017", "lon": "-89.6690"}
    assert post(partner, "/partner/add", lab, token_from="/partner/add").status_code == 302
    filed = only_request(db_url)
    reviewer = client_for("rev@sangamon.example")
    assert post(reviewer, f"/review/{filed.id}/send-back",
                {"reason": "The lab moved to Chicago"}).status_code == 302
    edit = f"/partner/requests/{filed.id}/edit"
    page = partner.get(edit).get_data(as_text=True)
    assert "The lab moved to Chicago" in page
    assert Elements(page).all("input", name="name", value="Westside Job Lab")
    chicago = {**lab, "address": "10 S Dearborn St", "city": "Chicago", "zip": "60603",
               "lat": "41.8818", "lon": "-87.6295"}
    assert post(partner, edit, chicago, token_from=edit).status_code == 302
    again = only_request(db_url)
    assert again.status is RequestStatus.PENDING and again.county_fips == "17031"
    assert again.fields["city"] == "Chicago" and again.fields["lat"] == 41.8818
    assert reviewer.get(f"/review/{filed.id}").status_code == 403  # another county now
    assert f'data-request="{filed.id}"' not in reviewer.get("/review/").get_data(as_text=True)


def test_change_pages_are_in_spanish(
        db_url: str, client_for: Clients) -> None:
    partner = client_for("ana@lincoln.example")
    post(partner, CHANGE, {**LISTED, "hours": "9-5", "partnership_types": ["sharing_lmi"]},
         token_from=CHANGE)
    filed = only_request(db_url)
    reviewer = client_for("rev@sangamon.example")
    post(reviewer, f"/review/{filed.id}/send-back", {"reason": "x"})
    post(partner, "/partner/add", {"kind": "access_site", "name": "Westside Job Lab",
                                   "organization": "L", "address": "900 W Jefferson St",
                                   "city": "Springfield", "state": "IL", "zip": "62702",
                                   "lat": "39.8017", "lon": "-89.6690"},
         token_from="/partner/add")
    phrases = english_phrases()
    pages = [(partner, CHANGE), (partner, f"/partner/requests/{filed.id}/edit"),
             (partner, "/partner/"), (partner, "/partner/check?q=39.8017,-89.6690&name=W"),
             (reviewer, f"/review/{filed.id}")]
    for client, url in pages:
        answer = client.get(url, headers={"Accept-Language": "es"})
        assert answer.status_code == 200, url
        text = reader_text(answer.get_data(as_text=True), OURS)
        for value in ("9-5", "Westside Job Lab", "900 W Jefferson St"):
            text = text.replace(value, " ")
        assert [p for p in phrases if p in text] == [], (url, text[:2000])


def test_hostile_text_in_a_change_is_stored_as_text_and_shown_escaped(
        db_url: str, client_for: Clients) -> None:
    partner = client_for("ana@lincoln.example")
    too_long = post(partner, CHANGE, {**LISTED, "contact": "x" * 10_000}, token_from=CHANGE)
    assert too_long.status_code == 200 and "contact-error" in too_long.get_data(as_text=True)
    bad_kind = post(partner, CHANGE, {**LISTED, "kind": "<b>x</b>"}, token_from=CHANGE)
    assert bad_kind.status_code == 200 and "kind-error" in bad_kind.get_data(as_text=True)
    hostile = {**LISTED, "name": HOSTILE, "hours": HOSTILE, "contact": HOSTILE,
               "phone": HOSTILE[:200], "city": HOSTILE[:100],
               "partnership_types": ["<script>"]}
    refused = post(partner, CHANGE, hostile, token_from=CHANGE)
    assert refused.status_code == 200  # not a partnership type
    assert post(partner, CHANGE, {**hostile, "partnership_types": ["signed_mou"]},
                token_from=CHANGE).status_code == 302
    filed = only_request(db_url)
    assert filed.fields["name"] == HOSTILE.strip() and filed.fields["contact"] == HOSTILE
    reviewer = client_for("rev@sangamon.example")
    pages = [reviewer.get(f"/review/{filed.id}"), reviewer.get("/review/")]
    assert post(reviewer, f"/review/{filed.id}/send-back", {"reason": HOSTILE}).status_code == 302
    pages += [partner.get("/partner/"), partner.get(f"/partner/requests/{filed.id}/edit")]
    edit = f"/partner/requests/{filed.id}/edit"
    assert post(partner, edit, {**hostile, "partnership_types": ["signed_mou"],
                                "hours": HOSTILE + " 🙂"}, token_from=edit).status_code == 302
    assert post(reviewer, f"/review/{filed.id}/approve").status_code == 302
    public = client_for(None)
    pages += [public.get(f"/sites/{LIBRARY_ID}"),
              reviewer.get(f"/review/sites/{LIBRARY_ID}/history"),
              partner.get("/partner/check?q=62701&name=x")]
    for page in pages:
        text = page.get_data(as_text=True)
        assert page.status_code == 200
        assert "<script>alert(1)" not in text and "<img src=x" not in text
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    site = public.get(f"/api/sites/{LIBRARY_ID}").get_json()
    assert site["name"] == HOSTILE.strip() and site["hours"]["text"] == HOSTILE + " 🙂"
    with open_store(db_url) as store:
        assert store.site(LIBRARY_ID).contact == HOSTILE
