"""The offline geocoder: every input form, ambiguity, errors, and suggestions.

Exact answers (means, ordering, inactive codes) come from a tiny hand-made ZIP table;
realism from the ``zipcodes`` package the default geocoder reads, checked against the
package queried directly.
"""

from __future__ import annotations

import re

import pytest
import zipcodes

from locator import geodata
from locator.errors import Ambiguous, InvalidInput, NotFound
from locator.geocode import Geocoder, default_geocoder
from locator.places import Place, Precision


def record(code: str, city: str, state: str, lat: float, lon: float, *, active: bool = True,
           also: tuple[str, ...] = ()) -> dict:
    """A ZIP record in the layout of the zipcodes package."""
    return {"zip_code": code, "city": city, "state": state, "lat": str(lat), "long": str(lon),
            "active": active, "acceptable_cities": list(also), "zip_code_type": "STANDARD"}


@pytest.fixture(scope="module")
def tiny_geocoder() -> Geocoder:
    return Geocoder([
        record("60001", "Alphaville", "IL", 41.0, -88.0),
        record("60002", "Alphaville", "IL", 41.2, -88.4),
        record("60003", "Alphaville", "IL", 50.0, -50.0, active=False),
        record("46001", "Alphaville", "IN", 40.0, -86.0),
        record("60004", "Betatown", "IL", 42.0, -89.0, also=("Gamma Heights",)),
        record("60005", "Glen Dale", "IL", 40.0, -90.0),
        record("60006", "Glendale", "IL", 40.2, -90.0),
        record("60007", "Glendale", "IL", 40.4, -90.0),
        record("09001", "Apo", "AE", 0.0, 0.0),
        record("96940", "Koror", "PW", 7.5, 134.5),
    ])


@pytest.fixture(scope="module")
def geocoder() -> Geocoder:
    return default_geocoder()


# --- hand-made table: exact answers -------------------------------------------------------

def test_city_point_is_the_mean_of_its_active_zip_points(tiny_geocoder: Geocoder) -> None:
    place = tiny_geocoder.geocode("Alphaville, IL")
    assert place == Place("Alphaville, IL", 41.1, -88.2, Precision.CITY, state="IL")


def test_inactive_zip_is_answered_but_left_out_of_cities_and_suggestions(
        tiny_geocoder: Geocoder) -> None:
    assert tiny_geocoder.geocode("60003") == Place(
        "Alphaville, IL 60003", 50.0, -50.0, Precision.ZIP, state="IL")
    assert [p.label for p in tiny_geocoder.suggest("6000")] == [
        "Alphaville, IL 60001", "Alphaville, IL 60002", "Betatown, IL 60004",
        "Glen Dale, IL 60005", "Glendale, IL 60006", "Glendale, IL 60007"]


def test_zip_without_a_location_is_not_found_and_says_why(tiny_geocoder: Geocoder) -> None:
    with pytest.raises(NotFound, match=r"09001 .*no location"):
        tiny_geocoder.geocode("09001")


def test_zip_outside_the_mapped_states_is_answered_by_code_only(tiny_geocoder: Geocoder) -> None:
    assert tiny_geocoder.geocode("96940").label == "Koror, PW 96940"
    with pytest.raises(InvalidInput, match="not a US state"):
        tiny_geocoder.geocode("Koror, PW")


def test_city_name_in_several_states_is_ambiguous_most_zip_codes_first(
        tiny_geocoder: Geocoder) -> None:
    with pytest.raises(Ambiguous) as raised:
        tiny_geocoder.geocode("Alphaville")
    assert [p.label for p in raised.value.candidates] == ["Alphaville, IL", "Alphaville, IN"]
    assert all(p.precision is Precision.CITY for p in raised.value.candidates)
    assert "Alphaville, IL" in str(raised.value)


def test_a_name_usps_accepts_for_another_citys_zip_resolves_but_is_not_suggested(
        tiny_geocoder: Geocoder) -> None:
    place = tiny_geocoder.geocode("Gamma Heights, IL")
    assert (place.label, place.lat, place.lon) == ("Gamma Heights, IL", 42.0, -89.0)
    assert tiny_geocoder.suggest("gamma") == []


def test_spellings_of_one_name_merge_under_the_most_used(tiny_geocoder: Geocoder) -> None:
    assert tiny_geocoder.geocode("glen dale il") == Place(
        "Glendale, IL", 40.2, -90.0, Precision.CITY, state="IL")


