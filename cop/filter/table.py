"""The compiled block lists: an open-addressing hash table in a file that resolvers map into memory.

Millions of names cost 12 bytes of table each (a 64-bit hash and a 32-bit mask, at a load of at
most one half), the file is mapped rather than read, so start-up does not grow with the list, and
every worker process on a machine shares the same pages.

Keys are the DNS wire form of a lower-case name without its root label (`\\x07example\\x03com`),
which is what the resolver has in hand after reading a question, so it never builds a string. A
value's low 16 bits are the categories that list the name; the high 16 bits the categories whose
lists hold an exception (`@@`) for it. 64-bit hashes make a false match of two different names
about one chance in 10^13 per lookup for a list of a million names.
"""

from __future__ import annotations

import mmap
import os
import struct
from array import array
from collections.abc import Iterable
from pathlib import Path

import xxhash

MAGIC = b"COPFT001"
HEADER = struct.Struct("<8sQQ40x")  # magic, slots, entries; 64 bytes so the arrays stay aligned
EXCEPTION_SHIFT = 16
hash64 = xxhash.xxh3_64_intdigest


def wire_key(name: str) -> bytes:
    """`www.example.com` -> `\\x03www\\x07example\\x03com` (the name must already be normalised)."""
    return b"".join(bytes((len(label),)) + label.encode("ascii") for label in name.split("."))


def key_hash(key: bytes) -> int:
    # 0 marks an empty slot, so a name that hashes to 0 takes 1 instead.
    return hash64(key) or 1


def build(entries: Iterable[tuple[str | bytes, int]], capacity: int, path: Path) -> int:
    """Write a table of (normalised name, bits) pairs, OR-ing the bits of repeated names; returns entries.

    A name given as bytes is taken as the key itself (an address: b"\x00" + its 4 or 16 bytes).

    `capacity` is an upper bound of the number of distinct names (the sum of the lists' sizes).
    The file is written next to `path` and renamed into place, so a reader never sees half of it.
    """
    slots = 1 << max(4, (2 * max(capacity, 1) - 1).bit_length())
    mask = slots - 1
    keys = array("Q", bytes(8 * slots))
    values = array("I", bytes(4 * slots))
    count = 0
    for name, bits in entries:
        hashed = key_hash(name if isinstance(name, bytes) else wire_key(name))
        slot = hashed & mask
        while True:
            found = keys[slot]
            if found == hashed:
                values[slot] |= bits
                break
            if not found:
                keys[slot] = hashed
                values[slot] = bits
                count += 1
                if count * 2 > slots:
                    raise ValueError("more names than the capacity given")
                break
            slot = (slot + 1) & mask
    partial = path.with_suffix(path.suffix + ".partial")
    with open(partial, "wb") as out:
        out.write(HEADER.pack(MAGIC, slots, count))
        out.write(keys.tobytes())
        out.write(values.tobytes())
        out.flush()
        os.fsync(out.fileno())
    os.replace(partial, path)
    return count


class Table:
    """A read-only mapped table; `bits(key)` is the hot-path lookup."""

    def __init__(self, path: Path) -> None:
        with open(path, "rb") as source:
            size = os.fstat(source.fileno()).st_size
            if size < HEADER.size:
                raise ValueError(f"{path.name}: too short to be a filter table")
            self._map = mmap.mmap(source.fileno(), 0, access=mmap.ACCESS_READ)
        magic, slots, entries = HEADER.unpack_from(self._map)
        if magic != MAGIC or slots & (slots - 1) or size != HEADER.size + 12 * slots:
            self._map.close()
            raise ValueError(f"{path.name}: not a filter table of this version")
        self.path = path
        self.slots = slots
        self.entries = entries
        self.mask = slots - 1
        view = memoryview(self._map)
        self.keys = view[HEADER.size : HEADER.size + 8 * slots].cast("Q")
        self.values = view[HEADER.size + 8 * slots :].cast("I")

    def bits(self, key: bytes) -> int:
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

    def close(self) -> None:
        # Views must go before the map can close; a reader still holding one keeps it open.
        try:
            self.keys.release()
            self.values.release()
            self._map.close()
        except BufferError:
            pass
