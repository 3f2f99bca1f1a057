"""The answer is checked, not only the question: CNAME targets and addresses that a list blocks.

A name a list does not hold can point (CNAME) at one it holds, or resolve to an address an address
list holds; as AdGuard Home and Pi-hole do, such an answer is blocked for a client whose profile
blocks its target, exactly as if the client had asked for the target.
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import dns.edns
import dns.flags
import dns.message
import dns.query
import dns.rcode
import dns.rdatatype
import dns.rrset
import pytest

from cop.filter import wire
from cop.filter.resolver import Config, Recorder, Resolver
from cop.filter.tests.helpers import run_async
from cop.filter.tests.running import DEVICE_OPTION, Running, addresses, dig, start, write_snapshot
from cop.filter.tests.upstream import Upstream

KID = "kidtoken000000000001"  # games blocked: 0.0.0.0
TEEN = "teentoken00000000002"  # games blocked: NXDOMAIN
PARENT = "parenttoken000000003"  # games blocked, but the parent allowed a name that leads there
LISTS = {"illegal": ["illegal.example"], "games": ["games.example"]}
ADDRESSES = {"games": ["192.0.2.99", "2001:db8::99"]}
PROFILES = [
    {"id": 7, "categories": ["games"]},
    {"id": 8, "categories": ["games"], "nxdomain": True},
    {"id": 9, "categories": ["games"], "allow": ["to-games.example.org", "listed-address.example.org"]},
]
DEVICES = [
    {"token": KID, "profile": 7, "networks": []},
    {"token": TEEN, "profile": 8, "networks": []},
    {"token": PARENT, "profile": 9, "networks": []},
]
LOCAL = [
    ["games-alias.school.example", "CNAME", "play.games.example", 600],
    ["hop-alias.school.example", "CNAME", "hop.example.org", 600],
    ["news-alias.school.example", "CNAME", "news.example.org", 600],
]


def _policy(directory: Path) -> None:
    write_snapshot(
        directory, 1, LISTS, addresses=ADDRESSES, profiles=PROFILES, devices=DEVICES, default={}, local=LOCAL
    )


@pytest.fixture(scope="module")
def running(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    directory = tmp_path_factory.mktemp("answers")
    _policy(directory)
    upstream = Upstream().start()
    resolver = start(directory, upstream)
    yield resolver
    resolver.stop()
    upstream.stop()


def _ede(message: dns.message.Message) -> list[int]:
    return [option.code for option in message.options if isinstance(option, dns.edns.EDEOption)]


def test_a_cname_to_a_blocked_name_is_blocked_as_the_name_itself(running: Running) -> None:
    for tcp in (False, True):
        blocked = running.ask("to-games.example.org", token=KID, tcp=tcp)
        assert addresses(blocked) == ["0.0.0.0"] and len(blocked.answer) == 1
        assert blocked.answer[0].ttl == 60
        assert dns.edns.EDECode.FILTERED in _ede(blocked)
        assert addresses(running.ask("to-games.example.org", "AAAA", token=KID, tcp=tcp), "AAAA") == ["::"]
        assert running.ask("to-games.example.org", token=TEEN, tcp=tcp).rcode() == dns.rcode.NXDOMAIN
    # A client whose profile does not block games gets the whole chain.
    plain = running.ask("to-games.example.org")
    assert str(plain.answer[0][0].target) == "cdn.games.example."
    assert addresses(plain) == ["192.0.2.62"]


def test_a_chain_that_reaches_the_illegal_list_is_censored_for_every_client(running: Running) -> None:
    for token in ("", KID, TEEN, PARENT):
        response = running.ask("hop.example.org", token=token)
        assert not any(rrset.rdtype == dns.rdatatype.CNAME for rrset in response.answer)
        assert addresses(response) == ["0.0.0.0"] or response.rcode() == dns.rcode.NXDOMAIN
        assert dns.edns.EDECode.CENSORED in _ede(response)


def test_the_answer_cache_never_replays_an_allowed_answer_to_a_client_it_is_blocked_for(
    running: Running,
) -> None:
    # Over UDP, from the same address, the same question, again and again: the second and later
    # answers come from the caches (upstream answers, then finished answers).
    for _ in range(3):
        assert addresses(running.ask("to-games.example.org")) == ["192.0.2.62"]
        assert addresses(running.ask("to-games.example.org", token=KID)) == ["0.0.0.0"]
        assert running.ask("to-games.example.org", token=TEEN).rcode() == dns.rcode.NXDOMAIN
    assert running.upstream.asked[("to-games.example.org", "A")] <= 2  # one per worker at most


def test_a_parents_allow_for_the_asked_name_lets_its_answer_through_but_never_illegal_content(
    running: Running,
) -> None:
    assert addresses(running.ask("to-games.example.org", token=PARENT)) == ["192.0.2.62"]
    assert addresses(running.ask("listed-address.example.org", token=PARENT)) == ["192.0.2.99"]
    assert dns.edns.EDECode.CENSORED in _ede(running.ask("hop.example.org", token=PARENT))


def test_an_answer_with_an_address_a_list_lists_is_blocked(running: Running) -> None:
    assert addresses(running.ask("listed-address.example.org", token=KID)) == ["0.0.0.0"]
    assert dns.edns.EDECode.FILTERED in _ede(running.ask("listed-address.example.org", token=KID))
    assert addresses(running.ask("listed-address.example.org", "AAAA", token=KID), "AAAA") == ["::"]
    assert running.ask("listed-address.example.org", token=TEEN).rcode() == dns.rcode.NXDOMAIN
    assert addresses(running.ask("listed-address.example.org")) == ["192.0.2.99"]
    # Other addresses pass.
    assert addresses(running.ask("news.example.org", token=KID)) == ["192.0.2.10"]


def test_a_local_cname_to_a_blocked_name_is_blocked_and_others_still_resolve(running: Running) -> None:
    blocked = running.ask("games-alias.school.example", token=KID)
    assert addresses(blocked) == ["0.0.0.0"] and len(blocked.answer) == 1
    assert dns.edns.EDECode.FILTERED in _ede(blocked)
    assert running.ask("games-alias.school.example", token=TEEN).rcode() == dns.rcode.NXDOMAIN
    # A local name whose upstream target leads on to the illegal list.
    assert dns.edns.EDECode.CENSORED in _ede(running.ask("hop-alias.school.example"))
    allowed = running.ask("news-alias.school.example", token=KID)
    assert str(allowed.answer[0][0].target) == "news.example.org."
    assert addresses(allowed) == ["192.0.2.10"]
    assert allowed.flags & dns.flags.AA
    assert addresses(running.ask("games-alias.school.example")) == ["192.0.2.60"]


def test_dig_sees_a_cname_to_a_blocked_name_blocked(running: Running) -> None:
    device = f"+ednsopt={DEVICE_OPTION}:" + KID.encode().hex()
    assert dig(running.port, device, "+short", "to-games.example.org").split() == ["0.0.0.0"]
    assert dig(running.port, "+short", "to-games.example.org").split() == ["cdn.games.example.", "192.0.2.62"]
    full = dig(running.port, device, "listed-address.example.org")
    assert "status: NOERROR" in full and "0.0.0.0" in full and "EDE: 17 (Filtered)" in full


def test_answers_for_clients_without_dnssec_carry_no_authority_or_additional_records(
    running: Running,
) -> None:
    # Name servers and their addresses only make an answer (and an amplified reply) larger.
    plain = running.ask("glue.example.org")
    assert addresses(plain) == ["192.0.2.70"]
    assert not plain.authority and not plain.additional
    query = dns.message.make_query("glue.example.org", "A", want_dnssec=True)
    signed = dns.query.udp(query, "127.0.0.1", port=running.port, timeout=3)
    assert signed.authority and signed.additional
    # A negative answer keeps its SOA, which says how long the client may remember it.
    assert running.ask("missing.example.org").authority[0].rdtype == dns.rdatatype.SOA


def _wire(name: str, token: str = "", rdtype: str = "A") -> bytes:
    options: list[dns.edns.Option] = (
        [dns.edns.GenericOption(dns.edns.OptionType.make(DEVICE_OPTION), token.encode())] if token else []
    )
    return dns.message.make_query(name, rdtype, use_edns=0, options=options).to_wire()


def test_a_blocked_answer_is_counted_as_blocked_with_the_targets_category() -> None:
    upstream = Upstream().start()
    directory = Path(tempfile.mkdtemp(prefix="cop-filter-answers-"))
    _policy(directory)
    recorder = Recorder()
    resolver = Resolver(Config(snapshot_dir=directory, upstreams=(("127.0.0.1", upstream.port),)), recorder)
    assert resolver.reload()

    async def ask(data: bytes, tcp: bool) -> bytes:
        resolver.loop = asyncio.get_running_loop()
        result = resolver.handle(data, "127.0.0.1", tcp)
        if isinstance(result, bytes):
            return result
        assert result is not None
        done: asyncio.Future[bytes] = resolver.loop.create_future()
        resolver.dispatch(result, done.set_result, tcp)
        return await asyncio.wait_for(done, 5)

    try:
        # A miss (forwarded), a hit of the upstream cache, a hit of the answer cache, over TCP,
        # an address, a local CNAME; then a client whose profile does not block games.
        for data, tcp in (
            (_wire("to-games.example.org", KID), False),
            (_wire("to-games.example.org", KID), False),
            (_wire("to-games.example.org", KID), False),
            (_wire("to-games.example.org", KID), True),
            (_wire("listed-address.example.org", KID), False),
            (_wire("games-alias.school.example", KID), False),
            (_wire("to-games.example.org", PARENT), False),
        ):
            run_async(ask(data, tcp))
    finally:
        upstream.stop()
    day = time.strftime("%Y-%m-%d", time.gmtime())
    assert recorder.blocked == {(7, day, "games"): 6}
    assert recorder.sites == {
        (7, day, "to-games.example.org", "games"): 4,
        (7, day, "listed-address.example.org", "games"): 1,
        (7, day, "games-alias.school.example", "games"): 1,
    }
    assert recorder.preventive == {(day, "games"): 6}
    assert sum(count for (profile, *_rest), count in recorder.activity.items() if profile == 9) == 1


def test_a_kept_answer_whose_second_is_over_is_the_answer_the_long_way_makes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A kept answer holds for one second (its TTLs count down); after that it is aged from the
    # upstream answer it was made from instead of being decided anew: the bytes must be the
    # same, counted the same, for an allowed answer and for one blocked by where it leads.
    upstream = Upstream().start()
    directory = Path(tempfile.mkdtemp(prefix="cop-filter-aged-"))
    _policy(directory)
    recorder = Recorder()
    resolver = Resolver(Config(snapshot_dir=directory, upstreams=(("127.0.0.1", upstream.port),)), recorder)
    assert resolver.reload()
    clock = [time.time()]
    monkeypatch.setattr(time, "time", lambda: clock[0])

    async def forward(data: bytes) -> None:
        resolver.loop = asyncio.get_running_loop()
        work = resolver.handle(data, "127.0.0.1", False)
        assert work is not None and not isinstance(work, bytes)
        done: asyncio.Future[bytes] = resolver.loop.create_future()
        resolver.dispatch(work, done.set_result, False)
        await asyncio.wait_for(done, 5)

    try:
        # Upstream's 300 s two seconds later; a block keeps its TTL (60 s).
        for name, token, ttl in (("news.example.org", "", 298), ("to-games.example.org", KID, 60)):
            data = _wire(name, token)
            run_async(forward(data))
            kept = resolver.handle(data, "127.0.0.1", False)  # from the upstream cache; kept
            assert resolver.handle(data, "127.0.0.1", False) == kept  # within the second
            clock[0] += 2.5
            aged = resolver.handle(data, "127.0.0.1", False)
            assert isinstance(aged, bytes)
            resolver.answers.clear()
            assert resolver.handle(data, "127.0.0.1", False) == aged  # the long way
            assert {rrset.ttl for rrset in dns.message.from_wire(aged).answer} == {ttl}
            assert dns.message.from_wire(aged).rcode() == dns.rcode.NOERROR
    finally:
        upstream.stop()
    day = time.strftime("%Y-%m-%d", time.gmtime(clock[0]))
    assert recorder.sites == {(7, day, "to-games.example.org", "games"): 5}
    assert recorder.preventive == {(day, "games"): 5}


def test_read_answer_finds_compressed_cname_targets_and_addresses() -> None:
    response = dns.message.make_response(dns.message.make_query("a.example.org", "A"))
    for owner, rtype, value in (
        ("a.example.org.", "CNAME", "b.Example.ORG."),
        ("b.example.org.", "CNAME", "c.example.net."),
        ("c.example.net.", "A", "192.0.2.1"),
    ):
        response.answer.append(dns.rrset.from_text(owner, 300, "IN", rtype, value))
    response.answer.append(dns.rrset.from_text("c.example.net.", 300, "IN", "AAAA", "2001:db8::1"))
    raw = response.to_wire()  # dnspython compresses the targets against the question
    question = b"\x01a\x07example\x03org\x00\x00\x01\x00\x01"
    answer = wire.read_answer(raw, question, 86400, 30)
    assert [key for key, _suffixes in answer.names] == [
        b"\x01b\x07example\x03org",
        b"\x01c\x07example\x03net",
    ]
    assert answer.names[0][1] == [b"\x01b\x07example\x03org", b"\x07example\x03org"]
    assert answer.addresses == (bytes([192, 0, 2, 1]), bytes([0x20, 0x01, 0x0D, 0xB8]) + bytes(11) + b"\x01")
    plain = wire.read_answer(
        dns.message.make_response(dns.message.make_query("a.example.org", "A")).to_wire(), question, 86400, 30
    )
    assert plain.names == () and plain.addresses == ()


def test_read_answer_refuses_a_cname_whose_target_loops_or_runs_past_the_end() -> None:
    question = b"\x01a\x07example\x03org\x00\x00\x01\x00\x01"
    header = b"\x12\x34\x81\x80\x00\x01\x00\x01\x00\x00\x00\x00"
    record = b"\xc0\x0c\x00\x05\x00\x01\x00\x00\x01\x2c\x00\x02"
    looping = header + question + record + b"\xc0" + bytes([12 + len(question) + len(record)])
    with pytest.raises(ValueError):
        wire.read_answer(looping, question, 86400, 30)
    past = header + question + record + b"\xc0\xff"
    with pytest.raises(ValueError):
        wire.read_answer(past, question, 86400, 30)
