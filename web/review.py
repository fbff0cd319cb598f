"""The reviewers' pages: the queue of pending requests in their area, one request with its
duplicate check or field-by-field diff, approve / reject / send back, account verification,
a site's audit trail, stale listings, and (admins) retiring a site.

A reviewer sees only requests for the counties assigned to them, by FIPS code or by
region (the regions file imported into the store); an admin sees all. A reviewer verifies
the new partner accounts of their area's counties; an admin any account.
Approving writes the site through the store, whose change log brings it into every worker
process's catalog at its next request.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint, abort, redirect, render_template, url_for
from flask_babel import gettext, lazy_gettext
from flask_wtf import FlaskForm
from wtforms import TextAreaField
from wtforms.validators import DataRequired, Length

from locator import listings
from locator.accounts import AccountStatus, Role
from locator.listings import PARTNERSHIP_TYPES, RequestAction, RequestStatus, SiteRequest
from locator.sites import PROGRAMS_BY_SLUG, Kind, Site, Status
from web.account import roles_required, signed_in
from web.data import site_data, stale_after_days
from web.db import get_store

bp = Blueprint("review", __name__, url_prefix="/review")
REVIEWERS = (Role.ADMIN, Role.REVIEWER)
# What the diff calls each field a request may hold.
FIELD_LABELS = {
    "kind": lazy_gettext("Kind of site"), "name": lazy_gettext("Name of the site"),
    "organization": lazy_gettext("Organisation"), "address": lazy_gettext("Street address"),
    "city": lazy_gettext("City"), "state": lazy_gettext("State"),
    "zip": lazy_gettext("ZIP code"), "phone": lazy_gettext("Phone"),
    "website": lazy_gettext("Website"), "hours": lazy_gettext("Hours"),
    "contact": lazy_gettext("Contact person for this listing"),
    "programs": lazy_gettext("Programs and services"),
    "partnership_types": lazy_gettext("Partnership types"),
    "roles": lazy_gettext("Also serves as"), "lat": lazy_gettext("Latitude"),
    "lon": lazy_gettext("Longitude"),
    "different_service": lazy_gettext("This is a different service at the same place"),
}


class ReasonForm(FlaskForm):
    reason = TextAreaField(lazy_gettext("Reason the partner will see"),
                           validators=[DataRequired(), Length(max=2000)])


@bp.get("/")
@roles_required(*REVIEWERS)
def queue():
    user, region_of = signed_in(), get_store().regions()
    pending = [r for r in get_store().site_requests(statuses=[RequestStatus.PENDING])
               if listings.may_review(user, r.county_fips, region_of)]
    accounts = [u for u in get_store().users() if u.status is AccountStatus.PENDING
                and listings.may_verify(user, u, region_of)]
    return render_template("review/queue.html", pending=pending, accounts=accounts)


@bp.get("/<int:request_id>")
@roles_required(*REVIEWERS)
def detail(request_id: int):
    found = _reviewable(request_id)
    site = None if found.site_id is None else get_store().site(found.site_id)
    return render_template("review/detail.html", item=found, site=site,
                           diff=_diff(found, site), duplicates=_duplicates(found),
                           requested=_duplicate_requests(found),
                           form=ReasonForm(), point=_requested_point(found, site),
                           field_label=field_label, field_value=field_value,
                           audit=get_store().audit("request", str(found.id)))


@bp.post("/<int:request_id>/approve")
@roles_required(*REVIEWERS)
def approve(request_id: int):
    listings.approve(get_store(), _reviewable(request_id), reviewer=signed_in(),
                     today=listings.today_iso())
    return redirect(url_for("review.queue"))


@bp.post("/<int:request_id>/reject")
@roles_required(*REVIEWERS)
def reject(request_id: int):
    return _refuse(request_id, send_back=False)


@bp.post("/<int:request_id>/send-back")
@roles_required(*REVIEWERS)
def send_back(request_id: int):
    return _refuse(request_id, send_back=True)


def _refuse(request_id: int, *, send_back: bool):
    found = _reviewable(request_id)
    form = ReasonForm()
    if not form.validate_on_submit():
        return detail(request_id), 400
    listings.reject(get_store(), found, reviewer=signed_in(), reason=form.reason.data,
                    send_back=send_back)
    return redirect(url_for("review.queue"))


@bp.post("/accounts/<int:user_id>/verify")
@roles_required(*REVIEWERS)
def verify_account(user_id: int):
    account = get_store().user(user_id)
    if account is None:
        abort(404)
    if not listings.may_verify(signed_in(), account, get_store().regions()):
        abort(403)
    get_store().update_user(user_id, actor=signed_in().email, status=AccountStatus.ACTIVE)
    return redirect(url_for("review.queue"))


@bp.get("/sites/<site_id>/history")
@roles_required(*REVIEWERS)
def history(site_id: str):
    site = _site_in_area(site_id)
    return render_template("review/history.html", site=site,
                           changes=get_store().history(site.id))


@bp.post("/sites/<site_id>/retire")
@roles_required(Role.ADMIN)
def retire(site_id: str):
    site = _site_in_area(site_id)
    get_store().set_status([site.id], Status.RETIRED, actor=signed_in().email)
    return redirect(url_for("review.queue"))


@bp.get("/stale")
@roles_required(*REVIEWERS)
def stale():
    user, region_of = signed_in(), get_store().regions()
    days = stale_after_days()
    sites = [s for s in site_data().catalog().sites.values()
             if listings.may_review(user, s.county_fips, region_of)]
    return render_template("review/stale.html", days=days, sites=listings.stale_sites(
        sites, today=date.fromisoformat(listings.today_iso()), after_days=days))


def _reviewable(request_id: int) -> SiteRequest:
    found = get_store().site_request(request_id)
    if found is None:
        abort(404)
    if not listings.may_review(signed_in(), found.county_fips, get_store().regions()):
        abort(403)
    return found


def _site_in_area(site_id: str) -> Site:
    site = get_store().site(site_id)
    if site is None:
        abort(404)
    if not listings.may_review(signed_in(), site.county_fips, get_store().regions()):
        abort(403)
    return site


def field_label(name: str) -> str:
    """A request field's name in the page's language."""
    label = FIELD_LABELS.get(name)
    return name if label is None else str(label)


def field_value(name: str, value: Any) -> str:
    """A field's value as a reviewer reads it: kinds, programs and partnership types by
    their labels in the page's language, the rest as the text it is."""
    if isinstance(value, bool):
        return gettext("Yes") if value else gettext("No")
    if isinstance(value, list):
        return "; ".join(_item_label(name, str(v)) for v in value)
    return _item_label(name, str(value)) if name == "kind" else str(value)


