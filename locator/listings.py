"""Partners' requests to list a site: add a new one, extend a listed place with roles and
programs, or change a live site's fields. Every request waits for a reviewer.

A request's ``fields`` are the proposed values by ``Site`` field name (``programs``,
``roles`` and ``partnership_types`` as lists); nothing of it is public until approved.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, Any

import usaddress
from rapidfuzz import fuzz

from locator.accounts import AccountStatus, Role, User
from locator.errors import N_, InvalidInput, NotFound
from locator.geo import haversine_mi
from locator.sites import Kind, Site, Status
from locator.spatial import Catalog, Nearby

if TYPE_CHECKING:
    from locator.store import Store


class RequestAction(StrEnum):
    ADD = "add"        # a site not listed yet
    EXTEND = "extend"  # more roles, programs or partnership types for a listed place
    CHANGE = "change"  # new values for a live site's fields


class RequestStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    CHANGES_REQUESTED = "changes_requested"


# Requests still in flight: waiting for a reviewer, or with their partner to fix.
OPEN_STATUSES = (RequestStatus.PENDING, RequestStatus.CHANGES_REQUESTED)


# The partnership types the Illinois workNet seed document lists.
PARTNERSHIP_TYPES: dict[str, str] = {
    "joint_location": N_("Joint location"),
    "training_library_staff": N_("Training library staff"),
    "sharing_lmi": N_("Sharing labor market information"),
    "direct_service": N_("Direct service by workforce professionals"),
    "mobile_center_stops": N_("Mobile career center stops"),
    "small_business_development": N_("Small business development"),
    "library_space_events": N_("Use of library spaces for events"),
    "signed_mou": N_("Signed MOU"),
}


@dataclass(frozen=True, slots=True)
class SiteRequest:
    id: int
    action: RequestAction
    site_id: str | None
    user_id: int
    organization: str
    county_fips: str
    status: RequestStatus
    fields: dict[str, Any]
    reason: str
    created_at: str
    updated_at: str


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One never-edited line of the audit trail: ``fields`` maps a field to [old, new]."""

    at: str
    actor: str
    action: str
    subject: str  # "user" or "request"
    subject_id: str
    fields: dict[str, list[Any]] = field(default_factory=dict)


# -- "is my site already listed?" -------------------------------------------------------------
DUPLICATE_RADIUS_MI = 0.1
# Addresses are compared among the sites this close, so a geocoded point a block off still
# finds the listing at the same address.
ADDRESS_RADIUS_MI = 2.0
SIMILAR_NAME_SCORE = 85.0  # rapidfuzz token_set_ratio, 0-100


@dataclass(frozen=True, slots=True)
class Duplicate:
    """A listed site a new request may repeat, and why it looks like one."""

    site: Site
    distance_mi: float
    name_score: float
    same_address: bool


def likely_duplicates(catalog: Catalog, *, name: str, address: str, lat: float,
                      lon: float) -> list[Duplicate]:
    """Listed sites with a similar name within ``DUPLICATE_RADIUS_MI``, or the same
    normalised street address nearby, nearest first."""
    wanted = normalized_address(address)
    found = []
    for near in catalog.within(lat, lon, ADDRESS_RADIUS_MI):
        score = float(fuzz.token_set_ratio(name.lower(), near.site.name.lower()))
        same = wanted is not None and normalized_address(near.site.address) == wanted
        if same or (near.distance_mi <= DUPLICATE_RADIUS_MI and score >= SIMILAR_NAME_SCORE):
            found.append(Duplicate(near.site, near.distance_mi, score, same))
    return found


@dataclass(frozen=True, slots=True)
class OpenRequest:
    """A request not yet decided that names a new site near a place: filing another for the
    same place would repeat it."""

    request: SiteRequest
    distance_mi: float
    name_score: float = 0.0
    same_address: bool = False


def open_requests_near(requests: Iterable[SiteRequest], *, lat: float, lon: float,
                       radius_mi: float, name: str = "") -> list[OpenRequest]:
    """Open requests to add a site within ``radius_mi``; nearest in name first when a name
    is given, else nearest first."""
    found = []
    for r in requests:
        if r.action is not RequestAction.ADD or r.status not in OPEN_STATUSES:
            continue
        distance = float(haversine_mi(lat, lon, float(r.fields["lat"]),
                                      float(r.fields["lon"])))
        if distance <= radius_mi:
            score = float(fuzz.token_set_ratio(name.lower(),
                                               str(r.fields.get("name", "")).lower()))
            found.append(OpenRequest(r, distance, score if name else 0.0))
    return sorted(found, key=lambda o: (-o.name_score, o.distance_mi, o.request.id))


def likely_duplicate_requests(requests: Iterable[SiteRequest], *, name: str, address: str,
                              lat: float, lon: float) -> list[OpenRequest]:
    """Open requests to add a site that look like this one, by the rule of
    ``likely_duplicates``: a similar name close by, or the same normalised address."""
    wanted = normalized_address(address)
    found = []
    for near in open_requests_near(requests, lat=lat, lon=lon, radius_mi=ADDRESS_RADIUS_MI,
                                   name=name):
        same = (wanted is not None and normalized_address(
            str(near.request.fields.get("address", ""))) == wanted)
        if same or (near.distance_mi <= DUPLICATE_RADIUS_MI
                    and near.name_score >= SIMILAR_NAME_SCORE):
            found.append(OpenRequest(near.request, near.distance_mi, near.name_score, same))
    return sorted(found, key=lambda o: (o.distance_mi, o.request.id))


