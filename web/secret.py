"""The app's ``SECRET_KEY``: from ``LOCATOR_SECRET_KEY``, or generated once into the
instance folder and read back by every later start and every worker.

A generated key must be the same in every worker process and across restarts, or a
session signed by one worker would be refused by the next. Two workers start at once, so
the file is written under a temporary name and linked into place: exactly one key wins
and both read it. The file is readable by its owner only (0600).
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

KEY_FILE = "secret_key"
KEY_BYTES = 32


def instance_secret_key(instance_dir: Path) -> str:
    """The key stored in ``instance_dir``, creating the folder and the key when missing."""
    path = instance_dir / KEY_FILE
    if not path.exists():
        _create_key_file(path)
    key = path.read_text(encoding="ascii").strip()
    if not key:
        raise RuntimeError(f"{path} is empty: delete it to have a new key generated, or "
                           "set LOCATOR_SECRET_KEY")
    return key


def _create_key_file(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    draft = path.with_name(f".{KEY_FILE}.{os.getpid()}.{secrets.token_hex(4)}")
    descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "w", encoding="ascii") as file:
            file.write(secrets.token_urlsafe(KEY_BYTES) + "\n")
        os.link(draft, path)
    except FileExistsError:
        pass  # another worker linked its key first; every worker reads that one
    finally:
        draft.unlink(missing_ok=True)
