"""The store's timestamps: UTC, to the second, ISO-8601 text on every engine."""

from __future__ import annotations

from datetime import UTC, datetime


def now_iso() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat()
