"""Reading a user's regions file: what it accepts and the errors that say what to fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from locator.errors import InvalidInput
from locator.regions import parse_regions, read_regions

KNOWN = {"01001", "17001", "17003", "17005"}


def test_regions_map_counties_to_names_and_ignore_other_columns() -> None:
    regions = parse_regions("Region,notes,County_FIPS\nWest,x,17001\nWest,,17003\nEast,,17005\n",
                            known_counties=KNOWN)
    assert regions.by_county == {"17001": "West", "17003": "West", "17005": "East"}
    assert regions.names == ("East", "West")
    assert regions.region_of("17005") == "East" and regions.region_of("17007") is None


def test_four_digit_fips_get_back_the_leading_zero_a_spreadsheet_dropped() -> None:
    assert parse_regions("fips,region\n1001,South\n", known_counties=KNOWN).by_county == {
        "01001": "South"}


def test_missing_column_is_named() -> None:
    with pytest.raises(InvalidInput, match=r"no region column.*found: county_fips, area"):
        parse_regions("county_fips,area\n17001,West\n", known_counties=KNOWN)
    with pytest.raises(InvalidInput, match="no county_fips column"):
        parse_regions("county,region\nCook,West\n", known_counties=KNOWN)


def test_every_bad_row_is_reported_with_its_number() -> None:
    text = ("county_fips,region\n17001,West\n17999,West\n17001,East\nabc,East\n17003,\n")
    with pytest.raises(InvalidInput) as error:
        parse_regions(text, known_counties=KNOWN, source="lwia.csv")
    message = str(error.value)
    assert message.startswith("regions file lwia.csv: ")
    assert "row 3: unknown county FIPS 17999" in message
    assert "row 4: county 17001 is listed twice (first on row 2)" in message
    assert "row 5: county FIPS 'abc' is not a 5-digit code" in message
    assert "row 6: county 17003 has no region name" in message
    assert error.value.parameter == "regions"


def test_long_lists_of_problems_are_cut_short() -> None:
    text = "county_fips,region\n" + "".join(f"99{i:03d},X\n" for i in range(12))
    with pytest.raises(InvalidInput, match=r"and 7 more$"):
        parse_regions(text, known_counties=KNOWN)


@pytest.mark.parametrize("text", ["", "county_fips,region\n", "county_fips,region\n,,\n"])
def test_empty_files_are_refused(text: str) -> None:
    with pytest.raises(InvalidInput, match=r"empty|maps no county"):
        parse_regions(text, known_counties=KNOWN)


def test_read_regions_names_a_missing_or_unreadable_file(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="does not exist"):
        read_regions(tmp_path / "nope.csv", known_counties=KNOWN)
    binary = tmp_path / "regions.csv"
    binary.write_bytes(b"county_fips,region\n17001,\xff\xfe\n")
    with pytest.raises(InvalidInput, match="not UTF-8"):
        read_regions(binary, known_counties=KNOWN)
    good = tmp_path / "good.csv"
    good.write_text("\ufeffcounty_fips,region\n17001,West\n", encoding="utf-8")
    assert read_regions(good, known_counties=KNOWN).source == str(good)
