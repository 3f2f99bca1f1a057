"""Importing block lists: formats, bad lines, unusable files, progress, the command and the pages."""

from __future__ import annotations

import gzip
import hashlib
import http.server
import io
import itertools
import json
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import override_settings
from django.utils import translation

from cop.core.models import Membership, Organisation, OrganisationKind, Role
from cop.core.tests.base import BaseTestCase
from cop.filter import compiler, snapshot
from cop.filter.importing import import_file, import_url
from cop.filter.list_api import _version_out
from cop.filter.models import FilterList, ListVersion, LocalRecord, PolicyVersion
from cop.filter.names import suffixes
from cop.filter.table import Table, wire_key
from cop.filter.tests.helpers import run_compilations
from cop.outbox.runner import run_due

MIXED = """# a list with garbage in it
0.0.0.0 games.example
127.0.0.1 localhost
||play.example^
@@||ok.play.example^
*.arcade.example
Spiele.Example.
this line has words
||bad.example^$third-party
not_a_domain
192.0.2.1
"""
GARBAGE = "<html>\n<body>Not found</body>\n</html>\n"


class ListTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.data = Path(tempfile.mkdtemp(prefix="cop-filter-"))
        self.settings_override = override_settings(FILTER_DATA_DIR=self.data)
        self.settings_override.enable()
        # Saves only queue a compilation; the worker's job runs here, as `cop run_worker` would.
        self.games = FilterList.objects.create(name="Games", category="games", source="Test publisher")
        run_compilations()

    def tearDown(self) -> None:
        self.settings_override.disable()
        super().tearDown()

    def write(self, text: str, name: str = "list.txt") -> Path:
        path = self.data / name
        path.write_text(text)
        return path

    def table(self) -> Table:
        return Table(self.data / "snapshots" / PolicyVersion.objects.first().table_name)  # type: ignore[union-attr]

    def blocked(self, name: str, qtype: int = 1) -> int:
        """The categories that block `name` in the snapshot in force, as the resolver asks."""
        run_compilations()  # the imports before only queued their compilation
        current = snapshot.load(self.data / "snapshots")
        keys = [wire_key(suffix) for suffix in suffixes(name) if "." in suffix]
        found = current.bits(wire_key(name), keys, qtype)
        assert current.table is not None
        current.table.close()
        return found


class ImportTestCase(ListTestCase):
    def test_it_imports_the_good_lines_and_reports_the_bad_ones_with_their_numbers(self) -> None:
        version = import_file(self.games, self.write(MIXED))
        run_compilations()
        assert version.status == ListVersion.Status.ACTIVE
        assert version.lines == 11
        assert version.blocked == 5  # games, play, arcade, spiele, and the address 192.0.2.1
        assert version.allowed == 1
        assert [(p["line"], p["reason"]) for p in version.problems] == [
            (8, "words"),
            (9, "modifier"),
            (10, "single-label"),
        ]
        assert self.blocked("spiele.example") and self.blocked("www.play.example")
        assert not self.blocked("ok.play.example")  # the exception is compiled too
        assert not self.blocked("localhost.example")

    def test_an_unusable_file_is_rejected_and_the_previous_version_stays_in_force(self) -> None:
        first = import_file(self.games, self.write(MIXED))
        run_compilations()
        policies = PolicyVersion.objects.count()
        second = import_file(self.games, self.write(GARBAGE, "broken.txt"))
        run_compilations()
        assert second.status == ListVersion.Status.REJECTED
        assert second.problem_count == 3
        first.refresh_from_db()
        assert first.status == ListVersion.Status.ACTIVE
        assert self.games.active_version() == first
        assert PolicyVersion.objects.count() == policies  # nothing recompiled: nothing changed

    def test_a_new_version_replaces_the_old_one_in_the_snapshot(self) -> None:
        import_file(self.games, self.write("old.example\n"))
        run_compilations()
        import_file(self.games, self.write("new.example\n"))
        run_compilations()
        assert list(self.games.versions.values_list("status", flat=True)) == ["active", "superseded"]
        table = self.table()
        assert table.bits(wire_key("new.example")) and not table.bits(wire_key("old.example"))
        table.close()
        current = snapshot.load(self.data / "snapshots")
        assert current.version == PolicyVersion.objects.first().number  # type: ignore[union-attr]

    def test_progress_is_reported_while_reading(self) -> None:
        seen: list[tuple[int, int]] = []
        lines = "".join(f"site{n}.example\n" for n in range(30_000))
        version = import_file(self.games, self.write(lines), lambda read, total: seen.append((read, total)))
        run_compilations()
        assert version.blocked == 30_000
        assert len(seen) > 3
        assert seen[-1][0] == seen[-1][1] == len(lines)
        assert all(a[0] <= b[0] for a, b in itertools.pairwise(seen))


