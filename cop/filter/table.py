"""The compiled block lists: an open-addressing hash table in a file that resolvers map into memory.

Millions of names cost 12 bytes of table each (a 64-bit hash and a 32-bit mark, at a load of at
most one half), the file is mapped rather than read, so start-up does not grow with the list, and
every worker process on a machine shares the same pages.

Keys are the DNS wire form of a lower-case name without its root label (`\\x07example\\x03com`),
which is what the resolver has in hand after reading a question, so it never builds a string;
an address rule's key is a zero byte and the packed address (no name's key starts with a zero).
64-bit hashes make a false match of two different names about one chance in 10^13 per lookup
for a list of a million names.

A mark (how `marks.py` computes them):
- bits 0-14, per category: the category blocks names at this key or under it;
- bit 15, SPECIAL: the answer depends on the query type or on whether the name is the key itself
  (`|name^`, `||*.name^`, `$dnstype`): the marks for each case are in the extras, below;
- bits 16-30, per category: this key decides for the category ("most specific key decides"):
  a lookup walks the name's keys from the most specific, and for such a category the first key
  that decides gives its answer; a category without that bit ORs its marks along the walk.
Tables of plain lists (no exception, modifier, pattern, single-label or address rule) use only
bits 0-14 and take the fast path in `snapshot.Snapshot.bits`. Everything else a lookup may need
is in the extras, a JSON document after the arrays, read once when the table is opened.
"""

from __future__ import annotations

import json
import mmap
import os
import struct
from array import array
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import xxhash

from cop.filter.names import wire_key
from cop.filter.patterns import PatternList

__all__ = ["Builder", "Table", "build", "key_hash", "name_of", "wire_key"]

MAGIC = b"COPFT002"
LEGACY_MAGIC = b"COPFT001"  # tables of the first release: low 16 bits listed, high 16 bits excepted
HEADER = struct.Struct("<8sQQQ32x")  # magic, slots, entries, bytes of extras; 64 bytes, arrays stay aligned
LEGACY_HEADER = struct.Struct("<8sQQ40x")
CATEGORY_MASK = 0x7FFF
SPECIAL = 0x8000
DECIDES_SHIFT = 16
ANY_TYPE = -1  # the marks for a query type that no rule names
hash64 = xxhash.xxh3_64_intdigest

# The marks of a special key: (for any other type, by type) when the name is the key itself, then
# the same for names under it.
TypeMarks = tuple[int, dict[int, int]]


def name_of(key: bytes) -> str:
    """The inverse of `wire_key`, for the few lookups that run patterns on the name."""
    labels = []
    position = 0
    while position < len(key):
        length = key[position]
        labels.append(key[position + 1 : position + 1 + length].decode("latin-1"))
        position += length + 1
    return ".".join(labels)


def key_hash(key: bytes) -> int:
    # 0 marks an empty slot, so a name that hashes to 0 takes 1 instead.
    return hash64(key) or 1


def _merge(first: TypeMarks, second: TypeMarks) -> TypeMarks:
    types = first[1].keys() | second[1].keys()
    return first[0] | second[0], {t: first[1].get(t, first[0]) | second[1].get(t, second[0]) for t in types}


class Builder:
    """Collects (key, marks) pairs, OR-ing the marks of repeated keys, and writes the table file."""

    def __init__(self, capacity: int = 0) -> None:
        self._allocate(1 << max(4, (2 * max(capacity, 1) - 1).bit_length()))
        self.count = 0
        self.specials: dict[bytes, tuple[TypeMarks, TypeMarks]] = {}
        self.tld = False
        self.addresses = False
        self.decides = False

    def _allocate(self, slots: int) -> None:
        self.slots = slots
        self.keys = array("Q", bytes(8 * slots))
        self.values = array("I", bytes(4 * slots))

    def _slot(self, hashed: int) -> int:
        keys, mask = self.keys, self.slots - 1
        slot = hashed & mask
        while keys[slot] and keys[slot] != hashed:
            slot = (slot + 1) & mask
        return slot

    def _grow(self) -> None:
        old_keys, old_values = self.keys, self.values
        self._allocate(self.slots * 2)
        for hashed, value in zip(old_keys, old_values, strict=True):
            if hashed:
                slot = self._slot(hashed)
                self.keys[slot] = hashed
                self.values[slot] = value

    def add(self, key: bytes, marks: int) -> None:
        hashed = hash64(key) or 1
        slot = self._slot(hashed)
        if self.keys[slot] == hashed:
            self.values[slot] |= marks
            return
        self.keys[slot] = hashed
        self.values[slot] = marks
        self.count += 1
        if key and key[0] and len(key) == key[0] + 1:
            self.tld = True
        if marks >> DECIDES_SHIFT:
            self.decides = True
        if self.count * 2 > self.slots:
            self._grow()

    def add_special(self, key: bytes, at: TypeMarks, below: TypeMarks) -> None:
        """Marks that depend on the query type or on the name being the key itself."""
        self.add(key, 0)
        if at[0] >> DECIDES_SHIFT or below[0] >> DECIDES_SHIFT:
            self.decides = True
        known = self.specials.get(key)
        self.specials[key] = (_merge(known[0], at), _merge(known[1], below)) if known else (at, below)

    def write(self, path: Path, lists: list[dict[str, Any]] | None = None) -> int:
        """Write the table next to `path` and rename it into place, so a reader never sees half of it."""
        special = []
        for key, (at, below) in sorted(self.specials.items()):
            slot = self._slot(hash64(key) or 1)
            base = self.values[slot]
            self.values[slot] = base | SPECIAL
            at, below = _merge(at, (base, {})), _merge(below, (base, {}))
            special.append([key.hex(), at[0], sorted(at[1].items()), below[0], sorted(below[1].items())])
        extras = {
            "tld": self.tld,
            "addresses": self.addresses,
            "decides": self.decides,
            "special": special,
            "lists": lists or [],
        }
        blob = json.dumps(extras, separators=(",", ":")).encode()
        partial = path.with_suffix(path.suffix + ".partial")
        with open(partial, "wb") as out:
            out.write(HEADER.pack(MAGIC, self.slots, self.count, len(blob)))
            out.write(self.keys.tobytes())
            out.write(self.values.tobytes())
            out.write(blob)
            out.flush()
            os.fsync(out.fileno())
        os.replace(partial, path)
        return self.count


