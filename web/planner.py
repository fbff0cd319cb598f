"""The planner's pages and the coverage API: choropleth, table, what-if, report and exports.

Every figure comes from ``locator.coverage``, ``locator.whatif`` and ``locator.export``;
the views parse the request, ask them, and render. ``GET /api/coverage`` mirrors
``locator coverage`` (same parameters, same JSON rows, same CSV/GeoJSON/GeoPackage files).
The page works as plain HTML forms (table, what-if from typed coordinates, report, exports);
its script adds the map, table sorting and what-if by clicking the map, fetching the same
server-rendered what-if panel.

Reporting by user-defined region is command-line only (``locator coverage --by region
--regions FILE``): the web takes no uploaded files.
"""

from __future__ import annotations

import gzip
import io
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
from babel.dates import get_day_names
from babel.lists import format_list
from flask import Blueprint, Response, jsonify, render_template, request
from flask_babel import format_decimal, get_locale, gettext, lazy_gettext, ngettext
from werkzeug.datastructures import MultiDict

from locator import geodata, listings
from locator.coverage import (
    DEFAULT_MAX_UNCOVERED_SHARE,
    METHOD,
    CoverageQuery,
    CoverageReport,
    CoverageRow,
    CoverageStudy,
    GapRule,
    Geography,
    Threshold,
    counts_as_site,
    parse_thresholds,
)
from locator.errors import InvalidInput, LocatorError, NotFound
from locator.export import gpkg_bytes, report_geojson, write_csv
from locator.mobile import WEEKDAY_CODES, parse_weekday
from locator.sites import PROGRAMS, Kind, Site, SiteFilter
from locator.snapshot import is_from_snapshot
from locator.whatif import ProposedSite, WhatIfResult, parse_proposed_site, what_if
from web import openapi, params, planner_openapi
from web.charts import band_edges_mi, distance_chart
from web.coverage_data import CoverageData, coverage_data
from web.data import site_data, stale_after_days
from web.i18n import error_text, percent_text

bp = Blueprint("planner", __name__)

DEFAULT_WITHIN = ("5", "10")
WEB_GEOGRAPHIES = (Geography.TOTAL, Geography.STATE, Geography.COUNTY)
GAP_SHARE_CHOICES = (0.1, 0.25, 0.5, 0.75)
# Stale sites the page lists by name; the map and the sites API mark every one.
STALE_LISTED = 100
MIN_COMPRESSED_BYTES = 1024
# format -> (MIME type, file extension); JSON is answered inline, the rest as downloads.
EXPORTS = {
    "json": ("application/json", "json"),
    "csv": ("text/csv", "csv"),
    "geojson": ("application/geo+json", "geojson"),
    "gpkg": ("application/geopackage+sqlite3", "gpkg"),
}


@bp.record_once
def _register(state: Any) -> None:
    app = state.app
    app.extensions["coverage"] = CoverageData()
    openapi.add_paths(app, planner_openapi.paths(), planner_openapi.schemas())
    links = app.config.get("NAV_LINKS", [])
    if not any(endpoint == "planner.page" for endpoint, _ in links):
        app.config["NAV_LINKS"] = [*links, ("planner.page", lazy_gettext("Coverage planner"))]


# -- request parameters, shared by pages and API --------------------------------------------

def study_query(args: MultiDict[str, str], *, read_by: bool = True) -> CoverageQuery:
    """Which residents (state), which sites (kind, program) and which areas (by)."""
    state_fips = _states(args)
    site_filter = params.site_filter(args)
    geography = _geography(args) if read_by else Geography.COUNTY
    weekday = args.get("weekday", "").strip()
    return CoverageQuery(site_filter=site_filter, state_fips=state_fips, geography=geography,
                         mobile_stops=_mobile_stops(args),
                         weekday=parse_weekday(weekday) if weekday else None)


def _mobile_stops(args: MultiDict[str, str]) -> bool:
    return params.boolean(args, "mobile_stops") if args.get("mobile_stops", "").strip() \
        else True


