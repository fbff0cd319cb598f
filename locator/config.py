"""Settings read from the environment, with the defaults a fresh checkout needs."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

DEFAULT_DATABASE_URL = "sqlite:///instance/locator.db"
DEFAULT_SOURCES_DIR = "data/sources"


@dataclass(frozen=True, slots=True)
class Settings:
    database_url: str
    sources_dir: Path

    @classmethod
    def from_env(cls, environ: os._Environ[str] | dict[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        return cls(
            database_url=env.get("LOCATOR_DATABASE_URL") or DEFAULT_DATABASE_URL,
            sources_dir=Path(env.get("LOCATOR_SOURCES") or DEFAULT_SOURCES_DIR),
        )