def test_suggest_orders_cities_by_zip_codes_and_honours_the_limit(
        tiny_geocoder: Geocoder) -> None:
    assert [p.label for p in tiny_geocoder.suggest("al")] == ["Alphaville, IL", "Alphaville, IN"]
    assert [p.label for p in tiny_geocoder.suggest("AL", limit=1)] == ["Alphaville, IL"]
    assert [p.label for p in tiny_geocoder.suggest("alphaville, in")] == ["Alphaville, IN"]
    assert tiny_geocoder.suggest("   ") == []
    with pytest.raises(InvalidInput, match="limit"):
        tiny_geocoder.suggest("al", limit=0)


# --- ZIP codes ----------------------------------------------------------------------------

def test_zip_code_answers_the_packages_point(geocoder: Geocoder) -> None:
    expected = zipcodes.matching("60432")[0]
    assert geocoder.geocode("60432") == Place(
        "Joliet, IL 60432", float(expected["lat"]), float(expected["long"]), Precision.ZIP,
        state="IL")


@pytest.mark.parametrize("text", ["60432-1234", "604321234", "60432 1234", "  60432  "])
def test_zip_plus_4_and_spacing_give_the_five_digit_zip(geocoder: Geocoder, text: str) -> None:
    assert geocoder.geocode(text) == geocoder.geocode("60432")


@pytest.mark.parametrize("text", ["6043", "604321", "6043-21234"])
def test_wrong_length_digits_are_not_a_zip_code(geocoder: Geocoder, text: str) -> None:
    with pytest.raises(InvalidInput, match="5 digits"):
        geocoder.geocode(text)


def test_unknown_zip_code_is_not_found(geocoder: Geocoder) -> None:
    assert not zipcodes.is_real("00000")
    with pytest.raises(NotFound, match="00000"):
        geocoder.geocode("00000")


# --- coordinates --------------------------------------------------------------------------

@pytest.mark.parametrize("text", ["41.53, -88.08", "41.53 -88.08", "41.53,-88.08",
                                  " +41.530 ,  -88.080 "])
def test_latitude_longitude_in_decimal_degrees(geocoder: Geocoder, text: str) -> None:
    assert geocoder.geocode(text) == Place("41.53, -88.08", 41.53, -88.08, Precision.POINT)


@pytest.mark.parametrize("text", ["91, 0", "-90.5 10", "0, 181", "45, -180.01"])
def test_latitude_longitude_out_of_range_is_rejected(geocoder: Geocoder, text: str) -> None:
    with pytest.raises(InvalidInput, match="latitude first"):
        geocoder.geocode(text)


# --- cities -------------------------------------------------------------------------------

def joliet_mean() -> tuple[float, float]:
    """Joliet, IL's point computed straight from the package."""
    rows = [z for z in zipcodes.filter_by(city="Joliet", state="IL") if z["active"]]
    return (round(sum(float(z["lat"]) for z in rows) / len(rows), 4),
            round(sum(float(z["long"]) for z in rows) / len(rows), 4))


@pytest.mark.parametrize("text", ["Joliet, IL", "Joliet IL", "Joliet, Illinois",
                                  "Joliet Illinois", "  joliet ,   il ", "JOLIET IL",
                                  "Joliet, IL, USA"])
def test_city_and_state_in_every_written_form(geocoder: Geocoder, text: str) -> None:
    lat, lon = joliet_mean()
    assert geocoder.geocode(text) == Place("Joliet, IL", lat, lon, Precision.CITY, state="IL")


def test_saint_and_st_are_the_same_city(geocoder: Geocoder) -> None:
    assert geocoder.geocode("St. Louis, MO") == geocoder.geocode("saint louis mo")
    assert geocoder.geocode("St. Louis, MO").label == "Saint Louis, MO"


def test_a_city_name_found_in_one_state_only_needs_no_state(geocoder: Geocoder) -> None:
    states = {z["state"] for z in zipcodes.filter_by(city="Chicago") if z["active"]}
    assert states == {"IL"}
    assert geocoder.geocode("Chicago") == geocoder.geocode("Chicago, IL")


def test_springfield_alone_is_ambiguous_with_one_candidate_per_state(
        geocoder: Geocoder) -> None:
    with pytest.raises(Ambiguous) as raised:
        geocoder.geocode("Springfield")
    candidates = raised.value.candidates
    # Every state where an active ZIP code's own or accepted city name is Springfield.
    states = {z["state"] for z in zipcodes.filter_by() if z["active"] and (
        z["city"] == "Springfield" or "Springfield" in z["acceptable_cities"])}
    assert sorted(p.state for p in candidates) == sorted(states)
    assert all(p.label == f"Springfield, {p.state}" for p in candidates)


