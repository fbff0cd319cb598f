"""The interface in Spanish: how a language is chosen and kept, every page rendered in
Spanish with none of the interface's English phrases left, Spanish number and date
formats, and the JSON API's words by Accept-Language while its machine fields stay English."""

from __future__ import annotations

import json
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from babel.messages.pofile import read_po
from flask.testing import FlaskClient
from html_page import Elements
from planner_data import make_coverage_db
from test_translations import SPANISH
from web_sites import SITES

from locator import geodata
from locator.sites import Site
from web import create_app

# Interface words that, on a Spanish page, mean an English string slipped through unmarked.
ENGLISH_WORDS = ("Search", "Phone", "Hours", "Website", "Directions", "Print", "miles",
                 "straight-line", "Nearest", "nearest", "residents", "Residents", "County",
                 "Counties", "Coverage", "places", "Filters", "Distance", "Share", "found",
                 "Back to", "Not listed", "Which place", "Map of", "Skip to")
SPANISH_PAGES = (
    "/", "/?q=62701", "/?q=62701&within_mi=0.01", "/?q=Springfield", "/?q=Zzyzxqq%2C+IL",
    "/?lat=95&lon=-89.6", "/?q=1+Main+St,+Springfield,+IL", "/sites/lib-springfield",
    "/sites/ajc-springfield", "/sites/none",
    "/no-such-page", "/planner", "/planner?state=IL&within=5,10", "/planner?state=ZZ",
    "/planner?state=IL&within=5,10&add=40,-89", "/planner/report?state=IL&within=5",
    "/planner/whatif?state=IL&within=5&add=40,-89", "/planner/whatif?state=IL&add=north",
    "/login", "/logout", "/register",
)


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> FlaskClient:
    url = make_coverage_db(tmp_path_factory.mktemp("i18n"))
    return create_app({"DATABASE_URL": url, "TESTING": True}).test_client()


@pytest.fixture(scope="module")
def empty_client(tmp_path_factory: pytest.TempPathFactory) -> FlaskClient:
    url = f"sqlite:///{tmp_path_factory.mktemp('i18n_empty') / 'empty.db'}"
    return create_app({"DATABASE_URL": url, "TESTING": True}).test_client()


def english_phrases() -> list[str]:
    """The interface's own English phrases: every catalog message whose Spanish differs,
    cut at its placeholders and markup into runs of at least two words."""
    with SPANISH.open("rb") as source:
        catalog = read_po(source, locale="es")
    phrases = set()
    for message in catalog:
        if not message.id:
            continue
        for english, spanish in zip(_forms(message.id), _forms(message.string), strict=False):
            if english == spanish:
                continue
            for run in re.split(r"%\(\w+\)s|\{\w+\}|<[^>]+>|[():;,.?…]", english):
                run = " ".join(run.split())
                if len(run.split()) >= 2 and run not in spanish:
                    phrases.add(run)
    return sorted(phrases)


def _forms(text) -> tuple[str, ...]:
    return (text,) if isinstance(text, str) else tuple(text)


def reader_text(html: str, sites: tuple[Site, ...] = SITES) -> str:
    """What a person reads on the page, with the sites' own text and the states' names
    (data, not interface) taken out."""
    text = Elements(html).plain_text
    for state in sorted(geodata.states(), key=lambda s: -len(s.name)):
        text = text.replace(state.name, " ")
    for site in sites:
        for value in (site.name, site.address, site.hours, site.phone, site.website):
            if value:
                text = text.replace(value, " ")
    return text


def spanish(client: FlaskClient, url: str):
    return client.get(url, headers={"Accept-Language": "es-US,es;q=0.9"})


@pytest.mark.parametrize("url", SPANISH_PAGES)
def test_every_page_in_spanish_has_none_of_the_interface_english(client: FlaskClient,
                                                                  url: str) -> None:
    response = spanish(client, url)
    html = response.get_data(as_text=True)
    assert '<html lang="es">' in html or "<html" not in html  # or a panel for a script
    text = reader_text(html)
    leaks = [p for p in english_phrases() if p in text]
    leaks += [w for w in ENGLISH_WORDS if re.search(rf"\b{re.escape(w)}\b", text)]
    assert leaks == [], (url, text[:3000])


def test_english_phrase_list_is_the_catalogs_and_catches_an_english_page(
        client: FlaskClient) -> None:
    phrases = english_phrases()
    assert "Where are you?" not in phrases  # a question mark ends a run
    assert "Use my location" in phrases and "Print this list" in phrases
    english = reader_text(client.get("/?q=62701").get_data(as_text=True))
    assert len([p for p in phrases if p in english]) > 20


