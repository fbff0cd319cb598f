"""``GET /healthz``: whether this worker can answer, for a load balancer or a monitor.

200 with the engine and the data version when the database answers, 503 when it does not.
Never cached, so a proxy cannot keep answering 200 for a database that has gone away.
"""

from __future__ import annotations

from flask import Blueprint, Response, jsonify

from web.data import site_data

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz() -> Response:
    health = site_data().health()
    response = jsonify(health.to_json())
    response.status_code = 200 if health.ok else 503
    response.headers["Cache-Control"] = "no-store"
    return response
