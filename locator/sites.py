"""Access points: the kinds of site, the programs they offer, and the ``Site`` record."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum

from locator.display import display_text
from locator.errors import N_, InvalidInput


class Kind(StrEnum):
    COMPREHENSIVE_CENTER = "comprehensive_center"
    AFFILIATE_CENTER = "affiliate_center"
    ACCESS_SITE = "access_site"
    DISSEMINATION_SITE = "dissemination_site"
    LIBRARY = "library"
    BOOKMOBILE = "bookmobile"
    MOBILE_CENTER = "mobile_center"

    @property
    def label(self) -> str:
        return KIND_LABELS[self]


KIND_LABELS: dict[Kind, str] = {
    Kind.COMPREHENSIVE_CENTER: N_("Job center (comprehensive AJC)"),
    Kind.AFFILIATE_CENTER: N_("Job center (affiliate)"),
    Kind.ACCESS_SITE: N_("Access site"),
    Kind.DISSEMINATION_SITE: N_("Dissemination site"),
    Kind.LIBRARY: N_("Public library"),
    Kind.BOOKMOBILE: N_("Bookmobile"),
    Kind.MOBILE_CENTER: N_("Mobile workforce center"),
}


class Status(StrEnum):
    APPROVED = "approved"
    PENDING = "pending"
    RETIRED = "retired"


class CountySource(StrEnum):
    """Where a site's county FIPS came from, in the order an importer tries them: codes the
    source file states, the county part of a census tract code, the county name matched
    within the site's state, or our own point-in-polygon on the shipped outlines."""

    SOURCE = "source"
    CENSUS_TRACT = "census_tract"
    COUNTY_NAME = "county_name"
    POINT_IN_POLYGON = "point_in_polygon"
    UNKNOWN = ""


@dataclass(frozen=True, slots=True)
class Program:
    slug: str
    label: str
    group: str  # "wioa_core", "required_partner" or "library_service"


PROGRAMS: tuple[Program, ...] = (
    Program("title_i_adult", N_("WIOA Title I Adult"), "wioa_core"),
    Program("title_i_dislocated_worker", N_("WIOA Title I Dislocated Worker"), "wioa_core"),
    Program("title_i_youth", N_("WIOA Title I Youth"), "wioa_core"),
    Program("title_ii_adult_education", N_("Title II Adult Education and Literacy"), "wioa_core"),
    Program("title_iii_wagner_peyser", N_("Title III Wagner-Peyser Employment Service"),
            "wioa_core"),
    Program("title_iv_vocational_rehabilitation", N_("Title IV Vocational Rehabilitation"),
            "wioa_core"),
    Program("perkins_cte", N_("Career and Technical Education (Perkins)"), "required_partner"),
    Program("csbg", N_("Community Services Block Grant"), "required_partner"),
    Program("indian_native_american", N_("Indian and Native American Programs"),
            "required_partner"),
    Program("hud_employment_training", N_("HUD Employment and Training"), "required_partner"),
    Program("job_corps", N_("Job Corps"), "required_partner"),
    Program("jobs_for_veterans", N_("Jobs for Veterans State Grants (LVER/DVOP)"),
            "required_partner"),
    Program("farmworker_jobs", N_("National Farmworker Jobs Program"), "required_partner"),
    Program("senior_community_service", N_("Senior Community Service Employment Program"),
            "required_partner"),
    Program("tanf", N_("Temporary Assistance for Needy Families (TANF)"), "required_partner"),
    Program("trade_adjustment_assistance", N_("Trade Adjustment Assistance"), "required_partner"),
    Program("unemployment_compensation", N_("Unemployment Compensation"), "required_partner"),
    Program("youthbuild", N_("YouthBuild"), "required_partner"),
    Program("public_computers", N_("Public computers"), "library_service"),
    Program("wifi", N_("Wi-Fi"), "library_service"),
    Program("resume_help", N_("Résumé help"), "library_service"),
    Program("job_search_workshops", N_("Job-search workshops"), "library_service"),
    Program("job_fairs", N_("Job fairs"), "library_service"),
    Program("small_business_help", N_("Small-business help"), "library_service"),
)
PROGRAMS_BY_SLUG: dict[str, Program] = {p.slug: p for p in PROGRAMS}


