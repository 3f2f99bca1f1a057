"""A compiled policy as resolvers hold it: the mapped list table plus every profile, device and record.

A snapshot is two files in the snapshot directory: `table-<digest>.bin` (see `table.py`), which
changes only when a list does, and `policy-<version>.json`, which changes with every edit a parent
makes. `current` names the policy file in force. Files are written whole and renamed into place;
a resolver that sees `current` change loads the new version next to the old one and swaps a single
reference, so no query waits and none is dropped.

This module does not use Django: a resolver can run on a machine that only receives the files.
"""

from __future__ import annotations

import datetime
import ipaddress
import json
import os
import zoneinfo
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cop.filter.categories import ILLEGAL
from cop.filter.policy import Reason
from cop.filter.table import Table, hash64, wire_key

CURRENT = "current"
ILLEGAL_BIT = 1  # the illegal-content category is always bit 0

# Reasons as small integers for the hot path and the statistics.
ALLOW_DEFAULT, ALLOW_PAUSED, ALLOW_PROFILE, BLOCK_ILLEGAL, BLOCK_SCHEDULE, BLOCK_PROFILE, BLOCK_CATEGORY = (
    range(7)
)
REASONS: dict[int, Reason] = {
    ALLOW_DEFAULT: Reason.DEFAULT,
    ALLOW_PAUSED: Reason.PAUSED,
    ALLOW_PROFILE: Reason.PROFILE_ALLOW,
    BLOCK_ILLEGAL: Reason.ILLEGAL,
    BLOCK_SCHEDULE: Reason.SCHEDULE,
    BLOCK_PROFILE: Reason.PROFILE_BLOCK,
    BLOCK_CATEGORY: Reason.CATEGORY,
}
FIRST_BLOCK = BLOCK_ILLEGAL


def lowest_bit(mask: int) -> int:
    return (mask & -mask).bit_length() - 1


@dataclass(frozen=True)
class CompiledWindow:
    days: frozenset[int]
    start: int  # minutes after midnight
    end: int
    everything: bool
    mask: int
    allowed: frozenset[bytes]

    def active(self, weekday: int, minute: int) -> bool:
        # Equal ends make a 24-hour window from the start, the same as one running past midnight.
        if self.start < self.end:
            return weekday in self.days and self.start <= minute < self.end
        if minute >= self.start:
            return weekday in self.days
        return (weekday - 1) % 7 in self.days and minute < self.end


@dataclass
class CompiledProfile:
    id: int
    mask: int = 0
    allow: frozenset[bytes] = frozenset()
    block: frozenset[bytes] = frozenset()
    windows: tuple[CompiledWindow, ...] = ()
    paused_until: float = 0.0
    log_until: float = 0.0
    nxdomain: bool = False
    safe_search: bool = False
    youtube: str = "off"
    zone: datetime.tzinfo = datetime.UTC
    # No entries, schedules or pause: only the lists matter (most clients), decided in two tests.
    simple: bool = False
    # What changes with the clock, computed once and kept until `_until`.
    _until: float = -1.0
    _paused: bool = False
    _active: tuple[CompiledWindow, ...] = ()

    def _state(self, now: float) -> None:
        self._paused = now < self.paused_until
        local = datetime.datetime.fromtimestamp(now, self.zone)
        minute = local.hour * 60 + local.minute
        self._active = tuple(w for w in self.windows if w.active(local.weekday(), minute))
        # Windows turn on and off on whole minutes; a pause ends when it ends.
        until = now - local.second - local.microsecond / 1e6 + 60
        if self._paused:
            until = min(until, self.paused_until)
        self._until = until

    def decide(self, suffixes: list[bytes], categories: int, now: float) -> tuple[int, int]:
        """(reason, category bit) for a name whose suffix keys and blocking categories
        (`Snapshot.bits`) are given.

        Mirrors `policy.decide` rule for rule; a property test holds the two to the same answers.
        """
        if categories & ILLEGAL_BIT:
            return BLOCK_ILLEGAL, 0
        if self.simple:  # most clients, on every query: `lowest_bit` written out
            blocking = categories & self.mask
            if blocking:
                return BLOCK_CATEGORY, (blocking & -blocking).bit_length() - 1
            return ALLOW_DEFAULT, (categories & -categories).bit_length() - 1
        if now >= self._until:
            self._state(now)
        if self._paused:
            return ALLOW_PAUSED, -1
        first = lowest_bit(categories)
        for window in self._active:
            if window.allowed and any(key in window.allowed for key in suffixes):
                continue
            if window.everything:
                return BLOCK_SCHEDULE, first
            if categories & window.mask:
                return BLOCK_SCHEDULE, lowest_bit(categories & window.mask)
        if self.allow and any(key in self.allow for key in suffixes):
            return ALLOW_PROFILE, first
        if self.block and any(key in self.block for key in suffixes):
            return BLOCK_PROFILE, first
        if categories & self.mask:
            return BLOCK_CATEGORY, lowest_bit(categories & self.mask)
        return ALLOW_DEFAULT, first