class RulesTestCase(ListTestCase):
    """Lists as their authors mean them, through an import and the snapshot it compiles."""

    def test_an_exception_in_one_list_does_not_lift_another_lists_block(self) -> None:
        with self.captureOnCommitCallbacks(execute=True):
            other = FilterList.objects.create(name="More games", category="games", source="Other publisher")
            import_file(self.games, self.write("||play.example^\n", "one.txt"))
            import_file(other, self.write("@@||play.example^\n||arcade.example^\n", "two.txt"))
        assert self.blocked("www.play.example")

    def test_one_hotline_cannot_weaken_another_hotlines_list(self) -> None:
        with self.captureOnCommitCallbacks(execute=True):
            first = FilterList.objects.create(
                name="Hotline one", category="illegal", source="One", maintainer=self.world.kenya_hotline
            )
            second = FilterList.objects.create(
                name="Hotline two", category="illegal", source="Two", maintainer=self.world.kenya_hotline
            )
            import_file(first, self.write("||bad.example^\n", "one.txt"))
            version = import_file(
                second, self.write("@@||bad.example^$important\n||worse.example^\n", "two.txt")
            )
        assert (version.status, version.blocked, version.allowed) == (ListVersion.Status.ACTIVE, 1, 0)
        assert [(p["line"], p["reason"]) for p in version.problems] == [(1, "exception-in-illegal")]
        assert self.blocked("www.bad.example") == 1  # the illegal-content category, bit 0
        page = self.client_for(self.world.alice).get(f"/en/filter/lists/{second.pk}/versions/1/")
        self.assertContains(page, "an illegal-content list accepts no exceptions: this line is skipped")

    def test_cosmetic_rules_are_counted_on_the_version_and_never_block_the_site(self) -> None:
        text = "example.org##.ad\nexample.com#@#.banner\n||example.net/ads.js\n||play.example^\n"
        with self.captureOnCommitCallbacks(execute=True):
            version = import_file(self.games, self.write(text))
        assert (version.not_dns, version.blocked, version.problem_count) == (3, 1, 0)
        assert not self.blocked("example.org") and not self.blocked("example.net")
        page = self.client_for(self.world.alice).get(f"/en/filter/lists/{self.games.pk}/versions/1/")
        self.assertContains(page, "Not DNS rules (cosmetic or web-address rules, skipped)")
        self.assertContains(page, "<dd>3</dd>", html=False)
        assert _version_out(version)["not_dns"] == 3  # what the list API answers

    def test_modifiers_patterns_and_addresses_reach_the_resolver(self) -> None:
        text = (
            "||ads.example^$dnstype=AAAA\n"
            "/^track[0-9]+\\./\n"
            "||cdn.example^$denyallow=ok.cdn.example\n"
            "||zip^\n"
            "||192.0.2.7^\n"
        )
        with self.captureOnCommitCallbacks(execute=True):
            version = import_file(self.games, self.write(text))
        assert version.problem_count == 0, version.problems
        games = 1 << compiler.ORDER.index("games")
        assert self.blocked("ads.example", 28) == games and not self.blocked("ads.example", 1)
        assert self.blocked("track7.example") and not self.blocked("track.example")
        assert self.blocked("www.cdn.example") and not self.blocked("www.ok.cdn.example")
        assert self.blocked("files.zip")
        current = snapshot.load(self.data / "snapshots")
        assert current.has_addresses
        assert current.address_bits(bytes([192, 0, 2, 7])) == games
        assert current.address_bits(bytes([192, 0, 2, 8])) == 0

    def test_versions_store_their_rules_and_versions_of_the_first_format_still_read(self) -> None:
        with self.captureOnCommitCallbacks(execute=True):
            version = import_file(
                self.games, self.write("||b.example^$important\n@@||a.b.example^\nc.example\n")
            )
        stored = gzip.decompress(compiler.version_file(version).read_bytes()).decode()
        assert stored.splitlines() == ["+c.example", "-a.b.example", '{"i":1,"k":"name","t":"b.example"}']
        assert version.sha256 == hashlib.sha256(stored.encode()).hexdigest()
        # A version imported before rules had modifiers: `+name` and `-name` lines only.
        compiler.version_file(version).write_bytes(gzip.compress(b"+old.example\n-ok.old.example\n"))
        ListVersion.objects.filter(pk=version.pk).update(sha256="0" * 64)
        version.refresh_from_db()
        with self.captureOnCommitCallbacks(execute=True):
            compiler.compile_policy()
        assert self.blocked("www.old.example") and not self.blocked("ok.old.example")


