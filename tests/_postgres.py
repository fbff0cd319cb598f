"""A throwaway PostgreSQL cluster for the tests: started in a temporary folder on a free port
of 127.0.0.1, owned by an unprivileged user, stopped and deleted at the end of the session.

Why not a system service: CI is a fresh clone on a machine where nothing is running, and
tests must not touch a database someone else uses. Why an unprivileged user: ``initdb``
refuses to run as root, and CI runs as root, so the cluster's files and server belong to
the ``postgres`` system user that Debian's package creates (or to ``locator-test``, created
here when there is none). Authentication is ``trust`` because the server listens on
127.0.0.1 only and lives as long as the test session.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

SUPERUSER = "locator"
FALLBACK_OS_USER = "locator-test"


class PostgresMissing(RuntimeError):
    """PostgreSQL or PostGIS is not installed here (``make test`` installs both)."""


@dataclass(frozen=True, slots=True)
class Cluster:
    """A running cluster: its folder, port and the OS user its server runs as."""

    data_dir: Path
    bin_dir: Path
    port: int
    os_user: str | None

    def url(self, database: str, *, user: str = SUPERUSER) -> str:
        return f"postgresql://{user}@127.0.0.1:{self.port}/{database}"

    def create_database(self, *, owner: str = SUPERUSER, postgis: bool = True) -> str:
        """A new empty database (with PostGIS when asked); returns its name."""
        name = f"t_{uuid.uuid4().hex[:12]}"
        self.psql(f'CREATE DATABASE "{name}" OWNER "{owner}"')
        if postgis:
            self.psql("CREATE EXTENSION IF NOT EXISTS postgis", database=name)
        return name

    def drop_database(self, name: str) -> None:
        self.psql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def create_role(self, name: str) -> None:
        """A role that may log in and own databases but is no superuser."""
        self.psql(f'CREATE ROLE "{name}" LOGIN NOSUPERUSER NOCREATEDB')

    def psql(self, sql: str, *, database: str = "postgres") -> str:
        completed = subprocess.run(
            [str(self.bin_dir / "psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1", "-At",
             "-h", "127.0.0.1", "-p", str(self.port), "-U", SUPERUSER, "-d", database,
             "-c", sql],
            capture_output=True, text=True, check=False)
        if completed.returncode != 0:
            raise RuntimeError(f"psql failed: {sql}\n{completed.stderr}")
        return completed.stdout

    def stop(self) -> None:
        _run_as(self.os_user, [str(self.bin_dir / "pg_ctl"), "stop", "-D", str(self.data_dir),
                               "-m", "fast", "-w"])
        shutil.rmtree(self.data_dir.parent, ignore_errors=True)


def start_cluster() -> Cluster:
    """Create and start a cluster; raises ``PostgresMissing`` when the binaries are absent."""
    bin_dir = find_bin_dir()
    require_postgis()
    os_user = _unprivileged_user()
    base = Path(tempfile.mkdtemp(prefix="locator-pg-"))
    data_dir = base / "data"
    if os_user is not None:
        shutil.chown(base, user=os_user)
    _run_as(os_user, [str(bin_dir / "initdb"), "-D", str(data_dir), "-U", SUPERUSER,
                      "--auth=trust", "--encoding=UTF8", "--no-locale", "--no-sync"])
    port = free_port()
    # The socket goes in the cluster's own folder: /var/run/postgresql may not exist or
    # belong to another server. fsync is off because the data is thrown away anyway.
    options = f"-h 127.0.0.1 -p {port} -k {base} -c fsync=off -c full_page_writes=off"
    _run_as(os_user, [str(bin_dir / "pg_ctl"), "start", "-D", str(data_dir), "-w",
                      "-t", "60", "-l", str(base / "server.log"), "-o", options])
    return Cluster(data_dir=data_dir, bin_dir=bin_dir, port=port, os_user=os_user)


def find_bin_dir() -> Path:
    """Debian keeps the server binaries in /usr/lib/postgresql/N/bin, off the PATH."""
    on_path = shutil.which("initdb")
    if on_path:
        return Path(on_path).resolve().parent
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"),
                   key=lambda p: int(Path(p).parts[-3]))
    if not found:
        raise PostgresMissing("PostgreSQL is not installed (initdb not found); `make test` "
                              "installs it: apt-get install postgresql postgresql-postgis")
    return Path(found[-1]).parent


def require_postgis() -> None:
    if not glob.glob("/usr/share/postgresql/*/extension/postgis.control"):
        raise PostgresMissing("PostGIS is not installed; `make test` installs it: "
                              "apt-get install postgresql-postgis")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _unprivileged_user() -> str | None:
    """None when the tests already run unprivileged; else a system user to run the server."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", FALLBACK_OS_USER):
        try:
            pwd.getpwnam(name)
            return name
        except KeyError:
            continue
    subprocess.run(["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin",
                    FALLBACK_OS_USER], check=True)
    return FALLBACK_OS_USER


def _run_as(os_user: str | None, argv: Sequence[str]) -> None:
    command = list(argv) if os_user is None else ["runuser", "-u", os_user, "--", *argv]
    completed = subprocess.run(command, capture_output=True, text=True, check=False,
                               cwd="/")
    if completed.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} failed:\n{completed.stdout}{completed.stderr}")
