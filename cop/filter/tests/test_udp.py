"""The UDP receiving loops, in batches (recvmmsg, Linux) and one query at a time: the same answers,
to the same clients, over IPv4 and IPv6, a device bound by its address included."""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import dns.message
import dns.query
import pytest

from cop.filter import mmsg
from cop.filter.resolver import Config, Resolver, bind_udp, udp_loop
from cop.filter.tests.running import addresses, write_snapshot
from cop.filter.tests.upstream import Upstream

LISTS = {"illegal": ["bad.illegal.example"], "games": ["games.example"]}
Receive = Callable[[Resolver, socket.socket, asyncio.AbstractEventLoop], None]


@pytest.fixture(scope="module")
def upstream() -> Iterator[Upstream]:
    server = Upstream().start()
    yield server
    server.stop()


def test_batches_are_used_where_the_system_has_them() -> None:
    assert mmsg.available()  # the project runs on Linux: the resolver's UDP goes through mmsg


@pytest.mark.parametrize("receive", [mmsg.udp_loop, udp_loop], ids=["in batches", "one at a time"])
@pytest.mark.parametrize("host", ["127.0.0.1", "::1"])
def test_both_loops_answer_each_client_by_its_address_blocked_forwarded_and_many_at_once(
    receive: Receive, host: str, upstream: Upstream, tmp_path: Path
) -> None:
    # The device is bound to the client's own address: its profile (games blocked) applies only
    # when the loop gives `handle` the address as `recvfrom` writes it.
    write_snapshot(
        tmp_path,
        1,
        LISTS,
        default={},
        profiles=[{"id": 7, "categories": ["games"]}],
        devices=[{"token": "bound0000000000000001", "profile": 7, "networks": [host]}],
    )
    resolver = Resolver(Config(snapshot_dir=tmp_path, upstreams=(("127.0.0.1", upstream.port),)))
    assert resolver.reload()
    loop = asyncio.new_event_loop()
    threading.Thread(target=loop.run_forever, daemon=True).start()
    resolver.loop = loop
    sock = bind_udp(host, 0)
    port = sock.getsockname()[1]
    threading.Thread(target=receive, args=(resolver, sock, loop), daemon=True).start()
    try:
        ask = dns.message.make_query
        assert addresses(dns.query.udp(ask("play.games.example", "A"), host, port=port, timeout=5)) == [
            "0.0.0.0"
        ]
        # Forwarded: answered from the event loop, to the address the query came from.
        assert addresses(dns.query.udp(ask("news.example.org", "A"), host, port=port, timeout=5)) == [
            "192.0.2.10"
        ]
        # Many at once from one client: each gets its own answer, whatever the batches.
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        with socket.socket(family, socket.SOCK_DGRAM) as client:
            client.settimeout(5)
            queries = {}
            for number in range(80):
                query = ask(f"n{number}.games.example" if number % 2 else "bad.illegal.example", "A")
                query.id = number + 1  # distinct, unlike random IDs
                queries[query.id] = query
                client.sendto(query.to_wire(), (host, port))
            answered: set[int] = set()
            while len(answered) < len(queries):
                response = dns.message.from_wire(client.recv(4096))
                assert addresses(response) == ["0.0.0.0"]
                assert response.question == queries[response.id].question
                answered.add(response.id)
    finally:
        loop.call_soon_threadsafe(loop.stop)
        sock.close()  # the receiving thread stays blocked until the test process ends (a daemon)
