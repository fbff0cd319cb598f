"""Access logs as one JSON object per request on stderr, for log collectors to parse.

gunicorn's own access log is a format string, which cannot escape a quote in a path into
valid JSON; this logger class (``--logger-class``) builds each line with ``json.dumps``
instead. The fields: ``time`` (UTC, ISO 8601 with milliseconds), ``method``, ``path``,
``query``, ``status``, ``duration_ms``, ``bytes`` and the worker's ``pid``.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from datetime import UTC, datetime, timedelta
from typing import Any

from gunicorn.glogging import Logger

_ACCESS = logging.getLogger("locator.access")


class JsonAccessLogger(Logger):
    """gunicorn's logger with the access log replaced by JSON lines on stderr."""

    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        if not _ACCESS.handlers:
            handler = logging.StreamHandler(sys.stderr)
            handler.setFormatter(logging.Formatter("%(message)s"))
            _ACCESS.addHandler(handler)
            _ACCESS.setLevel(logging.INFO)
            _ACCESS.propagate = False

    @property
    def access_log_enabled(self) -> bool:
        return True

    def access(self, resp: Any, req: Any, environ: dict[str, Any],
               request_time: timedelta) -> None:
        _ACCESS.info(json.dumps(access_record(resp, environ, request_time)))


def access_record(resp: Any, environ: dict[str, Any],
                  request_time: timedelta) -> dict[str, object]:
    status = resp.status
    if isinstance(status, str):
        status = status.split(None, 1)[0]
    return {
        "time": datetime.now(UTC).isoformat(timespec="milliseconds"),
        "method": environ.get("REQUEST_METHOD", ""),
        "path": environ.get("PATH_INFO", ""),
        "query": environ.get("QUERY_STRING", ""),
        "status": int(status),
        "duration_ms": round(request_time.total_seconds() * 1000, 3),
        "bytes": getattr(resp, "sent", None),
        "pid": os.getpid(),
    }