def test_a_trailing_word_that_is_a_state_is_tried_both_ways(geocoder: Geocoder) -> None:
    # "Port Washington" is not a town called Port in Washington state.
    with pytest.raises(Ambiguous) as raised:
        geocoder.geocode("Port Washington")
    assert {"Port Washington, NY", "Port Washington, WI"} <= {
        p.label for p in raised.value.candidates}
    assert geocoder.geocode("Kansas City Missouri").label == "Kansas City, MO"


def test_misspelt_city_suggests_close_names(geocoder: Geocoder) -> None:
    with pytest.raises(NotFound, match=r"did you mean .*Springfield, IL"):
        geocoder.geocode("Sprngfield, IL")
    with pytest.raises(NotFound, match=r"did you mean .*Springfield \(\d+ states\)"):
        geocoder.geocode("Sprngfield")


def test_unknown_city_with_nothing_close_asks_to_check_spelling(geocoder: Geocoder) -> None:
    with pytest.raises(NotFound, match="check the spelling"):
        geocoder.geocode("Qxzwvtown, IL")


def test_a_county_name_written_as_a_city_is_suggested_as_the_county(
        geocoder: Geocoder) -> None:
    with pytest.raises(NotFound, match="Cook County, IL"):
        geocoder.geocode("Cook, IL")


def test_a_state_alone_is_too_broad(geocoder: Geocoder) -> None:
    for text in ("Illinois", "west virginia"):
        with pytest.raises(InvalidInput, match="whole state"):
            geocoder.geocode(text)


def test_unknown_state_after_the_comma_is_rejected(geocoder: Geocoder) -> None:
    with pytest.raises(InvalidInput, match="'ZZ' is not a US state"):
        geocoder.geocode("Joliet, ZZ")


# --- counties -----------------------------------------------------------------------------

@pytest.mark.parametrize("text", ["Will County, IL", "will county illinois", "Will County IL",
                                  "WILL COUNTY, Illinois"])
def test_county_and_state(geocoder: Geocoder, text: str) -> None:
    will = geodata.county("17197")
    assert geocoder.geocode(text) == Place("Will County, IL", will.lat, will.lon,
                                           Precision.COUNTY, state="IL", county_fips="17197")


def test_louisiana_parish(geocoder: Geocoder) -> None:
    assert geocoder.geocode("Orleans Parish, LA").county_fips == "22071"


def test_county_without_state_is_ambiguous_when_several_states_have_it(
        geocoder: Geocoder) -> None:
    with pytest.raises(Ambiguous) as raised:
        geocoder.geocode("Washington County")
    candidates = raised.value.candidates
    expected = sorted(c.label for c in geodata.counties_named("Washington"))
    assert [p.label for p in candidates] == expected
    assert all(p.precision is Precision.COUNTY and p.county_fips for p in candidates)


def test_county_without_state_is_answered_when_only_one_county_has_the_name(
        geocoder: Geocoder) -> None:
    # Baltimore city (24510) is an independent city, not a county.
    assert geocoder.geocode("Baltimore County").county_fips == "24005"


def test_unknown_county_is_not_found(geocoder: Geocoder) -> None:
    with pytest.raises(NotFound, match="no county named 'Nowhere' in Illinois"):
        geocoder.geocode("Nowhere County, IL")


def test_misspelt_county_suggests_close_names(geocoder: Geocoder) -> None:
    with pytest.raises(NotFound, match=r"did you mean Will County, IL\?"):
        geocoder.geocode("Wil County, Illinois")
    n_states = len(geodata.counties_named("Washington"))
    with pytest.raises(NotFound, match=rf"Washington County \({n_states} states\)"):
        geocoder.geocode("Washingtn County")


# --- street addresses ---------------------------------------------------------------------

def test_address_with_zip_falls_back_to_the_zip_point_and_says_so(geocoder: Geocoder) -> None:
    place = geocoder.geocode("123 Main St, Joliet, IL 60432")
    zip_place = geocoder.geocode("60432")
    assert (place.lat, place.lon, place.precision) == (zip_place.lat, zip_place.lon,
                                                       Precision.ZIP)
    assert place.label == "Joliet, IL 60432 (address located by ZIP code)"


def test_address_whose_zip_is_in_another_state_is_rejected(geocoder: Geocoder) -> None:
    with pytest.raises(InvalidInput, match="90210 is in CA, but the address names IL"):
        geocoder.geocode("123 Main St, Joliet, IL 90210")


