"""``locator serve``: the web app under gunicorn, a production WSGI server.

The command replaces itself with gunicorn (``exec``), so signals and exit codes are
gunicorn's own and ``locator`` never imports Flask: SIGHUP to that process reloads
gracefully (new workers start, old ones finish their requests), SIGTERM stops it. Each
worker loads the catalog once as it starts, so the first search is as fast as the rest.
Every request is logged to stderr as one JSON object (``web.accesslog``).
"""

from __future__ import annotations

import argparse
import os
import sys

from locator.cli import add_command
from locator.config import Settings
from locator.store import open_store

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
# One worker process per core of the two-core machine this is built for. Threaded workers
# keep connections alive between requests (a sync worker closes each one) and are not held
# up by one slow client; see bench/web_load.py for the throughput this gives.
DEFAULT_WORKERS = 2
THREADS_PER_WORKER = 4
APP = "web:create_app()"


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = add_command(
        subparsers, "serve",
        help="Serve the web app (search page, map and JSON API) with gunicorn.",
        example="locator serve --host 127.0.0.1 --port 8000",
    )
    parser.add_argument("--host", default=DEFAULT_HOST,
                        help=f"address to listen on (default {DEFAULT_HOST}: this machine only)")
    parser.add_argument("--port", type=_port, default=DEFAULT_PORT,
                        help=f"port to listen on (default {DEFAULT_PORT})")
    parser.add_argument("--workers", type=_positive, default=DEFAULT_WORKERS,
                        help=f"worker processes (default {DEFAULT_WORKERS})")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    _warn_if_empty(Settings.from_env().database_url)
    print(f"locator: serving on http://{args.host}:{args.port}/ (Ctrl-C stops)", file=sys.stderr)
    argv = gunicorn_argv(args.host, args.port, workers=args.workers)
    os.execv(argv[0], argv)
    return 0  # not reached: exec replaced this process


def gunicorn_argv(host: str, port: int, *, workers: int = DEFAULT_WORKERS,
                  app: str = APP) -> list[str]:
    """The gunicorn command line; the load benchmark starts the server the same way."""
    return [
        sys.executable, "-m", "gunicorn",
        "--bind", f"{host}:{port}",
        "--workers", str(workers),
        "--worker-class", "gthread",
        "--threads", str(THREADS_PER_WORKER),
        "--graceful-timeout", "5",
        # Signals are the control interface (HUP reloads, TERM stops); gunicorn's control
        # socket sits at one path per user, which a second server on the machine would take.
        "--no-control-socket",
        # One JSON object per request on stderr (web/accesslog.py).
        "--logger-class", "web.accesslog.JsonAccessLogger",
        "--env", "LOCATOR_PRELOAD_CATALOG=true",
        # A search asks pykdtree for one point at a time, which OpenMP threads cannot speed
        # up; waking them costs milliseconds per request on a busy machine (0.5 ms against
        # 3.3 ms for /api/nearest through the test client while the test suite ran beside
        # it). Set before the workers load the app, so pykdtree's OpenMP starts with one.
        "--env", "OMP_NUM_THREADS=1",
        app,
    ]


def _warn_if_empty(database_url: str) -> None:
    with open_store(database_url) as store:
        if store.count_sites() == 0:
            print("locator: no sites are loaded yet; the map will be empty. Load data with "
                  "`locator data fetch` and `locator data import`.", file=sys.stderr)


def _port(text: str) -> int:
    value = int(text)
    if not 1 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"port must be 1-65535, got {value}")
    return value


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value
