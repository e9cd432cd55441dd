"""jieba's word frequencies as a read-only hash table over one buffer, plus a small
overlay for the words a Tokenizer adds.

jieba keeps its dictionary as a Python dict of ~500,000 words and prefixes, loaded
with marshal on first use: about a second of every cold start, before the first
question can be segmented. A question needs a few hundred look-ups, so a one-question
`ask` is better served by a hash table in a memory-mapped file (`bot.dictionary`
writes it once): open addressing on crc32 of the UTF-8 word, a few microseconds per
look-up, nothing to load. Bulk work (indexing articles) calls `materialize()` for a
real dict first. Segmentation is the same either way: the same words, the same counts.
"""

from __future__ import annotations

import mmap
import struct
import zlib
from collections.abc import Iterator, Mapping, MutableMapping

MAGIC = b"AIGCFRQ2"  # 2: with the longest probe run and a checksum
_HEADER = struct.Struct("<8sqqqqI")  # magic, words, slots, total, longest run, crc32 of the rest
_SEEN_KEPT = 100_000


def encode(frequencies: Mapping[str, int], total: int) -> bytes:
    """The table for `frequencies` as one buffer (header, slots, offsets, counts, words)."""
    words = list(frequencies)
    keys = [w.encode() for w in words]
    slots = 1
    while slots < 2 * len(keys) + 1:
        slots *= 2
    mask = slots - 1
    table = [-1] * slots
    longest = 1
    for position, key in enumerate(keys):
        slot = zlib.crc32(key) & mask
        run = 1
        while table[slot] != -1:
            slot = (slot + 1) & mask
            run += 1
        table[slot] = position
        longest = max(longest, run)
    # Words one per line (no dictionary word holds a newline), so that `materialize`
    # can split them in one call; each offset points at its word's first byte.
    offsets = [0]
    for key in keys:
        offsets.append(offsets[-1] + len(key) + 1)
    body = b"".join(
        [
            struct.pack(f"<{slots}i", *table),
            struct.pack(f"<{len(offsets)}q", *offsets),
            struct.pack(f"<{len(words)}q", *(frequencies[w] for w in words)),
            b"\n".join(keys) + (b"\n" if keys else b""),
        ]
    )
    return _HEADER.pack(MAGIC, len(keys), slots, total, longest, zlib.crc32(body)) + body


class FrozenFrequencies(MutableMapping[str, int]):
    """jieba's `FREQ` over an encoded buffer; writes (added words) go to an overlay."""

    def __init__(self, buffer: bytes | memoryview | mmap.mmap) -> None:
        view = memoryview(buffer)
        if len(view) < _HEADER.size:
            raise ValueError("not a frequency table")
        magic, count, slots, self.total, longest, checksum = _HEADER.unpack_from(view)
        if magic != MAGIC or slots < 1 or slots & (slots - 1) or count < 0 or not 0 < longest <= slots:
            raise ValueError("not a frequency table")
        if len(view) < _HEADER.size + 4 * slots + 16 * count + 8:
            raise ValueError("frequency table is truncated")
        # Checked once here (~10 ms for jieba's 16 MB): changed bytes mean "write it anew".
        if zlib.crc32(view[_HEADER.size :]) != checksum:
            raise ValueError("frequency table was changed after it was written")
        self._longest = longest
        start = _HEADER.size
        self._table = view[start : start + 4 * slots].cast("i")
        start += 4 * slots
        self._offsets = view[start : start + 8 * (count + 1)].cast("q")
        start += 8 * (count + 1)
        self._counts = view[start : start + 8 * count].cast("q")
        start += 8 * count
        self._keys = view[start:]
        if len(self._keys) != self._offsets[count]:
            raise ValueError("frequency table is truncated")
        self._mask = slots - 1
        self._count = count
        self._overlay: dict[str, int] = {}
        # Words looked up before (-1: absent): questions repeat the same few thousand.
        self._seen: dict[str, int] = {}

    def _find(self, word: str) -> int:
        """The word's position in the table, or -1."""
        found = self._seen.get(word)
        if found is None:
            if len(self._seen) >= _SEEN_KEPT:
                self._seen.clear()
            found = self._seen[word] = self._probe(word)
        return found

    def _probe(self, word: str) -> int:
        key = word.encode()
        slot = zlib.crc32(key) & self._mask
        # No longer than the longest run written, and only positions that exist: bytes
        # changed under a live mapping make words absent, never an endless loop.
        for _ in range(self._longest):
            position = self._table[slot]
            if position < 0 or position >= self._count:
                return -1
            if self._keys[self._offsets[position] : self._offsets[position + 1] - 1] == key:
                return int(position)
            slot = (slot + 1) & self._mask
        return -1

    def __getitem__(self, word: str) -> int:
        if word in self._overlay:
            return self._overlay[word]
        position = self._find(word)
        if position < 0:
            raise KeyError(word)
        return int(self._counts[position])

    def __contains__(self, word: object) -> bool:
        return isinstance(word, str) and (word in self._overlay or self._find(word) >= 0)

    def get(self, word: str, default: int | None = None) -> int | None:  # type: ignore[override]
        if word in self._overlay:
            return self._overlay[word]
        position = self._find(word)
        return default if position < 0 else int(self._counts[position])

    def __setitem__(self, word: str, count: int) -> None:
        self._overlay[word] = count

    def __delitem__(self, word: str) -> None:
        raise TypeError("jieba never deletes words; del_word sets a count of 0")

    def __iter__(self) -> Iterator[str]:
        for position in range(self._count):
            word = bytes(self._keys[self._offsets[position] : self._offsets[position + 1] - 1]).decode()
            if word not in self._overlay:
                yield word
        yield from self._overlay

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def materialize(self) -> dict[str, int]:
        """A plain dict of every word and count, overlay included (for bulk work)."""
        words = bytes(self._keys).decode().split("\n")[: self._count]
        out = dict(zip(words, self._counts.tolist(), strict=True))
        out.update(self._overlay)
        return out
