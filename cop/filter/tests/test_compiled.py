"""The resolver's compiled decision must give the same answer as `policy.decide`, always."""

from __future__ import annotations

import datetime
import tempfile
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from cop.filter.categories import CATEGORIES
from cop.filter.names import suffixes
from cop.filter.policy import Lists, Profile, Reason, Verdict, Window, decide
from cop.filter.snapshot import REASONS, _profile
from cop.filter.table import EXCEPTION_SHIFT, Table, build, wire_key

ORDER = [category.code for category in CATEGORIES]
# In the order of the categories, which is the order of their bits in a snapshot.
CHOICES = ["adult", "social", "games"]
names = st.from_regex(r"[a-c]{1,2}(\.[a-c]{1,2}){0,2}\.example", fullmatch=True)
name_sets = st.frozensets(names, max_size=4)
minutes = st.integers(0, 24 * 60 - 1).map(lambda m: datetime.time(m // 60, m % 60))
windows = st.builds(
    Window,
    days=st.frozensets(st.integers(0, 6)),
    start=minutes,
    end=minutes,
    categories=st.frozensets(st.sampled_from(["*", *CHOICES])),
    allowed=name_sets,
)
profiles = st.builds(
    Profile,
    blocked_categories=st.frozensets(st.sampled_from(CHOICES)),
    allow=name_sets,
    block=name_sets,
    windows=st.lists(windows, max_size=2).map(tuple),
    paused_until=st.none() | st.datetimes(datetime.datetime(2026, 1, 1), datetime.datetime(2027, 1, 1)),
)
lists = st.builds(
    Lists,
    illegal=name_sets,
    # Generated dictionaries come in any key order; the reference reports the first category in order.
    categories=st.fixed_dictionaries({c: name_sets for c in CHOICES}).map(
        lambda d: {c: d[c] for c in CHOICES}
    ),
    exceptions=st.fixed_dictionaries({c: name_sets for c in ["illegal", *CHOICES]}),
)
moments = st.datetimes(datetime.datetime(2026, 1, 1), datetime.datetime(2027, 1, 1))


def _epoch(moment: datetime.datetime) -> float:
    return moment.replace(tzinfo=datetime.UTC).timestamp()


def _compile(profile: Profile, world: Lists, directory: Path) -> tuple[Table, object]:
    entries: list[tuple[str, int]] = [(name, 1) for name in world.illegal]
    for category, listed in world.categories.items():
        entries += [(name, 1 << ORDER.index(category)) for name in listed]
    for category, excepted in world.exceptions.items():
        entries += [(name, 1 << ORDER.index(category) << EXCEPTION_SHIFT) for name in excepted]
    path = directory / "table.bin"
    build(entries, max(len(entries), 1), path)
    document = {
        "id": 1,
        "categories": sorted(profile.blocked_categories),
        "allow": sorted(profile.allow),
        "block": sorted(profile.block),
        "windows": [
            {
                "days": sorted(w.days),
                "start": w.start.hour * 60 + w.start.minute,
                "end": w.end.hour * 60 + w.end.minute,
                "everything": "*" in w.categories,
                "categories": sorted(w.categories - {"*"}),
                "allowed": sorted(w.allowed),
            }
            for w in profile.windows
        ],
        "paused_until": _epoch(profile.paused_until) if profile.paused_until else 0.0,
    }
    return Table(path), _profile(document, ORDER)


def _bits(table: Table, keys: list[bytes]) -> int:
    found = 0
    for key in keys:
        found |= table.bits(key)
    return found


@settings(max_examples=400, deadline=None)
@given(profile=profiles, world=lists, name=names, now=moments)
def test_the_compiled_decision_equals_the_reference_decision(
    profile: Profile, world: Lists, name: str, now: datetime.datetime
) -> None:
    with tempfile.TemporaryDirectory() as directory:
        table, compiled = _compile(profile, world, Path(directory))
        keys = [wire_key(suffix) for suffix in suffixes(name) if "." in suffix]
        reason, bit = compiled.decide(keys, _bits(table, keys), _epoch(now))  # type: ignore[attr-defined]
        expected = decide(name, profile, world, now)
        case = f"{profile!r} {world!r} {name!r} {now!r}"
        assert REASONS[reason] is expected.reason, case
        assert (ORDER[bit] if bit >= 0 else "") == expected.category or expected.reason in (
            Reason.ILLEGAL,
            Reason.PAUSED,
        ), case
        table.close()


@settings(max_examples=200, deadline=None)
@given(profile=profiles, world=lists, now=moments, prefix=st.sampled_from(["", "www.", "a.b."]))
def test_the_compiled_decision_blocks_the_illegal_list_whatever_the_profile(
    profile: Profile, world: Lists, now: datetime.datetime, prefix: str
) -> None:
    world = Lists(illegal={"bad.example"}, categories=world.categories, exceptions={})
    profile = Profile(
        blocked_categories=profile.blocked_categories,
        allow=profile.allow | {"bad.example", "example"},
        block=profile.block,
        windows=profile.windows,
        paused_until=datetime.datetime(2030, 1, 1),
    )
    with tempfile.TemporaryDirectory() as directory:
        table, compiled = _compile(profile, world, Path(directory))
        keys = [wire_key(s) for s in suffixes(prefix + "bad.example") if "." in s]
        reason, _bit = compiled.decide(keys, _bits(table, keys), _epoch(now))  # type: ignore[attr-defined]
        assert REASONS[reason] is Reason.ILLEGAL
        assert decide(prefix + "bad.example", profile, world, now).verdict is Verdict.BLOCK
        table.close()