@dataclass
class Snapshot:
    version: int
    categories: list[str]
    table: Table | None
    default: CompiledProfile
    profiles: dict[int, CompiledProfile] = field(default_factory=dict)
    tokens: dict[str, int] = field(default_factory=dict)
    hosts: dict[str, int] = field(default_factory=dict)  # single addresses, the common case
    networks: list[tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, int]] = field(default_factory=list)
    local: dict[bytes, list[tuple[str, str, int]]] = field(default_factory=dict)  # key -> (type, value, ttl)
    bound: bool = False  # some device is bound by address: look the client's address up

    @property
    def has_addresses(self) -> bool:
        """Whether some active list blocks answers by address (`address_bits` says which)."""
        return self.table is not None and self.table.has_addresses

    def address_bits(self, packed: bytes) -> int:
        """The categories that block an answer containing this address (4 or 16 bytes packed)."""
        table = self.table
        if table is None or not table.has_addresses:
            return 0
        return table.address_bits(packed)

    def bits(self, key: bytes, suffixes: list[bytes], qtype: int) -> int:
        """The categories that block the name `key` (with its parents' keys `suffixes`, most
        specific first) for a query of type `qtype`: what `CompiledProfile.decide` takes.

        Plain lists only need the OR of the table's marks for the name and its parents
        (`Table.bits`, inlined: hot); everything else is `Table.lookup`.
        """
        table = self.table
        if table is None:
            return 0
        if not table.simple:
            return table.lookup(key, suffixes, qtype)
        keys = table.keys
        values = table.values
        mask = table.mask
        found = 0
        for key in suffixes:
            hashed = hash64(key) or 1
            slot = hashed & mask
            while True:
                stored = keys[slot]
                if stored == hashed:
                    found |= values[slot]
                    break
                if not stored:
                    break
                slot = (slot + 1) & mask
        return found

    def profile_for(self, address: str, token: str) -> CompiledProfile:
        """The profile of a client: its device token first, then its address, then the default."""
        if token:
            profile_id = self.tokens.get(token)
            if profile_id is not None:
                return self.profiles[profile_id]
        profile_id = self.hosts.get(address)
        if profile_id is None and self.networks:
            try:
                ip = ipaddress.ip_address(address.split("%", 1)[0])
            except ValueError:
                return self.default
            for network, candidate in self.networks:  # longest prefix first
                if ip.version == network.version and ip in network:
                    profile_id = candidate
                    break
        if profile_id is None:
            return self.default
        return self.profiles[profile_id]

    def category_code(self, bit: int) -> str:
        return self.categories[bit] if 0 <= bit < len(self.categories) else ""

    def report_category(self, reason: int, bit: int) -> str:
        """What a parent's report counts a block under: the parent's own rule when one blocked the
        name (their list: "profile-block", a schedule: "schedule"), else the list's category."""
        if reason in (BLOCK_PROFILE, BLOCK_SCHEDULE):
            return REASONS[reason].value
        return self.category_code(bit)


