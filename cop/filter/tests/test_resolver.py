"""Conformance of the running resolver, asked with real DNS clients (dnspython and dig) on 127.0.0.1."""

from __future__ import annotations

import random
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import dns.edns
import dns.flags
import dns.message
import dns.name
import dns.opcode
import dns.query
import dns.rcode
import dns.rdatatype
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cop.filter.tests.running import Running, addresses, dig, start, write_snapshot
from cop.filter.tests.upstream import Upstream

KID = "kidtoken000000000001"
TEEN = "teentoken00000000002"
LISTS = {
    "illegal": ["illegal.example"],
    "games": ["games.example", "xn--jeux-vido-i4a.example"],
    "adult": ["adult.example"],
}
EXCEPTIONS = {"adult": ["ok.adult.example"]}
PROFILES = [
    {"id": 7, "categories": ["games", "adult"], "safe_search": True, "youtube": "strict"},
    {"id": 8, "categories": ["games"], "safe_search": False, "youtube": "moderate", "nxdomain": True},
    {"id": 9, "categories": ["adult"]},
]
DEVICES = [
    {"token": KID, "profile": 7, "networks": []},
    {"token": TEEN, "profile": 8, "networks": []},
    {"token": "addressbound00000003", "profile": 9, "networks": ["127.0.0.2/32", "127.0.1.0/24"]},
]


LOCAL = [
    ["intranet.school.example", "A", "192.0.2.80", 600],
    ["intranet.school.example", "TXT", "school network", 600],
    ["alias.school.example", "CNAME", "news.example.org", 600],
]


def _policy(directory: Path, version: int, lists: dict[str, list[str]]) -> None:
    write_snapshot(
        directory, version, lists, EXCEPTIONS, profiles=PROFILES, devices=DEVICES, default={}, local=LOCAL
    )


