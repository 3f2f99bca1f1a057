from __future__ import annotations

import datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from cop.filter.policy import Decision, Lists, Profile, Reason, Verdict, Window, decide
from cop.filter.rules import EXACT, NAME, Rule
from cop.filter.snapshot import CompiledWindow

MONDAY_EVENING = datetime.datetime(2026, 11, 23, 21, 30)
MONDAY_AFTERNOON = datetime.datetime(2026, 11, 23, 16, 0)
TUESDAY_EARLY = datetime.datetime(2026, 11, 24, 6, 0)
ILLEGAL = "illegal.example"


def blocks(*names: str) -> list[Rule]:
    return [Rule(NAME, name) for name in names]


LISTS = Lists(
    illegal=[blocks(ILLEGAL)],
    categories={"games": [blocks("games.example")], "adult": [blocks("adult.example")]},
)
SCHOOL_NIGHTS = Window(frozenset({0, 1, 2, 3, 6}), datetime.time(19), datetime.time(7), frozenset({"games"}))
BEDTIME = Window(
    frozenset(range(7)),
    datetime.time(21),
    datetime.time(6, 30),
    frozenset({"*"}),
    frozenset({"homework.example"}),
)


def test_categories_schedules_and_own_entries_apply_in_order() -> None:
    profile = Profile(
        blocked_categories=frozenset({"adult"}),
        allow=frozenset({"games.example"}),
        block=frozenset({"chat.example"}),
        windows=(SCHOOL_NIGHTS,),
    )
    assert decide("www.adult.example", profile, LISTS, MONDAY_AFTERNOON) == Decision(
        Verdict.BLOCK, Reason.CATEGORY, "adult"
    )
    assert decide("games.example", profile, LISTS, MONDAY_AFTERNOON).verdict is Verdict.ALLOW
    # On a school night the games window wins over the parent's general allow entry.
    assert decide("games.example", profile, LISTS, MONDAY_EVENING).reason is Reason.SCHEDULE
    assert decide("games.example", profile, LISTS, TUESDAY_EARLY).reason is Reason.SCHEDULE
    assert decide("chat.example", profile, LISTS, MONDAY_AFTERNOON).reason is Reason.PROFILE_BLOCK
    assert decide("news.example", profile, LISTS, MONDAY_EVENING) == Decision(Verdict.ALLOW, Reason.DEFAULT)


def test_bedtime_blocks_everything_but_homework_sites() -> None:
    profile = Profile(windows=(BEDTIME,))
    late = MONDAY_EVENING.replace(hour=22)
    assert decide("news.example", profile, LISTS, late).reason is Reason.SCHEDULE
    assert decide("www.homework.example", profile, LISTS, late).verdict is Verdict.ALLOW
    assert decide("news.example", profile, LISTS, MONDAY_AFTERNOON).verdict is Verdict.ALLOW


def test_a_pause_lets_everything_through_until_it_ends() -> None:
    profile = Profile(blocked_categories=frozenset({"games"}), paused_until=MONDAY_EVENING)
    assert decide("games.example", profile, LISTS, MONDAY_AFTERNOON).reason is Reason.PAUSED
    assert decide("games.example", profile, LISTS, MONDAY_EVENING).reason is Reason.CATEGORY


names = st.from_regex(r"[a-z]{1,8}(\.[a-z]{1,8}){0,2}\.example", fullmatch=True)
name_sets = st.frozensets(st.one_of(names, st.just(ILLEGAL), st.just("sub." + ILLEGAL)), max_size=5)
windows = st.builds(
    Window,
    days=st.frozensets(st.integers(0, 6)),
    start=st.times(),
    end=st.times(),
    categories=st.frozensets(st.sampled_from(["*", "games", "adult"])),
    allowed=name_sets,
)
profiles = st.builds(
    Profile,
    blocked_categories=st.frozensets(st.sampled_from(["games", "adult", "illegal"])),
    allow=name_sets,
    block=name_sets,
    windows=st.tuples(windows) | st.just(()),
    paused_until=st.none() | st.datetimes(),
)


@settings(max_examples=500, deadline=None)
@given(
    profile=profiles,
    now=st.datetimes(),
    prefix=st.sampled_from(["", "www.", "a.b."]),
    extra_categories=st.dictionaries(st.sampled_from(["games", "adult"]), name_sets, max_size=2),
)
def test_the_illegal_content_list_wins_against_every_profile_allowlist_pause_and_schedule(
    profile: Profile, now: datetime.datetime, prefix: str, extra_categories: dict[str, frozenset[str]]
) -> None:
    lists = Lists(
        illegal=[blocks(ILLEGAL)],
        categories={category: [blocks(*found)] for category, found in extra_categories.items()},
    )
    decision = decide(prefix + ILLEGAL, profile, lists, now)
    assert decision == Decision(Verdict.BLOCK, Reason.ILLEGAL)


def test_an_exception_applies_only_to_the_list_that_carries_it() -> None:
    games = [blocks("games.example"), [Rule(NAME, "games.example", exception=True), *blocks("other.example")]]
    lists = Lists(categories={"games": games})
    profile = Profile(blocked_categories=frozenset({"games"}))
    assert decide("www.games.example", profile, lists, MONDAY_AFTERNOON).reason is Reason.CATEGORY
    own = Lists(
        categories={"games": [[*blocks("games.example"), Rule(NAME, "ok.games.example", exception=True)]]}
    )
    assert decide("ok.games.example", profile, own, MONDAY_AFTERNOON).verdict is Verdict.ALLOW
    assert decide("no.games.example", profile, own, MONDAY_AFTERNOON).verdict is Verdict.BLOCK


def test_one_hotline_cannot_weaken_another_hotlines_list() -> None:
    excepting = [Rule(NAME, ILLEGAL, exception=True, important=True), Rule(EXACT, "x.example")]
    lists = Lists(illegal=[blocks(ILLEGAL), excepting])
    assert decide("www." + ILLEGAL, Profile(), lists, MONDAY_AFTERNOON).reason is Reason.ILLEGAL
    # Even its own exceptions, should a version imported before they were refused carry some.
    own = Lists(illegal=[[*blocks(ILLEGAL), Rule(NAME, ILLEGAL, exception=True, important=True)]])
    assert decide(ILLEGAL, Profile(), own, MONDAY_AFTERNOON).reason is Reason.ILLEGAL


def test_a_window_whose_end_equals_its_start_lasts_24_hours_from_the_start() -> None:
    # Monday 07:00 to Tuesday 07:00, in the rules and in the compiled form the resolver uses.
    window = Window(frozenset({0}), datetime.time(7), datetime.time(7), frozenset({"games"}))
    compiled = CompiledWindow(frozenset({0}), 7 * 60, 7 * 60, everything=False, mask=1, allowed=frozenset())
    monday = datetime.datetime(2026, 3, 2)
    for at, active in [
        (monday.replace(hour=6, minute=59), False),
        (monday.replace(hour=7), True),
        (monday.replace(hour=23, minute=59), True),
        (monday + datetime.timedelta(days=1, hours=6, minutes=59), True),
        (monday + datetime.timedelta(days=1, hours=7), False),
    ]:
        assert window.active(at) is active, at
        assert compiled.active(at.weekday(), at.hour * 60 + at.minute) is active, at