@pytest.fixture
def list_server() -> Iterator[str]:
    """A real HTTP server on 127.0.0.1 serving /good.txt, /garbage.txt, and 404 for anything else."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            bodies = {"/good.txt": MIXED, "/garbage.txt": GARBAGE}
            body = bodies.get(self.path)
            self.send_response(200 if body else 404)
            self.send_header("Content-Length", str(len((body or "").encode())))
            self.end_headers()
            self.wfile.write((body or "").encode())

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


@pytest.mark.django_db
def test_it_imports_from_an_address_and_a_failed_download_changes_nothing(
    list_server: str, tmp_path: Path
) -> None:
    with override_settings(FILTER_DATA_DIR=tmp_path, FETCH_ALLOW_LOOPBACK=True):
        games = FilterList.objects.create(name="Games", category="games", source="Test publisher")
        good = import_url(games, f"{list_server}/good.txt")
        assert good.status == ListVersion.Status.ACTIVE and good.blocked == 5
        assert good.bytes_read == good.bytes_total == len(MIXED)
        missing = import_url(games, f"{list_server}/gone.txt")
        assert missing.status == ListVersion.Status.FAILED
        assert missing.error_text == "The server answered 404 Not Found."
        assert games.active_version() == good
        # Read later by a French-speaking organisation member: the reason in French, not frozen in
        # the language the background import ran in.
        missing.refresh_from_db()
        with translation.override("fr"):
            assert missing.error_text == "Le serveur a répondu 404 Not Found."


class CommandTestCase(ListTestCase):
    def test_the_command_creates_a_list_imports_it_and_prints_the_bad_lines(self) -> None:
        out = io.StringIO()
        call_command(
            "import_filter_list",
            "Adult",
            "--file",
            str(self.write(MIXED)),
            "--category",
            "adult",
            "--source",
            "Test publisher",
            stdout=out,
        )
        run_compilations()
        text = out.getvalue()
        assert "version 1: Active" in text
        assert "5 names blocked, 1 exceptions, 3 lines not understood" in text
        assert "line 8: more than one word: this line has words" in text
        assert FilterList.objects.get(name="Adult").category == "adult"

    def test_the_command_fails_loudly_on_an_unusable_file_and_an_unknown_list(self) -> None:
        with pytest.raises(CommandError, match="previous version stays in force"):
            call_command(
                "import_filter_list", "Games", "--file", str(self.write(GARBAGE)), stdout=io.StringIO()
            )
        with pytest.raises(CommandError, match="give --category and --source"):
            call_command("import_filter_list", "Nope", "--file", str(self.write(MIXED)), stdout=io.StringIO())
        with pytest.raises(CommandError, match="No such file"):
            call_command(
                "import_filter_list", "Games", "--file", "/nonexistent/list.txt", stdout=io.StringIO()
            )


class ListPagesTestCase(ListTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.illegal = FilterList.objects.create(
            name="National hotline list",
            category="illegal",
            source="Kenya Hotline",
            maintainer=self.world.kenya_hotline,
        )
        run_compilations()

    def test_the_secretariat_creates_a_list_uploads_a_file_and_follows_the_import(self) -> None:
        client = self.client_for(self.world.alice)
        response = client.post(
            "/en/filter/lists/new/",
            {
                "name": "Gambling",
                "category": "gambling",
                "source": "Example publisher",
                "refresh_hours": "24",
            },
        )
        gambling = FilterList.objects.get(name="Gambling")
        self.assertRedirects(response, f"/en/filter/lists/{gambling.pk}/")
        upload = SimpleUploadedFile("gambling.txt", MIXED.encode())
        response = client.post(f"/en/filter/lists/{gambling.pk}/", {"file": upload})
        self.assertRedirects(response, f"/en/filter/lists/{gambling.pk}/versions/1/")
        progress = client.get(f"/en/filter/lists/{gambling.pk}/versions/1/progress/").json()
        assert progress["status"] == "importing" and not progress["done"]
        run_compilations()  # what earlier saves queued, so that the import is the only job due
        assert run_due(1) == 1
        run_compilations()
        progress = client.get(f"/en/filter/lists/{gambling.pk}/versions/1/progress/").json()
        assert progress == {
            "status": "active",
            "status_text": "Active",
            "bytes_read": len(MIXED),
            "bytes_total": len(MIXED),
            "percent": 100,
            "done": True,
        }
        page = client.get(f"/en/filter/lists/{gambling.pk}/versions/1/")
        self.assertContains(page, "more than one word")
        self.assertContains(page, "this line has words")
        assert not (self.data / "uploads" / f"{gambling.versions.get().pk}.upload").exists()

    def test_the_illegal_list_needs_its_hotline(self) -> None:
        client = self.client_for(self.world.alice)
        response = client.post(
            "/en/filter/lists/new/",
            {"name": "Another", "category": "illegal", "source": "Someone", "refresh_hours": "24"},
        )
        self.assertContains(response, "needs the hotline that maintains it", status_code=400)
        assert not FilterList.objects.filter(name="Another").exists()

    def test_a_hotline_analyst_imports_into_its_own_illegal_list_and_nothing_else(self) -> None:
        client = self.client_for(self.world.hana)
        self.assertContains(client.get("/en/filter/lists/"), "National hotline list")
        self.assertNotContains(client.get("/en/filter/lists/"), "Games")
        upload = SimpleUploadedFile("list.txt", b"bad.example\n")
        response = client.post(f"/en/filter/lists/{self.illegal.pk}/", {"file": upload})
        assert response.status_code == 302
        assert client.get(f"/en/filter/lists/{self.games.pk}/").status_code == 404
        assert client.get("/en/filter/lists/new/").status_code == 404
        assert client.get(f"/en/filter/lists/{self.illegal.pk}/edit/").status_code == 404
        other = Organisation.objects.create(name="Other hotline", kind=OrganisationKind.HOTLINE)
        outsider = self.world.pablo
        Membership.objects.create(user=outsider, organisation=other, role=Role.HOTLINE_ANALYST)
        assert self.client_for(outsider).get(f"/en/filter/lists/{self.illegal.pk}/").status_code == 404

    def test_a_refresh_interval_beyond_a_year_is_refused(self) -> None:
        response = self.client_for(self.world.alice).post(
            "/en/filter/lists/new/",
            {
                "name": "Far",
                "category": "games",
                "source": "Example",
                "refresh_hours": "2000000000",
                "enabled": "on",
            },
        )
        self.assertContains(response, "Refresh at least once a year", status_code=400)
        assert not FilterList.objects.filter(name="Far").exists()

    def test_people_without_a_role_see_no_list(self) -> None:
        assert self.client_for(self.world.pablo).get("/en/filter/lists/").status_code == 404
        assert self.client.get("/en/filter/lists/").status_code == 302  # to the sign-in page

    def test_an_empty_upload_is_refused_and_creates_no_version(self) -> None:
        client = self.client_for(self.world.alice)
        upload = SimpleUploadedFile("empty.txt", b"")
        response = client.post(f"/en/filter/lists/{self.games.pk}/", {"file": upload})
        self.assertContains(response, "The submitted file is empty.", status_code=400)
        assert not self.games.versions.exists()

    def test_a_list_with_an_address_is_refreshed_on_schedule(self) -> None:
        from cop.outbox.models import Job

        client = self.client_for(self.world.alice)
        client.post(
            "/en/filter/lists/new/",
            {
                "name": "Social",
                "category": "social",
                "source": "Example",
                "url": "http://127.0.0.1:9/social.txt",
                "refresh_hours": "6",
                "enabled": "on",
            },
        )
        job = Job.objects.get(kind="filter.refresh_list")
        assert json.dumps(job.payload) == json.dumps({"list": FilterList.objects.get(name="Social").pk})
        hours = (job.next_attempt_at - job.created_at).total_seconds() / 3600
        assert 5.9 < hours < 6.1


class LocalRecordPagesTestCase(ListTestCase):
    def test_the_secretariat_adds_checks_and_removes_names_the_filter_answers(self) -> None:
        client = self.client_for(self.world.alice)
        url = "/en/filter/local-names/"
        response = client.post(
            url, {"name": "Intranet.School.Example.", "type": "A", "value": "192.0.2.80", "ttl": "300"}
        )
        self.assertRedirects(response, url)
        record = LocalRecord.objects.get()
        assert (record.name, record.value) == ("intranet.school.example", "192.0.2.80")
        bad = client.post(url, {"name": "router.example", "type": "AAAA", "value": "192.0.2.1", "ttl": "300"})
        self.assertContains(bad, "This value does not suit a record of type AAAA.", status_code=400)
        clash = client.post(
            url, {"name": "intranet.school.example", "type": "CNAME", "value": "x.example", "ttl": "300"}
        )
        self.assertContains(clash, "can have no other record", status_code=400)
        assert LocalRecord.objects.count() == 1
        self.assertContains(client.get(url), "192.0.2.80")
        client.post(f"/en/filter/local-names/{record.pk}/delete/")
        assert not LocalRecord.objects.exists()

    def test_only_the_secretariat_manages_local_names(self) -> None:
        for user in (self.world.hana, self.world.pablo):
            assert self.client_for(user).get("/en/filter/local-names/").status_code == 404
