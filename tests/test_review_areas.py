"""Review scoped to areas: a regions file imported with ``locator data import`` groups
counties, ``locator users set-role ... --area REGION`` assigns a whole region (and refuses a
name no region has), the reviewer of a region reviews, approves and sees as stale every
county in it and nothing outside it, and a new account names its county at registration so
that county's reviewer (and no other) can verify it. On SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from html_page import Elements
from partner_web import PASSWORD, add_account, close_apps, csrf_token, log_in, partner_app
from web_sites import SITES

from locator.accounts import AccountStatus, Role
from locator.cli import main
from locator.listings import RequestAction, RequestStatus
from locator.store import open_store

SANGAMON, MACON, COOK = "17167", "17115", "17031"
REGIONS_CSV = ("county_fips,region,notes\n"
               f"{SANGAMON},LWIA 21 Central,\n"
               f"{MACON},LWIA 21 Central,Decatur\n"
               f"{COOK},LWIA 7 Cook,\n")
CENTRAL = "rev@central.example"
COOK_REVIEWER = "rev@cook.example"
ADMIN = "boss@state.example"



@pytest.fixture(autouse=True)
def _closed_apps() -> Iterator[None]:
    yield
    close_apps()

@pytest.fixture
def regions_db(database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """The hand-made sites, the regions file imported through the CLI, and accounts."""
    with open_store(database_url) as store:
        store.upsert_sites(SITES)
    sources = tmp_path / "sources"
    sources.mkdir()
    (sources / "lwia.csv").write_text(REGIONS_CSV, encoding="utf-8")
    monkeypatch.setenv("LOCATOR_DATABASE_URL", database_url)
    assert main(["data", "import", "--sources", str(sources)]) == 0
    add_account(database_url, "ana@lincoln.example", organization="Lincoln Library")
    for email in (CENTRAL, COOK_REVIEWER):
        add_account(database_url, email, role=Role.PARTNER, organization="LWA")
    add_account(database_url, ADMIN, role=Role.ADMIN, organization="State")
    assert main(["users", "set-role", CENTRAL, "reviewer", "--area", "lwia 21 central"]) == 0
    assert main(["users", "set-role", COOK_REVIEWER, "reviewer", "--area", "LWIA 7 Cook"]) == 0
    return database_url


def client_for(url: str, email: str) -> FlaskClient:
    client = partner_app(url).test_client()
    assert log_in(client, email).status_code == 302
    return client


def post(client: FlaskClient, path: str, data: dict[str, str] | None = None):
    return client.post(path, data={**(data or {}), "csrf_token": csrf_token(client)})


def file_requests(url: str) -> dict[str, int]:
    """One pending request per county, by county FIPS."""
    with open_store(url) as store:
        partner = store.user_by_email("ana@lincoln.example")
        assert partner is not None
        filed = {county: store.add_request(action=RequestAction.EXTEND, user=partner,
                                           site_id=site_id, county_fips=county,
                                           fields={"roles": ["access_site"]})
                 for county, site_id in ((SANGAMON, "lib-springfield"),
                                         (MACON, "aff-decatur"), (COOK, "lib-springfield"))}
    return {county: request.id for county, request in filed.items()}


def queued(client: FlaskClient) -> set[int]:
    page = Elements(client.get("/review/").get_data(as_text=True))
    return {int(a["data-request"]) for a in page.all("li") if "data-request" in a}


def test_the_regions_file_is_stored_and_set_role_keeps_the_regions_own_spelling(
        regions_db: str) -> None:
    with open_store(regions_db) as store:
        assert store.regions() == {SANGAMON: "LWIA 21 Central", MACON: "LWIA 21 Central",
                                   COOK: "LWIA 7 Cook"}
        central = store.user_by_email(CENTRAL)
    assert central is not None and central.areas == ("LWIA 21 Central",)
    assert central.role is Role.REVIEWER and central.status is AccountStatus.ACTIVE


def test_a_regions_reviewer_reviews_every_county_in_it_and_none_outside(
        regions_db: str) -> None:
    ids = file_requests(regions_db)
    central, cook = client_for(regions_db, CENTRAL), client_for(regions_db, COOK_REVIEWER)
    admin = client_for(regions_db, ADMIN)
    assert queued(central) == {ids[SANGAMON], ids[MACON]}
    assert queued(cook) == {ids[COOK]}
    assert queued(admin) == set(ids.values())

    assert central.get(f"/review/{ids[MACON]}").status_code == 200
    assert central.get(f"/review/{ids[COOK]}").status_code == 403
    assert cook.get(f"/review/{ids[SANGAMON]}").status_code == 403
    assert post(central, f"/review/{ids[COOK]}/approve").status_code == 403
    assert post(central, f"/review/{ids[COOK]}/reject", {"reason": "no"}).status_code == 403
    assert post(central, f"/review/{ids[COOK]}/send-back", {"reason": "x"}).status_code == 403
    assert post(cook, f"/review/{ids[MACON]}/approve").status_code == 403
    assert post(central, f"/review/{ids[MACON]}/approve").status_code == 302
    assert post(central, f"/review/{ids[SANGAMON]}/send-back",
                {"reason": "Say which rooms"}).status_code == 302
    assert post(cook, f"/review/{ids[COOK]}/reject", {"reason": "Not here"}).status_code == 302
    with open_store(regions_db) as store:
        statuses = {county: store.site_request(i).status for county, i in ids.items()}
        decatur = store.site("aff-decatur")
    assert statuses == {MACON: RequestStatus.APPROVED,
                        SANGAMON: RequestStatus.CHANGES_REQUESTED,
                        COOK: RequestStatus.REJECTED}
    assert decatur is not None and [r.value for r in decatur.roles] == ["access_site"]
    assert central.get("/review/sites/aff-decatur/history").status_code == 200
    assert cook.get("/review/sites/aff-decatur/history").status_code == 403


def test_the_stale_list_holds_the_regions_counties_only(regions_db: str) -> None:
    central, cook = client_for(regions_db, CENTRAL), client_for(regions_db, COOK_REVIEWER)
    listed = Elements(central.get("/review/stale").get_data(as_text=True))
    stale = {a["data-site"] for a in listed.all("li") if "data-site" in a}
    by_county = {s.id: s.county_fips for s in SITES}
    assert {"lib-springfield", "ajc-springfield", "aff-decatur"} <= stale
    assert {by_county[i] for i in stale} <= {SANGAMON, MACON}
    listed = Elements(cook.get("/review/stale").get_data(as_text=True))
    assert not [a for a in listed.all("li") if "data-site" in a]


def test_registration_asks_for_the_county_and_its_areas_reviewer_verifies(
        regions_db: str, capsys: pytest.CaptureFixture[str]) -> None:
    visitor = partner_app(regions_db).test_client()
    form = {"name": "Ana", "organization": "Decatur Public Library",
            "email": "ana@decatur.example", "phone": "217-555-0100", "password": PASSWORD,
            "confirm": PASSWORD}
    page = Elements(visitor.get("/register").get_data(as_text=True))
    assert [a for a in page.all("option") if a.get("value") == MACON]
    missing = visitor.post("/register", data={**form,
                                              "csrf_token": csrf_token(visitor, "/register")})
    assert missing.status_code == 200
    assert Elements(missing.get_data(as_text=True)).all("p", id="county_fips-error")
    bad = visitor.post("/register", data={**form, "county_fips": "99999",
                                          "csrf_token": csrf_token(visitor, "/register")})
    assert "Choose a county from the list." in bad.get_data(as_text=True)
    assert visitor.post("/register", data={
        **form, "county_fips": MACON,
        "csrf_token": csrf_token(visitor, "/register")}).status_code == 201
    with open_store(regions_db) as store:
        new = store.user_by_email("ana@decatur.example")
    assert new is not None and new.county_fips == MACON
    assert new.status is AccountStatus.PENDING
    capsys.readouterr()
    assert main(["users", "list"]) == 0
    listed = next(line for line in capsys.readouterr().out.splitlines()
                  if line.startswith("ana@decatur.example"))
    assert listed.split()[1:3] == ["partner", "pending"] and MACON in listed.split()

    cook = client_for(regions_db, COOK_REVIEWER)
    assert 'data-user="ana@decatur.example"' not in cook.get("/review/").get_data(as_text=True)
    assert post(cook, f"/review/accounts/{new.id}/verify").status_code == 403
    with open_store(regions_db) as store:
        assert store.user(new.id).status is AccountStatus.PENDING
    central = client_for(regions_db, CENTRAL)
    queue = central.get("/review/").get_data(as_text=True)
    assert 'data-user="ana@decatur.example"' in queue and "Macon County, IL" in queue
    assert post(central, f"/review/accounts/{new.id}/verify").status_code == 302
    with open_store(regions_db) as store:
        assert store.user(new.id).status is AccountStatus.ACTIVE
    assert client_for(regions_db, "ana@decatur.example").get("/account").status_code == 200


def test_a_reviewer_cannot_revive_a_disabled_account_of_their_area(regions_db: str) -> None:
    gone = add_account(regions_db, "gone@decatur.example", county_fips=MACON,
                       status=AccountStatus.DISABLED)
    central = client_for(regions_db, CENTRAL)
    assert post(central, f"/review/accounts/{gone.id}/verify").status_code == 403
    admin = client_for(regions_db, ADMIN)
    assert post(admin, f"/review/accounts/{gone.id}/verify").status_code == 302


def test_set_role_refuses_an_unknown_region_and_names_the_known_ones(
        regions_db: str, capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    assert main(["users", "set-role", CENTRAL, "reviewer", "--area", "LWIA 99"]) == 2
    error = capsys.readouterr().err
    assert "unknown region 'LWIA 99'" in error
    assert "LWIA 21 Central, LWIA 7 Cook" in error
    assert main(["users", "set-role", CENTRAL, "reviewer", "--area", "17999"]) == 2
    assert "no county has FIPS code 17999" in capsys.readouterr().err
    with open_store(regions_db) as store:
        assert store.user_by_email(CENTRAL).areas == ("LWIA 21 Central",)


def test_set_role_with_no_regions_loaded_says_how_to_load_them(
        database_url: str, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    add_account(database_url, CENTRAL, organization="LWA")
    monkeypatch.setenv("LOCATOR_DATABASE_URL", database_url)
    assert main(["users", "set-role", CENTRAL, "reviewer", "--area", "LWIA 21"]) == 2
    error = capsys.readouterr().err
    assert "no regions are loaded" in error and "locator data import" in error
    assert main(["users", "set-role", CENTRAL, "reviewer", "--area", SANGAMON]) == 0


def test_a_bad_regions_file_is_refused_whole_and_a_good_one_applies_without_a_restart(
        regions_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cook = client_for(regions_db, COOK_REVIEWER)
    ids = file_requests(regions_db)
    assert queued(cook) == {ids[COOK]}
    sources = tmp_path / "newer"
    sources.mkdir()
    (sources / "lwia.csv").write_text(f"county_fips,region\n{SANGAMON},Moved\n"
                                      f"{SANGAMON},Twice\n", encoding="utf-8")
    capsys.readouterr()
    assert main(["data", "import", "--sources", str(sources), "--verbose"]) == 0
    assert f"county {SANGAMON} is listed twice" in capsys.readouterr().out
    with open_store(regions_db) as store:
        assert store.regions()[SANGAMON] == "LWIA 21 Central"
    (sources / "lwia.csv").write_text(f"county_fips,region\n{SANGAMON},LWIA 7 Cook\n",
                                      encoding="utf-8")
    assert main(["data", "import", "--sources", str(sources)]) == 0
    with open_store(regions_db) as store:
        assert store.regions() == {SANGAMON: "LWIA 7 Cook"}
    assert queued(cook) == {ids[SANGAMON]}  # the same app reads the regions afresh