def test_address_without_zip_falls_back_to_the_city_and_says_so(geocoder: Geocoder) -> None:
    place = geocoder.geocode("123 Main St, Joliet, IL")
    assert (place.lat, place.lon) == joliet_mean()
    assert place.label == "Joliet, IL (address located by city)"


# --- malformed input ----------------------------------------------------------------------

@pytest.mark.parametrize("text", ["", "   ", "!!!", "41.5; -88"])
def test_malformed_input_says_which_forms_are_expected(geocoder: Geocoder, text: str) -> None:
    with pytest.raises(InvalidInput, match=r"ZIP code \(60432\).*Joliet, IL") as raised:
        geocoder.geocode(text)
    assert raised.value.parameter == "query"


def test_overlong_input_is_rejected(geocoder: Geocoder) -> None:
    with pytest.raises(InvalidInput, match="longer than"):
        geocoder.geocode("Joliet " * 100)


# --- suggestions --------------------------------------------------------------------------

@pytest.mark.parametrize("prefix", ["spr", "Saint L", "st l", "new y", "604", "9021"])
def test_every_suggestion_geocodes_back_to_itself(geocoder: Geocoder, prefix: str) -> None:
    suggestions = geocoder.suggest(prefix, limit=10)
    assert 0 < len(suggestions) <= 10
    for place in suggestions:
        assert geocoder.geocode(place.label) == place


def test_suggestions_start_with_the_prefix(geocoder: Geocoder) -> None:
    assert all(p.label.startswith("Spr") for p in geocoder.suggest("spr"))
    assert all(re.search(r", [A-Z]{2} 604\d\d$", p.label) for p in geocoder.suggest("604"))
    assert "Saint Louis, MO" in [p.label for p in geocoder.suggest("st. lou")]


def test_every_city_label_geocodes_back_to_its_city(geocoder: Geocoder) -> None:
    """No city name is misread as a county, a state or coordinates (thousands checked)."""
    letters = "abcdefghijklmnopqrstuvwxyz"
    checked = 0
    for prefix in (a + b for a in letters for b in letters):
        for place in geocoder.suggest(prefix, limit=50):
            assert geocoder.geocode(place.label) == place
            checked += 1
    assert checked > 5_000


def test_default_geocoder_is_built_once() -> None:
    assert default_geocoder() is default_geocoder()


# --- Spanish forms ---------------------------------------------------------------------------

@pytest.mark.parametrize("text", ["Condado de Cook, IL", "condado Cook IL",
                                  "CONDADO DE COOK, Illinois", "condado del Cook, IL"])
def test_spanish_county_forms_name_the_county(geocoder: Geocoder, text: str) -> None:
    assert geocoder.geocode(text) == geocoder.geocode("Cook County, IL")


def test_spanish_parish_and_a_de_that_belongs_to_the_name(geocoder: Geocoder) -> None:
    assert geocoder.geocode("Parroquia de Orleans, LA").county_fips == "22071"
    # "De Kalb" keeps its "De": there is no county named "Kalb".
    assert geocoder.geocode("condado De Kalb, IL") == geocoder.geocode("DeKalb County, IL")
    assert geocoder.geocode("Condado de DeKalb, IL") == geocoder.geocode("DeKalb County, IL")


@pytest.mark.parametrize(("typed", "plain"), [("Cañon City, CO", "Canon City, CO"),
                                              ("Española, NM", "Espanola, NM"),
                                              ("Peñasco NM", "Penasco NM")])
def test_accents_and_enye_are_read_as_typed_or_left_out(geocoder: Geocoder, typed: str,
                                                         plain: str) -> None:
    assert geocoder.geocode(typed) == geocoder.geocode(plain)


def test_unknown_spanish_county_says_county_not_found(geocoder: Geocoder) -> None:
    with pytest.raises(NotFound, match="no county named 'Nowhere' in Illinois") as raised:
        geocoder.geocode("Condado de Nowhere, IL")
    assert raised.value.code == "unknown_county"
    assert raised.value.params == {"name": "Nowhere", "state": "Illinois"}


def test_errors_carry_a_code_and_the_parameters_of_their_english_message(
        geocoder: Geocoder) -> None:
    with pytest.raises(Ambiguous) as raised:
        geocoder.geocode("Springfield")
    error = raised.value
    assert error.code == "ambiguous_place" and error.params["query"] == "Springfield"
    assert str(error) == error.message % error.params
    with pytest.raises(NotFound) as raised:
        geocoder.geocode("Sprngfield, IL")
    assert raised.value.params["suggestions"] == ("Springfield, IL", "Penfield, IL")
    assert str(raised.value).endswith("did you mean Springfield, IL or Penfield, IL?")
