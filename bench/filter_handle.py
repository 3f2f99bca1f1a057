"""Where a query's time goes inside the resolver: `Resolver.handle` timed in-process, with and without
statistics, and the counting on its own.

    uv run python bench/filter_handle.py [--entries N] [--repeat R] [--profile]

No sockets and no event loop: each case calls `handle` on one prepared message in a tight loop, so
the figures are the resolver's own microseconds per query, the part a faster server would remove.
Cases: an exact blocked name, a subdomain of one, an allowed name answered from the answer cache
(after one real forward to a local upstream), the same when its second is over (`aged`: the first
ask of each second for a busy name, whose TTLs must count down), and the counter alone
(`Recorder.record`) for a client no device binds and for a child's device (which also counts hours
and sites).
`--profile` adds a cProfile of the exact and subdomain cases with statistics on.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import dataclasses
import io
import pstats
import sys
import tempfile
import time
import timeit
import zoneinfo
from collections.abc import Callable
from pathlib import Path

import dns.message

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from cop.filter import snapshot  # noqa: E402
from cop.filter.categories import CATEGORIES  # noqa: E402
from cop.filter.names import wire_key  # noqa: E402
from cop.filter.resolver import Config, Recorder, Resolver  # noqa: E402
from cop.filter.snapshot import FIRST_BLOCK  # noqa: E402
from cop.filter.table import build  # noqa: E402
from cop.filter.tests.upstream import Upstream  # noqa: E402


def prepare(directory: Path, entries: int) -> None:
    order = [category.code for category in CATEGORIES]
    adult = 1 << order.index("adult")
    names = (f"name{i:x}.blocked.example" for i in range(entries))
    snapshots = directory / "snapshots"
    snapshots.mkdir()
    build(((name, adult) for name in names), entries, snapshots / "table-bench.bin")
    snapshot.publish(
        snapshots,
        {"version": 1, "categories": order, "table": "table-bench.bin", "default": {"categories": ["adult"]}},
    )


def per_query(work: Callable[[], object], repeat: int) -> float:
    """Microseconds per call: the best of five runs of `repeat` calls, the least disturbed one, in
    CPU time of this process, so that other work on a shared machine disturbs it less."""
    return min(timeit.repeat(work, number=repeat, repeat=5, timer=time.process_time)) / repeat * 1e6


def _asked(resolver: Resolver, data: bytes) -> Callable[[], object]:
    return lambda: resolver.handle(data, "127.0.0.1", False)


def _aged(resolver: Resolver, data: bytes) -> Callable[[], object]:
    """An answer-cache hit whose second is over (its TTLs must count down): as the first ask of
    each second for a busy name."""
    key = ("", data[2:])
    entry = resolver.answers[key]
    stale = (*entry[:2], 0.0, *entry[3:])

    def work() -> object:
        resolver.answers[key] = stale
        return resolver.handle(data, "127.0.0.1", False)

    return work


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=50_000)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    upstream = Upstream().start()
    directory = Path(tempfile.mkdtemp(prefix="cop-bench-handle-"))
    prepare(directory, args.entries)
    config = Config(snapshot_dir=directory / "snapshots", upstreams=(("127.0.0.1", upstream.port),))
    messages = {
        "exact": dns.message.make_query("name2a.blocked.example", "A").to_wire(),
        "subdomain": dns.message.make_query("www.name2a.blocked.example", "A").to_wire(),
        "cached": dns.message.make_query("site1.allowed.example", "A").to_wire(),
    }
    resolvers = {}
    for label, recorder in (("statistics off", None), ("statistics on", Recorder())):
        resolver = Resolver(config, recorder)
        assert resolver.reload()

        async def forward(resolver: Resolver = resolver) -> None:
            # The first ask is forwarded, the second fills the answer cache from the upstream cache.
            resolver.loop = asyncio.get_running_loop()
            work = resolver.handle(messages["cached"], "127.0.0.1", False)
            assert work is not None and not isinstance(work, bytes)
            done: asyncio.Future[bytes] = resolver.loop.create_future()
            resolver.dispatch(work, done.set_result, False)
            await asyncio.wait_for(done, 5)

        asyncio.run(forward())
        assert isinstance(resolver.handle(messages["cached"], "127.0.0.1", False), bytes)
        resolvers[label] = resolver
    print(f"{'case':12} {'statistics off':>16} {'statistics on':>16}   (microseconds per query)")
    for case, data in [*messages.items(), ("aged", messages["cached"])]:
        figures = []
        for label in ("statistics off", "statistics on"):
            resolver = resolvers[label]
            assert isinstance(resolver.handle(data, "127.0.0.1", False), bytes), case
            work = _aged(resolver, data) if case == "aged" else _asked(resolver, data)
            figures.append(per_query(work, args.repeat))
        print(f"{case:12} {figures[0]:>16.2f} {figures[1]:>16.2f}   (+{figures[1] - figures[0]:.2f})")
    current = resolvers["statistics on"].snapshot
    anonymous = current.default
    child = dataclasses.replace(anonymous, id=1, zone=zoneinfo.ZoneInfo("Africa/Nairobi"))
    key = wire_key("name2a.blocked.example")
    bit = current.categories.index("adult")
    recorder = Recorder()
    for label, profile in (("no device", anonymous), ("a child", child)):
        for verdict, reason in (("blocked", FIRST_BLOCK), ("allowed", 0)):
            figure = per_query(
                lambda p=profile, r=reason: recorder.record(current, p, key, 1, r, bit, time.time()),
                args.repeat,
            )
            print(f"Recorder.record, {label}, {verdict}: {figure:.2f} microseconds")
    if args.profile:
        resolver = resolvers["statistics on"]
        for case in ("exact", "subdomain"):
            data = messages[case]
            profiler = cProfile.Profile()
            profiler.enable()
            for _ in range(args.repeat):
                resolver.handle(data, "127.0.0.1", False)
            profiler.disable()
            out = io.StringIO()
            pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(12)
            print(f"--- cProfile, {case}, statistics on ---")
            print(out.getvalue())
    upstream.stop()


if __name__ == "__main__":
    main()
