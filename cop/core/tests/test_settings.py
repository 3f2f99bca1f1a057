"""Settings are checked in a fresh interpreter, as an operator would start the platform."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from django.test import SimpleTestCase

PRINT_SETTINGS = (
    "import json, django; from django.conf import settings; django.setup(); "
    "print(json.dumps({k: str(getattr(settings, k)) for k in "
    "['DEBUG', 'SESSION_COOKIE_SECURE', 'CSRF_COOKIE_SECURE', 'SECURE_SSL_REDIRECT', "
    "'SECURE_HSTS_SECONDS', 'TIME_ZONE', 'ALLOWED_HOSTS']} | "
    "{'ENGINE': settings.DATABASES['default']['ENGINE'], "
    "'NAME': str(settings.DATABASES['default']['NAME'])}))"
)
GOOD_KEY = "a-production-key-that-is-long-enough-0123456789"


def start(**env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("COP_")}
    clean["DJANGO_SETTINGS_MODULE"] = "cop.settings"
    clean.update(env)
    return subprocess.run(
        [sys.executable, "-c", PRINT_SETTINGS], env=clean, capture_output=True, text=True, timeout=60
    )


class SettingsTestCase(SimpleTestCase):
    def test_it_refuses_to_start_in_production_with_the_development_key(self) -> None:
        result = start()
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("COP_SECRET_KEY is not set", result.stderr)

    def test_it_refuses_a_short_secret_key(self) -> None:
        result = start(COP_SECRET_KEY="short")
        self.assertIn("at least 32 characters", result.stderr)

    def test_production_defaults_are_secure(self) -> None:
        result = start(COP_SECRET_KEY=GOOD_KEY)
        self.assertEqual(result.returncode, 0, result.stderr)
        values = json.loads(result.stdout)
        self.assertEqual(values["DEBUG"], "False")
        self.assertEqual(values["SESSION_COOKIE_SECURE"], "True")
        self.assertEqual(values["CSRF_COOKIE_SECURE"], "True")
        self.assertEqual(values["SECURE_SSL_REDIRECT"], "True")
        self.assertEqual(values["SECURE_HSTS_SECONDS"], "31536000")

    def test_development_mode_starts_with_the_development_key(self) -> None:
        result = start(COP_DEBUG="true")
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(json.loads(result.stdout)["SESSION_COOKIE_SECURE"], "False")

    def test_sqlite_is_the_default_database(self) -> None:
        values = json.loads(start(COP_DEBUG="true").stdout)
        self.assertEqual(values["ENGINE"], "django.db.backends.sqlite3")
        self.assertTrue(values["NAME"].endswith("cop.sqlite3"))

    def test_one_variable_switches_to_postgresql(self) -> None:
        result = start(COP_DEBUG="true", COP_DATABASE_URL="postgres://cop:pw@127.0.0.1:5432/copdb")
        values = json.loads(result.stdout)
        self.assertEqual(values["ENGINE"], "django.db.backends.postgresql")
        self.assertEqual(values["NAME"], "copdb")

    def test_it_rejects_an_unknown_database_scheme(self) -> None:
        result = start(COP_DEBUG="true", COP_DATABASE_URL="mysql://x@127.0.0.1/db")
        self.assertIn("COP_DATABASE_URL must start with", result.stderr)

    def test_it_rejects_a_bad_boolean(self) -> None:
        result = start(COP_DEBUG="maybe")
        self.assertIn("COP_DEBUG must be true or false", result.stderr)

    def test_it_rejects_a_request_limit_below_the_library_upload_limit_and_a_worker_without_slots(
        self,
    ) -> None:
        result = start(COP_DEBUG="true", COP_LIBRARY_MAX_UPLOAD_MB="50", COP_REQUEST_MAX_MB="20")
        self.assertIn("COP_REQUEST_MAX_MB must be a whole number of megabytes larger than", result.stderr)
        result = start(COP_DEBUG="true", COP_OUTBOX_CONCURRENCY="0")
        self.assertIn("COP_OUTBOX_CONCURRENCY must be a whole number of at least 1", result.stderr)

    def test_it_rejects_an_unknown_time_zone(self) -> None:
        result = start(COP_DEBUG="true", COP_TIME_ZONE="Mars/Olympus")
        self.assertIn("not a known time zone", result.stderr)

    def test_it_reads_allowed_hosts_and_time_zone(self) -> None:
        values = json.loads(
            start(
                COP_DEBUG="true",
                COP_ALLOWED_HOSTS="cop.example.org, www.example.org",
                COP_TIME_ZONE="Africa/Nairobi",
            ).stdout
        )
        self.assertEqual(values["ALLOWED_HOSTS"], "['cop.example.org', 'www.example.org']")
        self.assertEqual(values["TIME_ZONE"], "Africa/Nairobi")


HEALTH_CHECK = (
    "import django; django.setup(); from django.test import Client; "
    "r = Client().get('/health/', HTTP_HOST='127.0.0.1'); print(r.status_code, r.json()['database'])"
)


class HealthWithoutDatabaseTestCase(SimpleTestCase):
    def test_health_reports_an_unreachable_database(self) -> None:
        # Port 9 on 127.0.0.1 has no server: the real driver fails to connect.
        clean = {k: v for k, v in os.environ.items() if not k.startswith("COP_")}
        clean.update(
            DJANGO_SETTINGS_MODULE="cop.settings",
            COP_DEBUG="true",
            COP_DATABASE_URL="postgres://cop@127.0.0.1:9/cop",
        )
        result = subprocess.run(
            [sys.executable, "-c", HEALTH_CHECK], env=clean, capture_output=True, text=True, timeout=60
        )
        self.assertEqual(result.stdout.strip(), "503 unreachable", result.stderr[-2000:])

    def test_rendered_files_are_kept_under_the_data_directory_for_every_process(self) -> None:
        # One process keeps a made PDF; another (a second web worker, or the server after a
        # restart) finds it: the `rendered` cache is files under COP_DATA_DIR, not process memory.
        keep = (
            "import django; from django.conf import settings; from django.core.cache import caches; "
            "django.setup(); caches[settings.RENDERED_CACHE].set('made', b'%PDF-1.7 made once')"
        )
        find = (
            "import django; from django.conf import settings; from django.core.cache import caches; "
            "django.setup(); print(caches[settings.RENDERED_CACHE].get('made'))"
        )
        with tempfile.TemporaryDirectory() as data:
            env = {**os.environ, "DJANGO_SETTINGS_MODULE": "cop.settings", "COP_DATA_DIR": data}
            for script in (keep, find):
                result = subprocess.run(
                    [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=60
                )
                self.assertEqual(result.returncode, 0, result.stderr)
            self.assertEqual(result.stdout.strip(), "b'%PDF-1.7 made once'")
            self.assertTrue(any((Path(data) / "cache" / "rendered").iterdir()))

    def test_it_refuses_a_rendered_cache_bound_below_ten_files(self) -> None:
        result = start(COP_DEBUG="true", COP_RENDERED_CACHE_ENTRIES="2")
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("COP_RENDERED_CACHE_ENTRIES must be a whole number of at least 10", result.stderr)
