"""Response-rate limiting (RRL) per client network, so the resolver cannot be used for amplification.

Over UDP the source address of a query can be forged: an attacker sends small queries "from" a
victim and the resolver sends the victim answers many times larger. As BIND and Knot do, each
client network (a /24 in IPv4, a /56 in IPv6) gets so many responses a second; beyond that most
are dropped and every Nth "slips" out as a truncated reply (TC, no records, no larger than the
query), so a real client behind that network retries over TCP, where addresses cannot be forged.
TCP and DNS over HTTPS are not limited. Replies no larger than their query (errors, truncated
replies) are not counted: they give an attacker nothing it could not send itself.

The account of a network is one number, the time at which its responses so far would have been
paid for at the allowed rate (the "generic cell rate algorithm"): a response is allowed while
that time is less than a second ahead of now, which allows a burst of one second's worth and
then one response every 1/rate seconds. Per
query this costs one dict lookup and some arithmetic. The table cannot grow without limit under
forged sources: idle entries are dropped at most once a second when it is full, and sources that
still find no room share one account.
"""

from __future__ import annotations

import socket

SEND, DROP, SLIP = 0, 1, 2
TABLE_ENTRIES = 65_536  # source addresses remembered per worker; about 10 MB when full
BURST = 1.0  # seconds of responses a network may have at once


class ResponseLimit:
    """The accounts of one worker's client networks. Used by the UDP threads only."""

    def __init__(
        self,
        per_second: int,
        slip: int = 2,
        ipv4_prefix: int = 24,
        ipv6_prefix: int = 56,
        entries: int = TABLE_ENTRIES,
    ) -> None:
        if per_second < 1:
            raise ValueError("a response limit needs at least one response a second")
        if not 0 <= ipv4_prefix <= 32 or not 0 <= ipv6_prefix <= 128:
            raise ValueError("prefix lengths are 0-32 for IPv4 and 0-128 for IPv6")
        self.interval = 1.0 / per_second
        # A response is allowed while the account is at most a second's worth less one response
        # ahead of now (a hair more, for the rounding of the sums).
        self.ahead = BURST - self.interval + self.interval / 1000
        self.slip = slip
        self.shift4 = 32 - ipv4_prefix
        self.shift6 = 128 - ipv6_prefix
        self.entries = entries
        # Source address -> its network's account: a one-item list shared by every address of the
        # network, so a query from a known address costs one lookup.
        self.sources: dict[str, list[float]] = {}
        self.networks: dict[int, list[float]] = {}
        self.shared = [0.0]  # the account of sources that found the table full
        self.over = 0  # responses refused so far, for the slip count
        self.next_prune = 0.0

    def check(self, source: str, now: float) -> int:
        """SEND, DROP or SLIP for one response to `source` at `now` (a monotonic clock)."""
        account = self.sources.get(source)
        if account is None:
            account = self._account(source, now)
        due = account[0]
        if due < now:
            due = now
        if due - now < self.ahead:
            account[0] = due + self.interval
            return SEND
        self.over += 1
        if self.slip and self.over % self.slip == 0:
            return SLIP
        return DROP

    def _account(self, source: str, now: float) -> list[float]:
        if len(self.sources) >= self.entries:
            if now >= self.next_prune:
                self._prune(now)
            if len(self.sources) >= self.entries:
                return self.shared
        network = self.network(source)
        account = self.networks.get(network)
        if account is None:
            account = self.networks[network] = [0.0]
        self.sources[source] = account
        return account

    def network(self, source: str) -> int:
        """The network of an address as a number: IPv4 networks negative, IPv6 ones not."""
        try:
            if ":" in source:
                packed = socket.inet_pton(socket.AF_INET6, source.split("%", 1)[0])
                return int.from_bytes(packed, "big") >> self.shift6
            return -1 - (int.from_bytes(socket.inet_aton(source), "big") >> self.shift4)
        except OSError:
            return -(1 << 40)  # not an address (a test's Unix socket, say): one account for all

    def _prune(self, now: float) -> None:
        # An account whose time has passed is the same as no account: forget it.
        self.next_prune = now + 1.0
        self.sources = {source: account for source, account in self.sources.items() if account[0] >= now}
        self.networks = {network: account for network, account in self.networks.items() if account[0] >= now}