def build(entries: Iterable[tuple[str | bytes, int]], capacity: int, path: Path) -> int:
    """A table of plain entries: (normalised name or key, category bits); returns the number of keys."""
    builder = Builder(capacity)
    for name, bits in entries:
        builder.add(name if isinstance(name, bytes) else wire_key(name), bits)
    return builder.write(path)


class Table:
    """A read-only mapped table; `snapshot.Snapshot.bits` inlines the fast path, `lookup` is the rest."""

    def __init__(self, path: Path) -> None:
        with open(path, "rb") as source:
            size = os.fstat(source.fileno()).st_size
            if size < HEADER.size:
                raise ValueError(f"{path.name}: too short to be a filter table")
            self._map = mmap.mmap(source.fileno(), 0, access=mmap.ACCESS_READ)
        magic = self._map[:8]
        if magic == LEGACY_MAGIC:
            _magic, slots, entries = LEGACY_HEADER.unpack_from(self._map)
            extras_size = 0
        else:
            _magic, slots, entries, extras_size = HEADER.unpack_from(self._map)
        arrays_end = HEADER.size + 12 * slots
        if magic not in (MAGIC, LEGACY_MAGIC) or slots & (slots - 1) or size != arrays_end + extras_size:
            self._map.close()
            raise ValueError(f"{path.name}: not a filter table of this version")
        self.path = path
        self.slots = slots
        self.entries = entries
        self.mask = slots - 1
        view = memoryview(self._map)
        self.keys = view[HEADER.size : HEADER.size + 8 * slots].cast("Q")
        self.values = view[HEADER.size + 8 * slots : arrays_end].cast("I")
        extras = json.loads(bytes(self._map[arrays_end:])) if extras_size else {}
        self.legacy = magic == LEGACY_MAGIC
        self.tld: bool = extras.get("tld", False)
        self.has_addresses: bool = extras.get("addresses", False)
        self.special: dict[bytes, tuple[int, dict[int, int], int, dict[int, int]]] = {
            bytes.fromhex(key): (at, dict(at_types), below, dict(below_types))
            for key, at, at_types, below, below_types in extras.get("special", [])
        }
        self.patterns = [PatternList.load(data) for data in extras.get("lists", [])]
        # Plain lists: a lookup ORs the marks of the name's keys and needs nothing else.
        self.simple = not (
            self.legacy or self.tld or self.special or self.patterns or extras.get("decides", False)
        )

    def bits(self, key: bytes) -> int:
        """The raw marks stored for one key (0 when absent)."""
        hashed = hash64(key) or 1
        keys = self.keys
        mask = self.mask
        slot = hashed & mask
        while True:
            found = keys[slot]
            if found == hashed:
                return int(self.values[slot])
            if not found:
                return 0
            slot = (slot + 1) & mask

    def lookup(self, key: bytes, suffixes: list[bytes], qtype: int) -> int:
        """The categories that block the name `key` (its keys in `suffixes`) for a query of `qtype`."""
        if not key:
            return 0
        if self.legacy:
            found = 0
            for probe in suffixes:
                found |= self.bits(probe)
            return found & 0xFFFF & ~(found >> 16)
        probes = suffixes
        if self.tld or self.patterns:
            last = suffixes[-1] if suffixes else key
            probes = [*suffixes, last[last[0] + 1 :]] if suffixes else [key]
        keys, values, mask, special = self.keys, self.values, self.mask, self.special
        found = decided = 0
        for probe in probes:
            hashed = hash64(probe) or 1
            slot = hashed & mask
            while True:
                stored = keys[slot]
                if stored == hashed:
                    value = values[slot]
                    if value & SPECIAL:
                        at, at_types, below, below_types = special[probe]
                        value = at_types.get(qtype, at) if probe == key else below_types.get(qtype, below)
                    found |= value & ~decided
                    decided |= value >> DECIDES_SHIFT
                    break
                if not stored:
                    break
                slot = (slot + 1) & mask
        found &= CATEGORY_MASK
        if self.patterns:
            name = name_of(key)
            for pattern_list in self.patterns:
                if not found & pattern_list.bit and pattern_list.blocks(name, key, probes, qtype):
                    found |= pattern_list.bit
        return found

    def address_bits(self, packed: bytes) -> int:
        """The categories that block an answer containing this address (4 or 16 bytes)."""
        if not self.has_addresses:
            return 0
        return self.bits(b"\x00" + packed) & CATEGORY_MASK

    def close(self) -> None:
        # Views must go before the map can close; a reader still holding one keeps it open.
        try:
            self.keys.release()
            self.values.release()
            self._map.close()
        except BufferError:
            pass
