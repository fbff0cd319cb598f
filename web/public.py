"""The job seeker's pages: the search page (with or without JavaScript) and one page per site.

The search page works as a plain HTML form: the server renders the results. The page's
script enhances it by fetching only the results panel (``/search/results``, the same
template) and drawing the map, so there is one way results are rendered.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import get_day_names
from flask import Blueprint, Flask, current_app, render_template, request, url_for
from flask_babel import format_decimal, get_locale, gettext, lazy_gettext, ngettext
from werkzeug.datastructures import MultiDict

from locator.errors import Ambiguous, InvalidInput
from locator.hours import read_hours
from locator.mobile import NextVisit, next_visit, soonest_visit
from locator.open_at import WEEKDAYS, Moment, next_on_weekday
from locator.search import NearestAnswer, public_filter
from locator.sites import PROGRAMS, Kind, Site
from locator.snapshot import is_from_snapshot
from locator.sources import PLS_SOURCE
from locator.spatial import Nearby
from locator.timezones import site_zone, zone_name_at
from locator.week import DAYS_IN_WEEK, DayException, DayHours, days_ahead, exceptions_ahead
from web import opening, params, present
from web.coverage_data import coverage_data
from web.data import site_data
from web.events import EventAt, near_feed_url, now_utc, upcoming_at, upcoming_near
from web.i18n import error_text
from web.params import OpeningChoice

bp = Blueprint("public", __name__)

NEARBY_ON_DETAIL = 3
DISTANCE_CHOICES_MI = (5, 10, 25, 50, 100)
COUNT_CHOICES = (5, 10, 20, 50)
ANY_TIME = OpeningChoice()
DEFAULT_TIME = "10:00"  # the "open on ... at" time before one is chosen
VISITS_RANGE_SHOWN = timedelta(days=13)  # the map's date range at first: two weeks


@dataclass(frozen=True, slots=True)
class KindGroup:
    """A filter checkbox: what a job seeker calls a kind of place, and the kinds it covers."""

    label: str  # a lazy translation, in the page's language when shown
    kinds: tuple[Kind, ...]

    @property
    def value(self) -> str:
        return ",".join(k.value for k in self.kinds)


KIND_GROUPS = (
    KindGroup(lazy_gettext("Job centers"), (Kind.COMPREHENSIVE_CENTER, Kind.AFFILIATE_CENTER)),
    KindGroup(lazy_gettext("Access and information sites"),
              (Kind.ACCESS_SITE, Kind.DISSEMINATION_SITE)),
    KindGroup(lazy_gettext("Public libraries"), (Kind.LIBRARY,)),
    KindGroup(lazy_gettext("Bookmobiles"), (Kind.BOOKMOBILE,)),
    KindGroup(lazy_gettext("Mobile job centers"), (Kind.MOBILE_CENTER,)),
)


@dataclass(frozen=True, slots=True)
class SearchOutcome:
    """What the results panel shows: an answer, candidates to choose from, or a message."""

    answer: NearestAnswer | None = None
    events: tuple[EventAt, ...] = ()  # upcoming near the place searched from
    events_feed_url: str = ""
    next_visit: NextVisit | None = None  # the mobile stop among the results visited soonest
    visits: tuple[NextVisit | None, ...] = ()  # each result's next visit (mobile stops only)
    opening: OpeningChoice = ANY_TIME
    open_at: datetime | None = None  # the wall-clock moment of "open on ... at"
    candidates: tuple[Any, ...] = ()
    message: str = ""
    status: int = 200

    @property
    def announcement(self) -> str:
        """The sentence the live region reads out after a search."""
        if self.answer is not None:
            n = len(self.answer.results)
            return ngettext("%(count)s place found near %(label)s, nearest first.",
                            "%(count)s places found near %(label)s, nearest first.", n,
                            count=format_decimal(n), label=present.place_label(self.answer.query))
        if self.candidates:
            return gettext("%(message)s. Choose one of %(count)s places.",
                           message=self.message.rstrip("."),
                           count=format_decimal(len(self.candidates)))
        return self.message


def init_app(app: Flask) -> None:
    app.config.setdefault("NAV_LINKS", [("public.search", lazy_gettext("Find a place"))])
    app.jinja_env.globals.update(present.TEMPLATE_HELPERS)
    app.jinja_env.globals.update(opening.TEMPLATE_HELPERS)

    @app.context_processor
    def _navigation() -> dict[str, Any]:
        return {"nav_links": current_app.config["NAV_LINKS"]}


@bp.get("/")
def search():
    outcome = _search(request.args)
    return render_template("search.html", outcome=outcome, form=_form_state(request.args),
                           sites_loaded=_sites_loaded(), library_data=_library_data(),
                           **_choices()), outcome.status


@bp.get("/search/results")
def search_results():
    outcome = _search(request.args)
    return render_template("_results.html", outcome=outcome, form=_form_state(request.args),
                           sites_loaded=_sites_loaded()), outcome.status


@bp.get("/sites/<site_id>")
def site_detail(site_id: str):
    catalog = site_data().catalog()
    site = catalog.get(site_id, site_filter=public_filter())
    nearby = [n for n in catalog.nearest(site.lat, site.lon, k=NEARBY_ON_DETAIL + 1)
              if n.site.id != site.id][:NEARBY_ON_DETAIL]
    return render_template("site.html", site=site, nearby=nearby,
                           events=upcoming_at(site), **_site_days(site))


def _site_days(site: Site) -> dict[str, Any]:
    """The site's week ahead and its exceptions in the weeks after, from today in its zone;
    a mobile stop's next visit."""
    hours, now = read_hours(site.hours), now_utc()
    days: tuple[DayHours, ...] = ()
    exceptions: tuple[DayException, ...] = ()
    if hours.is_structured:
        zone_name = site_zone(site)
        today = now.astimezone(ZoneInfo(zone_name)).date()
        days = days_ahead(hours, zone_name, today, DAYS_IN_WEEK)
        exceptions = exceptions_ahead(hours, zone_name, today)
    return {"hours": hours, "days": days, "exceptions": exceptions,
            "visit": next_visit(site, now_utc=now)}