def _item_label(name: str, value: str) -> str:
    if name in ("kind", "roles") and value in set(Kind):
        return gettext(Kind(value).label)
    if name == "programs" and value in PROGRAMS_BY_SLUG:
        return gettext(PROGRAMS_BY_SLUG[value].label)
    if name == "partnership_types" and value in PARTNERSHIP_TYPES:
        return gettext(PARTNERSHIP_TYPES[value])
    return value


def _diff(found: SiteRequest, site: Site | None) -> list[tuple[str, object, object]]:
    """(field, now, proposed) for every field the request would change."""
    if found.action is RequestAction.ADD or site is None:
        return [(name, "", value) for name, value in found.fields.items()]
    if found.action is RequestAction.CHANGE:
        return listings.change_diff(site, found)
    now = listings.listed_values(site)
    return [(name, now.get(name, ""), value) for name, value in found.fields.items()
            if value not in ("", [], None) and now.get(name, "") != value]


def _requested_point(found: SiteRequest, site: Site | None) -> tuple[float, float] | None:
    """(lat, lon) the request puts the site at: its own point, else the listed site's."""
    fields = found.fields
    if fields.get("lat") not in (None, "") and fields.get("lon") not in (None, ""):
        return float(fields["lat"]), float(fields["lon"])
    return None if site is None else (site.lat, site.lon)


def _duplicate_requests(found: SiteRequest) -> list[listings.OpenRequest]:
    """Other open requests to add what looks like the same site."""
    if found.action is not RequestAction.ADD:
        return []
    fields = found.fields
    others = [r for r in get_store().site_requests(statuses=listings.OPEN_STATUSES)
              if r.id != found.id]
    return listings.likely_duplicate_requests(
        others, name=fields.get("name", ""), address=fields.get("address", ""),
        lat=float(fields["lat"]), lon=float(fields["lon"]))


def _duplicates(found: SiteRequest) -> list[listings.Duplicate]:
    if found.action is not RequestAction.ADD:
        return []
    fields = found.fields
    return listings.likely_duplicates(site_data().catalog(), name=fields.get("name", ""),
                                      address=fields.get("address", ""),
                                      lat=float(fields["lat"]), lon=float(fields["lon"]))
