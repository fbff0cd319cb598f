"""Change requests to live sites, requests sent back and sent again, and open requests in the
duplicate check, in the store on each engine: nothing is live until approved, approval
replaces exactly the changed fields, and the audit trail has each field's old and new value."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from alembic import command

from locator import accounts, listings
from locator.accounts import AccountStatus, NewUser, Role, User
from locator.errors import InvalidInput
from locator.listings import RequestAction, RequestStatus, SiteRequest
from locator.sites import Kind, Site
from locator.store import Store, migrate, open_store

LIBRARY = Site("lib-springfield", "Lincoln Library", Kind.LIBRARY, 39.8003, -89.6497,
               organization="Lincoln Library", address="326 S 7th St", city="Springfield",
               state="IL", zip="62701", county_fips="17167", phone="(217) 555-0101",
               website="https://library.example.org", hours="Mon-Thu 9-8",
               programs=frozenset({"public_computers", "wifi"}),
               roles=frozenset({Kind.DISSEMINATION_SITE}),
               partnership_types=frozenset({"joint_location"}), contact="Front desk",
               timezone="America/Chicago")  # as the store derives it from the point


def account(store: Store, email: str, organization: str, role: Role = Role.PARTNER,
            areas: tuple[str, ...] = ()) -> User:
    user = store.add_user(NewUser(email, email.split("@")[0], organization, "1", role=role),
                          accounts.hash_password("correct horse battery staple"))
    return store.update_user(user.id, actor="test", status=AccountStatus.ACTIVE, areas=areas)


@pytest.fixture
def people(fresh_store: Store) -> dict[str, User]:
    fresh_store.upsert_sites([LIBRARY])
    return {"partner": account(fresh_store, "ana@lincoln.example", "Lincoln Library"),
            "other": account(fresh_store, "bo@other.example", "Other Org"),
            "reviewer": account(fresh_store, "rev@sangamon.example", "LWA 21",
                                Role.REVIEWER, ("17167",)),
            "other_reviewer": account(fresh_store, "rev@cook.example", "LWA 7",
                                      Role.REVIEWER, ("17031",))}


def test_partnership_types_and_contact_are_stored_and_audited(fresh_store: Store) -> None:
    fresh_store.upsert_sites([LIBRARY])
    assert fresh_store.site(LIBRARY.id) == LIBRARY
    changed = LIBRARY.replace(partnership_types=frozenset({"signed_mou", "sharing_lmi"}),
                              contact="Ana Díaz 🙂")
    fresh_store.upsert_sites([changed], actor="rev@sangamon.example")
    assert fresh_store.site(LIBRARY.id) == changed
    last = fresh_store.history(LIBRARY.id)[-1]
    assert last.actor == "rev@sangamon.example"
    assert last.fields == {"partnership_types": [["joint_location"],
                                                 ["sharing_lmi", "signed_mou"]],
                           "contact": ["Front desk", "Ana Díaz 🙂"]}


def test_an_approved_change_replaces_exactly_the_changed_fields(
        fresh_store: Store, people: dict[str, User]) -> None:
    proposed = {**listings.listed_values(LIBRARY), "hours": "Mon-Fri 9-5", "website": "",
                "programs": ["resume_help", "wifi"], "roles": ["access_site"],
                "partnership_types": ["joint_location", "signed_mou"], "contact": "Ana"}
    fields = listings.changed_values(LIBRARY, proposed)
    assert set(fields) == {"hours", "website", "programs", "roles", "partnership_types",
                           "contact"}
    filed = fresh_store.add_request(action=RequestAction.CHANGE, user=people["partner"],
                                    site_id=LIBRARY.id, county_fips="17167", fields=fields)
    assert fresh_store.site(LIBRARY.id) == LIBRARY  # nothing is live before review
    diff = listings.change_diff(LIBRARY, filed)
    assert [name for name, _, _ in diff] == ["website", "hours", "contact", "programs",
                                             "partnership_types", "roles"]
    assert ("website", "https://library.example.org", "") in diff

    site = listings.approve(fresh_store, filed, reviewer=people["reviewer"], today="2026-12-02")
    expected = LIBRARY.replace(
        hours="Mon-Fri 9-5", website="", contact="Ana",
        programs=frozenset({"resume_help", "wifi"}), roles=frozenset({Kind.ACCESS_SITE}),
        partnership_types=frozenset({"joint_location", "signed_mou"}),
        last_verified="2026-12-02")
    assert site == expected and fresh_store.site(LIBRARY.id) == expected
    change = fresh_store.history(LIBRARY.id)[-1]
    assert change.actor == "rev@sangamon.example" and change.action == "update"
    assert change.fields == {
        "hours": ["Mon-Thu 9-8", "Mon-Fri 9-5"],
        "website": ["https://library.example.org", ""],
        "last_verified": ["", "2026-12-02"],
        "contact": ["Front desk", "Ana"],
        "programs": [["public_computers", "wifi"], ["resume_help", "wifi"]],
        "roles": [["dissemination_site"], ["access_site"]],
        "partnership_types": [["joint_location"], ["joint_location", "signed_mou"]]}
    assert fresh_store.site_request(filed.id).status is RequestStatus.APPROVED
    with pytest.raises(InvalidInput):
        listings.approve(fresh_store, fresh_store.site_request(filed.id),
                         reviewer=people["reviewer"], today="2026-12-02")


def test_a_change_of_kind_keeps_the_old_kind_as_a_role_only_if_asked(
        fresh_store: Store, people: dict[str, User]) -> None:
    fields = listings.changed_values(LIBRARY, {"kind": "access_site",
                                               "roles": ["library", "access_site"]})
    filed = fresh_store.add_request(action=RequestAction.CHANGE, user=people["partner"],
                                    site_id=LIBRARY.id, county_fips="17167", fields=fields)
    site = listings.approve(fresh_store, filed, reviewer=people["reviewer"], today="2026-12-02")
    assert site.kind is Kind.ACCESS_SITE and site.roles == {Kind.LIBRARY}


def test_what_the_live_site_came_to_agree_with_drops_out_of_the_diff(
        fresh_store: Store, people: dict[str, User]) -> None:
    fields = listings.changed_values(LIBRARY, {"hours": "Mon-Fri 9-5", "phone": "217-0"})
    filed = fresh_store.add_request(action=RequestAction.CHANGE, user=people["partner"],
                                    site_id=LIBRARY.id, county_fips="17167", fields=fields)
    meanwhile = LIBRARY.replace(hours="Mon-Fri 9-5", name="Lincoln Library (main)")
    fresh_store.upsert_sites([meanwhile])
    assert listings.change_diff(meanwhile, filed) == [("phone", "(217) 555-0101", "217-0")]
    site = listings.approve(fresh_store, filed, reviewer=people["reviewer"], today="2026-12-02")
    assert site.name == "Lincoln Library (main)" and site.phone == "217-0"


def test_a_sent_back_request_is_edited_and_waits_for_review_again(
        fresh_store: Store, people: dict[str, User]) -> None:
    filed = fresh_store.add_request(action=RequestAction.CHANGE, user=people["partner"],
                                    site_id=LIBRARY.id, county_fips="17167",
                                    fields={"hours": "9-5"})
    with pytest.raises(InvalidInput):  # only a request sent back can be sent again
        listings.resubmit(fresh_store, filed, user=people["partner"], fields={"hours": "x"})
    back = listings.reject(fresh_store, filed, reviewer=people["reviewer"],
                           reason="Say which days", send_back=True)
    assert back.status is RequestStatus.CHANGES_REQUESTED and back.reason == "Say which days"
    again = listings.resubmit(fresh_store, back, user=people["partner"],
                              fields={"hours": "Mon-Fri 9-5"})
    assert again.status is RequestStatus.PENDING and again.fields == {"hours": "Mon-Fri 9-5"}
    assert again.reason == ""
    trail = fresh_store.audit("request", str(filed.id))
    assert [e.action for e in trail] == ["request_change", "send_back", "resubmit"]
    assert trail[1].fields["reason"] == ["", "Say which days"]
    assert trail[2].actor == "ana@lincoln.example"
    assert trail[2].fields == {"status": ["changes_requested", "pending"],
                               "reason": ["Say which days", ""],
                               "fields.hours": ["9-5", "Mon-Fri 9-5"]}
    rejected = listings.reject(fresh_store, again, reviewer=people["reviewer"], reason="no")
    with pytest.raises(InvalidInput):
        listings.resubmit(fresh_store, rejected, user=people["partner"], fields={})
    assert fresh_store.site(LIBRARY.id) == LIBRARY


def test_who_may_change_a_site_and_edit_a_request(fresh_store: Store,
                                                  people: dict[str, User]) -> None:
    unclaimed = LIBRARY.replace(id="lib-2", organization="")
    fresh_store.upsert_sites([unclaimed])
    assert listings.may_change(fresh_store, people["partner"], LIBRARY)
    assert listings.may_change(fresh_store, people["reviewer"], unclaimed)
    for who in ("partner", "other", "other_reviewer"):
        assert not listings.may_change(fresh_store, people[who], unclaimed), who
    claim = fresh_store.add_request(action=RequestAction.EXTEND, user=people["other"],
                                    site_id="lib-2", county_fips="17167",
                                    fields={"roles": ["access_site"]})
    assert not listings.may_change(fresh_store, people["other"], unclaimed)  # not yet
    listings.approve(fresh_store, claim, reviewer=people["reviewer"], today="2026-12-02")
    assert listings.may_change(fresh_store, people["other"], unclaimed)
    assert not listings.may_change(fresh_store, people["partner"], unclaimed)
    assert listings.may_edit(people["other"], claim)
    assert not listings.may_edit(people["partner"], claim)
    assert not listings.may_edit(people["reviewer"], claim)


def _add(request_id: int, name: str, lat: float, lon: float, address: str = "",
         status: RequestStatus = RequestStatus.PENDING,
         action: RequestAction = RequestAction.ADD) -> SiteRequest:
    return SiteRequest(request_id, action, None, 1, "Org", "17167", status,
                       {"name": name, "lat": lat, "lon": lon, "address": address}, "", "", "")


def test_open_add_requests_are_duplicates_by_name_close_by_or_by_address() -> None:
    requests = [
        _add(1, "Westside Job Lab", 39.8017, -89.6690),                    # same place
        _add(2, "Westside Job Lab", 39.8100, -89.6690),                    # 0.57 mi away
        _add(3, "Eastside Library", 39.8100, -89.6690, "900 West Jefferson Street"),
        _add(4, "Westside Job Lab", 39.8017, -89.6690, status=RequestStatus.REJECTED),
        _add(5, "Westside Job Lab", 39.8017, -89.6690, status=RequestStatus.APPROVED),
        _add(6, "Westside Job Lab", 39.8017, -89.6690, action=RequestAction.EXTEND),
        _add(7, "Westside Job Lab", 39.8018, -89.6691,
             status=RequestStatus.CHANGES_REQUESTED),
        _add(8, "Something else", 39.8017, -89.6690),
    ]
    found = listings.likely_duplicate_requests(requests, name="westside job lab",
                                               address="900 W Jefferson St",
                                               lat=39.8017, lon=-89.6690)
    assert [o.request.id for o in found] == [1, 7, 3]
    assert found[2].same_address and not found[0].same_address
    near = listings.open_requests_near(requests, lat=39.8017, lon=-89.6690, radius_mi=1.0,
                                       name="Westside")
    assert [o.request.id for o in near] == [1, 7, 2, 3, 8]
    assert all(o.distance_mi <= 1.0 for o in near)


def test_a_new_site_moved_on_resubmission_waits_in_its_new_countys_queue(
        fresh_store: Store, people: dict[str, User]) -> None:
    filed = fresh_store.add_request(action=RequestAction.ADD, user=people["partner"],
                                    site_id=None, county_fips="17167",
                                    fields={"name": "Job Lab", "lat": 39.8, "lon": -89.6})
    back = listings.reject(fresh_store, filed, reviewer=people["reviewer"],
                           reason="This is in Chicago", send_back=True)
    moved = {"name": "Job Lab", "lat": 41.8781, "lon": -87.6298}
    again = listings.resubmit(fresh_store, back, user=people["partner"], fields=moved,
                              county_fips="17031")
    assert again.county_fips == "17031" and again.fields == moved
    assert listings.may_review(people["other_reviewer"], again.county_fips)
    assert not listings.may_review(people["reviewer"], again.county_fips)
    assert fresh_store.audit("request", str(filed.id))[-1].fields["county_fips"] == [
        "17167", "17031"]


# Reflecting ``sites`` on PostgreSQL meets PostGIS's geography column, unknown to SQLAlchemy.
@pytest.mark.filterwarnings("ignore:Did not recognize type 'geography'")
def test_migration_0009_goes_down_and_up_again_on_each_engine(database_url: str) -> None:
    with open_store(database_url) as store:
        store.upsert_sites([LIBRARY])
    engine = sa.create_engine(database_url.replace("postgresql://", "postgresql+psycopg://", 1))
    try:
        with engine.begin() as conn:
            command.downgrade(migrate._config(conn), "0008_visits")
        with engine.connect() as conn:
            names = sa.inspect(conn)
            assert "contact" not in {c["name"] for c in names.get_columns("sites")}
            assert not names.has_table("site_partnership_types")
    finally:
        engine.dispose()
    with open_store(database_url) as store:  # upgrades to the head again
        assert store.site(LIBRARY.id) == LIBRARY.replace(partnership_types=frozenset(),
                                                         contact="")