def _sites_loaded() -> bool:
    """Whether any place is loaded: with none, the page says how the operator loads them."""
    return len(site_data().catalog()) > 0


@dataclass(frozen=True, slots=True)
class LoadedVintage:
    """Which PLS vintage is loaded, and whether it is the bundled snapshot's."""

    vintage: str
    bundled_snapshot: bool


def _library_data() -> LoadedVintage | None:
    """The library data behind the answers, for the footer; None before any import."""
    pls = [r for r in coverage_data().imports() if r.source == PLS_SOURCE]
    return LoadedVintage(pls[-1].vintage, is_from_snapshot(pls[-1])) if pls else None


def _search(args: MultiDict[str, str]) -> SearchOutcome:
    try:
        query = params.nearest_query(args, require_place=False)
        if query.is_empty:
            return SearchOutcome()
        choice = params.opening_choice(args)
        place = query.point or site_data().place(query.text or "")
        moment = _moment(choice, place.lat, place.lon)
        answer = site_data().answer(replace(query, text=None, point=place), moment=moment,
                                    open_only=moment is not None)
        now = now_utc()
        return SearchOutcome(answer=answer,
                             events=tuple(upcoming_near(answer.query, query.within_mi)),
                             events_feed_url=near_feed_url(answer.query, query.within_mi),
                             next_visit=soonest_visit(answer.results, now_utc=now),
                             visits=tuple(_visit(n, now) for n in answer.results),
                             opening=choice, open_at=moment.wall if moment else None)
    except Ambiguous as error:
        return SearchOutcome(candidates=tuple(error.candidates), message=error_text(error),
                             status=400)
    except InvalidInput as error:
        return SearchOutcome(message=error_text(error), status=400)


def _moment(choice: OpeningChoice, lat: float, lon: float) -> Moment | None:
    """The moment the "when" filter asks about; "Tuesday at 10:00" is the next one where
    the person searches from, then read on each site's own clock."""
    if choice.when == "now":
        return Moment.now(now_utc())
    if choice.weekday is None or choice.clock is None:
        return None
    here = now_utc().astimezone(ZoneInfo(zone_name_at(lat, lon)))
    return Moment(wall=next_on_weekday(here, choice.weekday, choice.clock))


def _visit(nearby: Nearby, now: datetime) -> NextVisit | None:
    return next_visit(nearby.site, now_utc=now, distance_mi=nearby.distance_mi)


def _form_state(args: MultiDict[str, str]) -> dict[str, Any]:
    """The raw form values, to fill the form in again and to build candidate links."""
    kept: dict[str, Any] = {key: values for key, values in args.lists()
                            if key not in ("q", "lat", "lon")}
    return {
        "q": args.get("q", ""),
        "kinds": args.getlist("kind"),
        "program": args.get("program", ""),
        "within_mi": args.get("within_mi", ""),
        "k": args.get("k", ""),
        "when": args.get("when", ""),
        "day": args.get("day", "") or WEEKDAYS[now_utc().weekday()],
        "time": args.get("time", "") or DEFAULT_TIME,
        "filters_set": filters_set(args),
        "choose_url": lambda label: url_for("public.search", q=label, **kept),
    }


def filters_set(args: MultiDict[str, str]) -> int:
    """How many filters narrow the search: each kind ticked, a program, a distance, when."""
    kinds = [value for value in args.getlist("kind") if value]
    return (len(kinds) + bool(args.get("program")) + bool(args.get("within_mi"))
            + bool(args.get("when")))


def _choices() -> dict[str, Any]:
    names = get_day_names("wide", locale=get_locale())
    today = now_utc().date()
    return {"kind_groups": KIND_GROUPS, "programs": PROGRAMS,
            "distance_choices": DISTANCE_CHOICES_MI, "count_choices": COUNT_CHOICES,
            "weekdays": [(code, names[i]) for i, code in enumerate(WEEKDAYS)],
            "visits_from": today.isoformat(),
            "visits_to": (today + VISITS_RANGE_SHOWN).isoformat()}