def test_no_data_notice_is_in_spanish(empty_client: FlaskClient) -> None:
    html = spanish(empty_client, "/").get_data(as_text=True)
    text = reader_text(html)
    assert "Todavía no hay lugares cargados" in text and "locator data import" in text
    assert [p for p in english_phrases() if p in text] == []


def test_lang_parameter_wins_and_is_kept_in_a_cookie(client: FlaskClient) -> None:
    client.delete_cookie("lang")
    response = client.get("/?lang=es", headers={"Accept-Language": "en-US"})
    assert '<html lang="es">' in response.get_data(as_text=True)
    assert "lang=es" in response.headers["Set-Cookie"]
    later = client.get("/sites/lib-springfield", headers={"Accept-Language": "en-US"})
    assert '<html lang="es">' in later.get_data(as_text=True)
    back = client.get("/?lang=en", headers={"Accept-Language": "es"})
    assert '<html lang="en">' in back.get_data(as_text=True)
    assert '<html lang="en">' in client.get("/", headers={"Accept-Language": "es"}).get_data(
        as_text=True)
    client.delete_cookie("lang")


def test_accept_language_then_english_decide_without_a_choice(client: FlaskClient) -> None:
    client.delete_cookie("lang")
    assert '<html lang="es">' in spanish(client, "/").get_data(as_text=True)
    assert '<html lang="en">' in client.get("/").get_data(as_text=True)
    assert '<html lang="en">' in client.get("/", headers={"Accept-Language": "fr"}).get_data(
        as_text=True)
    assert "Accept-Language" in client.get("/").headers["Vary"]


def test_language_switch_keeps_the_current_search(client: FlaskClient) -> None:
    client.delete_cookie("lang")
    html = Elements(client.get("/?q=62701&kind=library&k=5").get_data(as_text=True))
    links = {a["hreflang"]: a for a in html.all("a") if a.get("hreflang")}
    assert set(links) == {"en", "es"} and links["en"].get("aria-current") == "true"
    target = urlsplit(links["es"]["href"])
    assert target.path == "/"
    assert parse_qs(target.query) == {"q": ["62701"], "kind": ["library"], "k": ["5"],
                                      "lang": ["es"]}
    assert "Español" in html.plain_text and "English" in html.plain_text


def test_spanish_results_use_spanish_plurals_numbers_and_terms(client: FlaskClient) -> None:
    text = reader_text(spanish(client, "/?q=62701&k=5").get_data(as_text=True))
    assert "Se encontraron 5 lugares cerca de Springfield, IL 62701" in text
    assert re.search(r"\d+,\d mi en línea recta", text)  # decimal comma
    assert "Biblioteca pública" in text and "Centro de empleo" in text
    one = reader_text(spanish(client, "/?q=62701&k=1").get_data(as_text=True))
    assert "Se encontró 1 lugar cerca de" in one


def test_planner_figures_are_in_the_spanish_number_format(client: FlaskClient) -> None:
    text = reader_text(spanish(client, "/planner?state=IL,IN&within=5,10").get_data(
        as_text=True))
    # 4,700 residents (1,000 + 3,000 + 500 + 200), 1,500 of them within 5 miles.
    assert "4.700 residentes contados en 3 condados" in text
    assert "31,9 % vive a 5 mi o menos de un sitio (1.500 residentes)" in text
    assert "Condado de Sangamon" in text and "Sangamon County" not in text


def test_detail_page_dates_are_written_in_the_locale(client: FlaskClient,
                                                     tmp_path_factory) -> None:
    from web_sites import make_db

    site = Site("verified", "Verified Library", SITES[0].kind, 39.8, -89.65, state="IL",
                last_verified="2021-01-12")
    verified = create_app({"DATABASE_URL": make_db(tmp_path_factory.mktemp("dated"), (site,)),
                           "TESTING": True}).test_client()
    assert "martes, 12 de enero de 2021" in spanish(verified, "/sites/verified").get_data(
        as_text=True)
    assert "Tuesday, January 12, 2021" in verified.get("/sites/verified").get_data(as_text=True)


def test_api_detail_follows_accept_language_and_machine_fields_stay_english(
        client: FlaskClient) -> None:
    english = client.get("/api/nearest?q=Zzyzxqq,+IL").get_json()
    answer = spanish(client, "/api/nearest?q=Zzyzxqq,+IL").get_json()
    assert english["error"] == answer["error"] == "unknown_place"
    assert answer["parameter"] == "q"
    assert english["detail"].startswith("no city or town named 'Zzyzxqq' in Illinois")
    assert answer["detail"].startswith("no hay ninguna ciudad o pueblo llamado 'Zzyzxqq' en "
                                       "Illinois")
    by_parameter = client.get("/api/nearest?q=Zzyzxqq,+IL&lang=es").get_json()
    assert by_parameter["detail"] == answer["detail"]
    client.delete_cookie("lang")


