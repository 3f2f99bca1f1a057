"""What the resolver counts for parents and for the indicators, how it is written, and how it is forgotten."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime
import io
import random
import tempfile
import zoneinfo
from collections import Counter
from pathlib import Path
from typing import Any

import dns.edns
import dns.message
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from cop.filter import actions
from cop.filter.compiler import compile_policy
from cop.filter.importing import import_file
from cop.filter.models import (
    ActivityHourly,
    BlockedDaily,
    BlockedSite,
    Entry,
    FilterList,
    PreventiveDaily,
    Profile,
    QueryLogEntry,
)
from cop.filter.resolver import Config, Later, Recorder, Resolver, empty_snapshot
from cop.filter.snapshot import ALLOW_DEFAULT, BLOCK_ILLEGAL
from cop.filter.stats import flush
from cop.filter.tests.helpers import FilterTestCase, make_device, run_async


def _query(name: str, token: str = "") -> bytes:
    options: list[dns.edns.Option] = (
        [dns.edns.GenericOption(dns.edns.OptionType.make(65074), token.encode())] if token else []
    )
    return dns.message.make_query(name, "A", use_edns=0, options=options).to_wire()


class StatisticsTestCase(FilterTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.data = Path(tempfile.mkdtemp(prefix="cop-filter-stats-"))
        self.override = override_settings(FILTER_DATA_DIR=self.data)
        self.override.enable()
        games = FilterList.objects.create(name="Games", category="games", source="Test")
        (self.data / "games.txt").write_text("games.example\n")
        import_file(games, self.data / "games.txt")
        Profile.objects.filter(pk=self.amara.pk).update(blocked_categories=["games"])
        self.device = make_device(self.amara)
        compile_policy()
        self.recorder = Recorder()
        self.resolver = Resolver(
            Config(snapshot_dir=self.data / "snapshots", upstreams=(("127.0.0.1", 9),)), self.recorder
        )
        assert self.resolver.reload()

    def tearDown(self) -> None:
        self.override.disable()
        super().tearDown()

    def ask(self, name: str, token: str = "") -> None:
        result = self.resolver.handle(_query(name, token), "127.0.0.1", False)
        if result is not None and not isinstance(result, bytes):
            # Forwarded: counted once its answer is known (the answer can still block it), here a
            # SERVFAIL, since nothing listens on the upstream port.
            run_async(self._finish(result))

    async def _finish(self, work: Later) -> None:
        self.resolver.loop = asyncio.get_running_loop()
        done: asyncio.Future[bytes] = self.resolver.loop.create_future()
        self.resolver.dispatch(work, done.set_result, False)
        await asyncio.wait_for(done, 10)

    @override_settings(FILTER_DEFAULT_CATEGORIES=["games"])
    def test_blocked_attempts_sites_and_activity_are_counted_per_child_and_written(self) -> None:
        compile_policy()  # with games blocked for clients no device binds too
        self.resolver.reload()
        for _ in range(3):
            self.ask("play.games.example", self.device.token)
        self.ask("www.games.example", self.device.token)
        self.ask("news.example.org", self.device.token)
        self.ask("play.games.example")  # a client no device binds: counted, but for no child
        flush(self.recorder.take())
        # Parents see their own days; the national counts use UTC days.
        family_day = datetime.datetime.now(zoneinfo.ZoneInfo(self.amara.family.time_zone)).date()
        utc_day = datetime.datetime.now(datetime.UTC).date()
        assert BlockedDaily.objects.get(profile=self.amara, day=family_day, category="games").count == 4
        sites = dict(BlockedSite.objects.filter(profile=self.amara).values_list("name", "count"))
        assert sites == {"play.games.example": 3, "www.games.example": 1}
        assert sum(ActivityHourly.objects.filter(profile=self.amara).values_list("queries", flat=True)) == 5
        # The anonymous count for the indicators includes every client; it never names one.
        assert PreventiveDaily.objects.get(day=utc_day, category="games").count == 5
        assert not QueryLogEntry.objects.exists()  # the raw log is off unless a parent turns it on

    def test_a_block_by_the_parents_own_list_or_a_schedule_is_counted_under_that_rule(self) -> None:
        Entry.objects.create(profile=self.amara, name="chat.example", action="block")
        Entry.objects.create(profile=self.amara, name="games.example", action="block")  # listed, too
        actions.create_schedule(
            self.leo,
            {
                "label": "Always",
                "days": list(range(7)),
                "start": datetime.time(0),
                "end": datetime.time(23, 59, 59),
                "block_everything": True,
                "categories": [],
                "allowed": [],
            },
        )
        leos = make_device(self.leo, "Leo's laptop")
        compile_policy()
        self.resolver.reload()
        self.ask("chat.example", self.device.token)
        self.ask("play.games.example", self.device.token)
        self.ask("news.example.org", leos.token)
        flush(self.recorder.take())
        counted = set(BlockedDaily.objects.values_list("profile__name", "category", "count"))
        assert counted == {("Amara", "profile-block", 2), ("Leo", "schedule", 1)}
        sites = set(BlockedSite.objects.values_list("name", "category"))
        assert sites == {
            ("chat.example", "profile-block"),
            ("play.games.example", "profile-block"),
            ("news.example.org", "schedule"),
        }
        # The anonymous national counts stay by list category, whatever rule of a parent blocked.
        assert set(PreventiveDaily.objects.values_list("category", "count")) == {("", 2), ("games", 1)}

    def test_counts_from_two_flushes_add_up(self) -> None:
        self.ask("play.games.example", self.device.token)
        flush(self.recorder.take())
        self.ask("play.games.example", self.device.token)
        flush(self.recorder.take())
        assert BlockedDaily.objects.get(profile=self.amara).count == 2
        assert BlockedSite.objects.get(profile=self.amara).count == 2

    def test_the_raw_query_log_is_kept_only_while_it_is_on(self) -> None:
        actions.set_query_log(self.amara, 2)
        compile_policy()
        self.resolver.reload()
        self.ask("play.games.example", self.device.token)
        self.ask("news.example.org", self.device.token)
        flush(self.recorder.take())
        logged = list(QueryLogEntry.objects.order_by("at").values_list("name", "qtype", "blocked", "reason"))
        assert logged == [
            ("play.games.example", "A", True, "category"),
            ("news.example.org", "A", False, "default"),
        ]

    def test_a_batch_that_cannot_be_written_is_put_back_for_the_next_flush(self) -> None:
        self.ask("play.games.example", self.device.token)
        batch = self.recorder.take()
        self.ask("play.games.example", self.device.token)
        self.recorder.merge(batch)
        flush(self.recorder.take())
        assert BlockedDaily.objects.get(profile=self.amara).count == 2

    @override_settings(FILTER_REPORT_RETENTION_DAYS=30, FILTER_QUERY_LOG_MAX_HOURS=24)
    def test_counts_and_the_query_log_are_forgotten_after_their_retention(self) -> None:
        now = timezone.now()
        old, recent = (now - datetime.timedelta(days=31)).date(), (now - datetime.timedelta(days=29)).date()
        for day in (old, recent):
            BlockedDaily.objects.create(profile=self.amara, day=day, category="games", count=1)
            ActivityHourly.objects.create(profile=self.amara, day=day, hour=20, queries=1)
        QueryLogEntry.objects.create(
            profile=self.amara,
            at=now - datetime.timedelta(hours=25),
            name="a.example",
            qtype="A",
            blocked=False,
        )
        QueryLogEntry.objects.create(profile=self.amara, at=now, name="b.example", qtype="A", blocked=False)
        out = io.StringIO()
        call_command("purge_filter_data", stdout=out)
        assert list(BlockedDaily.objects.values_list("day", flat=True)) == [recent]
        assert list(ActivityHourly.objects.values_list("day", flat=True)) == [recent]
        assert list(QueryLogEntry.objects.values_list("name", flat=True)) == ["b.example"]
        assert "Deleted 3 rows" in out.getvalue()


class PreventiveApiTestCase(FilterTestCase):
    @override_settings(STATS_MIN_COUNT=5)
    def test_the_indicators_get_monthly_counts_by_category_with_small_counts_withheld(self) -> None:
        for day, category, count in [
            (datetime.date(2026, 10, 3), "adult", 30),
            (datetime.date(2026, 10, 3), "gambling", 40),
            (datetime.date(2026, 10, 9), "gambling", 3),
            (datetime.date(2026, 10, 9), "video", 20),
            (datetime.date(2026, 11, 1), "adult", 2),
            (datetime.date(2026, 11, 2), "gambling", 50),
            (datetime.date(2026, 11, 2), "video", 25),
        ]:
            PreventiveDaily.objects.create(day=day, category=category, count=count)
        response = self.client.get("/api/v1/filter/statistics/preventive")
        assert response.status_code == 200
        body = response.json()
        assert body["suppression_threshold"] == 5 and "below 5" in body["note"]
        # November's 2 is withheld, and with it three counts that make a rectangle with it, so that
        # neither a month's nor a category's total gives it back; the totals are all shown.
        assert {(r["month"], r["category"]): r["blocked"] for r in body["rows"]} == {
            ("2026-10", "adult"): None, ("2026-10", "gambling"): 43, ("2026-10", "video"): None,
            ("2026-11", "adult"): None, ("2026-11", "gambling"): 50, ("2026-11", "video"): None,
        }  # fmt: skip
        assert body["by_month"] == [{"month": "2026-10", "blocked": 93}, {"month": "2026-11", "blocked": 77}]
        assert {r["category"]: r["blocked"] for r in body["by_category"]} == {
            "adult": 32,
            "gambling": 93,
            "video": 45,
        }
        assert body["total"] == 170
        assert next(r for r in body["rows"] if r["category"] == "adult")["risk"] == "content-sexual"


def _counted_one_by_one(moments: list[tuple[float, int, bool]], zone: datetime.tzinfo) -> dict[str, Any]:
    """The counts as worked out for each query on its own, as the recorder did before it kept the
    current day and hour: the reference the faster recorder must match exactly."""
    preventive: Counter[tuple[str, str]] = Counter()
    activity: Counter[tuple[int, str, int]] = Counter()
    blocked: Counter[tuple[int, str, str]] = Counter()
    for now, profile_id, is_blocked in moments:
        if is_blocked:
            preventive[
                (datetime.datetime.fromtimestamp(now, datetime.UTC).strftime("%Y-%m-%d"), "illegal")
            ] += 1
        if profile_id:
            local = datetime.datetime.fromtimestamp(now, zone)
            activity[(profile_id, local.strftime("%Y-%m-%d"), local.hour)] += 1
            if is_blocked:
                blocked[(profile_id, local.strftime("%Y-%m-%d"), "illegal")] += 1
    return {"preventive": dict(preventive), "activity": dict(activity), "blocked": dict(blocked)}


def test_counts_by_day_and_hour_are_unchanged_across_midnight_and_clock_changes() -> None:
    # Moments on both sides of UTC midnights and of local clock changes (a summer-time start and
    # end, a half-hour change, a zone 5:45 ahead), a second before and after, out of order as
    # several threads record them, by a client no device binds and by a child's device.
    edges = [
        datetime.datetime(2026, 12, 31, 23, 59, 59, 900_000, datetime.UTC).timestamp(),
        datetime.datetime(2027, 1, 1, 0, 0, 0, tzinfo=datetime.UTC).timestamp(),
        datetime.datetime(2026, 3, 29, 1, 0, 0, tzinfo=datetime.UTC).timestamp(),  # Paris: 02:00 -> 03:00
        datetime.datetime(2026, 10, 25, 1, 0, 0, tzinfo=datetime.UTC).timestamp(),  # Paris: 03:00 -> 02:00
        datetime.datetime(2026, 4, 4, 15, 0, 0, tzinfo=datetime.UTC).timestamp(),  # Lord Howe: half an hour
        datetime.datetime(2026, 6, 1, 18, 15, 0, tzinfo=datetime.UTC).timestamp(),  # Kathmandu midnight
    ]
    rng = random.Random(7)
    for zone_name in ("Europe/Paris", "Australia/Lord_Howe", "Asia/Kathmandu", "Pacific/Kiritimati"):
        zone = zoneinfo.ZoneInfo(zone_name)
        moments = [
            (edge + offset, rng.choice([0, 7]), rng.random() < 0.5)
            for edge in edges
            for offset in (-3600.5, -1.0, -0.25, 0.0, 0.25, 0.999, 1.0, 1799.0, 1800.0, 3600.0)
            for _ in range(3)
        ]
        rng.shuffle(moments)
        current = empty_snapshot()
        anonymous = current.default
        child = dataclasses.replace(anonymous, id=7, zone=zone)
        recorder = Recorder()
        for now, profile_id, is_blocked in moments:
            reason = BLOCK_ILLEGAL if is_blocked else ALLOW_DEFAULT
            profile = child if profile_id else anonymous
            recorder.record(current, profile, b"\x04site\x07example\x00", 1, reason, 0, now)
        expected = _counted_one_by_one(moments, zone)
        assert recorder.preventive == expected["preventive"], zone_name
        assert recorder.activity == expected["activity"], zone_name
        assert recorder.blocked == expected["blocked"], zone_name
        assert sum(recorder.sites.values()) == sum(expected["blocked"].values())


def test_an_allowed_query_from_a_client_no_device_binds_is_not_counted() -> None:
    current = empty_snapshot()
    recorder = Recorder()
    recorder.record(current, current.default, b"\x04site\x07example\x00", 1, ALLOW_DEFAULT, 0, 1.8e9)
    assert not (
        recorder.preventive or recorder.activity or recorder.blocked or recorder.sites or recorder.log
    )
    recorder.record(current, current.default, b"\x04site\x07example\x00", 1, BLOCK_ILLEGAL, 0, 1.8e9)
    assert recorder.preventive == {("2027-01-15", "illegal"): 1}
    assert not (recorder.activity or recorder.blocked or recorder.sites or recorder.log)