def _keys(names: list[str]) -> frozenset[bytes]:
    return frozenset(wire_key(name) for name in names)


def _mask(categories: list[str], order: list[str]) -> int:
    return sum(1 << order.index(code) for code in categories if code in order)


def _profile(data: dict[str, Any], order: list[str]) -> CompiledProfile:
    windows = tuple(
        CompiledWindow(
            days=frozenset(window["days"]),
            start=window["start"],
            end=window["end"],
            everything=window["everything"],
            mask=_mask(window["categories"], order),
            allowed=_keys(window["allowed"]),
        )
        for window in data.get("windows", [])
    )
    profile = CompiledProfile(
        id=data["id"],
        mask=_mask(data.get("categories", []), order),
        allow=_keys(data.get("allow", [])),
        block=_keys(data.get("block", [])),
        windows=windows,
        paused_until=data.get("paused_until") or 0.0,
        log_until=data.get("log_until") or 0.0,
        nxdomain=data.get("nxdomain", False),
        safe_search=data.get("safe_search", False),
        youtube=data.get("youtube", "off"),
        zone=zoneinfo.ZoneInfo(data.get("time_zone", "UTC")),
    )
    profile.simple = not (profile.allow or profile.block or profile.windows or profile.paused_until)
    return profile


def from_document(document: dict[str, Any], table: Table | None) -> Snapshot:
    order = document["categories"]
    if not order or order[0] != ILLEGAL:
        raise ValueError("the first category of a snapshot must be the illegal-content list")
    snapshot = Snapshot(
        version=document["version"],
        categories=order,
        table=table,
        default=_profile({"id": 0, **document.get("default", {})}, order),
    )
    for data in document.get("profiles", []):
        snapshot.profiles[data["id"]] = _profile(data, order)
    for device in document.get("devices", []):
        snapshot.tokens[device["token"]] = device["profile"]
        for text in device.get("networks", []):
            network = ipaddress.ip_network(text)
            if network.num_addresses == 1:
                snapshot.hosts[str(network.network_address)] = device["profile"]
            else:
                snapshot.networks.append((network, device["profile"]))
    snapshot.networks.sort(key=lambda item: -item[0].prefixlen)
    snapshot.bound = bool(snapshot.hosts or snapshot.networks)
    for name, rtype, value, ttl in document.get("local", []):
        snapshot.local.setdefault(wire_key(name), []).append((rtype, value, ttl))
    return snapshot


def write_atomically(path: Path, text: str) -> None:
    partial = path.with_suffix(path.suffix + ".partial")
    with open(partial, "w") as out:
        out.write(text)
        out.flush()
        os.fsync(out.fileno())
    os.replace(partial, path)


def publish(directory: Path, document: dict[str, Any]) -> str:
    """Write a policy document and make it current; returns its file name."""
    name = f"policy-{document['version']}.json"
    write_atomically(directory / name, json.dumps(document, separators=(",", ":")))
    write_atomically(directory / CURRENT, name + "\n")
    return name


def current_name(directory: Path) -> str:
    try:
        return (directory / CURRENT).read_text().strip()
    except FileNotFoundError:
        return ""


def load(directory: Path, previous: Snapshot | None = None) -> Snapshot:
    """Load the snapshot `current` names, reusing the previous table when it has not changed."""
    name = current_name(directory)
    if not name:
        raise FileNotFoundError(f"no policy has been compiled into {directory} yet")
    document = json.loads((directory / name).read_text())
    table_name = document.get("table") or ""
    table: Table | None = None
    if table_name:
        if previous is not None and previous.table is not None and previous.table.path.name == table_name:
            table = previous.table
        else:
            table = Table(directory / table_name)
    return from_document(document, table)
