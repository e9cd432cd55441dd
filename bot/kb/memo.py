"""One bounded cache for the views questions derive and the next questions reuse.

A question decodes passages, tokenises their lines, builds article outlines and dense
score vectors; the questions after it meet many of the same passages, so those views are
kept. Every kind of view has its own least-recently-used bound (cachetools' LRU) under
one lock, declared in one table, so the memory a long-running bot keeps is bounded
whatever it is asked: `bench/userpath.py` measures peak RSS after 10,000 different
questions.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable, Mapping
from typing import Any, TypeVar, cast

from cachetools import LRUCache

_T = TypeVar("_T")
_MISSING = object()

# The views a snapshot keeps, and how many of each: sized so that one of each kind
# costs a few megabytes at most (a decoded passage is ~20 KB at 400 characters, a dense
# score vector 8 bytes per passage).
LIMITS: Mapping[str, int] = {
    "passage": 512,  # decoded passages of a stored snapshot
    "token sets": 1024,  # a passage's distinct tokens
    "normal text": 2048,  # a passage's normalised text
    "windows": 1024,  # a passage's lines as token sets, with its headings (coverage)
    "heading grams": 2048,  # a passage's headings as weighted bigram sets
    "name grams": 2048,  # a heading's or title's bigrams
    "near duplicates": 8192,  # whether two passages share nearly all their words
    "pieces": 2048,  # a passage's sentences
    "sentence forms": 2048,  # a passage's sentences normalised, and their content
    "stock phrasing": 2048,  # sentences two passages share
    "outline": 256,  # an article's lines and sections
    "dense": 32,  # a frequent term's contributions as a full vector (BM25)
    "segments": 4096,  # jieba's words of a short text (questions, headings, sentences)
    "word spans": 1024,  # where jieba's words of a question start and end
    "expansions": 4096,  # a glossary or synonym entry's target tokens
}


class Memo:
    """Views by kind and key, each kind bounded by `limits`. Thread-safe: questions run
    in several worker threads; two may make the same view, never a wrong one."""

    def __init__(self, limits: Mapping[str, int] = LIMITS) -> None:
        self._caches: dict[str, LRUCache[Hashable, Any]] = {
            kind: LRUCache(maxsize=size) for kind, size in limits.items()
        }
        self._lock = threading.Lock()

    def get(self, kind: str, key: Hashable, make: Callable[[], _T]) -> _T:
        """The view of `kind` for `key`, made (outside the lock) when not kept."""
        cache = self._caches[kind]
        with self._lock:
            value = cache.get(key, _MISSING)
        if value is _MISSING:
            value = make()
            with self._lock:
                cache[key] = value
        return cast(_T, value)

    def sizes(self) -> dict[str, int]:
        """How many views of each kind are kept (for tests and benchmarks)."""
        with self._lock:
            return {kind: len(cache) for kind, cache in self._caches.items()}
