"""`cop run_filter` as operators start it: without Django, its counters written by the workers in
plain SQL, and the counts of the last seconds written when it stops."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

from django.db import connection

from cop.filter.models import ActivityHourly, BlockedDaily, BlockedSite, PreventiveDaily, Profile
from cop.filter.tests.helpers import make_device, make_family, make_parent, make_profile
from cop.filter.tests.running import addresses, start, write_snapshot
from cop.filter.tests.upstream import Upstream

LISTS = {"illegal": ["bad.illegal.example"], "games": ["games.example"]}


def test_the_resolver_starts_and_answers_without_reading_djangos_settings(tmp_path: Path) -> None:
    # Settings that cannot even be imported: a resolver that set Django up would die at start.
    write_snapshot(tmp_path, 1, LISTS, default={"categories": ["games"]})
    upstream = Upstream().start()
    running = start(
        tmp_path, upstream, workers=1, env={"DJANGO_SETTINGS_MODULE": "cop.filter.tests.no_such_settings"}
    )
    try:
        assert addresses(running.ask("play.games.example")) == ["0.0.0.0"]
        assert addresses(running.ask("news.example.org")) == ["192.0.2.10"]
    finally:
        running.stop()
        upstream.stop()
    assert running.process.returncode == 0


def test_run_filter_imports_no_django_models_settings_or_dnspython_messages() -> None:
    # What the supervisor imports before it forks is what every worker holds in memory.
    # (Django's lazy translations of category labels are imported: they need no settings.)
    probe = (
        "import sys; import cop.filter.run, cop.filter.supervisor, cop.filter.resolver, cop.filter.mmsg; "
        "print(sorted(m for m in sys.modules if m in ('django.conf', 'dns.rdata', 'dns.rrset') "
        "or m.startswith(('django.db', 'cop.filter.models', 'cop.settings', "
        "'dns.message'))))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == "[]"


def _database_for_another_process(directory: Path) -> str:
    """A COP_DATABASE_URL at which another process sees this test's rows (committed: the test runs
    in a transactional database). SQLite's test database lives in this process's memory, so it
    is copied to a file (`_bring_back` copies it back); PostgreSQL's is shared as it is."""
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        with sqlite3.connect(directory / "cop.sqlite3") as copy:
            connection.connection.backup(copy)
        return f"sqlite:///{directory / 'cop.sqlite3'}"
    settings = connection.settings_dict
    return (
        f"postgresql://{quote(settings['USER'] or '')}:{quote(settings['PASSWORD'] or '')}"
        f"@{settings['HOST'] or 'localhost'}:{settings['PORT'] or 5432}/{settings['NAME']}"
    )


def _bring_back(directory: Path) -> None:
    if connection.vendor == "sqlite":
        with sqlite3.connect(directory / "cop.sqlite3") as copy:
            copy.backup(connection.connection)


def test_the_workers_write_the_counts_of_their_last_seconds_when_the_resolver_stops(
    transactional_db: None, tmp_path: Path
) -> None:
    family = make_family(make_parent("amina"), time_zone="UTC")
    amara = make_profile(family)
    device = make_device(amara)
    write_snapshot(
        tmp_path,
        1,
        LISTS,
        profiles=[{"id": amara.pk, "categories": ["games"], "time_zone": "UTC"}],
        devices=[{"token": device.token, "profile": amara.pk, "networks": []}],
    )
    url = _database_for_another_process(tmp_path)
    upstream = Upstream().start()
    # Flushes every 30 s (the default): nothing is written before the stop, so what is in the
    # database afterwards was written by the last flush.
    running = start(tmp_path, upstream, workers=1, statistics=True, env={"COP_DATABASE_URL": url})
    try:
        for _ in range(3):
            assert addresses(running.ask("play.games.example", token=device.token)) == ["0.0.0.0"]
        assert addresses(running.ask("news.example.org", token=device.token)) == ["192.0.2.10"]
        assert addresses(running.ask("bad.illegal.example")) == ["0.0.0.0"]  # a client no device binds
    finally:
        running.stop()
        upstream.stop()
    assert running.process.returncode == 0
    _bring_back(tmp_path)
    assert Profile.objects.filter(pk=amara.pk).exists()
    assert list(BlockedDaily.objects.values_list("profile", "category", "count")) == [(amara.pk, "games", 3)]
    assert list(BlockedSite.objects.values_list("name", "count")) == [("play.games.example", 3)]
    assert sum(ActivityHourly.objects.filter(profile=amara).values_list("queries", flat=True)) == 4
    assert dict(PreventiveDaily.objects.values_list("category", "count")) == {"games": 3, "illegal": 1}
