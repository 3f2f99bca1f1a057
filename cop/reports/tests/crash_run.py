"""Submit reports concurrently to a real server while killing it with SIGKILL, then count what survived.

Used by the crash test and by `scripts/bench`; nothing here is mocked: a gunicorn server with
several worker processes, real sockets on 127.0.0.1, and the real database.
"""

from __future__ import annotations

import os
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[3]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Server:
    """A gunicorn server for one database, in its own process group so that a kill takes all of it."""

    env: dict[str, str]
    workers: int = 2
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        command = [
            sys.executable, "-m", "gunicorn", "cop.wsgi:application", "--workers", str(self.workers),
            "--bind", f"127.0.0.1:{self.port}", "--graceful-timeout", "1", "--log-level", "warning",
        ]  # fmt: skip
        self.process = subprocess.Popen(command, cwd=ROOT, env=self.env, start_new_session=True)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.url}/health/", timeout=1).status_code in (200, 503):
                    return
            except httpx.HTTPError:
                time.sleep(0.1)
        raise RuntimeError("the server did not start")

    def kill(self) -> None:
        """SIGKILL to the whole process group: no cleanup, no flushing, like a power cut of the process."""
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=10)


def prepare_database(env: dict[str, str]) -> None:
    for command in (["migrate", "--no-input"], ["load_reference_data"]):
        subprocess.run(
            [sys.executable, "-m", "cop.cli", *command], cwd=ROOT, env=env, check=True, capture_output=True
        )


def server_env(database_url: str | None, data_dir: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        COP_DEBUG="false",
        COP_HTTPS="false",
        COP_ALLOWED_HOSTS="127.0.0.1",
        COP_DATA_DIR=str(data_dir),
        # One client address sends everything here; the per-address limit is tested elsewhere.
        COP_REPORT_RATE_LIMIT="1000000",
        COP_LOG_LEVEL="WARNING",
        # The throwaway data directory has no collected static files; nothing here needs them.
        PYTHONWARNINGS="ignore:No directory at",
    )
    env.setdefault("COP_SECRET_KEY", "crash-test-secret-key-0123456789abcdefghijklmnop")
    if database_url:
        env["COP_DATABASE_URL"] = database_url
    else:
        env.pop("COP_DATABASE_URL", None)
    return env


@dataclass
class CrashResult:
    submitted: int
    receipts: dict[str, str]  # idempotency key -> receipt
    kills: int
    retries: int
    seconds: float


def run(
    server: Server, reports: int = 240, clients: int = 16, kill_after: tuple[int, ...] = (60, 150)
) -> CrashResult:
    receipts: dict[str, str] = {}
    lock = threading.Lock()
    retries = 0
    kills = 0
    restarting = threading.Event()

    def submit(number: int) -> None:
        nonlocal retries
        key = uuid.uuid4().hex
        body = {
            "country": "KE", "reporter_age": "adult", "where_seen": "website",
            "urls": [f"https://example.org/crash/{number}"], "description": f"load test report {number}",
        }  # fmt: skip
        with httpx.Client(timeout=10) as client:
            for _attempt in range(200):
                try:
                    response = client.post(
                        f"{server.url}/api/v1/reports", json=body, headers={"Idempotency-Key": key}
                    )
                    if response.status_code in (200, 201):
                        with lock:
                            receipts[key] = response.json()["receipt"]
                        return
                except httpx.HTTPError:
                    pass
                with lock:
                    retries += 1
                time.sleep(0.1)
        raise RuntimeError(f"report {number} never got a receipt")

    def killer() -> None:
        nonlocal kills
        for threshold in kill_after:
            while len(receipts) < threshold:
                time.sleep(0.01)
            restarting.set()
            server.kill()
            kills += 1
            time.sleep(0.3)
            server.start()
            restarting.clear()

    started = time.monotonic()
    watcher = threading.Thread(target=killer, daemon=True)
    watcher.start()
    with ThreadPoolExecutor(clients) as pool:
        list(pool.map(submit, range(reports)))
    watcher.join(timeout=60)
    return CrashResult(reports, receipts, kills, retries, time.monotonic() - started)


def stored(database_url: str | None, data_dir: Path) -> list[tuple[str, str]]:
    """(idempotency key, receipt) of every stored report, read straight from the database."""
    query = "SELECT idempotency_key, receipt FROM reports_report"
    if database_url is None:
        with sqlite3.connect(data_dir / "cop.sqlite3") as connection:
            return [(k, r) for k, r in connection.execute(query)]
    import psycopg

    with psycopg.connect(database_url.replace("postgres://", "postgresql://", 1)) as connection:
        return [(k, r) for k, r in connection.execute(query)]
