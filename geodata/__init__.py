"""Offline map data shipped with the locator; ``README.md`` gives source, vintage and licence."""

from __future__ import annotations

from pathlib import Path

_HERE = Path(__file__).resolve().parent


def path(name: str) -> Path:
    """The path of a shipped data file, e.g. ``path("us-counties.geojson")``."""
    file = _HERE / name
    if not file.is_file():
        raise FileNotFoundError(f"{file} is missing: rebuild it with `make geodata`")
    return file