def by_name_similarity(nearby: Iterable[Nearby], name: str) -> list[Nearby]:
    """The sites nearest in name first (nearest in distance among equals)."""
    return sorted(nearby, key=lambda n: (-fuzz.token_set_ratio(name.lower(),
                                                               n.site.name.lower()),
                                         n.distance_mi))


def normalized_address(address: str) -> tuple[str, str, str] | None:
    """(house number, street direction's initial, street name) as usaddress reads them, in
    lower case: "326 S 7th St" and "326 South 7th Street" are the same; None when the text
    has no house number and street."""
    try:
        parts, _ = usaddress.tag(address)
    except usaddress.RepeatedLabelError:
        return None
    number, street = parts.get("AddressNumber", ""), parts.get("StreetName", "")
    if not number or not street:
        return None
    direction = parts.get("StreetNamePreDirectional", "")[:1]
    return number.lower(), direction.lower(), " ".join(street.lower().split())


# -- review ----------------------------------------------------------------------------------
PARTNER_SOURCE = "partner"
SITE_FIELDS = ("name", "organization", "address", "city", "state", "zip", "phone",
               "website", "hours")
STALE_AFTER_DAYS = 365
# What a change request may propose for a live site, in the order a diff lists them.
CHANGE_TEXT_FIELDS = (*SITE_FIELDS, "contact")
CHANGE_LIST_FIELDS = ("programs", "partnership_types", "roles")
CHANGE_FIELDS = ("kind", *CHANGE_TEXT_FIELDS, *CHANGE_LIST_FIELDS)


def listed_values(site: Site) -> dict[str, Any]:
    """The values a change request may change, as a request's ``fields`` holds them."""
    values: dict[str, Any] = {name: getattr(site, name) for name in CHANGE_TEXT_FIELDS}
    return values | {"kind": site.kind.value, "programs": sorted(site.programs),
                     "partnership_types": sorted(site.partnership_types),
                     "roles": sorted(k.value for k in site.roles)}


def changed_values(site: Site, proposed: dict[str, Any]) -> dict[str, Any]:
    """The proposed values that differ from the live site's (lists compared as sets)."""
    now = listed_values(site)
    return {name: _normal(name, proposed[name]) for name in CHANGE_FIELDS
            if name in proposed and _normal(name, proposed[name]) != now[name]}


def change_diff(site: Site, request: SiteRequest) -> list[tuple[str, Any, Any]]:
    """(field, now, proposed) for each field a change request would change today, in
    ``CHANGE_FIELDS`` order; a field the live site has come to agree with drops out."""
    now = listed_values(site)
    return [(name, now[name], value)
            for name, value in changed_values(site, request.fields).items()]


def _normal(name: str, value: Any) -> Any:
    if name in CHANGE_LIST_FIELDS:
        return sorted({str(v) for v in value or ()})
    return str(value or "").strip()


def today_iso() -> str:
    """Today's date in UTC, as last-verified dates are written."""
    return datetime.now(UTC).date().isoformat()


def may_review(user: User, county_fips: str, region_of: Mapping[str, str] | None = None
               ) -> bool:
    """Admins review everything; a reviewer the counties assigned to them, by FIPS code or
    by region (``region_of``: the stored regions, county FIPS to region name)."""
    return user.reviews(county_fips, region_of or {})


def may_verify(reviewer: User, account: User, region_of: Mapping[str, str] | None = None
               ) -> bool:
    """Admins verify any account; a reviewer a pending partner account of their area."""
    if reviewer.active and reviewer.role is Role.ADMIN:
        return True
    return (account.status is AccountStatus.PENDING and account.role is Role.PARTNER
            and may_review(reviewer, account.county_fips, region_of))


def may_see_request(user: User, request: SiteRequest,
                    region_of: Mapping[str, str] | None = None) -> bool:
    """The partner who filed it and their organisation, and its reviewers."""
    return user.active and (request.user_id == user.id
                            or request.organization == user.organization
                            or may_review(user, request.county_fips, region_of))


def may_change(store: Store, user: User, site: Site,
               claimed: set[str] | None = None) -> bool:
    """Whether ``user`` may ask to change a live site or confirm it: its organisation's
    partners (the one named on the listing, or one whose request about it was approved),
    and its reviewers. ``claimed`` is ``claimed_sites`` of the user's organisation, when
    asked about many sites."""
    if not user.active:
        return False
    if (site.organization and site.organization == user.organization) or may_review(
            user, site.county_fips, store.regions()):
        return True
    return site.id in (claimed_sites(store, user.organization) if claimed is None
                       else claimed)


