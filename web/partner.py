"""A partner's pages: is my site already listed, ask to add a role to a listed place, ask to
add a new site, ask to change a live site, fix a request sent back for changes, confirm a
listing is still correct, and the state of every request.

Nothing a partner sends is public until a reviewer approves it (``web.review``).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_babel import gettext, lazy_gettext
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    FloatField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    URL,
    DataRequired,
    Length,
    NumberRange,
    Optional,
    StopValidation,
)
from wtforms.widgets import CheckboxInput, ListWidget

from locator import geodata, listings
from locator.errors import InvalidInput
from locator.listings import PARTNERSHIP_TYPES, RequestAction, RequestStatus, SiteRequest
from locator.sites import PROGRAMS, Kind, Site
from web.account import login_required, signed_in
from web.data import site_data
from web.db import get_store

bp = Blueprint("partner", __name__, url_prefix="/partner")

TEXT_MAX_CHARS = 500
EXTRA_ROLES = (Kind.ACCESS_SITE, Kind.DISSEMINATION_SITE, Kind.AFFILIATE_CENTER)
CHECK_RADIUS_MI = 1.0


class Checkboxes(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _text(label: Any, *, required: bool = False, max_chars: int = TEXT_MAX_CHARS) -> Any:
    first = DataRequired() if required else Optional()
    return StringField(label, validators=[first, Length(max=max_chars)])


def _number_typed(form: FlaskForm, field: FloatField) -> None:
    """Text that is no number gets its one message, what to type, not a range too."""
    if field.process_errors:
        raise StopValidation()


class _Contact(FlaskForm):
    phone = _text(lazy_gettext("Phone"))
    website = StringField(lazy_gettext("Website"),
                          validators=[Optional(), Length(max=TEXT_MAX_CHARS),
                                      URL(message=lazy_gettext(
                                          "Give the whole address, starting https://"))])
    hours = TextAreaField(lazy_gettext("Hours"),
                          validators=[Optional(), Length(max=TEXT_MAX_CHARS)])
    programs = Checkboxes(lazy_gettext("Programs and services"), validate_choice=True)
    partnership_types = Checkboxes(lazy_gettext("Partnership types"))
    contact = _text(lazy_gettext("Contact person for this listing"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.programs.choices = [(p.slug, gettext(p.label)) for p in PROGRAMS]
        self.partnership_types.choices = [(slug, gettext(label))
                                          for slug, label in PARTNERSHIP_TYPES.items()]


class ExtendForm(_Contact):
    roles = Checkboxes(lazy_gettext("Roles to add"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.roles.choices = [(k.value, gettext(k.label)) for k in EXTRA_ROLES]


class _Listing(_Contact):
    kind = SelectField(lazy_gettext("Kind of site"), validators=[DataRequired()])
    name = _text(lazy_gettext("Name of the site"), required=True)
    organization = _text(lazy_gettext("Organisation"), required=True)
    address = _text(lazy_gettext("Street address"), required=True)
    city = _text(lazy_gettext("City"), required=True)
    state = _text(lazy_gettext("State"), required=True, max_chars=2)
    zip = _text(lazy_gettext("ZIP code"), required=True, max_chars=10)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kind.choices = [(k.value, gettext(k.label)) for k in Kind]


class ChangeForm(_Listing):
    """New values for a live site, filled in with the listed ones."""

    roles = Checkboxes(lazy_gettext("Also serves as"))

    def __init__(self, *args: Any, listed_website: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.roles.choices = [(k.value, gettext(k.label)) for k in Kind]
        if (self.website.data or "").strip() == listed_website:
            # A website listed before this check (an import's "www.example.org") does not
            # stop a partner from changing the hours.
            self.website.validators = [v for v in self.website.validators
                                       if not isinstance(v, URL)]


class AddForm(_Listing):
    lat = FloatField(lazy_gettext("Latitude"), invalid_value_message=lazy_gettext(
        "Type the latitude in decimal degrees, such as 39.80012, or leave it empty."),
        validators=[Optional(), _number_typed, NumberRange(-90, 90, message=lazy_gettext(
            "The latitude is between -90 and 90 degrees."))])
    lon = FloatField(lazy_gettext("Longitude"), invalid_value_message=lazy_gettext(
        "Type the longitude in decimal degrees, such as -89.64971, or leave it empty."),
        validators=[Optional(), _number_typed, NumberRange(-180, 180, message=lazy_gettext(
            "The longitude is between -180 and 180 degrees."))])
    different_service = BooleanField(
        lazy_gettext("This is a different service at the same place"))


@bp.get("/")
@login_required
def requests():
    user = signed_in()
    found = get_store().site_requests(organization=user.organization)
    return render_template("partner/requests.html", requests=found)


@bp.get("/check")
@login_required
def check():
    """Is my site already listed? Listed sites near the place typed, similar names first."""
    text, name = request.args.get("q", "").strip(), request.args.get("name", "").strip()
    place, nearby, requested, asked_about, changeable = None, [], [], set(), set()
    if text:
        place = site_data().place(text)
        nearby = site_data().catalog().within(place.lat, place.lon, CHECK_RADIUS_MI)
        if name:
            nearby = listings.by_name_similarity(nearby, name)
        open_requests = get_store().site_requests(statuses=listings.OPEN_STATUSES)
        requested = listings.open_requests_near(open_requests, lat=place.lat, lon=place.lon,
                                                radius_mi=CHECK_RADIUS_MI, name=name)
        asked_about = {r.site_id for r in open_requests if r.site_id}
        claimed = listings.claimed_sites(get_store(), signed_in().organization)
        changeable = {n.site.id for n in nearby
                      if listings.may_change(get_store(), signed_in(), n.site, claimed)}
    return render_template("partner/check.html", q=text, name=name, place=place,
                           nearby=nearby, requested=requested, asked_about=asked_about,
                           changeable=changeable)


@bp.route("/sites/<site_id>/extend", methods=["GET", "POST"])
@login_required
def extend(site_id: str):
    site = site_data().catalog().get(site_id)
    form = ExtendForm()
    if not form.validate_on_submit():
        return render_template("partner/extend.html", site=site, form=form)
    fields = {"roles": form.roles.data, **_contact_fields(form)}
    filed = get_store().add_request(action=RequestAction.EXTEND, user=signed_in(),
                                    site_id=site.id, county_fips=site.county_fips,
                                    fields=fields)
    return redirect(url_for("partner.requests", filed=filed.id))


@bp.route("/add", methods=["GET", "POST"])
@login_required
def add():
    form = AddForm(data=request.args.to_dict() if request.method == "GET" else None)
    fields, page = _checked_add(form, None)
    if fields is None:
        return page
    filed = get_store().add_request(action=RequestAction.ADD, user=signed_in(),
                                    site_id=None, county_fips=fields.pop("county_fips"),
                                    fields=fields)
    return redirect(url_for("partner.requests", filed=filed.id))


@bp.route("/sites/<site_id>/change", methods=["GET", "POST"])
@login_required
def change(site_id: str):
    """Propose new values for a live site; it stays as listed until a reviewer approves."""
    site = site_data().catalog().get(site_id)
    if not listings.may_change(get_store(), signed_in(), site):
        abort(403)
    form = ChangeForm(data=_change_data(site, {}), listed_website=site.website)
    fields = _checked_change(form, site)
    if fields is None:
        return render_template("partner/change.html", site=site, form=form,
                               action_url=url_for("partner.change", site_id=site.id))
    filed = get_store().add_request(action=RequestAction.CHANGE, user=signed_in(),
                                    site_id=site.id, county_fips=site.county_fips,
                                    fields=fields)
    return redirect(url_for("partner.requests", filed=filed.id))


@bp.route("/requests/<int:request_id>/edit", methods=["GET", "POST"])
@login_required
def edit(request_id: int):
    """A request sent back for changes, with the reviewer's note: fix it and send it again."""
    found = get_store().site_request(request_id)
    if found is None:
        abort(404)
    if not listings.may_edit(signed_in(), found):
        abort(403)
    if found.status is not RequestStatus.CHANGES_REQUESTED:
        abort(409)
    action_url = url_for("partner.edit", request_id=found.id)
    page = {"action_url": action_url, "note": found.reason}
    fields: dict[str, Any] | None
    county = None
    if found.action is RequestAction.ADD:
        add_form = AddForm(data=_first_show(found.fields))
        fields, again = _checked_add(add_form, found, **page)
        if fields is None:
            return again
        county = fields.pop("county_fips")
    else:
        site = site_data().catalog().get(found.site_id or "")
        if found.action is RequestAction.EXTEND:
            extend_form = ExtendForm(data=_first_show(found.fields))
            if not extend_form.validate_on_submit():
                return render_template("partner/extend.html", site=site, form=extend_form,
                                       **page)
            fields = {"roles": extend_form.roles.data, **_contact_fields(extend_form)}
        else:
            change_form = ChangeForm(data=_change_data(site, found.fields),
                                     listed_website=site.website)
            fields = _checked_change(change_form, site)
            if fields is None:
                return render_template("partner/change.html", site=site, form=change_form,
                                       **page)
    listings.resubmit(get_store(), found, user=signed_in(), fields=fields,
                      county_fips=county)
    return redirect(url_for("partner.requests", filed=found.id))


