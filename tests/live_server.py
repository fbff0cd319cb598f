"""``locator serve`` started for a test: a real gunicorn on a free port of 127.0.0.1."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

from _postgres import free_port
from conftest import REPO

__all__ = ["Server", "free_port"]


class Server:
    """``locator serve`` on a free port, its stderr collected line by line."""

    def __init__(self, database_url: str, *, workers: int = 2, **settings: str) -> None:
        self.port = free_port()
        env = {**os.environ, "LOCATOR_DATABASE_URL": database_url,
               "LOCATOR_SECRET_KEY": "test", **settings}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "locator", "serve", "--host", "127.0.0.1",
             "--port", str(self.port), "--workers", str(workers)],
            env=env, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        self.lines: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        for line in self.process.stderr:
            self.lines.append(line)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def get(self, path: str) -> tuple[int, bytes]:
        with urllib.request.urlopen(f"http://127.0.0.1:{self.port}{path}",
                                    timeout=5) as response:
            return response.status, response.read()

    def status(self, path: str) -> int:
        """The status of a GET, whatever it is (``get`` raises on 4xx and 5xx)."""
        try:
            return self.get(path)[0]
        except urllib.error.HTTPError as error:
            return error.code

    def access_records(self) -> list[dict]:
        """The access log so far: one JSON object per request."""
        records = []
        for line in list(self.lines):
            try:
                record = json.loads(line)
            except ValueError:
                continue
            if isinstance(record, dict) and "pid" in record:
                records.append(record)
        return records

    def wait_until_up(self) -> None:
        deadline = time.monotonic() + 60
        while True:
            assert self.process.poll() is None, "".join(self.lines)
            assert time.monotonic() < deadline, "the server did not start in 60 s"
            try:
                self.get("/healthz")
                return
            except OSError:
                time.sleep(0.2)

    def worker_pids(self) -> set[int]:
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return {int(pid) for pid in children.read_text().split()}

    def stop(self) -> None:
        self.process.terminate()
        assert self.process.wait(timeout=30) == 0
        self._reader.join(timeout=5)
        self.process.stderr.close()
