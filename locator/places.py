"""A resolved place: what the geocoder answers and every search starts from."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Precision(StrEnum):
    POINT = "point"
    ZIP = "zip"
    CITY = "city"
    COUNTY = "county"


@dataclass(frozen=True, slots=True)
class Place:
    """A point to search from, how precisely it is known, and how to show it to a person."""

    label: str
    lat: float
    lon: float
    precision: Precision
    state: str = ""  # USPS abbreviation, when known
    county_fips: str = ""
    # For a street address: how it was located ("address located by ZIP code"), the English
    # note that ends the label in brackets, so the edge can word it in another language.
    note: str = ""

    def to_json(self) -> dict[str, object]:
        return {"label": self.label, "lat": self.lat, "lon": self.lon,
                "precision": self.precision.value}
