"""A partner's "when" pages: the opening hours of their organisation's sites, the events
held there, and, for a mobile unit's account, the visits log.

Hours of a live site are a change request a reviewer approves, as every partner edit of a
live site is (``web.partner``); hours of a site not yet public, events and visits are
written at once, each change logged under the partner's e-mail. Only sites whose
``organization`` is the partner's own can be edited; reviewers of the site's area may too.
"""

from __future__ import annotations

import secrets
from datetime import date, datetime
from typing import Any

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_babel import gettext, lazy_gettext
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    URL,
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from locator import listings, visits
from locator.accounts import User
from locator.events import EVENT_KIND_LABELS, Event, EventKind, at_site_zone, language_tags
from locator.hours import HoursStatus, read_hours
from locator.listings import RequestAction
from locator.sites import Kind, Site, Status
from locator.timezones import site_zone
from web.account import login_required, signed_in
from web.db import get_store

bp = Blueprint("partner_when", __name__, url_prefix="/partner")

TEXT_MAX_CHARS = 500
DESCRIPTION_MAX_CHARS = 4000
PARTNER_EVENT_SOURCE = listings.PARTNER_SOURCE
_LOCAL_TIME = "%Y-%m-%dT%H:%M"


class HoursForm(FlaskForm):
    hours = TextAreaField(lazy_gettext("Opening hours"),
                          validators=[DataRequired(), Length(max=TEXT_MAX_CHARS)])
    keep_as_text = BooleanField(lazy_gettext(
        "Keep this text as written: it is shown as it is, and the site's opening state is "
        "shown as unknown"))


class EventForm(FlaskForm):
    title = StringField(lazy_gettext("Title"),
                        validators=[DataRequired(), Length(max=TEXT_MAX_CHARS)])
    kind = SelectField(lazy_gettext("Kind of event"), validators=[DataRequired()])
    description = TextAreaField(lazy_gettext("Description"),
                                validators=[Optional(), Length(max=DESCRIPTION_MAX_CHARS)])
    start = DateTimeLocalField(lazy_gettext("Starts (the site's local time)"),
                               format=_LOCAL_TIME, validators=[DataRequired()])
    end = DateTimeLocalField(lazy_gettext("Ends (the site's local time)"),
                             format=_LOCAL_TIME, validators=[DataRequired()])
    registration_url = StringField(
        lazy_gettext("Registration link"),
        validators=[Optional(), Length(max=TEXT_MAX_CHARS),
                    URL(message=lazy_gettext("Give the whole address, starting https://"))])
    phone = StringField(lazy_gettext("Registration phone"),
                        validators=[Optional(), Length(max=TEXT_MAX_CHARS)])
    capacity = IntegerField(lazy_gettext("Capacity (leave empty for no limit)"),
                            validators=[Optional(), NumberRange(
                                min=1, message=lazy_gettext("At least 1."))])
    languages = StringField(lazy_gettext("Languages (tags such as en, es, separated by commas)"),
                            validators=[Optional(), Length(max=TEXT_MAX_CHARS)])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kind.choices = [(k.value, gettext(EVENT_KIND_LABELS[k])) for k in EventKind]

    def validate_end(self, field: DateTimeLocalField) -> None:
        if self.start.data and field.data and field.data <= self.start.data:
            raise ValidationError(gettext("The end must be after the start."))

    def validate_languages(self, field: StringField) -> None:
        if language_tags(field.data or "") is None:
            raise ValidationError(gettext("Give language tags such as en or es, separated by "
                                     "commas."))


class VisitForm(FlaskForm):
    site_id = SelectField(lazy_gettext("Stop"), validators=[DataRequired()])
    visit_date = DateField(lazy_gettext("Day of the visit"), validators=[DataRequired()])
    customers_served = IntegerField(lazy_gettext("Customers served"), validators=[
        InputRequired(message=lazy_gettext("Give the number of customers served.")),
        NumberRange(min=0, message=lazy_gettext("A whole number, 0 or more."))])


@bp.get("/sites")
@login_required
def own_sites():
    """The organisation's sites, each with its hours and events pages."""
    user = signed_in()
    sites = [s for s in get_store().sites(statuses=[Status.APPROVED, Status.PENDING])
             if s.organization and s.organization == user.organization]
    return render_template("partner/sites.html", sites=sites,
                           has_stops=any(s.kind is Kind.MOBILE_CENTER for s in sites))


# -- hours -------------------------------------------------------------------------------

@bp.route("/sites/<site_id>/hours", methods=["GET", "POST"])
@login_required
def site_hours(site_id: str):
    site = _own_site(site_id)
    form = HoursForm(data={"hours": site.hours} if request.method == "GET" else None)
    if not form.validate_on_submit():
        return render_template("partner/hours.html", site=site, form=form, unreadable=False)
    hours = read_hours(form.hours.data)
    if hours.status is HoursStatus.UNREADABLE and not form.keep_as_text.data:
        form.hours.errors = [gettext(
            "These hours could not be read with certainty. Write them like "
            "Mo-Fr 08:30-17:00; Sa 09:00-12:00; PH off, or tick the box below to keep the "
            "text as written.")]
        return render_template("partner/hours.html", site=site, form=form, unreadable=True), 400
    text = hours.canonical if hours.is_structured else hours.text
    user = signed_in()
    if site.status is Status.APPROVED:
        filed = get_store().add_request(action=RequestAction.CHANGE, user=user,
                                        site_id=site.id, county_fips=site.county_fips,
                                        fields={"hours": text})
        return redirect(url_for("partner.requests", filed=filed.id))
    get_store().upsert_sites([site.replace(hours=text)], actor=user.email)
    return redirect(url_for("partner_when.site_events", site_id=site.id, saved="hours"))