def claimed_sites(store: Store, organization: str) -> set[str]:
    """The sites an organisation's approved requests added, extended or changed."""
    return {r.site_id or f"{PARTNER_SOURCE}-{r.id}" for r in store.site_requests(
        statuses=[RequestStatus.APPROVED], organization=organization)}


def may_edit(user: User, request: SiteRequest) -> bool:
    """The partner who filed a request and their organisation's partners may fix it."""
    return user.active and (request.user_id == user.id
                            or request.organization == user.organization)


def resubmit(store: Store, request: SiteRequest, *, user: User, fields: dict[str, Any],
             county_fips: str | None = None) -> SiteRequest:
    """A request sent back for changes, edited and waiting for review again (in the queue
    of ``county_fips`` when a new site was moved). The reviewer's note stays in the audit
    trail."""
    if request.status is not RequestStatus.CHANGES_REQUESTED:
        raise InvalidInput("request %(id)s is %(status)s, not sent back for changes",
                           code="not_sent_back", id=str(request.id),
                           status=request.status.value)
    return store.update_request(request.id, actor=user.email, action="resubmit",
                                status=RequestStatus.PENDING, reason="", fields=fields,
                                county_fips=county_fips)


def approve(store: Store, request: SiteRequest, *, reviewer: User, today: str) -> Site:
    """Make a request live: one transaction writes the site and closes the request, and the
    store's change log carries the site to every process."""
    _check_open(request)
    with store.transaction():
        site = _site_after(store, request, today)
        store.upsert_sites([site], actor=reviewer.email)
        store.update_request(request.id, actor=reviewer.email, action="approve",
                             status=RequestStatus.APPROVED)
    return site


def reject(store: Store, request: SiteRequest, *, reviewer: User, reason: str,
           send_back: bool = False) -> SiteRequest:
    """Refuse a request (or send it back for changes) with a reason the partner sees."""
    _check_open(request)
    if not reason.strip():
        raise InvalidInput("say why, so the partner knows what to fix", code="no_reason",
                           parameter="reason")
    status = RequestStatus.CHANGES_REQUESTED if send_back else RequestStatus.REJECTED
    return store.update_request(request.id, actor=reviewer.email,
                                action="send_back" if send_back else "reject",
                                status=status, reason=reason.strip())


def confirm_still_correct(store: Store, site: Site, *, user: User, today: str) -> None:
    """The partner says nothing changed: only the last-verified date moves."""
    store.upsert_sites([site.replace(last_verified=today)], actor=user.email)


def stale_sites(sites: Iterable[Site], *, today: date,
                after_days: int = STALE_AFTER_DAYS) -> list[Site]:
    """Public sites last verified before ``after_days`` ago (or never), oldest first."""
    cutoff = (today - timedelta(days=after_days)).isoformat()
    stale = [s for s in sites if s.status is Status.APPROVED and s.last_verified < cutoff]
    return sorted(stale, key=lambda s: (s.last_verified, s.id))


def _check_open(request: SiteRequest) -> None:
    if request.status is not RequestStatus.PENDING:
        raise InvalidInput("request %(id)s is %(status)s, not pending", code="not_pending",
                           id=str(request.id), status=request.status.value)


def _site_after(store: Store, request: SiteRequest, today: str) -> Site:
    proposed = request.fields
    if request.action is RequestAction.ADD:
        text = {name: str(proposed.get(name, "")) for name in CHANGE_TEXT_FIELDS}
        return Site(
            id=f"{PARTNER_SOURCE}-{request.id}", name=text["name"], kind=Kind(proposed["kind"]),
            lat=float(proposed["lat"]), lon=float(proposed["lon"]),
            county_fips=request.county_fips, programs=frozenset(proposed.get("programs", ())),
            source=PARTNER_SOURCE, source_id=str(request.id), last_verified=today,
            partnership_types=frozenset(proposed.get("partnership_types", ())),
        ).replace(**text)
    site = store.site(request.site_id or "")
    if site is None:
        raise NotFound("site %(id)s is no longer listed", code="unknown_site",
                       id=request.site_id or "")
    if request.action is RequestAction.CHANGE:
        return _changed_site(site, changed_values(site, proposed), today)
    changes = {name: str(proposed[name]) for name in CHANGE_TEXT_FIELDS if proposed.get(name)}
    return site.replace(
        **changes, last_verified=today,
        roles=(site.roles | {Kind(k) for k in proposed.get("roles", ())}) - {site.kind},
        programs=site.programs | frozenset(proposed.get("programs", ())),
        partnership_types=site.partnership_types | frozenset(
            proposed.get("partnership_types", ())),
    )


def _changed_site(site: Site, changes: dict[str, Any], today: str) -> Site:
    """The live site with a change request's values in place of its own: text replaced
    (an empty value clears it), lists replaced whole, kind and roles kept apart."""
    values = listed_values(site) | changes
    kind = Kind(values["kind"])
    return site.replace(
        **{name: values[name] for name in CHANGE_TEXT_FIELDS}, kind=kind,
        roles=frozenset(Kind(k) for k in values["roles"]) - {kind},
        programs=frozenset(values["programs"]),
        partnership_types=frozenset(values["partnership_types"]),
        last_verified=today,
    )