@pytest.fixture(scope="module")
def running(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    directory = tmp_path_factory.mktemp("snapshots")
    _policy(directory, 1, LISTS)
    upstream = Upstream().start()
    resolver = start(directory, upstream)
    yield resolver
    resolver.stop()
    upstream.stop()


def _ede(message: dns.message.Message) -> list[int]:
    return [option.code for option in message.options if isinstance(option, dns.edns.EDEOption)]


def test_it_forwards_a_records_and_aaaa_records(running: Running) -> None:
    assert addresses(running.ask("news.example.org")) == ["192.0.2.10"]
    assert addresses(running.ask("news.example.org", "AAAA"), "AAAA") == ["2001:db8::10"]


def test_it_returns_a_whole_cname_chain(running: Running) -> None:
    response = running.ask("chain.example.org")
    cnames = [rrset for rrset in response.answer if rrset.rdtype == dns.rdatatype.CNAME]
    assert [str(rrset[0].target) for rrset in cnames] == ["mid.example.net.", "end.example.com."]
    assert addresses(response) == ["192.0.2.20"]


def test_it_forwards_https_svcb_and_txt_records(running: Running) -> None:
    https = running.ask("svc.example.org", "HTTPS")
    assert https.answer[0].rdtype == dns.rdatatype.HTTPS
    assert "alpn" in https.answer[0][0].to_text()
    svcb = running.ask("_dns.svc.example.org", "SVCB")
    assert svcb.answer[0][0].target == dns.name.from_text("dns.example.org.")
    txt = running.ask("txt.example.org", "TXT")
    assert txt.answer[0][0].strings == (b"v=spf1 -all",)


def test_it_keeps_edns0_and_fits_a_large_answer_in_a_large_buffer(running: Running) -> None:
    response = running.ask("medium.example.org", "TXT", payload=4096)
    assert response.edns == 0
    assert not response.flags & dns.flags.TC
    assert len(response.to_wire()) > 512
    assert len(response.answer[0]) == 3


def test_it_truncates_without_edns_and_the_client_gets_it_over_tcp(running: Running) -> None:
    plain = dns.message.make_query("medium.example.org", "TXT", use_edns=False)
    truncated = dns.query.udp(plain, "127.0.0.1", port=running.port, timeout=3)
    assert truncated.flags & dns.flags.TC
    assert not truncated.answer
    response, used_tcp = dns.query.udp_with_fallback(plain, "127.0.0.1", port=running.port, timeout=3)
    assert used_tcp
    assert len(response.answer[0]) == 3


def test_an_answer_larger_than_1232_bytes_goes_over_tcp(running: Running) -> None:
    assert running.ask("big.example.org", "TXT", payload=4096).flags & dns.flags.TC
    response = running.ask("big.example.org", "TXT", tcp=True)
    assert len(response.answer[0]) == 12


def test_it_answers_several_queries_on_one_tcp_connection(running: Running) -> None:
    with socket.create_connection(("127.0.0.1", running.port), timeout=3) as sock:
        for name in ("news.example.org", "play.games.example", "news.example.org"):
            dns.query.send_tcp(sock, dns.message.make_query(name, "A"))
        answers = [dns.query.receive_tcp(sock, expiration=time.time() + 3)[0] for _ in range(3)]
    assert sorted(addresses(a)[0] for a in answers) == ["192.0.2.10", "192.0.2.10", "192.0.2.60"]


def test_it_folds_case_and_trailing_dots_and_keeps_the_clients_case(running: Running) -> None:
    response = running.ask("NEWS.Example.ORG.")
    assert addresses(response) == ["192.0.2.10"]
    assert response.question[0].name.to_text() == "NEWS.Example.ORG."
    assert addresses(running.ask("Play.GAMES.example.", token=KID)) == ["0.0.0.0"]


def test_it_resolves_and_blocks_international_names(running: Running) -> None:
    bucher = dns.name.from_unicode("bücher.example", idna_codec=dns.name.IDNA_2008)
    assert addresses(running.ask(bucher.to_text())) == ["192.0.2.30"]
    spiele = dns.name.from_unicode("www.jeux-vidéo.example", idna_codec=dns.name.IDNA_2008)
    assert addresses(running.ask(spiele.to_text(), token=KID)) == ["0.0.0.0"]


def test_it_tells_a_missing_name_from_a_name_without_that_type(running: Running) -> None:
    missing = running.ask("missing.example.org")
    assert missing.rcode() == dns.rcode.NXDOMAIN
    assert missing.authority[0].rdtype == dns.rdatatype.SOA
    nodata = running.ask("nodata.example.org", "AAAA")
    assert nodata.rcode() == dns.rcode.NOERROR
    assert not nodata.answer
    assert nodata.authority[0].rdtype == dns.rdatatype.SOA


def test_it_blocks_a_profiles_categories_with_a_short_ttl_and_subdomains_too(running: Running) -> None:
    blocked = running.ask("play.games.example", token=KID)
    assert addresses(blocked) == ["0.0.0.0"]
    assert blocked.answer[0].ttl == 60
    assert dns.edns.EDECode.FILTERED in _ede(blocked)
    assert addresses(running.ask("play.games.example", "AAAA", token=KID), "AAAA") == ["::"]
    https = running.ask("play.games.example", "HTTPS", token=KID)
    assert https.rcode() == dns.rcode.NOERROR and not https.answer
    assert https.authority[0].rdtype == dns.rdatatype.SOA
    # A client no device binds keeps its games.
    assert addresses(running.ask("play.games.example")) == ["192.0.2.60"]


def test_a_profile_can_choose_nxdomain_for_blocked_names(running: Running) -> None:
    assert running.ask("play.games.example", token=TEEN).rcode() == dns.rcode.NXDOMAIN


def test_a_lists_exception_lets_its_name_through(running: Running) -> None:
    assert addresses(running.ask("www.adult.example", token=KID)) == ["0.0.0.0"]
    # ok.adult.example is excepted: forwarded, and the upstream says it does not exist.
    assert running.ask("ok.adult.example", token=KID).rcode() == dns.rcode.NXDOMAIN


def test_the_illegal_list_blocks_every_client_and_says_it_is_censored(running: Running) -> None:
    for token in ("", KID, TEEN):
        response = running.ask("bad.illegal.example", token=token)
        assert addresses(response) == ["0.0.0.0"] or response.rcode() == dns.rcode.NXDOMAIN
        assert dns.edns.EDECode.CENSORED in _ede(response)


def test_it_rewrites_search_engines_to_safe_search_for_a_child(running: Running) -> None:
    google = running.ask("www.google.com", token=KID)
    assert str(google.answer[0][0].target) == "forcesafesearch.google.com."
    assert addresses(google) == ["192.0.2.51"]
    assert addresses(running.ask("www.google.com", "AAAA", token=KID), "AAAA") == ["2001:db8::51"]
    assert str(running.ask("www.bing.com", token=KID).answer[0][0].target) == "strict.bing.com."
    assert addresses(running.ask("www.youtube.com", token=KID)) == ["192.0.2.56"]
    # YouTube is its own switch: moderate for the teen, whose search is not rewritten.
    assert addresses(running.ask("www.youtube.com", token=TEEN)) == ["192.0.2.57"]
    assert addresses(running.ask("www.google.com", token=TEEN)) == ["192.0.2.50"]


def test_it_answers_local_names_itself_with_authority(running: Running) -> None:
    intranet = running.ask("Intranet.School.Example")
    assert addresses(intranet) == ["192.0.2.80"]
    assert intranet.flags & dns.flags.AA
    assert intranet.answer[0].ttl == 600
    assert running.ask("intranet.school.example", "TXT").answer[0][0].strings == (b"school network",)
    nodata = running.ask("intranet.school.example", "AAAA")
    assert nodata.rcode() == dns.rcode.NOERROR and not nodata.answer
    alias = running.ask("alias.school.example")
    assert str(alias.answer[0][0].target) == "news.example.org."
    assert addresses(alias) == ["192.0.2.10"]
    assert running.upstream.asked[("intranet.school.example", "A")] == 0


def test_it_binds_a_device_by_its_address_or_network(running: Running) -> None:
    query = dns.message.make_query("www.adult.example", "A")
    for source in ("127.0.0.2", "127.0.1.5"):
        response = dns.query.udp(query, "127.0.0.1", port=running.port, source=source, timeout=3)
        assert addresses(response) == ["0.0.0.0"]
    other = dns.query.udp(query, "127.0.0.1", port=running.port, source="127.0.2.5", timeout=3)
    assert other.rcode() == dns.rcode.NXDOMAIN  # forwarded: not bound, not blocked


def test_an_unknown_device_token_gets_the_default_profile(running: Running) -> None:
    assert addresses(running.ask("play.games.example", token="nosuchtoken000000000")) == ["192.0.2.60"]


def test_it_caches_answers_and_honours_their_ttl(running: Running) -> None:
    for _ in range(20):
        assert addresses(running.ask("www.news.example.org")) == ["192.0.2.11"]
    # Each of the two workers keeps its own cache: at most one question each.
    assert running.upstream.asked[("www.news.example.org", "A")] <= 2
    assert addresses(running.ask("short.example.org")) == ["192.0.2.31"]
    before = running.upstream.asked[("short.example.org", "A")]
    time.sleep(2.1)
    for _ in range(6):
        running.ask("short.example.org")
    assert running.upstream.asked[("short.example.org", "A")] > before


def test_cached_answers_count_their_ttl_down(running: Running) -> None:
    first = running.ask("news.example.org", tcp=True)
    time.sleep(1.1)
    later = [running.ask("news.example.org", tcp=True).answer[0].ttl for _ in range(4)]
    assert min(later) < first.answer[0].ttl or first.answer[0].ttl < 300


def test_any_over_udp_gets_a_truncated_answer_and_zone_transfers_are_refused(running: Running) -> None:
    response = running.ask("news.example.org", "ANY")
    assert response.flags & dns.flags.TC and not response.answer
    axfr = dns.message.make_query("example.org", "AXFR")
    assert dns.query.tcp(axfr, "127.0.0.1", port=running.port, timeout=3).rcode() == dns.rcode.REFUSED


def _children(pid: int) -> set[int]:
    return {int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()}


def _exchange(port: int, payload: bytes) -> bytes | None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.settimeout(0.15)
        sock.sendto(payload, ("127.0.0.1", port))
        try:
            return sock.recv(65535)
        except TimeoutError:
            return None


def _is_query(payload: bytes) -> bool:
    try:
        message = dns.message.from_wire(payload)
    except dns.exception.DNSException:
        return False
    return not message.flags & dns.flags.QR and len(message.question) == 1


_REAL = dns.message.make_query("news.example.org", "A", use_edns=0).to_wire()


@st.composite
def _garbage(draw: st.DrawFn) -> bytes:
    kind = draw(st.sampled_from(["random", "flipped", "cut", "header"]))
    if kind == "random":
        return draw(st.binary(min_size=0, max_size=600))
    if kind == "flipped":
        data = bytearray(_REAL)
        for _ in range(draw(st.integers(1, 6))):
            data[draw(st.integers(0, len(data) - 1))] ^= 1 << draw(st.integers(0, 7))
        return bytes(data)
    if kind == "cut":
        return _REAL[: draw(st.integers(0, len(_REAL) - 1))]
    return _REAL[:12] + draw(st.binary(min_size=0, max_size=300))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(payload=_garbage())
def test_malformed_packets_never_crash_a_worker_nor_get_an_amplified_reply(
    running: Running, payload: bytes
) -> None:
    workers = _children(running.process.pid)
    reply = _exchange(running.port, payload)
    if reply is not None and not _is_query(payload):
        assert len(reply) <= len(payload)
    assert _children(running.process.pid) == workers


def test_it_still_answers_after_the_fuzzing(running: Running) -> None:
    rng = random.Random(5)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        for _ in range(3000):
            sock.sendto(rng.randbytes(rng.randrange(0, 80)), ("127.0.0.1", running.port))
    assert addresses(running.ask("news.example.org")) == ["192.0.2.10"]


def _dig(running: Running, *arguments: str) -> str:
    return dig(running.port, *arguments)


def test_dig_sees_blocking_safe_search_truncation_and_idn(running: Running) -> None:
    device = "+ednsopt=65074:" + KID.encode().hex()
    assert _dig(running, device, "+short", "play.games.example").split() == ["0.0.0.0"]
    assert _dig(running, device, "+short", "news.example.org").split() == ["192.0.2.10"]
    assert _dig(running, device, "+short", "www.google.com").split() == [
        "forcesafesearch.google.com.",
        "192.0.2.51",
    ]
    full = _dig(running, "+noedns", "+ignore", "medium.example.org", "TXT")
    assert "flags: qr tc" in full or "tc" in full.split("flags:")[1].split(";")[0]
    over_tcp = _dig(running, "+noedns", "medium.example.org", "TXT")
    assert "Truncated, retrying in TCP mode" in over_tcp
    assert over_tcp.count("IN\tTXT") == 1 + 3  # the question, then three records
    assert "status: NXDOMAIN" in _dig(running, "MISSING.example.org.")
    assert _dig(running, "+short", "+idnin", "bücher.example").split() == ["192.0.2.30"]


def test_a_new_snapshot_is_picked_up_within_seconds_without_dropping_queries(running: Running) -> None:
    assert addresses(running.ask("www.news.example.org", token=KID)) == ["192.0.2.11"]
    _policy(running.directory, 2, {**LISTS, "games": [*LISTS["games"], "news.example.org"]})
    deadline = time.monotonic() + 5
    answered = asked = 0
    blocked = False
    while time.monotonic() < deadline and not blocked:
        time.sleep(0.02)  # a client, not a flood: response-rate limiting would drop a flood's excess
        asked += 1
        try:
            response = running.ask("www.news.example.org", token=KID, timeout=1)
        except dns.exception.Timeout:
            continue
        answered += 1
        blocked = addresses(response) == ["0.0.0.0"]
    assert blocked
    assert answered == asked
    _policy(running.directory, 3, LISTS)


def test_a_broken_snapshot_is_refused_and_the_previous_one_stays(running: Running) -> None:
    (running.directory / "policy-99.json").write_text("{not json")
    (running.directory / "current").write_text("policy-99.json\n")
    time.sleep(1.5)
    assert addresses(running.ask("play.games.example", token=KID)) == ["0.0.0.0"]
    assert addresses(running.ask("bad.illegal.example")) == ["0.0.0.0"]
    _policy(running.directory, 4, LISTS)


def test_the_resolver_stops_with_a_clear_error_when_its_port_is_taken(tmp_path: Path) -> None:
    _policy(tmp_path, 1, LISTS)
    # Bound without SO_REUSEPORT, so no resolver worker can share it.
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as taken:
        taken.bind(("127.0.0.1", 0))
        port = taken.getsockname()[1]
        result = subprocess.run(
            [
                sys.executable,
                "-c",
                "from cop.cli import main; main()",
                "run_filter",
                "--workers",
                "1",
                "--listen",
                f"127.0.0.1:{port}",
                "--upstream",
                "127.0.0.1:9",
                "--snapshot-dir",
                str(tmp_path),
                "--no-stats",
            ],
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert result.returncode != 0
    assert f"cannot listen on [('127.0.0.1', {port})]" in result.stderr
    assert "filter workers keep failing at start" in result.stderr


def test_edns_version_1_gets_badvers_in_an_opt_record_with_the_question(running: Running) -> None:
    query = dns.message.make_query("news.example.org", "A", use_edns=1, want_dnssec=True)
    query.flags |= dns.flags.CD
    sent = query.to_wire()
    raw = _exchange(running.port, sent)
    assert raw is not None
    assert len(raw) <= len(sent)
    assert raw[3] & 0x0F == 0  # BADVERS (16) does not fit the header: its upper bits go in the OPT record
    response = dns.message.from_wire(raw)
    assert response.id == query.id
    assert response.rcode() == dns.rcode.BADVERS
    assert response.edns == 0  # the version this resolver speaks
    assert response.question == query.question
    assert not response.answer
    assert response.flags & dns.flags.RD and response.flags & dns.flags.QR


def test_dig_sees_badvers_for_edns_version_1(running: Running) -> None:
    output = _dig(running, "+edns=1", "+noednsnegotiation", "news.example.org")
    assert "status: BADVERS" in output
    assert "EDNS: version: 0" in output
    assert "QUERY: 1, ANSWER: 0, AUTHORITY: 0, ADDITIONAL: 1" in output
    assert ";news.example.org.\t\tIN\tA" in output


@pytest.mark.parametrize("opcode", [dns.opcode.STATUS, dns.opcode.NOTIFY, dns.opcode.UPDATE])
def test_notimp_replies_set_neither_ra_nor_cd(running: Running, opcode: dns.opcode.Opcode) -> None:
    query = dns.message.make_query("news.example.org", "A")
    query.set_opcode(opcode)
    query.flags |= dns.flags.CD | dns.flags.RD
    raw = _exchange(running.port, query.to_wire())
    assert raw is not None
    response = dns.message.from_wire(raw, question_only=True)
    assert response.rcode() == dns.rcode.NOTIMP
    assert response.opcode() == opcode
    assert response.flags & dns.flags.QR and response.flags & dns.flags.RD
    assert not response.flags & (dns.flags.RA | dns.flags.CD | dns.flags.AD | dns.flags.AA | dns.flags.TC)


def test_formerr_replies_set_neither_ra_nor_cd(running: Running) -> None:
    query = dns.message.make_query("news.example.org", "A")
    query.flags |= dns.flags.CD
    two_questions = bytearray(query.to_wire())
    two_questions[5] = 2
    raw = _exchange(running.port, bytes(two_questions))
    assert raw is not None and len(raw) == 12
    flags = raw[2] << 8 | raw[3]
    assert flags & 0x000F == dns.rcode.FORMERR
    assert flags & dns.flags.QR and flags & dns.flags.RD
    assert not flags & (dns.flags.RA | dns.flags.CD | dns.flags.AD)


def test_answers_to_understood_queries_set_ra_and_copy_cd(running: Running) -> None:
    # Forwarded, blocked and refused (a zone transfer).
    for name, rdtype, token in (
        ("news.example.org", "A", ""),
        ("play.games.example", "A", KID),
        ("example.org", "AXFR", ""),
    ):
        options: list[dns.edns.Option] = (
            [dns.edns.GenericOption(dns.edns.OptionType.make(65074), token.encode())] if token else []
        )
        query = dns.message.make_query(name, rdtype, use_edns=0, options=options)
        query.flags |= dns.flags.CD
        response = dns.query.tcp(query, "127.0.0.1", port=running.port, timeout=3)
        assert response.flags & dns.flags.RA and response.flags & dns.flags.CD