@bp.post("/sites/<site_id>/confirm")
@login_required
def confirm(site_id: str):
    """Still correct: the last-verified date moves, nothing else."""
    site = site_data().catalog().get(site_id)
    user = signed_in()
    if not listings.may_change(get_store(), user, site):
        abort(403)
    listings.confirm_still_correct(get_store(), site, user=user, today=listings.today_iso())
    return redirect(url_for("public.site_detail", site_id=site.id))


def _checked_add(form: AddForm, editing: SiteRequest | None,
                 **page: Any) -> tuple[dict[str, Any] | None, Any]:
    """(fields, None) for a valid add request that repeats no listed site and no open
    request (unless it is a different service at the same place), its county under
    ``county_fips``; else (None, the page that says what to fix)."""
    def again(status: int = 200, duplicates: Any = (), requested: Any = ()) -> Any:
        return None, (render_template("partner/add.html", form=form,
                                      duplicates=list(duplicates), requested=list(requested),
                                      **page), status)

    if not form.validate_on_submit():
        return again()
    placed = _placed(form)
    if placed is None:
        return again(400)
    point, county_fips = placed
    duplicates = listings.likely_duplicates(
        site_data().catalog(), name=form.name.data, address=form.address.data,
        lat=point[0], lon=point[1])
    others = [r for r in get_store().site_requests(statuses=listings.OPEN_STATUSES)
              if editing is None or r.id != editing.id]
    requested = listings.likely_duplicate_requests(
        others, name=form.name.data, address=form.address.data, lat=point[0], lon=point[1])
    if (duplicates or requested) and not form.different_service.data:
        return again(409, duplicates, requested)
    return {"kind": form.kind.data, "lat": point[0], "lon": point[1],
            "different_service": bool(form.different_service.data),
            **{name: form[name].data.strip() for name in
               ("name", "organization", "address", "city", "state", "zip")},
            **_contact_fields(form),
            "county_fips": county_fips}, None


