"""What the public can see of a site that is not approved: a partner's pending or rejected
request, or a stored pending site, is in no public answer — ``/api/nearest``,
``/api/sites``, ``/api/clusters``, the planner's coverage (sites and counts), the HSDS API
under ``/hsds/`` and ``locator export hsds`` — and once a reviewer approves a request, the
site is in every one of them without a restart: the public app was built before the
approval, by another app instance (another worker process). On SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from partner_web import add_account, close_apps, csrf_token, log_in, partner_app
from planner_data import TRACTS
from web_sites import SITES

from locator import hsds
from locator.accounts import Role
from locator.cli import main
from locator.store import open_store

BBOX = "-89.8,39.7,-89.5,39.9"
PENDING_SITE = "pending-1"  # stored with status pending
WANTED = {"kind": "access_site", "name": "Westside Job Lab", "organization": "Lincoln Library",
          "address": "900 W Jefferson St", "city": "Springfield", "state": "IL",
          "zip": "62702", "lat": "39.8017", "lon": "-89.6690"}
REFUSED = {**WANTED, "name": "Eastside Job Lab", "address": "1200 E Cook St",
           "lat": "39.7950", "lon": "-89.6300"}



@pytest.fixture(autouse=True)
def _closed_apps() -> Iterator[None]:
    yield
    close_apps()

@pytest.fixture
def world(database_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    with open_store(database_url) as store:
        store.upsert_sites(SITES)
        store.replace_population("tract", TRACTS, vintage="2020")
    add_account(database_url, "ana@lincoln.example", organization="Lincoln Library")
    add_account(database_url, "boss@state.example", role=Role.ADMIN, organization="State")
    monkeypatch.setenv("LOCATOR_DATABASE_URL", database_url)
    return database_url


def signed_in(url: str, email: str) -> FlaskClient:
    client = partner_app(url).test_client()
    assert log_in(client, email).status_code == 302
    return client


def file_request(partner: FlaskClient, form: dict[str, str]) -> None:
    answer = partner.post("/partner/add", data={**form, "different_service": "y",
                                                "csrf_token": csrf_token(partner, "/partner/add")})
    assert answer.status_code == 302, answer.get_data(as_text=True)[:500]


def public_answers(client: FlaskClient, tmp_path: Path) -> dict[str, set[str]]:
    """Which site ids each public answer and export holds (HSDS by service id)."""
    kind = "kind=access_site,library"
    nearest = client.get(f"/api/nearest?q=62701&k=50&{kind}").get_json()["results"]
    box = client.get(f"/api/sites?bbox={BBOX}&{kind}").get_json()["features"]
    clusters = client.get(f"/api/clusters?bbox={BBOX}&zoom=18&{kind}").get_json()["features"]
    served = client.get(f"/api/coverage/sites?state=IL&{kind}").get_json()["features"]
    report = client.get("/api/coverage?state=IL&within=5&kind=access_site").get_json()
    sangamon = next(r for r in report["rows"] if r["area_id"] == "17167")
    services = client.get("/hsds/services?per_page=100").get_json()["contents"]
    links = client.get("/hsds/service_at_locations?per_page=100").get_json()["contents"]
    main(["export", "hsds", "--format", "json", "-o", str(tmp_path / "export.json")])
    exported = json.loads((tmp_path / "export.json").read_text(encoding="utf-8"))
    main(["export", "hsds", "--format", "csv", "-o", str(tmp_path / "package")])
    with open(tmp_path / "package" / "services.csv", encoding="utf-8", newline="") as table:
        package = [row["id"] for row in csv.DictReader(table)]
    return {
        "nearest": {r["id"] for r in nearest},
        "sites": {f["properties"]["id"] for f in box},
        "clusters": {f["properties"].get("id") for f in clusters},
        "coverage sites": {f["properties"]["id"] for f in served},
        "coverage counts": {f"{sangamon['sites']} access sites in Sangamon"},
        "hsds services": {s["id"] for s in services},
        "hsds service_at_locations": {link["service"]["id"] for link in links},
        "export json": {s["id"] for s in exported},
        "export csv": set(package),
    }


def holds(answers: dict[str, set[str]], site_id: str) -> dict[str, bool]:
    """Per answer, whether it holds the site (its id, or its HSDS service id)."""
    wanted = {site_id, hsds.service_id(site_id)}
    return {name: bool(ids & wanted) for name, ids in answers.items()
            if name != "coverage counts"}


def test_pending_and_rejected_sites_are_nowhere_public_until_approved(
        world: str, tmp_path: Path) -> None:
    public = partner_app(world).test_client()
    before = public_answers(public, tmp_path / "before")
    assert holds(before, "lib-springfield") == dict.fromkeys(holds(before, "x"), True)
    assert before["coverage counts"] == {"0 access sites in Sangamon"}

    partner = signed_in(world, "ana@lincoln.example")
    file_request(partner, WANTED)
    file_request(partner, REFUSED)
    with open_store(world) as store:
        wanted, refused = sorted(store.site_requests(), key=lambda r: r.fields["name"],
                                 reverse=True)
    assert wanted.fields["name"] == WANTED["name"]
    admin = signed_in(world, "boss@state.example")
    answer = admin.post(f"/review/{refused.id}/reject",
                        data={"reason": "Not a site", "csrf_token": csrf_token(admin)})
    assert answer.status_code == 302
    new_id, refused_id = f"partner-{wanted.id}", f"partner-{refused.id}"
    nowhere = dict.fromkeys(holds(before, "x"), False)

    waiting = public_answers(public, tmp_path / "waiting")
    for site_id in (new_id, refused_id, PENDING_SITE):
        assert holds(waiting, site_id) == nowhere, site_id
    assert waiting["coverage counts"] == {"0 access sites in Sangamon"}
    assert public.get(f"/api/sites/{new_id}").status_code == 404
    assert public.get(f"/hsds/services/{hsds.service_id(new_id)}").status_code == 404

    answer = admin.post(f"/review/{wanted.id}/approve", data={"csrf_token": csrf_token(admin)})
    assert answer.status_code == 302
    after = public_answers(public, tmp_path / "after")
    assert holds(after, new_id) == dict.fromkeys(nowhere, True)
    assert after["coverage counts"] == {"1 access sites in Sangamon"}
    for site_id in (refused_id, PENDING_SITE):
        assert holds(after, site_id) == nowhere, site_id
    assert public.get(f"/api/sites/{new_id}").get_json()["name"] == WANTED["name"]
    service = public.get(f"/hsds/services/{hsds.service_id(new_id)}").get_json()
    assert service["name"] == WANTED["name"]