# -- events ------------------------------------------------------------------------------

@bp.get("/sites/<site_id>/events")
@login_required
def site_events(site_id: str):
    site = _own_site(site_id)
    return render_template("partner/events.html", site=site,
                           events=get_store().events(site_ids=[site.id]),
                           partner_source=PARTNER_EVENT_SOURCE,
                           saved=request.args.get("saved", ""))


@bp.route("/sites/<site_id>/events/new", methods=["GET", "POST"])
@login_required
def new_event(site_id: str):
    site = _own_site(site_id)
    form = EventForm()
    if not form.validate_on_submit():
        return render_template("partner/event_form.html", site=site, form=form, event=None)
    event_id = f"{PARTNER_EVENT_SOURCE}-ev-{secrets.token_hex(6)}"
    get_store().upsert_events([_event_from(form, event_id, site)], actor=signed_in().email)
    return redirect(url_for("partner_when.site_events", site_id=site.id, saved="event"))


@bp.route("/events/<event_id>/edit", methods=["GET", "POST"])
@login_required
def edit_event(event_id: str):
    event, site = _own_event(event_id)
    form = EventForm(data=_event_data(event) if request.method == "GET" else None)
    if not form.validate_on_submit():
        return render_template("partner/event_form.html", site=site, form=form, event=event)
    get_store().upsert_events([_event_from(form, event.id, site)], actor=signed_in().email)
    return redirect(url_for("partner_when.site_events", site_id=site.id, saved="event"))


@bp.post("/events/<event_id>/delete")
@login_required
def delete_event(event_id: str):
    event, site = _own_event(event_id)
    if not FlaskForm().validate_on_submit():
        abort(400)
    get_store().remove_events([event.id], actor=signed_in().email)
    return redirect(url_for("partner_when.site_events", site_id=site.id, saved="deleted"))


def _event_from(form: EventForm, event_id: str, site: Site) -> Event:
    zone = site_zone(site)
    return Event(
        id=event_id, site_id=site.id, title=form.title.data.strip(),
        kind=EventKind(form.kind.data), start_utc=at_site_zone(form.start.data, zone),
        end_utc=at_site_zone(form.end.data, zone), zone=zone,
        description=(form.description.data or "").strip(),
        registration_url=(form.registration_url.data or "").strip(),
        phone=(form.phone.data or "").strip(), capacity=form.capacity.data,
        languages=language_tags(form.languages.data or "") or (),
        source=PARTNER_EVENT_SOURCE)


def _event_data(event: Event) -> dict[str, Any]:
    return {"title": event.title, "kind": event.kind.value, "description": event.description,
            "start": _wall(event.start), "end": _wall(event.end),
            "registration_url": event.registration_url, "phone": event.phone,
            "capacity": event.capacity, "languages": ", ".join(event.languages)}


def _wall(moment: datetime) -> datetime:
    return moment.replace(tzinfo=None)


# -- visits of a mobile unit ---------------------------------------------------------------

@bp.route("/visits", methods=["GET", "POST"])
@login_required
def unit_visits():
    """The unit's visits form: a partner whose organisation runs mobile stops records a
    visit to one of them; the unit is the organisation."""
    user = signed_in()
    stops = _unit_stops(user)
    if not stops:
        abort(403)
    form = VisitForm(data={"visit_date": date.today()} if request.method == "GET" else None)
    form.site_id.choices = [(s.id, s.display_name) for s in stops]
    status = 200
    if form.validate_on_submit():
        visit = visits.Visit(user.organization, form.site_id.data, form.visit_date.data,
                             form.customers_served.data)
        refused = visits.record_visits(get_store(), [visit], actor=user.email)
        if not refused:
            return redirect(url_for("partner_when.unit_visits", saved=1))
    elif request.method == "POST":
        status = 400
    totals = visits.visit_totals(get_store(), unit=user.organization)
    return render_template("partner/visits.html", form=form, totals=totals,
                           saved=bool(request.args.get("saved"))), status


def _unit_stops(user: User) -> list[Site]:
    return [s for s in get_store().sites(statuses=[Status.APPROVED, Status.PENDING])
            if s.kind is Kind.MOBILE_CENTER and s.organization
            and s.organization == user.organization]


# -- who may edit what -------------------------------------------------------------------

def _own_site(site_id: str) -> Site:
    """A site the partner's organisation may change (its own, or one its approved request
    was about) or in a reviewer's area, regions included; 404 for no such site, 403 for
    someone else's."""
    site = get_store().site(site_id)
    if site is None or site.status is Status.RETIRED:
        abort(404)
    if not listings.may_change(get_store(), signed_in(), site):
        abort(403)
    return site


def _own_event(event_id: str) -> tuple[Event, Site]:
    """An event the partner's organisation put at one of its sites. Events a data file
    brought are the file's to change: its next import would put them back."""
    event = get_store().event(event_id)
    if event is None:
        abort(404)
    site = _own_site(event.site_id)
    if event.source != PARTNER_EVENT_SOURCE:
        abort(403)
    return event, site