def _states(args: MultiDict[str, str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(geodata.state(name).fips for name in params.listed(args, "state")))


def _geography(args: MultiDict[str, str]) -> Geography:
    if args.get("by", "").strip().lower() == Geography.REGION.value:
        raise InvalidInput("by=region needs a regions file, which only the command line takes: "
                           "locator coverage --by region --regions FILE", code="region_on_web",
                           parameter="by")
    return Geography(_choice(args, "by", [g.value for g in WEB_GEOGRAPHIES],
                             Geography.COUNTY.value))


def thresholds(args: MultiDict[str, str], *, default: Sequence[str] | None = None
               ) -> tuple[Threshold, ...]:
    """``within`` values, repeated and/or separated by commas or spaces, labels as typed."""
    values = [part for value in args.getlist("within") for part in re.split(r"[\s,]+", value)
              if part]
    if not values:
        if default is None:
            raise InvalidInput("within is required: one or more distances in straight-line "
                               "miles, e.g. within=5&within=10 or within=5,10",
                               code="required", parameter="within")
        values = list(default)
    return parse_thresholds(values)


def gap_rule(args: MultiDict[str, str]) -> GapRule:
    if not args.get("max_uncovered_share", "").strip():
        return GapRule()
    return GapRule(params.number(args, "max_uncovered_share", low=0, high=1))


def _choice(args: MultiDict[str, str], name: str, choices: Sequence[str], default: str) -> str:
    value = args.get(name, "").strip().lower() or default
    if value not in choices:
        raise InvalidInput("%(name)s must be one of %(choices)s, got '%(value)s'",
                           code="not_a_choice", parameter=name, name=name,
                           choices=", ".join(choices), value=value)
    return value


def added_sites(args: MultiDict[str, str]) -> tuple[ProposedSite, ...]:
    return tuple(parse_proposed_site(value) for value in args.getlist("add") if value.strip())


def removed_sites(args: MultiDict[str, str], site_filter: SiteFilter) -> tuple[str, ...]:
    """Ids of counted sites to close; an unknown or uncounted id is the asker's to fix."""
    ids = tuple(dict.fromkeys(params.listed(args, "remove")))
    catalog = site_data().catalog()
    for site_id in ids:
        try:
            site = catalog.get(site_id)
        except NotFound:
            raise InvalidInput("remove: no public site has id '%(id)s'", code="unknown_site",
                               parameter="remove", id=site_id) from None
        if not counts_as_site(site, site_filter):
            raise InvalidInput("remove: site '%(id)s' is not counted (its kind or program "
                               "is filtered out, or it is temporarily closed)",
                               code="site_not_counted", parameter="remove", id=site_id)
    return ids


def canonical_args(query: CoverageQuery, within: Sequence[Threshold], rule: GapRule
                   ) -> dict[str, Any]:
    """The parsed question as query-string arguments, for links to exports and pages."""
    args: dict[str, Any] = {
        "state": [geodata.state(fips).abbr for fips in query.state_fips],
        "kind": sorted(k.value for k in query.site_filter.kinds or ()),
        "within": ",".join(t.label for t in within),
    }
    if query.site_filter.program:
        args["program"] = query.site_filter.program
    if not query.mobile_stops:
        args["mobile_stops"] = "false"
    if query.weekday is not None:
        args["weekday"] = WEEKDAY_CODES[query.weekday]
    if rule.max_uncovered_share != DEFAULT_MAX_UNCOVERED_SHARE:
        args["max_uncovered_share"] = f"{rule.max_uncovered_share:g}"
    return args


# -- the JSON API -----------------------------------------------------------------------------

@bp.get("/api/coverage")
def coverage():
    query = study_query(request.args)
    rule = gap_rule(request.args)
    export = _choice(request.args, "format", tuple(EXPORTS), "json")
    within = thresholds(request.args)
    report = coverage_data().study(query).report(within, rule)
    if export == "json":
        return _compressed(jsonify(report.to_json()))
    return _download(report, export)


@bp.get("/api/coverage/whatif")
def coverage_whatif():
    query = study_query(request.args)
    added = added_sites(request.args)
    removed = removed_sites(request.args, query.site_filter)
    within = thresholds(request.args)
    _require_change(added, removed)
    result = what_if(coverage_data().study(query), within, add=added, remove=removed)
    return _compressed(jsonify(result.to_json()))


@bp.get("/api/coverage/sites")
def coverage_sites():
    study = coverage_data().study(study_query(request.args, read_by=False))
    sites = serving_sites(study)
    stale = {site.id for site in stale_serving_sites(sites)}
    features = [{"type": "Feature", "id": site.id,
                 "geometry": {"type": "Point", "coordinates": [site.lon, site.lat]},
                 "properties": {"id": site.id, "name": site.display_name, "kind": site.kind.value,
                                "last_verified": site.last_verified or None,
                                "stale": site.id in stale}}
                for site in sites]
    response = jsonify({"type": "FeatureCollection", "features": features,
                        "stale_after_days": stale_after_days(), "stale_sites": len(stale)})
    response.mimetype = "application/geo+json"
    return _compressed(response)


def serving_sites(study: CoverageStudy) -> list[Site]:
    """Counted sites inside the study's states, and those beyond that are some counted
    resident's nearest site."""
    inside = np.flatnonzero(study.areas.site_in_study)
    nearest = study.nearest[study.nearest >= 0]
    return [study.index.sites[i] for i in np.union1d(inside, nearest).tolist()]


def stale_serving_sites(sites: Sequence[Site]) -> list[Site]:
    """The sites last verified longer ago than the stale setting (or never), oldest first."""
    return listings.stale_sites(sites, today=date.fromisoformat(listings.today_iso()),
                                after_days=stale_after_days())


def _require_change(added: Sequence[ProposedSite], removed: Sequence[str]) -> None:
    if not added and not removed:
        raise InvalidInput("say what changes: add=LAT,LON for a new site and/or remove=SITE_ID "
                           "for one that closes", code="no_change", parameter="add")


def _download(report: CoverageReport, export: str) -> Response:
    mimetype, extension = EXPORTS[export]
    if export == "csv":
        text = io.StringIO()
        write_csv(report, text)
        body: bytes = text.getvalue().encode("utf-8")
    elif export == "geojson":
        body = json.dumps(report_geojson(report), ensure_ascii=False,
                          separators=(",", ":")).encode("utf-8")
    else:
        body = gpkg_bytes(report)
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = \
        f'attachment; filename="{_file_stem(report)}.{extension}"'
    return _compressed(response)


def _file_stem(report: CoverageReport) -> str:
    states = "-".join(geodata.state(fips).abbr.lower() for fips in report.query.state_fips)
    return f"coverage-{states or 'us'}-{report.query.geography.value}"


def _compressed(response: Response) -> Response:
    """Gzip a generated answer when the client accepts it: a state's county outlines and
    figures shrink about five-fold."""
    response.vary.add("Accept-Encoding")
    body = response.get_data()
    if "gzip" in request.headers.get("Accept-Encoding", "") and \
            len(body) >= MIN_COMPRESSED_BYTES:
        response.set_data(gzip.compress(body, compresslevel=6, mtime=0))
        response.headers["Content-Encoding"] = "gzip"
    return response


# -- pages ------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Metric:
    """A figure the map can colour counties by; ``key`` is a field of the coverage row JSON."""

    key: str
    label: str
    unit: str  # "share", "miles", "residents" or "rate"
    more_is_better: bool


def map_metrics(within: Sequence[Threshold]) -> tuple[Metric, ...]:
    largest = max(within, key=lambda t: t.miles)
    return (
        *(Metric(t.share_key, gettext("Share of residents within %(miles)s mi", miles=t.label),
                 "share", True) for t in within),
        Metric("mean_distance_mi", gettext("Mean distance to the nearest site"), "miles", False),
        Metric("median_distance_mi", gettext("Median distance to the nearest site"), "miles",
               False),
        Metric("population_beyond_largest_threshold",
               gettext("Residents more than %(miles)s mi from a site", miles=largest.label),
               "residents", False),
        Metric("sites_per_10k", gettext("Sites per %(count)s residents",
                                        count=format_decimal(10_000)), "rate", True),
    )


@dataclass(frozen=True, slots=True)
class Column:
    """A column of the coverage table: a field of the row JSON and how to show it."""

    key: str
    label: str
    unit: str  # as ``Metric.unit``, or "count" for plain whole numbers


def table_columns(within: Sequence[Threshold]) -> tuple[Column, ...]:
    largest = max(within, key=lambda t: t.miles)
    return (
        Column("population", gettext("Residents"), "count"),
        Column("sites", gettext("Sites"), "count"),
        Column("sites_per_10k", gettext("Sites per 10k residents"), "rate"),
        Column("mean_distance_mi", gettext("Mean distance (mi)"), "miles"),
        Column("median_distance_mi", gettext("Median distance (mi)"), "miles"),
        *(Column(t.share_key, gettext("Within %(miles)s mi", miles=t.label), "share")
          for t in within),
        Column("population_beyond_largest_threshold",
               gettext("Beyond %(miles)s mi", miles=largest.label), "count"),
    )


def figure(value: object, unit: str) -> str:
    """A figure as the tables show it, in the page's locale (1,234.5 or 1234,5); a missing
    one (no residents, no site) as n/a."""
    if value is None:
        return gettext("n/a")
    number = float(value)  # type: ignore[arg-type]
    if unit == "share":
        return percent_text(number, "0")
    if unit == "percent":
        return percent_text(number, "#")
    return format_decimal(number, _FIGURE_FORMATS.get(unit, "#,##0"))


# CLDR number patterns: the locale supplies the separators.
_FIGURE_FORMATS = {"miles": "#,##0.00", "rate": "0.00", "change": "+#,##0.000;-#,##0.000"}


# "Covered on Tuesdays only": the days as a person names days that recur.
WEEKDAY_PLURALS = (lazy_gettext("Mondays"), lazy_gettext("Tuesdays"),
                   lazy_gettext("Wednesdays"), lazy_gettext("Thursdays"),
                   lazy_gettext("Fridays"), lazy_gettext("Saturdays"), lazy_gettext("Sundays"))


def days_note(row: CoverageRow) -> str:
    """"Covered on Tuesdays and Thursdays only" for an area only mobile stops cover, on the
    days they visit; "" for the others."""
    if not row.covered_only_on:
        return ""
    days = format_list([str(WEEKDAY_PLURALS[day]) for day in row.covered_only_on],
                       locale=str(get_locale()))
    return gettext("Covered on %(days)s only", days=days)


def weekday_choices() -> list[tuple[str, str]]:
    """(opening_hours code, the day's name in the page's language), Monday first."""
    names = get_day_names("wide", locale=str(get_locale()))
    return [(code, names[day]) for day, code in enumerate(WEEKDAY_CODES)]


@bp.context_processor
def _helpers() -> dict[str, Any]:
    return {"figure": figure, "days_note": days_note}


_POPULATION_LEVELS = {"tract": lazy_gettext("tract"), "county": lazy_gettext("county")}


@dataclass(frozen=True, slots=True)
class PlannerView:
    """Everything the planner page and the report show for one question."""

    query: CoverageQuery
    within: tuple[Threshold, ...]
    rule: GapRule
    study: CoverageStudy
    report: CoverageReport
    whatif: WhatIfResult | None
    # The sites on the map last verified longer ago than ``stale_after_days``, oldest first.
    stale_sites: tuple[Site, ...] = ()
    stale_after_days: int = listings.STALE_AFTER_DAYS

    @property
    def args(self) -> dict[str, Any]:
        return canonical_args(self.query, self.within, self.rule)

    @property
    def state_names(self) -> str:
        return ", ".join(geodata.state(fips).name for fips in self.query.state_fips) or \
            gettext("United States")

    @property
    def level_text(self) -> str:
        """What one center of population stands for: a tract or a county."""
        return str(_POPULATION_LEVELS.get(self.report.population_level,
                                          self.report.population_level))

    @property
    def largest(self) -> Threshold:
        return max(self.within, key=lambda t: t.miles)

    @property
    def whatif_sentence(self) -> str:
        """The what-if's headline, for the live region that announces it."""
        if self.whatif is None:
            return ""
        total, added = self.whatif.total, len(self.whatif.added)
        gains = "; ".join(
            ngettext("%(count)s more resident within %(miles)s mi",
                     "%(count)s more residents within %(miles)s mi", gained,
                     count=figure(gained, "count"), miles=t.label)
            for t, gained in zip(self.whatif.thresholds, total.newly_covered, strict=True))
        change = total.mean_distance_change_mi
        mean = "" if change is None else gettext("; mean distance %(change)s mi",
                                                 change=figure(change, "change"))
        return ngettext("With %(count)s new site: %(gains)s%(mean)s.",
                        "With %(count)s new sites: %(gains)s%(mean)s.", added,
                        count=format_decimal(added), gains=gains, mean=mean)

    @property
    def columns(self) -> tuple[Column, ...]:
        return table_columns(self.within)

    @property
    def days_noted(self) -> bool:
        """Whether some area is covered on some days only (the table then says which)."""
        return any(row.covered_only_on for row in self.report.rows)

    @property
    def metrics(self) -> tuple[Metric, ...]:
        return map_metrics(self.within)

    @property
    def kinds_text(self) -> str:
        kinds = self.query.site_filter.kinds
        return ", ".join(gettext(k.label) for k in Kind if k in kinds) if kinds else \
            gettext("every kind of site")

    @property
    def program_label(self) -> str | None:
        program = self.query.site_filter.program
        return next((gettext(p.label) for p in PROGRAMS if p.slug == program), program)


def planner_view(args: MultiDict[str, str], *, with_whatif: bool) -> PlannerView:
    query = study_query(args, read_by=False)
    rule = gap_rule(args)
    added = added_sites(args) if with_whatif else ()
    within = thresholds(args, default=DEFAULT_WITHIN)
    study = coverage_data().study(query)
    return PlannerView(query=query, within=within, rule=rule, study=study,
                       report=study.report(within, rule),
                       whatif=what_if(study, within, add=added) if added else None,
                       stale_sites=tuple(stale_serving_sites(serving_sites(study))),
                       stale_after_days=stale_after_days())


@bp.get("/planner")
def page():
    form = _form_state(request.args)
    view, message, status = None, "", 200
    if form["states"]:
        try:
            chosen = planner_view(request.args, with_whatif=True)
            form["metric"] = _metric(request.args, chosen.metrics)
            form["states"] = chosen.args["state"]
            view = chosen
        except LocatorError as error:
            message, status = error_text(error), 404 if isinstance(error, NotFound) else 400
    return render_template("planner/page.html", view=view, form=form, message=message,
                           states=geodata.states(), kinds=list(Kind), programs=PROGRAMS,
                           gap_shares=GAP_SHARE_CHOICES, stale_listed=STALE_LISTED,
                           weekdays=weekday_choices()), status


@bp.get("/planner/whatif")
def whatif_panel():
    """The what-if panel alone, for the page's script after a click on the map."""
    try:
        view = planner_view(request.args, with_whatif=True)
        _require_change(view.whatif.added if view.whatif else (), ())
    except LocatorError as error:
        return render_template("planner/_whatif.html", view=None,
                               message=error_text(error)), 400
    return render_template("planner/_whatif.html", view=view, message="")


@bp.get("/planner/report")
def report_page():
    try:
        view = planner_view(request.args, with_whatif=False)
    except LocatorError as error:
        status = 404 if isinstance(error, NotFound) else 400
        return render_template("error.html", title=gettext("No report for that question"),
                               detail=error_text(error)), status
    distribution = view.study.distance_distribution(band_edges_mi(view.within))
    chart = distance_chart(distribution, view.within)
    imports = _latest_imports(coverage_data())
    return render_template("planner/report.html", view=view, chart=chart, method=METHOD,
                           imports=imports,
                           snapshot_sources={r.source for r in imports if is_from_snapshot(r)})


def _metric(args: MultiDict[str, str], metrics: Sequence[Metric]) -> str:
    keys = [m.key for m in metrics]
    return _choice(args, "metric", keys, keys[0]) if args.get("metric") else keys[0]


def _form_state(args: MultiDict[str, str]) -> dict[str, Any]:
    """The raw form values, to fill the form in again."""
    return {
        "states": [state.upper() for state in params.listed(args, "state")],
        "kinds": params.listed(args, "kind"),
        "program": args.get("program", ""),
        "within": " ".join(args.getlist("within")) or ", ".join(DEFAULT_WITHIN),
        "max_uncovered_share": args.get("max_uncovered_share", ""),
        "metric": args.get("metric", ""),
        "add": [value for value in args.getlist("add") if value.strip()],
        "mobile_stops": args.get("mobile_stops", "").strip().lower() or "true",
        "weekday": args.get("weekday", "").strip().title()[:2],
    }


def _latest_imports(data: CoverageData) -> list[Any]:
    """The newest import of each source: the vintages behind the report."""
    latest = {record.source: record for record in data.imports()}
    return sorted(latest.values(), key=lambda record: record.source)
