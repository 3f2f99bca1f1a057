"""The catalogue of public lists: checked, subscribed at set-up, downloaded by the worker, shown to parents.

Offline: the lists are generated (made-up names under .example) and served from 127.0.0.1.
"""

from __future__ import annotations

import datetime
import gzip
import http.server
import io
import tempfile
import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings
from django.utils import timezone

from cop.core.tests.http_server import Route, Server, send, serving
from cop.filter import catalogue, coverage
from cop.filter.catalogue import CATALOGUE, CatalogueError
from cop.filter.categories import CHOOSABLE, CHOOSABLE_CODES
from cop.filter.compiler import COMPILE
from cop.filter.importing import import_url, new_version
from cop.filter.jobs import IMPORT
from cop.filter.models import CatalogueSubscription, FilterList, ListVersion
from cop.filter.tests.helpers import FilterTestCase
from cop.outbox.models import Job
from cop.outbox.runner import run_due

SIZES = {"adult": 1200, "violence": 40, "hate": 30, "drugs": 300, "gambling": 500, "scams": 800, "games": 250}


def generated(category: str, count: int, form: str = "domains") -> bytes:
    """A list of `count` made-up names, one per line, in the format its publisher would use."""
    lines = [f"# generated list of {category} test names", ""]
    for n in range(count):
        name = f"site{n}.{category}.example"
        lines.append({"domains": name, "hosts": f"0.0.0.0 {name}", "adblock": f"||{name}^"}[form])
    return ("\n".join(lines) + "\n").encode()


BODIES = {
    "/adult.txt": generated("adult", SIZES["adult"]),
    "/violence.txt": generated("violence", SIZES["violence"]),
    "/hate.txt": generated("hate", SIZES["hate"]),
    "/drugs.hosts": generated("drugs", SIZES["drugs"], "hosts"),
    "/gambling.txt": generated("gambling", SIZES["gambling"], "adblock"),
    "/scams.txt": generated("scams", SIZES["scams"]),
    "/games.txt": generated("games", SIZES["games"]),
}


def entry(key: str, category: str, url: str, form: str = "domains", **changes: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "key": key,
        "category": category,
        "name": f"Test list: {key}",
        "publisher": "Example publisher",
        "url": url,
        "format": form,
        "licence": "CC0-1.0",
        "facts_source": "https://lists.example/about",
        "address_verified": True,
        "licence_verified": True,
        "default": True,
        "refresh_hours": 12,
        "notes": "",
    }
    values.update(changes)
    return values


def to_toml(entries: list[dict[str, Any]], uncovered: list[str]) -> str:
    def value(v: Any) -> str:
        if isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(v, int):
            return str(v)
        return '"' + str(v).replace("\\", "\\\\").replace('"', '\\"') + '"'

    parts = []
    for item in entries:
        parts.append("[[lists]]\n" + "".join(f"{k} = {value(v)}\n" for k, v in item.items()))
    for code in uncovered:
        parts.append(f'[[uncovered]]\ncategory = "{code}"\nnotes = "No public list of test names."\n')
    return "\n".join(parts)


def served_catalogue(server: Server) -> list[dict[str, Any]]:
    """A default list for every category but self-harm: most served well, three failing as a real one can."""
    return [
        entry("adult", "adult", server.url("/adult.txt")),
        entry("violence", "violence", server.url("/violence.txt")),
        entry("hate", "hate", server.url("/hate.txt")),
        entry("drugs", "drugs", server.url("/drugs.hosts"), "hosts"),
        entry("gambling", "gambling", server.url("/gambling.txt"), "adblock"),
        entry("scams", "scams", server.url("/scams.txt")),
        entry("games", "games", server.url("/games.txt")),
        entry("dating", "dating", server.url("/broken.txt")),  # the server fails: 500
        entry("social", "social", server.url("/page.html")),  # a web page instead of a list
        entry("video", "video", "http://127.0.0.1:9/video.txt"),  # nothing listens there: offline
    ]


