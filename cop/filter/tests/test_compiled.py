"""The resolver's compiled decision must give the same answer as `policy.decide`, always."""

from __future__ import annotations

import datetime
import tempfile
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from cop.filter.categories import CATEGORIES
from cop.filter.marks import Source, compile_lists
from cop.filter.names import suffixes
from cop.filter.policy import Lists, Profile, Reason, Verdict, Window, decide
from cop.filter.rules import BELOW, EXACT, NAME, REGEX, Rule
from cop.filter.snapshot import REASONS, CompiledProfile, Snapshot, _profile
from cop.filter.table import LEGACY_HEADER, LEGACY_MAGIC, Builder, Table, wire_key

ORDER = [category.code for category in CATEGORIES]
# In the order of the categories, which is the order of their bits in a snapshot.
CHOICES = ["adult", "social", "games"]
TYPES = [1, 28, 16]  # A, AAAA, TXT
# Few names, so that rules of different lists often meet on a name and its parents.
names = st.from_regex(r"[ab](\.[ab]){0,2}\.example", fullmatch=True)
name_sets = st.frozensets(names, max_size=4)
targets = names | st.just("example")  # a top-level domain too (`||example^`)
# Safe expressions, as the parser would accept them: anchored, unanchored, wildcard-made.
expressions = st.sampled_from([r"^a", r"b\.example$", r"(?:^|\.)a.*\.example$", r"b\.a", r"^b.*a"])
type_sets = st.sampled_from([(), (1,), (28,), (1, 28)])
rules = st.builds(
    Rule,
    kind=st.sampled_from([NAME, NAME, EXACT, BELOW]),
    target=targets,
    exception=st.booleans(),
    important=st.booleans(),
    denyallow=st.lists(targets, max_size=2).map(lambda found: tuple(sorted(set(found)))),
    dnstypes=type_sets,
    not_dnstypes=type_sets,
) | st.builds(
    Rule,
    kind=st.just(REGEX),
    target=expressions,
    exception=st.booleans(),
    important=st.booleans(),
    denyallow=st.lists(targets, max_size=1).map(tuple),
    dnstypes=type_sets,
)
plain_rules = targets.map(lambda target: Rule(NAME, target))
# Lists of plain blocks (most lists) and lists with everything in them.
one_list = st.lists(plain_rules, max_size=4) | st.lists(plain_rules | rules, max_size=6)
several = st.lists(one_list, max_size=3)
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
worlds = st.builds(
    Lists,
    illegal=several,
    # Generated dictionaries come in any key order; the reference reports the first category in order.
    categories=st.fixed_dictionaries({c: several for c in CHOICES}).map(lambda d: {c: d[c] for c in CHOICES}),
)
moments = st.datetimes(datetime.datetime(2026, 1, 1), datetime.datetime(2027, 1, 1))


def _epoch(moment: datetime.datetime) -> float:
    return moment.replace(tzinfo=datetime.UTC).timestamp()


def _sources(world: Lists) -> list[Source]:
    sources = [Source(1, list(found).copy, exceptions=False) for found in world.illegal]
    for category, members in world.categories.items():
        sources += [Source(1 << ORDER.index(category), list(found).copy) for found in members]
    return sources


def _compile(profile: Profile, world: Lists, directory: Path) -> tuple[Snapshot, CompiledProfile]:
    path = directory / "table.bin"
    compile_lists(_sources(world), path)
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
    compiled = _profile(document, ORDER)
    return Snapshot(version=1, categories=ORDER, table=Table(path), default=compiled), compiled


def _ask(snapshot: Snapshot, compiled: CompiledProfile, name: str, qtype: int, now: float) -> tuple[int, int]:
    keys = [wire_key(suffix) for suffix in suffixes(name) if "." in suffix]
    return compiled.decide(keys, snapshot.bits(wire_key(name), keys, qtype), now)