def _change_data(site: Site, proposed: dict[str, Any]) -> dict[str, Any] | None:
    """What the change form shows first: the listed values with any proposed over them."""
    return _first_show(listings.listed_values(site) | proposed)


def _first_show(values: dict[str, Any]) -> dict[str, Any] | None:
    """A form's values on its first showing; None when a submitted form brings its own."""
    return values if request.method == "GET" else None


def _checked_change(form: ChangeForm, site: Site) -> dict[str, Any] | None:
    """The fields a valid change form changes, or None with the reason on the form."""
    if not form.validate_on_submit():
        return None
    proposed = {"kind": form.kind.data, "roles": form.roles.data,
                **{name: form[name].data or "" for name in
                   ("name", "organization", "address", "city", "state", "zip")},
                **_contact_fields(form)}
    changed = listings.changed_values(site, proposed)
    if not changed:
        form.form_errors.append(gettext(
            "Nothing differs from the listing: change a field, or confirm that the listing "
            "is still correct."))
        return None
    return changed


def _placed(form: AddForm) -> tuple[tuple[float, float], str] | None:
    """The site's point and county: where the marker was put (or the coordinates typed),
    else where the address geocodes. None, with what to fix next to the field at fault,
    when only one coordinate is given or the point is in no US county."""
    lat, lon = form.lat.data, form.lon.data
    if (lat is None) != (lon is None):
        (form.lon if lon is None else form.lat).errors = [gettext(
            "Give both the latitude and the longitude, or leave both empty to place the "
            "site by its address.")]
        return None
    point = (lat, lon) if lat is not None and lon is not None else _geocoded(form)
    if point is None:
        return None
    county_fips = geodata.county_fips_near(*point)
    if county_fips is None:
        (form.lat if lat is not None else form.address).errors = [gettext(
            "This point is in no US county: put the marker on the site, or check the "
            "latitude and longitude (longitudes in the US are negative).")]
        return None
    return point, county_fips


def _geocoded(form: AddForm) -> tuple[float, float] | None:
    """Where the address geocodes; None with the reason next to the address field."""
    text = f"{form.address.data}, {form.city.data}, {form.state.data} {form.zip.data}"
    try:
        place = site_data().place(text)
    except InvalidInput:
        form.address.errors = [gettext(
            "This address could not be placed: put the marker on the map, or give the "
            "latitude and longitude.")]
        return None
    return place.lat, place.lon


def _contact_fields(form: _Contact) -> dict[str, Any]:
    return {"programs": form.programs.data, "partnership_types": form.partnership_types.data,
            **{name: (form[name].data or "").strip()
               for name in ("phone", "website", "hours", "contact")}}