def _fold(text: str) -> str:
    return " ".join(text.lower().replace("-", " ").replace("_", " ").split())


_PROGRAM_LOOKUP: dict[str, str] = {}
for _p in PROGRAMS:
    _PROGRAM_LOOKUP[_fold(_p.slug)] = _p.slug
    _PROGRAM_LOOKUP[_fold(_p.label)] = _p.slug


def parse_program(text: str) -> str:
    """Return the slug for a program given by slug or label (any case)."""
    slug = _PROGRAM_LOOKUP.get(_fold(text))
    if slug is None:
        raise InvalidInput(
            "unknown program '%(value)s'; expected one of: %(choices)s", code="unknown_program",
            parameter="program", value=text, choices=", ".join(PROGRAMS_BY_SLUG),
        )
    return slug


def parse_kind(text: str) -> Kind:
    try:
        return Kind(text.strip().lower().replace("-", "_").replace(" ", "_"))
    except ValueError:
        raise InvalidInput(
            "unknown kind '%(value)s'; expected one of: %(choices)s", code="unknown_kind",
            parameter="kind", value=text, choices=", ".join(k.value for k in Kind),
        ) from None


def parse_kinds(texts: Iterable[str]) -> frozenset[Kind]:
    """Parse kinds given as separate values and/or comma-separated lists."""
    kinds = [parse_kind(part) for text in texts for part in text.split(",") if part.strip()]
    return frozenset(kinds)


@dataclass(frozen=True, slots=True)
class Site:
    """One access point. ``lat``/``lon`` are WGS84 decimal degrees."""

    id: str
    name: str
    kind: Kind
    lat: float
    lon: float
    organization: str = ""
    address: str = ""
    city: str = ""
    state: str = ""
    zip: str = ""
    county_fips: str = ""
    county_source: CountySource = CountySource.UNKNOWN
    phone: str = ""
    website: str = ""
    hours: str = ""
    programs: frozenset[str] = field(default_factory=frozenset)
    status: Status = Status.APPROVED
    temporarily_closed: bool = False
    source: str = ""
    source_id: str = ""
    vintage: str = ""
    last_verified: str = ""  # ISO date, or "" when never verified
    # Kinds the place also serves as (a library that is an access site too): one place,
    # found by a search for any of its kinds.
    roles: frozenset[Kind] = field(default_factory=frozenset)
    # From partners' approved requests: slugs of ``listings.PARTNERSHIP_TYPES``, and who to
    # ask about the listing.
    partnership_types: frozenset[str] = field(default_factory=frozenset)
    contact: str = ""
    # The IANA zone its hours are read in. The store derives it from the point whenever it
    # writes the site, so a site read back always carries the zone of where it stands;
    # "" on a site not stored yet (``locator.timezones.site_zone`` derives it then).
    timezone: str = ""

    def replace(self, **changes: object) -> Site:
        return dataclasses.replace(self, **changes)  # type: ignore[arg-type]

    @property
    def kinds(self) -> frozenset[Kind]:
        """Its kind and every extra role."""
        return self.roles | {self.kind}

    # What people read: the survey's upper-case text recased (``locator.display``); the
    # fields themselves keep the source text.
    @property
    def display_name(self) -> str:
        return display_text(self.name)

    @property
    def display_address(self) -> str:
        return display_text(self.address)

    @property
    def display_city(self) -> str:
        return display_text(self.city)

    @property
    def display_organization(self) -> str:
        return display_text(self.organization)

@dataclass(frozen=True, slots=True)
class SiteFilter:
    """Which sites a query may return. The default is what the public sees."""

    kinds: frozenset[Kind] | None = None
    program: str | None = None
    statuses: frozenset[Status] = frozenset({Status.APPROVED})

    def accepts(self, site: Site) -> bool:
        return (
            site.status in self.statuses
            and (self.kinds is None or site.kind in self.kinds
                 or not self.kinds.isdisjoint(site.roles))
            and (self.program is None or self.program in site.programs)
        )


PUBLIC = SiteFilter()
"""Every approved site: what a member of the public may see."""
