"""Failed-login limits per account and per client address, counted in the store.

After ``MAX_FAILURES`` failures within ``WINDOW_S`` a key is locked until the oldest of those
failures leaves the window. The counts live in the database, so every worker process and
app server sharing it applies the same limit.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from locator.store import Store

MAX_FAILURES = 10
WINDOW_S = 15 * 60


def account_key(email: str) -> str:
    return f"email:{email}"


def address_key(address: str) -> str:
    return f"address:{address}"


def retry_after_s(store: Store, keys: Iterable[str], now_s: float) -> int:
    """Seconds until a login may be tried again under every key; 0 when it may now."""
    wait_s = 0.0
    for key in keys:
        failures = store.login_failures(key, now_s - WINDOW_S)
        if len(failures) >= MAX_FAILURES:
            # The limit lifts once enough failures have aged out of the window.
            unlock_s = failures[len(failures) - MAX_FAILURES] + WINDOW_S
            wait_s = max(wait_s, unlock_s - now_s)
    return math.ceil(wait_s)


def record_failure(store: Store, keys: Iterable[str], now_s: float) -> None:
    store.record_login_failure(list(keys), now_s)


def record_success(store: Store, email: str) -> None:
    """A right password clears the account's count (not the address's: one address may be
    trying many accounts)."""
    store.clear_login_failures(account_key(email))
