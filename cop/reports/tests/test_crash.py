"""No accepted report is lost: a real server is killed with SIGKILL twice while clients submit and retry."""

from __future__ import annotations

import collections
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import connection

from cop.reports.tests.crash_run import Server, prepare_database, run, server_env, stored


@pytest.fixture
def database() -> Iterator[tuple[str | None, Path]]:
    """A fresh database of the kind the suite runs on: a SQLite file, or a new PostgreSQL database."""
    with tempfile.TemporaryDirectory(prefix="cop-crash-") as folder:
        if connection.vendor == "sqlite":
            yield None, Path(folder)
            return
        import psycopg

        settings = connection.settings_dict
        name = f"cop_crash_{uuid.uuid4().hex[:8]}"
        admin = f"postgresql://{settings['USER']}@{settings['HOST']}:{settings['PORT']}/postgres"
        with psycopg.connect(admin, autocommit=True) as admin_connection:
            admin_connection.execute(f'CREATE DATABASE "{name}"')
        try:
            yield (
                f"postgresql://{settings['USER']}@{settings['HOST']}:{settings['PORT']}/{name}",
                Path(folder),
            )
        finally:
            with psycopg.connect(admin, autocommit=True) as admin_connection:
                admin_connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.database  # on its own database, made by the fixture above
def test_every_report_that_got_a_receipt_survives_sigkill(database: tuple[str | None, Path]) -> None:
    url, folder = database
    env = server_env(url, folder)
    prepare_database(env)
    server = Server(env, workers=2)
    server.start()
    try:
        result = run(server, reports=240, clients=16, kill_after=(60, 150))
    finally:
        server.stop()
    rows = stored(url, folder)
    by_key = collections.Counter(key for key, _receipt in rows)
    print(
        f"\n{connection.vendor}: {result.submitted} reports, {result.kills} kills, {result.retries} retried "
        f"requests, {len(rows)} stored, {result.seconds:.1f} s"
    )
    assert result.kills == 2
    assert len(result.receipts) == result.submitted
    # Every receipt given is stored, under the key it was given for.
    assert set(result.receipts.items()) <= set(rows)
    # A retried key never made a second report.
    assert max(by_key.values()) == 1
    assert len(rows) == result.submitted