def list_routes() -> dict[str, Route]:
    def serve(body: bytes) -> Route:
        return lambda handler: send(handler, 200, body)

    routes: dict[str, Route] = {path: serve(body) for path, body in BODIES.items()}
    routes["/broken.txt"] = lambda h: send(h, 500, b"Internal error\n")
    routes["/page.html"] = lambda h: send(
        h,
        200,
        b"<html>\n<body>\nlists.example\n</body>\n</html>\n",
        {"Content-Type": "text/html; charset=utf-8"},
    )
    return routes


def test_the_shipped_catalogue_covers_every_category_or_says_why_not() -> None:
    shipped = catalogue.load()
    defaults = {entry.category for entry in shipped.defaults()}
    assert defaults | set(shipped.uncovered) == set(CHOOSABLE_CODES)
    assert set(shipped.uncovered) == {"self-harm"}
    for item in shipped.defaults():
        assert item.address_verified and item.licence_verified and item.licence, item.key
        assert item.url.startswith("https://"), item.key
    # Facts only: no list in the catalogue is more than an address.
    assert "\n0.0.0.0 " not in CATALOGUE.read_text()


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"category": "illegal"}, "unknown category 'illegal'"),
        ({"category": "cartoons"}, "unknown category 'cartoons'"),
        ({"url": "ftp://lists.example/a.txt"}, "scheme"),
        ({"url": "https://user:pw@lists.example/a.txt"}, "credentials"),
        ({"format": "zip"}, "format must be one of"),
        ({"licence_verified": False}, "only a list whose address and licence are verified can be a default"),
        ({"licence": ""}, "only a list whose address and licence are verified can be a default"),
        ({"refresh_hours": 0}, "refresh_hours must be a whole number"),
        ({"refresh_hours": "24"}, "refresh_hours must be a whole number"),
        ({"default": "yes"}, "default must be true or false"),
        ({"homepage": "https://lists.example"}, "unknown fields ['homepage']"),
        ({"name": "x" * 101}, "too long"),
    ],
)
def test_a_wrong_entry_is_refused_with_what_is_wrong(change: dict[str, Any], problem: str) -> None:
    entries = [entry(code, code, f"https://lists.example/{code}.txt") for code in sorted(CHOOSABLE_CODES)]
    entries[0].update(change)
    with pytest.raises(CatalogueError) as caught:
        catalogue.parse(tomllib.loads(to_toml(entries, [])))
    assert any(problem in text for text in caught.value.problems), caught.value.problems


def test_every_category_needs_a_default_or_a_reason_and_keys_and_names_are_unique() -> None:
    entries = [entry(code, code, f"https://lists.example/{code}.txt") for code in sorted(CHOOSABLE_CODES)]
    gaps = [item for item in entries if item["category"] != "games"]
    with pytest.raises(CatalogueError, match="category 'games' has no default list"):
        catalogue.parse(tomllib.loads(to_toml(gaps, [])))
    assert catalogue.parse(tomllib.loads(to_toml(gaps, ["games"]))).uncovered == {
        "games": "No public list of test names."
    }
    with pytest.raises(CatalogueError, match="has a default list and is also named uncovered"):
        catalogue.parse(tomllib.loads(to_toml(entries, ["games"])))
    twice = [*entries, entry("adult", "adult", "https://lists.example/other.txt", name="Other")]
    with pytest.raises(CatalogueError, match="two lists have the key 'adult'"):
        catalogue.parse(tomllib.loads(to_toml(twice, [])))


@contextmanager
def catalogue_file(entries: list[dict[str, Any]], uncovered: list[str]) -> Iterator[Path]:
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "catalogue.toml"
        path.write_text(to_toml(entries, uncovered))
        yield path