@settings(max_examples=600, deadline=None)
@given(profile=profiles, world=worlds, name=names, now=moments, qtype=st.sampled_from(TYPES))
def test_the_compiled_decision_equals_the_reference_decision(
    profile: Profile, world: Lists, name: str, now: datetime.datetime, qtype: int
) -> None:
    with tempfile.TemporaryDirectory() as directory:
        snapshot, compiled = _compile(profile, world, Path(directory))
        reason, bit = _ask(snapshot, compiled, name, qtype, _epoch(now))
        expected = decide(name, profile, world, now, qtype)
        case = f"{profile!r} {world!r} {name!r} {now!r} {qtype}"
        assert REASONS[reason] is expected.reason, case
        assert (ORDER[bit] if bit >= 0 else "") == expected.category or expected.reason in (
            Reason.ILLEGAL,
            Reason.PAUSED,
        ), case
        assert snapshot.table is not None
        snapshot.table.close()


@settings(max_examples=300, deadline=None)
@given(
    profile=profiles,
    world=worlds,
    now=moments,
    prefix=st.sampled_from(["", "www.", "a.b."]),
    qtype=st.sampled_from(TYPES),
    hotline=st.integers(0, 3),
)
def test_a_name_on_any_illegal_content_list_is_blocked_whatever_the_other_lists_and_the_profile(
    profile: Profile, world: Lists, now: datetime.datetime, prefix: str, qtype: int, hotline: int
) -> None:
    """Other hotlines' lists, every category's exceptions (`$important` ones too), a pause and
    the parent's allow entries: nothing lets a name of an illegal-content list through."""
    listed = [*world.illegal]
    listed.insert(min(hotline, len(listed)), [Rule(NAME, "bad.example")])
    # Another hotline's exceptions for the name, as a version imported before they were refused.
    listed.append([Rule(NAME, "bad.example", exception=True, important=True), Rule(NAME, "bad.example")])
    others = {
        category: [*members, [Rule(NAME, "bad.example", exception=True, important=True)]]
        for category, members in world.categories.items()
    }
    world = Lists(illegal=listed, categories=others)
    profile = Profile(
        blocked_categories=profile.blocked_categories,
        allow=profile.allow | {"bad.example", "example"},
        block=profile.block,
        windows=profile.windows,
        paused_until=datetime.datetime(2030, 1, 1),
    )
    with tempfile.TemporaryDirectory() as directory:
        snapshot, compiled = _compile(profile, world, Path(directory))
        reason, _bit = _ask(snapshot, compiled, prefix + "bad.example", qtype, _epoch(now))
        assert REASONS[reason] is Reason.ILLEGAL
        assert decide(prefix + "bad.example", profile, world, now, qtype).verdict is Verdict.BLOCK
        assert snapshot.table is not None
        snapshot.table.close()


def test_a_table_of_the_first_format_still_reads_as_it_did(tmp_path: Path) -> None:
    """Snapshots compiled before this release: low 16 bits listed, high 16 bits excepted, ORed."""
    builder = Builder(4)
    games = 1 << ORDER.index("games")
    builder.add(wire_key("play.example"), games)
    builder.add(wire_key("ok.play.example"), games << 16)
    path = tmp_path / "table-old.bin"
    path.write_bytes(
        LEGACY_HEADER.pack(LEGACY_MAGIC, builder.slots, builder.count)
        + builder.keys.tobytes()
        + builder.values.tobytes()
    )
    table = Table(path)
    snapshot = Snapshot(version=1, categories=ORDER, table=table, default=CompiledProfile(0))

    def bits(name: str) -> int:
        keys = [wire_key(suffix) for suffix in suffixes(name) if "." in suffix]
        return snapshot.bits(wire_key(name), keys, 1)

    assert bits("www.play.example") == games
    assert bits("www.ok.play.example") == 0
    assert not table.has_addresses and snapshot.address_bits(bytes(4)) == 0
    table.close()
