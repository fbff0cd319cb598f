"""The OpenAPI document matches what the routes really do: every route is documented,
every documented parameter is read and its documented limits enforced, and real answers
have the documented shape."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from web_sites import EVENTS_NOW_UTC, PUBLIC_SITES, make_db_with_events

from web import create_app

# A valid request per path, so that one parameter at a time can be made wrong.
VALID_ARGS: dict[str, dict[str, str]] = {
    "/api/nearest": {"lat": "39.8", "lon": "-89.6"},
    "/api/sites": {"bbox": "-90,39,-88,41"},
    "/api/clusters": {"bbox": "-90,39,-88,41", "zoom": "6"},
    "/api/events": {"lat": "39.8", "lon": "-89.6"},
    "/api/events.ics": {"lat": "39.8", "lon": "-89.6"},
}
# A request per path whose answer is checked against the documented 200 schema.
EXAMPLES = {
    "/api/nearest": "/api/nearest?lat=39.8&lon=-89.6&k=5",
    "/api/sites": "/api/sites?bbox=-125,30,-80,49",
    "/api/clusters": "/api/clusters?bbox=-125,30,-80,49&zoom=5",
    "/api/sites/{site_id}": f"/api/sites/{PUBLIC_SITES[0].id}",
    "/api/openapi.json": "/api/openapi.json",
    "/api/events": "/api/events?lat=39.8&lon=-89.6&within_mi=25",
}


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Flask:
    return create_app({"DATABASE_URL": make_db_with_events(tmp_path_factory.mktemp("openapi")),
                       "TESTING": True, "CLOCK": lambda: EVENTS_NOW_UTC})


@pytest.fixture(scope="module")
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture(scope="module")
def doc(client: FlaskClient) -> dict[str, Any]:
    return client.get("/api/openapi.json").get_json()


def test_every_api_route_is_documented_and_every_documented_path_exists(
        app: Flask, doc: dict[str, Any]) -> None:
    routes = {re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule): rule.methods - {"HEAD", "OPTIONS"}
              for rule in app.url_map.iter_rules() if rule.rule.startswith("/api/")}
    documented = {path: {m.upper() for m in item} for path, item in doc["paths"].items()}
    undocumented = {r: m for r, m in routes.items() if documented.get(r) != m}
    assert undocumented == {}, "document them with web.openapi.add_paths"
    assert routes == documented


def bad_value(schema: dict[str, Any]) -> str:
    """A value the schema forbids, derived from the documented limits."""
    if schema.get("type") == "array":
        return "not-a-" + schema["items"]["type"]
    if "enum" in schema:
        return "not-one-of-the-listed-values"
    if schema["type"] == "integer":
        return str(schema["maximum"] + 1)
    if schema["type"] == "number":
        return str(schema["maximum"] + 1) if "maximum" in schema else "-1"
    if "maxLength" in schema:
        return "x" * (schema["maxLength"] + 1)
    return "1,2,3"  # the bbox pattern wants four numbers


def query_parameters(doc: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    return [(path, p) for path, item in doc["paths"].items()
            for p in item["get"].get("parameters", []) if p["in"] == "query"]


def test_every_documented_parameter_is_read_and_its_limits_enforced(
        client: FlaskClient, doc: dict[str, Any]) -> None:
    checked = 0
    for path, parameter in query_parameters(doc):
        name = parameter["name"]
        args = {**VALID_ARGS.get(path, {}), name: bad_value(parameter["schema"])}
        if name == "q" and path == "/api/nearest":
            args.pop("lat"), args.pop("lon")
        response = client.get(path, query_string=args)
        assert response.status_code == 400, (path, name, response.get_data(as_text=True))
        assert response.get_json()["parameter"] == name, (path, name)
        checked += 1
    assert checked == len(query_parameters(doc)) >= 15


def test_required_parameters_are_required(client: FlaskClient, doc: dict[str, Any]) -> None:
    for path, parameter in query_parameters(doc):
        if not parameter["required"]:
            continue
        args = {k: v for k, v in VALID_ARGS.get(path, {}).items() if k != parameter["name"]}
        body = client.get(path, query_string=args).get_json()
        assert body["parameter"] == parameter["name"], (path, parameter["name"])


def resolve(schema: dict[str, Any], doc: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = doc["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


TYPES = {"object": dict, "array": list, "string": str, "boolean": bool,
         "integer": int, "number": (int, float)}


def conforms(value: Any, schema: dict[str, Any], doc: dict[str, Any], where: str = "$") -> None:
    """A small validator for the subset of JSON Schema the document uses."""
    schema = resolve(schema, doc)
    if value is None and schema.get("nullable"):
        return
    kind = schema.get("type")
    if value is None and schema.get("nullable"):
        return
    if kind:
        assert isinstance(value, TYPES[kind]) and not (
            kind in ("integer", "number") and isinstance(value, bool)), (where, value, kind)
    if "enum" in schema:
        assert value in schema["enum"], (where, value)
    if kind == "object":
        assert set(schema.get("required", ())) <= set(value), (where, sorted(value))
        for key, sub in schema.get("properties", {}).items():
            if key in value:
                conforms(value[key], sub, doc, f"{where}.{key}")
    if kind == "array":
        for i, item in enumerate(value):
            conforms(item, schema.get("items", {}), doc, f"{where}[{i}]")


@pytest.mark.parametrize("path", sorted(EXAMPLES))
def test_real_answers_have_the_documented_shape(client: FlaskClient, doc: dict[str, Any],
                                                path: str) -> None:
    response = client.get(EXAMPLES[path])
    assert response.status_code == 200
    content = doc["paths"][path]["get"]["responses"]["200"]["content"]
    assert list(content) == [response.mimetype]
    conforms(response.get_json(), content[response.mimetype]["schema"], doc)


def test_errors_have_the_documented_shape(client: FlaskClient, doc: dict[str, Any]) -> None:
    error_schema = {"$ref": "#/components/schemas/Error"}
    for url in ("/api/nearest?k=0&lat=1&lon=1", "/api/sites/nope", "/api/sites?bbox=1"):
        conforms(client.get(url).get_json(), error_schema, doc)
