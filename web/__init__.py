"""The locator's web app: a job seeker's search page and map, and a JSON API.

``create_app`` builds the app; each concern is a blueprint in its own module, listed in
``BLUEPRINTS`` (a later blueprint registers itself by being added there). Views are thin:
they parse the request, ask ``locator``, and render.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any

from flask import Flask, Request
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.middleware.proxy_fix import ProxyFix

from locator.config import Settings
from web import (
    account,
    api,
    assets,
    db,
    errors,
    events,
    health,
    hsds,
    i18n,
    partner,
    partner_when,
    planner,
    public,
    review,
    security,
)
from web.data import DATA_CHECK_INTERVAL_S, SiteData, check_after_writes
from web.jsonprovider import OrjsonProvider
from web.secret import instance_secret_key

BLUEPRINTS = (public.bp, api.bp, events.bp, assets.bp, planner.bp, health.bp, hsds.bp,
              account.bp, partner.bp, partner_when.bp, review.bp)

DEFAULTS: dict[str, Any] = {
    # Opt-in online extras; both off, so nothing leaves the machine unless configured.
    "TILE_URL": "",  # e.g. "https://tiles.example.org/{z}/{x}/{y}.png" (a server you run)
    "TILE_ATTRIBUTION": "",
    "DIRECTIONS_URL": "",  # e.g. "https://www.openstreetmap.org/directions?to={lat},{lon}"
    # Load the catalog and the geocoder while the app is built rather than on the first
    # requests.
    "PRELOAD_CATALOG": False,
    # Behind one reverse proxy, trust its X-Forwarded-For/-Proto/-Host/-Prefix headers.
    # Off by default: without a proxy in front, anyone could forge their address.
    "PROXY_FIX": False,
    # Where a generated SECRET_KEY is kept; empty means Flask's instance folder.
    "INSTANCE_PATH": "",
    # Seconds a worker answers from memory before asking the database whether anything
    # changed (a write in the worker itself is seen at its next request).
    "DATA_CHECK_INTERVAL_S": DATA_CHECK_INTERVAL_S,
    # A login lasts a working day; Flask's signed session is refused once older.
    "PERMANENT_SESSION_LIFETIME": timedelta(hours=8),
}


class _Arguments(ImmutableMultiDict):  # type: ignore[type-arg]
    """Query and form arguments whose ``get`` of an absent name answers at once.

    Werkzeug's ``get`` tries the item and catches the miss, which builds a
    ``BadRequestKeyError`` (~2 µs) each time; a search reads about ten parameters it was
    not given, so that was ~20 µs of a ~300 µs ``/api/nearest``."""

    def get(self, key: Any, default: Any = None, type: Any = None) -> Any:  # type: ignore[override]
        if key not in self:
            return default
        return super().get(key, default, type)


class _Request(Request):
    parameter_storage_class = _Arguments


class LocatorApp(Flask):
    json_provider_class = OrjsonProvider
    request_class = _Request


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app. Settings come from ``LOCATOR_*`` environment variables, then ``config``."""
    app = LocatorApp(__name__)
    app.config.update(DEFAULTS)
    app.config["DATABASE_URL"] = Settings.from_env().database_url
    app.config.from_prefixed_env("LOCATOR")
    app.config.update(config or {})
    _configure_instance(app)

    db.init_app(app)
    data = SiteData(geocoder=app.config.get("GEOCODER"),
                    check_interval_s=float(app.config["DATA_CHECK_INTERVAL_S"]))
    app.extensions["locator"] = data
    app.teardown_request(check_after_writes)
    if app.config["PRELOAD_CATALOG"]:
        with app.app_context():
            data.preload()

    security.init_app(app)
    i18n.init_app(app)
    account.init_app(app)
    errors.init_app(app)
    public.init_app(app)
    for blueprint in BLUEPRINTS:
        app.register_blueprint(blueprint)
    if app.config["PROXY_FIX"]:
        proxied = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1, x_prefix=1)
        app.wsgi_app = proxied  # type: ignore[method-assign]
    return app


def _configure_instance(app: Flask) -> None:
    """The instance folder, and a SECRET_KEY from the settings or generated into it once."""
    if app.config["INSTANCE_PATH"]:
        app.instance_path = str(app.config["INSTANCE_PATH"])
    if app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = str(app.config["SECRET_KEY"])
    else:
        app.config["SECRET_KEY"] = instance_secret_key(Path(app.instance_path))
