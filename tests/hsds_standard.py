"""The official HSDS 3.0 schemas (``../shared/standards/hsds-3.0``), for validating what the
locator writes and serves. ``$ref`` between schema files resolve from the local copy
through a ``referencing`` registry: nothing is fetched."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from conftest import IN_CI, REPO
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

STANDARD = REPO.parent / "shared" / "standards" / "hsds-3.0"
# Where the specification publishes its schemas; its OpenAPI document refers to them so.
PUBLISHED = "https://raw.githubusercontent.com/openreferral/specification/3.0/schema/"


def require_standard() -> Path:
    if not STANDARD.is_dir():
        message = f"HSDS 3.0 schemas not found at {STANDARD}"
        if IN_CI:
            pytest.fail(message + " (required under CI=true)")
        pytest.skip(message)
    return STANDARD


@cache
def registry() -> Registry:
    """Every schema file under its own name (``phone.json``, as the ``$ref`` say) and under
    its published address (``.../schema/compiled/service.json``, as the OpenAPI says)."""
    schemas = require_standard() / "schema"
    resources = []
    for path in sorted(schemas.rglob("*.json")):
        relative = path.relative_to(schemas).as_posix()
        resource = Resource.from_contents(json.loads(path.read_text(encoding="utf-8")),
                                          default_specification=DRAFT202012)
        resources += [(relative, resource), (PUBLISHED + relative, resource)]
    return Registry().with_resources(resources)


@cache
def validator(schema: str) -> Draft202012Validator:
    """A validator for ``schema`` (``compiled/service.json``, ``organization.json``...),
    checking formats such as ``uuid`` as well as structure."""
    contents = registry()[schema].contents
    return Draft202012Validator(contents, registry=registry(),
                                format_checker=Draft202012Validator.FORMAT_CHECKER)


def errors(schema: str, instance: Any) -> list[str]:
    """Every way ``instance`` breaks ``schema``, as readable lines (empty when valid)."""
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
            for e in validator(schema).iter_errors(instance)]


def official_package() -> dict[str, Any]:
    return json.loads((require_standard() / "datapackage.json").read_text(encoding="utf-8"))
