"""Test-wide set-up: settings for tests, reference data, a real browser, axe-core.

Nothing here skips: a missing browser, axe-core or database server fails the
run, so a green run always means the browser and database tests ran.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent
AXE_PATH = ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_CANDIDATES = ["/usr/bin/chromium", "/usr/bin/chromium-browser"]


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):  # type: ignore[no-untyped-def]
    """Load the reference data and the shipped content once, and check which database it is."""
    from django.core.management import call_command
    from django.db import connection

    from cop.core.reference.loader import load_reference_data

    expected = os.environ.get("COP_EXPECT_DATABASE")
    if expected and connection.vendor != expected:
        pytest.exit(f"Tests expected {expected} but run on {connection.vendor}", returncode=3)
    with django_db_blocker.unblock():
        load_reference_data()
        call_command("load_content", stdout=open(os.devnull, "w"))  # noqa: SIM115
        call_command("load_helplines", stdout=open(os.devnull, "w"))  # noqa: SIM115


@pytest.fixture(scope="session", autouse=True)
def rendered_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """The `rendered` cache (PDFs, charts: files under the data directory) in a directory of the
    run's own, so that a run neither finds what an earlier one made nor fills the checkout's var/."""
    from django.conf import settings
    from django.test import override_settings

    caches = {**settings.CACHES}
    caches[settings.RENDERED_CACHE] = {
        **caches[settings.RENDERED_CACHE],
        "LOCATION": str(tmp_path_factory.mktemp("rendered-cache")),
    }
    with override_settings(CACHES=caches):
        yield


@pytest.fixture(autouse=True)
def default_language() -> Iterator[None]:
    """Each test starts in the default language. A request through the test client activates the
    page's language in the test's own thread (LocaleMiddleware) and nothing resets it, so without
    this a test would run in whatever language the one before it last asked a page in."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


@pytest.fixture
def content_world(transactional_db: None):  # type: ignore[no-untyped-def]
    """The named people, with reference data, content and the help directory, for browser tests.

    Transactional tests empty the database afterwards, so each loads what it needs again.
    """
    from django.core.management import call_command

    from cop.core.models import Country
    from cop.core.reference.loader import load_reference_data
    from cop.core.tests.base import make_world
    from cop.guidance.models import Guideline

    if not Country.objects.exists():
        load_reference_data()
    if not Guideline.objects.exists():
        call_command("load_content", stdout=open(os.devnull, "w"))  # noqa: SIM115
        call_command("load_helplines", stdout=open(os.devnull, "w"))  # noqa: SIM115
    return make_world()


@pytest.fixture
def database_on_disk(transactional_db: None, tmp_path: Path) -> Iterator[None]:
    """The test database as the platform runs it, for tests whose threads write at the same moment
    or that run `cop` commands in child processes.

    On SQLite the test database lives in memory with a shared cache, where a second writer fails at
    once ("table is locked") instead of waiting its turn as it does on the file the platform uses
    (WAL, a busy timeout), and which no other process can open. So the test runs on a copy on disk,
    and the in-memory database comes back untouched after it. PostgreSQL needs nothing: it is the
    same server either way.
    """
    from django.db import connection

    if connection.vendor != "sqlite":
        yield
        return
    connection.ensure_connection()
    memory = connection.connection  # kept open: the last connection closed would erase the database
    assert memory is not None
    path = tmp_path / "test.sqlite3"
    disk = sqlite3.connect(path)
    memory.backup(disk)
    disk.close()
    original = connection.settings_dict["NAME"]
    # In place, as Django does for parallel test workers: new threads' connections read this dict.
    connection.settings_dict["NAME"] = str(path)
    connection.connection = None
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict["NAME"] = original
        connection.connection = memory


DATABASE_FIXTURES = frozenset(
    {"db", "transactional_db", "django_db_reset_sequences", "django_db_serialized_rollback"}
)


def _uses_database(item: pytest.Item) -> bool:
    if item.get_closest_marker("django_db") is not None:
        return True
    if DATABASE_FIXTURES.intersection(getattr(item, "fixturenames", ())):
        return True
    from django.test import TransactionTestCase

    cls = getattr(item, "cls", None)
    return cls is not None and issubclass(cls, TransactionTestCase)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark every test that touches the database `database`. The PostgreSQL run takes only those:
    a test that never opens a connection (wire formats, sockets, parsers) would only repeat, on
    the second database, exactly what the first run proved."""
    for item in items:
        if _uses_database(item):
            item.add_marker(pytest.mark.database)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = reporter.stats.get("skipped", []) if reporter else []
    if skipped and reporter is not None:
        reporter.write_line(f"FAILED: {len(skipped)} test(s) skipped; this suite allows no skips.", red=True)
        session.exitstatus = 1


def chromium_path() -> str:
    for candidate in [os.environ.get("COP_CHROMIUM", ""), *CHROMIUM_CANDIDATES]:
        if candidate and shutil.which(candidate):
            return candidate
    pytest.fail("Chromium is not installed (scripts/system-deps installs it); browser tests cannot run.")


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=chromium_path(),
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser):  # type: ignore[no-untyped-def]
    # bypass_csp lets the tests inject axe-core; the site itself keeps its CSP.
    context = browser.new_context(viewport={"width": 1200, "height": 900}, bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()