def test_ambiguous_place_and_did_you_mean_are_worded_in_spanish(client: FlaskClient) -> None:
    ambiguous = spanish(client, "/api/geocode?q=Springfield").get_json()
    assert ambiguous["error"] == "ambiguous_place" and ambiguous["candidates"]
    count = len(ambiguous["candidates"])
    assert ambiguous["detail"].startswith(f"'Springfield' coincide con {count} lugares; "
                                          "agregue el estado")
    misspelt = spanish(client, "/api/geocode?q=Sprngfield,+IL").get_json()
    assert misspelt["detail"] == ("no hay ninguna ciudad o pueblo llamado 'Sprngfield' en "
                                  "Illinois; ¿quiso decir Springfield, IL o Penfield, IL?")
    english = client.get("/api/geocode?q=Sprngfield,+IL").get_json()
    assert english["detail"].endswith("did you mean Springfield, IL or Penfield, IL?")


def test_api_range_error_formats_its_figures_for_the_locale(client: FlaskClient) -> None:
    answer = spanish(client, "/api/nearest?lat=95.5&lon=-89").get_json()
    assert answer["error"] == "invalid_parameter" and answer["parameter"] == "lat"
    assert answer["detail"] == "lat debe estar entre -90 y 90; se recibió 95,5"
    precise = spanish(client, "/api/nearest?lat=90.0001&lon=-89").get_json()
    assert precise["detail"].endswith("se recibió 90,0001")


def test_page_strings_for_scripts_are_the_catalogs_in_the_page_language(
        client: FlaskClient) -> None:
    html = spanish(client, "/").get_data(as_text=True)
    block = re.search(r'<script type="application/json" id="page-strings">(.*?)</script>',
                      html, re.S)
    data = json.loads(block.group(1))
    assert data["locale"] == "es"
    assert data["strings"]["searching"] == "Buscando…"
    assert data["strings"]["clusterTitle"] == {"one": "{count} lugar: haga clic para acercar",
                                               "other": "{count} lugares: haga clic para acercar"}


def test_an_address_label_says_in_spanish_how_it_was_located(client: FlaskClient) -> None:
    english = client.get("/api/geocode?q=326+S+7th+St,+Springfield,+IL+62701").get_json()
    answer = spanish(client, "/api/geocode?q=326+S+7th+St,+Springfield,+IL+62701").get_json()
    assert english["label"] == "Springfield, IL 62701 (address located by ZIP code)"
    assert answer["label"] == "Springfield, IL 62701 (dirección ubicada por su código postal)"
    assert answer["precision"] == english["precision"] == "zip"
    nearest = spanish(client, "/api/nearest?q=326+S+7th+St,+Springfield,+IL+62701&k=1")
    assert nearest.get_json()["query"]["label"] == answer["label"]
    page = reader_text(spanish(client, "/?q=326+S+7th+St,+Springfield,+IL+62701").get_data(
        as_text=True))
    assert "Más cercanos a Springfield, IL 62701 (dirección ubicada por su código postal)" \
        in page


def test_did_you_mean_words_counties_and_state_counts_in_spanish(client: FlaskClient) -> None:
    city = spanish(client, "/api/geocode?q=Sprngfield").get_json()["detail"]
    assert re.search(r"¿quiso decir Springfield \(\d+ estados\), .+ o .+\?", city)
    assert "states" not in city
    county = spanish(client, "/api/geocode?q=Wil+County,+IL").get_json()["detail"]
    assert county.endswith("¿quiso decir Condado de Will, IL?")
    english = client.get("/api/geocode?q=Wil+County,+IL").get_json()["detail"]
    assert english.endswith("did you mean Will County, IL?")


def test_map_labels_name_counties_in_the_page_language(client: FlaskClient) -> None:
    english = client.get("/basemap/labels.json").get_json()
    answer = spanish(client, "/basemap/labels.json").get_json()
    cook_en = next(row for row in english["county"] if row[0] == "17031")
    cook_es = next(row for row in answer["county"] if row[0] == "17031")
    assert (cook_en[1], cook_es[1]) == ("Cook County", "Condado de Cook")
    assert cook_en[2:] == cook_es[2:] and answer["city"] == english["city"]
    orleans = next(row for row in answer["county"] if row[0] == "22071")
    assert orleans[1] == "Parroquia de Orleans"
