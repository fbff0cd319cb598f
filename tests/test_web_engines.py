"""The web app answers the same on either engine: the JSON API over the hand-made sites,
and /healthz naming the engine."""

from __future__ import annotations

import pytest
from planner_data import TRACTS
from web_sites import SITES

from locator.store import open_store
from web import create_app

REQUESTS = (
    "/api/nearest?lat=39.8&lon=-89.65&k=5",
    "/api/nearest?q=62701&kind=library,bookmobile",
    "/api/nearest?lat=39.8&lon=-89.65&within_mi=10&program=public_computers",
    "/api/sites?bbox=-90.5,39.0,-88.0,41.0",
    "/api/clusters?bbox=-91,38,-87,42&zoom=7",
    "/api/sites/lib-springfield",
    "/api/sites/pending-1",
    "/api/coverage?state=IL&within=5,15&by=county",
    "/api/coverage/whatif?state=IL&within=10&add=40.0,-89.0",
)


@pytest.fixture
def answers(request: pytest.FixtureRequest) -> dict[str, list[tuple[int, object]]]:
    seen = {}
    for engine in ("sqlite", "postgresql"):
        url = (f"sqlite:///{request.getfixturevalue('tmp_path') / 'web.db'}"
               if engine == "sqlite" else request.getfixturevalue("postgres_url"))
        with open_store(url) as store:
            store.upsert_sites(SITES)
            store.replace_population("tract", TRACTS, vintage="2020")
        app = create_app({"DATABASE_URL": url, "SECRET_KEY": "test"})
        client = app.test_client()
        seen[engine] = [(r.status_code, r.get_json()) for r in map(client.get, REQUESTS)]
        health = client.get("/healthz").get_json()
        assert health["engine"] == engine and health["status"] == "ok"
        app.extensions["database"].dispose()
    return seen


def test_api_answers_are_the_same_on_both_engines(answers: dict) -> None:
    for path, lite, pg in zip(REQUESTS, answers["sqlite"], answers["postgresql"],
                              strict=True):
        assert lite == pg, path
    assert [status for status, _ in answers["sqlite"]] == [200] * 6 + [404, 200, 200]