class CatalogueTestCase(FilterTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.data = Path(tempfile.mkdtemp(prefix="cop-catalogue-"))
        self.settings_override = override_settings(FILTER_DATA_DIR=self.data, FETCH_ALLOW_LOOPBACK=True)
        self.settings_override.enable()
        self.routes = list_routes()  # the server reads it at each request: tests change what it serves
        self.server_context = serving(self.routes)
        self.server = self.server_context.__enter__()

    def tearDown(self) -> None:
        self.server_context.__exit__(None, None, None)
        self.settings_override.disable()
        super().tearDown()

    def load(self, entries: list[dict[str, Any]], uncovered: list[str] | None = None) -> str:
        out = io.StringIO()
        with catalogue_file(entries, ["self-harm"] if uncovered is None else uncovered) as path:
            with self.captureOnCommitCallbacks(execute=True):
                call_command("load_filter_catalogue", "--file", str(path), stdout=out)
        return out.getvalue()

    def work(self, now: datetime.datetime | None = None) -> int:
        with self.captureOnCommitCallbacks(execute=True):
            return run_due(50, now=now)

    def statuses(self) -> dict[str, coverage.CategoryStatus]:
        return coverage.category_statuses(uncovered=frozenset({"self-harm"}))


def imports_done() -> int:
    """List imports the worker finished; the compilations each activated version queues are not counted."""
    return Job.objects.filter(kind=IMPORT, status=Job.Status.DONE).count()


class SubscribingTestCase(CatalogueTestCase):
    def test_set_up_subscribes_a_default_per_category_and_the_worker_downloads_them(self) -> None:
        text = self.load(served_catalogue(self.server))
        assert "10 subscribed" in text
        assert "no public list covers: self-harm" in text
        adult = FilterList.objects.get(name="Test list: adult")
        assert (adult.category, adult.url, adult.refresh_hours) == (
            "adult",
            self.server.url("/adult.txt"),
            12,
        )
        assert adult.source == "Example publisher; licence: CC0-1.0"
        assert adult.catalogue_subscription.key == "adult"  # type: ignore[attr-defined]
        # Nothing is downloaded at set-up: the first downloads wait for the worker, with progress.
        assert set(ListVersion.objects.values_list("status", flat=True)) == {ListVersion.Status.IMPORTING}
        assert self.statuses()["adult"].state == coverage.PENDING
        refreshes = Job.objects.filter(kind="filter.refresh_list")
        assert refreshes.count() == 10
        for job in refreshes:
            hours = (job.next_attempt_at - timezone.now()).total_seconds() / 3600
            assert 11.9 < hours <= 12, hours

        self.work()  # the first downloads (and the compilations they cause); refreshes are not due yet
        assert imports_done() == 10

        for code, count in SIZES.items():
            version = FilterList.objects.get(category=code).active_version()
            assert version is not None, code
            assert version.blocked == count, code
            body = next(b for p, b in BODIES.items() if p.startswith(f"/{code}."))
            assert version.bytes_read == version.bytes_total == len(body), code
        failed = {
            filter_list.category: filter_list.versions.get()
            for filter_list in FilterList.objects.filter(category__in=["dating", "social", "video"])
        }
        assert {v.status for v in failed.values()} == {ListVersion.Status.FAILED}
        assert "500" in failed["dating"].error_text
        assert "web page" in failed["social"].error_text
        assert "Could not connect to 127.0.0.1" in failed["video"].error_text
        # The secretariat sees why on the lists page and the list's own page.
        secretariat = self.as_user(self.world.alice)
        self.assertContains(secretariat.get("/en/filter/lists/"), "The server answered 500")
        video = FilterList.objects.get(category="video")
        self.assertContains(
            secretariat.get(f"/en/filter/lists/{video.pk}/"), "Failed: Could not connect to 127.0.0.1"
        )

        statuses = self.statuses()
        assert statuses["adult"].state == coverage.READY and statuses["adult"].names == 1200
        assert statuses["adult"].refreshed_at is not None
        assert statuses["dating"].state == coverage.FAILED and statuses["dating"].empty
        assert "500" in statuses["dating"].message
        assert statuses["self-harm"].state == coverage.UNCOVERED
        assert "help and prevention services" in statuses["self-harm"].message

    def test_running_set_up_again_changes_only_what_the_catalogue_changed_and_never_an_edited_list(
        self,
    ) -> None:
        first = served_catalogue(self.server)
        self.load(first)
        self.work()
        jobs_before = Job.objects.count()
        again = self.load(first)
        assert "0 subscribed" in again and "10 unchanged" in again
        assert Job.objects.count() == jobs_before

        # The secretariat edits one list and deletes another.
        edited = FilterList.objects.get(category="games")
        edited.refresh_hours = 48
        edited.save()
        FilterList.objects.get(category="hate").delete()
        # The catalogue moves three lists to new addresses.
        moved = {"games": "/games-v2.txt", "adult": "/adult-v2.txt", "hate": "/hate-v2.txt"}
        second = [
            {**item, "url": self.server.url(moved[item["category"]])} if item["category"] in moved else item
            for item in first
        ]
        text = self.load(second)
        assert "1 updated" in text
        assert "edited here, left as they are: games" in text
        assert "deleted here, not subscribed again: hate" in text
        edited.refresh_from_db()
        assert (edited.url, edited.refresh_hours) == (self.server.url("/games.txt"), 48)
        adult = FilterList.objects.get(category="adult")
        assert adult.url == self.server.url("/adult-v2.txt")
        assert adult.versions.first().status == ListVersion.Status.IMPORTING  # type: ignore[union-attr]
        assert not FilterList.objects.filter(category="hate").exists()
        assert CatalogueSubscription.objects.get(key="hate").filter_list is None

    def test_a_catalogue_with_problems_changes_nothing(self) -> None:
        entries = served_catalogue(self.server)
        entries[0]["category"] = "illegal"
        with pytest.raises(CommandError, match="nothing was changed"):
            self.load(entries)
        assert not FilterList.objects.exists()
        # The family of the test's world may wait for its snapshot compile; no list job was queued.
        assert not Job.objects.exclude(kind=COMPILE).exists()

    def test_a_list_already_named_like_a_catalogue_list_is_left_alone(self) -> None:
        FilterList.objects.create(name="Test list: adult", category="adult", source="Made here")
        text = self.load(served_catalogue(self.server))
        assert "another list has the same name: adult" in text
        assert FilterList.objects.get(name="Test list: adult").source == "Made here"


class RefreshTestCase(CatalogueTestCase):
    def test_a_failed_refresh_keeps_the_previous_version_and_the_next_refresh_is_scheduled(self) -> None:
        self.load(served_catalogue(self.server))
        self.work()
        adult = FilterList.objects.get(category="adult")
        first = adult.active_version()
        assert first is not None
        later = timezone.now()
        # The publisher's server starts failing, then serves a web page: neither replaces the list.
        for broken in (lambda h: send(h, 500, b"down\n"), self.routes["/page.html"]):
            self.routes["/adult.txt"] = broken
            later += datetime.timedelta(hours=13)
            refresh = Job.objects.get(
                kind="filter.refresh_list", payload__list=adult.pk, status=Job.Status.PENDING
            )
            assert refresh.next_attempt_at < later
            assert self.work(now=later) >= 1
            newest = adult.versions.order_by("-number").first()
            assert newest is not None and newest.status == ListVersion.Status.FAILED
            assert adult.active_version() == first
            status = self.statuses()["adult"]
            assert status.state == coverage.READY and status.names == 1200
            assert "The latest download failed" in status.message
            # ... and the list is tried again at its next refresh.
            again = Job.objects.get(
                kind="filter.refresh_list", payload__list=adult.pk, status=Job.Status.PENDING
            )
            assert again.pk != refresh.pk
        self.routes["/adult.txt"] = lambda h: send(h, 200, generated("adult", 5))
        assert self.work(now=later + datetime.timedelta(days=1)) >= 1
        assert adult.active_version().blocked == 5  # type: ignore[union-attr]

    def test_a_refresh_run_again_after_its_worker_stopped_fills_the_version_it_began(self) -> None:
        self.load(served_catalogue(self.server))
        self.work()
        adult = FilterList.objects.get(category="adult")
        refresh = Job.objects.get(
            kind="filter.refresh_list", payload__list=adult.pk, status=Job.Status.PENDING
        )
        # What a first attempt leaves when its worker stops mid-download: a version begun, named in the job.
        begun = new_version(adult, adult.url)
        Job.objects.filter(pk=refresh.pk).update(payload={**refresh.payload, "version": begun.pk}, attempts=1)
        versions = adult.versions.count()
        assert self.work(now=refresh.next_attempt_at + datetime.timedelta(seconds=1)) >= 1
        begun.refresh_from_db()
        assert begun.status == ListVersion.Status.ACTIVE
        assert adult.versions.count() == versions
        assert not adult.versions.filter(status=ListVersion.Status.IMPORTING).exists()

    def test_progress_is_recorded_while_a_compressed_list_downloads(self) -> None:
        body = generated("games", 20_000)
        zipped = gzip.compress(body)
        seen: list[tuple[int, int]] = []

        def slowly(handler: http.server.BaseHTTPRequestHandler) -> None:
            handler.send_response(200)
            handler.send_header("Content-Encoding", "gzip")
            handler.send_header("Content-Length", str(len(zipped)))
            handler.end_headers()
            for start in range(0, len(zipped), 4096):
                handler.wfile.write(zipped[start : start + 4096])
                handler.wfile.flush()

        games = FilterList.objects.create(name="Games", category="games", source="Example")
        with serving({"/games.txt.gz": slowly}) as server:
            with self.captureOnCommitCallbacks(execute=True):
                version = import_url(
                    games, server.url("/games.txt.gz"), lambda read, total: seen.append((read, total))
                )
        assert version.status == ListVersion.Status.ACTIVE and version.blocked == 20_000
        assert version.bytes_read == version.bytes_total == len(zipped)
        assert seen[-1] == (len(zipped), len(zipped))
        assert all(total == len(zipped) for _read, total in seen)
        assert [read for read, _total in seen] == sorted(read for read, _total in seen)


class ParentPageTestCase(CatalogueTestCase):
    def test_the_settings_page_shows_what_each_category_holds_or_why_it_is_empty(self) -> None:
        url = f"/en/filter/profiles/{self.amara.pk}/settings/"
        page = self.parent.get(url)
        for category in CHOOSABLE:
            self.assertContains(page, f'id="category-status-{category.code}"')
            self.assertContains(page, f'aria-describedby="category-status-{category.code}"')
        self.assertContains(page, "Empty: no block list is subscribed for this category")
        self.assertContains(page, "help and prevention services")
        self.load(served_catalogue(self.server))
        self.assertContains(
            self.parent.get(url), "Empty for now: its list is still being downloaded for the first time."
        )
        self.work()
        page = self.parent.get(url)
        self.assertContains(page, "Names blocked: 1,200.")
        self.assertContains(page, "Last refreshed")
        self.assertContains(page, "Empty: the download of its list failed: The server answered 500")
        self.assertContains(
            page, "Empty: the download of its list failed: The address gave a web page, not a list."
        )
        self.assertContains(page, "Could not connect to 127.0.0.1")

    def test_a_parent_blocking_an_empty_category_is_told_when_saving(self) -> None:
        self.load(served_catalogue(self.server))
        self.work()
        url = f"/en/filter/profiles/{self.amara.pk}/settings/"
        form = {
            "name": "Amara",
            "age_band": "8-12",
            "blocked_categories": ["adult", "self-harm", "dating"],
            "youtube": "strict",
            "block_answer": "zero",
            "safe_search": "on",
        }
        response = self.parent.post(url, form, follow=True)
        self.assertContains(response, "The settings of Amara are saved.")
        self.assertContains(
            response,
            "These blocked categories are empty for now, so they block nothing yet: "
            "Self-harm and suicide (no public list covers it); "
            "Dating and chat with strangers (download failed).",
        )
        form["blocked_categories"] = ["adult", "games"]
        response = self.parent.post(url, form, follow=True)
        self.assertNotContains(response, "empty for now")

    def test_the_api_lists_the_categories_with_what_they_hold(self) -> None:
        self.load(served_catalogue(self.server))
        self.work()
        answer = self.parent.get("/api/v1/filter/categories")
        assert answer.status_code == 200
        rows = {row["code"]: row for row in answer.json()}
        assert set(rows) == set(CHOOSABLE_CODES)
        assert (
            rows["adult"]["state"] == "ready"
            and rows["adult"]["names"] == 1200
            and not rows["adult"]["empty"]
        )
        assert rows["adult"]["refreshed_at"]
        assert rows["video"]["state"] == "failed" and rows["video"]["empty"]
        assert rows["self-harm"]["state"] == "uncovered"
        assert self.client.get("/api/v1/filter/categories").status_code == 401
