"""The partner workflow on the web: is my site listed, ask to add a role or a new site, the
duplicate check, review in the reviewer's area, and what the public sees before and after."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask.testing import FlaskClient
from html_page import Elements
from partner_web import add_account, csrf_token, log_in, partner_app
from planner_data import make_coverage_db
from test_web_i18n import english_phrases, reader_text

from locator import listings
from locator.accounts import Role
from locator.listings import RequestStatus
from locator.store import open_store

SANGAMON = "17167"
LIBRARY = "lib-springfield"
SPRINGFIELD_BBOX = "-89.7,39.75,-89.6,39.85"


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    url = make_coverage_db(tmp_path)
    add_account(url, "ana@lincoln.example", organization="Lincoln Library")
    add_account(url, "bo@other.example", organization="Other Org")
    add_account(url, "rev@sangamon.example", role=Role.REVIEWER, organization="LWA 21",
                areas=(SANGAMON,))
    add_account(url, "rev@cook.example", role=Role.REVIEWER, organization="LWA 7",
                areas=("17031",))
    add_account(url, "boss@state.example", role=Role.ADMIN, organization="State")
    return url


def client_for(url: str, email: str | None) -> FlaskClient:
    client = partner_app(url).test_client()
    if email:
        assert log_in(client, email).status_code == 302
    return client


def post(client: FlaskClient, path: str, data: dict[str, object] | None = None,
         token_from: str = "/login"):
    return client.post(path, data={**(data or {}), "csrf_token": csrf_token(client, token_from)})


def public_ids(client: FlaskClient, kind: str) -> dict[str, list[str]]:
    """Which site ids each public answer lists for ``kind``."""
    nearest = client.get(f"/api/nearest?q=62701&k=50&kind={kind}").get_json()["results"]
    box = client.get(f"/api/sites?bbox={SPRINGFIELD_BBOX}&kind={kind}").get_json()["features"]
    clusters = client.get(f"/api/clusters?bbox={SPRINGFIELD_BBOX}&zoom=18&kind={kind}")
    served = client.get(f"/api/coverage/sites?state=IL&kind={kind}").get_json()["features"]
    return {"nearest": [r["id"] for r in nearest],
            "sites": [f["properties"]["id"] for f in box],
            "clusters": [f["properties"].get("id") for f in clusters.get_json()["features"]],
            "coverage": [f["properties"]["id"] for f in served]}


def test_a_library_asks_for_the_access_site_role_and_after_review_is_one_place(
        db_url: str) -> None:
    partner = client_for(db_url, "ana@lincoln.example")
    listed = Elements(partner.get("/partner/check?q=62701&name=Lincoln+Library")
                      .get_data(as_text=True))
    assert listed.all("li")[0:1] and listed.all("li", data_site=LIBRARY)
    answer = post(partner, f"/partner/sites/{LIBRARY}/extend",
                  {"roles": ["access_site"], "programs": ["resume_help"],
                   "partnership_types": ["joint_location", "signed_mou"],
                   "contact": "Ana"}, token_from=f"/partner/sites/{LIBRARY}/extend")
    assert answer.status_code == 302
    public = client_for(db_url, None)
    assert all(LIBRARY not in ids for ids in public_ids(public, "access_site").values())
    with open_store(db_url) as store:
        filed = store.site_requests()[0]
    assert filed.status is RequestStatus.PENDING and filed.county_fips == SANGAMON

    reviewer = client_for(db_url, "rev@sangamon.example")
    queue = reviewer.get("/review/").get_data(as_text=True)
    assert f'data-request="{filed.id}"' in queue
    diff = Elements(reviewer.get(f"/review/{filed.id}").get_data(as_text=True))
    assert diff.all("tr", data_field="roles") and diff.all("tr", data_field="programs")
    assert post(reviewer, f"/review/{filed.id}/approve").status_code == 302

    for ids in public_ids(public, "access_site").values():
        assert ids.count(LIBRARY) == 1
    for ids in public_ids(public, "library").values():
        assert ids.count(LIBRARY) == 1
    site = public.get(f"/api/sites/{LIBRARY}").get_json()
    assert site["kind"] == "library" and site["roles"] == ["access_site"]
    assert "resume_help" in site["programs"]
    page = Elements(public.get(f"/sites/{LIBRARY}").get_data(as_text=True)).plain_text
    assert "Partnership types Joint location Signed MOU" in page
    assert "Contact person for this listing Ana" in page
    states = Elements(partner.get("/partner/").get_data(as_text=True))
    assert states.all("tr", data_status="approved")


def test_a_new_site_is_checked_for_duplicates_then_filed_pending_and_invisible(
        db_url: str) -> None:
    partner = client_for(db_url, "ana@lincoln.example")
    form = {"kind": "access_site", "name": "Lincoln Library Access Point",
            "organization": "Lincoln Library", "address": "326 South 7th Street",
            "city": "Springfield", "state": "IL", "zip": "62701", "lat": "39.8004",
            "lon": "-89.6496", "phone": "217-555-0199", "website": "https://example.org/a",
            "hours": "Mon 9-5", "contact": "Ana"}
    answer = post(partner, "/partner/add", form, token_from="/partner/add")
    assert answer.status_code == 409
    assert 'data-site="lib-springfield"' in answer.get_data(as_text=True)
    answer = post(partner, "/partner/add", {**form, "different_service": "y"},
                  token_from="/partner/add")
    assert answer.status_code == 302
    with open_store(db_url) as store:
        filed = store.site_requests()[0]
    assert filed.fields["different_service"] is True and filed.county_fips == SANGAMON
    public = client_for(db_url, None)
    new_id = f"partner-{filed.id}"
    assert all(new_id not in ids for ids in public_ids(public, "access_site").values())

    reviewer = client_for(db_url, "rev@sangamon.example")
    refused = post(reviewer, f"/review/{filed.id}/reject", {"reason": ""})
    assert refused.status_code == 400
    assert post(reviewer, f"/review/{filed.id}/reject",
                {"reason": "Give the suite number"}).status_code == 302
    assert all(new_id not in ids for ids in public_ids(public, "access_site").values())
    states = partner.get("/partner/").get_data(as_text=True)
    assert "Give the suite number" in states and 'data-status="rejected"' in states
    assert public.get(f"/api/sites/{new_id}").status_code == 404


def test_an_approved_new_site_is_public_without_a_restart(db_url: str) -> None:
    public = client_for(db_url, None)
    assert public_ids(public, "access_site")["nearest"]  # the catalog is loaded now
    partner = client_for(db_url, "ana@lincoln.example")
    assert post(partner, "/partner/add", {
        "kind": "access_site", "name": "Westside Job Lab", "organization": "Lincoln Library",
        "address": "900 W Jefferson St", "city": "Springfield", "state": "IL",
        "zip": "62702", "lat": "39.8017", "lon": "-89.6690"},
        token_from="/partner/add").status_code == 302
    with open_store(db_url) as store:
        filed = store.site_requests()[0]
    admin = client_for(db_url, "boss@state.example")
    assert post(admin, f"/review/{filed.id}/approve").status_code == 302
    for ids in public_ids(public, "access_site").values():
        assert f"partner-{filed.id}" in ids
    history = admin.get(f"/review/sites/partner-{filed.id}/history").get_data(as_text=True)
    assert "boss@state.example" in history and "add" in history


def test_partner_and_review_pages_are_in_spanish(db_url: str) -> None:
    partner = client_for(db_url, "ana@lincoln.example")
    post(partner, f"/partner/sites/{LIBRARY}/extend", {"roles": ["access_site"]},
         token_from=f"/partner/sites/{LIBRARY}/extend")
    with open_store(db_url) as store:
        filed = store.site_requests()[0]
    admin = client_for(db_url, "boss@state.example")
    pages = [(partner, "/partner/"), (partner, "/partner/check?q=62701&name=Lincoln"),
             (partner, "/partner/add"), (partner, f"/partner/sites/{LIBRARY}/extend"),
             (admin, "/review/"), (admin, f"/review/{filed.id}"), (admin, "/review/stale"),
             (admin, f"/review/sites/{LIBRARY}/history")]
    phrases = english_phrases()
    for client, url in pages:
        answer = client.get(url, headers={"Accept-Language": "es"})
        assert answer.status_code == 200, url
        text = reader_text(answer.get_data(as_text=True))
        assert [p for p in phrases if p in text] == [], (url, text[:2000])


HOSTILE = ("<script>alert(1)</script><img src=x onerror=alert(2)>'; DROP TABLE sites;-- "
           "\u202e\u05e9\u05dc\u05d5\u05dd \u0645\u0631\u062d\u0628\u0627 中文 🙂\x07")


def test_hostile_text_in_every_field_is_stored_as_text_and_shown_escaped(db_url: str) -> None:
    long_text = "x" * 10_000
    partner = client_for(db_url, "ana@lincoln.example")
    form = {"kind": "access_site", "name": HOSTILE, "organization": HOSTILE,
            "address": HOSTILE[:200], "city": HOSTILE[:200], "state": "IL", "zip": "62702",
            "lat": "39.8017", "lon": "-89.6690", "phone": HOSTILE[:200], "hours": HOSTILE,
            "website": "javascript:alert(1)", "contact": HOSTILE}
    refused = post(partner, "/partner/add", form, token_from="/partner/add")
    assert refused.status_code == 200  # the website is not an https address
    too_long = post(partner, "/partner/add", {**form, "website": "", "name": long_text},
                    token_from="/partner/add")
    assert too_long.status_code == 200 and "name-error" in too_long.get_data(as_text=True)
    assert post(partner, "/partner/add", {**form, "website": "https://example.org"},
                token_from="/partner/add").status_code == 302
    with open_store(db_url) as store:
        filed = store.site_requests()[0]
    assert filed.fields["name"] == HOSTILE.strip() and filed.fields["hours"] == HOSTILE
    admin = client_for(db_url, "boss@state.example")
    pages = [partner.get("/partner/"), admin.get("/review/"), admin.get(f"/review/{filed.id}")]
    assert post(admin, f"/review/{filed.id}/approve").status_code == 302
    public = client_for(db_url, None)
    pages += [public.get(f"/sites/partner-{filed.id}"),
              admin.get(f"/review/sites/partner-{filed.id}/history")]
    for page in pages:
        html = page.get_data(as_text=True)
        assert page.status_code == 200
        assert "<script>alert(1)" not in html and "<img src=x" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    site = public.get(f"/api/sites/partner-{filed.id}").get_json()
    assert site["name"] == HOSTILE.strip() and site["hours"]["text"] == HOSTILE


def test_still_correct_moves_only_the_date_and_leaves_the_stale_list(db_url: str) -> None:
    reviewer = client_for(db_url, "rev@sangamon.example")
    stale = Elements(reviewer.get("/review/stale").get_data(as_text=True))
    assert stale.all("li", data_site=LIBRARY)
    assert not stale.all("li", data_site="lib-seattle")  # another reviewer's area
    with open_store(db_url) as store:
        before = store.site(LIBRARY)
    assert post(reviewer, f"/partner/sites/{LIBRARY}/confirm").status_code == 302
    with open_store(db_url) as store:
        after = store.site(LIBRARY)
        change = store.history(LIBRARY)[-1]
    assert after == before.replace(last_verified=listings.today_iso())
    assert set(change.fields) == {"last_verified"}
    stale = Elements(reviewer.get("/review/stale").get_data(as_text=True))
    assert not stale.all("li", data_site=LIBRARY)
