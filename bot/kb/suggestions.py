""" "Did you mean": titles and headings close to a refused question, from an index.

Every distinct title and heading is turned into character bigrams once (words found in
most passages left out), with an inverted index from bigram to names, kept as arrays
(so it can be stored beside the database and memory-mapped like the BM25 index). A
question then touches only the names sharing a bigram with it, instead of scoring every
heading of a 100,000-passage knowledge base; the Dice scores are the same.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from bot.kb.bm25 import BM25Index
from bot.kb.similarity import bigrams
from bot.kb.vocab import normalize_text

# Words in more than this share of passages ("AIGC") are left out of names and questions.
HEADING_IGNORE_DF = 0.8
_NON_WORD = re.compile(r"[\W_]+", re.UNICODE)


def pervasive_words(index: BM25Index, share: float = HEADING_IGNORE_DF) -> tuple[str, ...]:
    """Index words in more than `share` of passages, longest first (cut out in that order)."""
    common = np.flatnonzero(index.doc_freqs > share * index.size).tolist()
    terms = index.terms()
    return tuple(sorted((terms[i] for i in common), key=lambda w: (-len(w), w)))


def plain_grams(text: str, pervasive: Sequence[str]) -> set[str]:
    """Bigrams without segmenting: pervasive words are cut out as strings. Cheap enough
    for every heading of a 100k-passage knowledge base."""
    kept = normalize_text(text)
    for word in pervasive:
        kept = kept.replace(word, "")
    return bigrams(_NON_WORD.sub("", kept))


class SuggestionIndex:
    """Names (titles, headings) searchable by bigram overlap."""

    def __init__(
        self,
        names: Sequence[str],
        pervasive: Sequence[str],
        grams: Sequence[str],
        arrays: Mapping[str, npt.NDArray[Any]],
    ) -> None:
        self.names = names
        self.pervasive = tuple(pervasive)
        self._grams = grams  # bigram id -> bigram
        self._indptr = arrays["indptr"]  # bigram id -> its names in _name_ids
        self._name_ids = arrays["name_ids"]
        self._sizes = arrays["sizes"]  # name -> number of its bigrams
        self._ids: dict[str, int] | None = None  # built on first question
        self._lock = threading.Lock()

    @classmethod
    def build(cls, names: Sequence[str], pervasive: Sequence[str]) -> SuggestionIndex:
        distinct = list(dict.fromkeys(n for n in names if n))
        ids: dict[str, int] = {}
        pairs_gram: list[int] = []
        pairs_name: list[int] = []
        sizes = np.zeros(len(distinct), dtype=np.int32)
        for position, name in enumerate(distinct):
            grams = plain_grams(name, pervasive)
            sizes[position] = len(grams)
            for gram in sorted(grams):
                pairs_gram.append(ids.setdefault(gram, len(ids)))
                pairs_name.append(position)
        gram_of = np.array(pairs_gram, dtype=np.int32)
        order = np.argsort(gram_of, kind="stable")  # names ascending within a bigram
        indptr = np.concatenate(([0], np.cumsum(np.bincount(gram_of, minlength=len(ids))))).astype(np.int64)
        arrays: dict[str, npt.NDArray[Any]] = {
            "indptr": indptr,
            "name_ids": np.array(pairs_name, dtype=np.int32)[order],
            "sizes": sizes,
        }
        index = cls(tuple(distinct), pervasive, list(ids), arrays)
        index._ids = ids
        return index

    def arrays(self) -> dict[str, npt.NDArray[Any]]:
        return {"indptr": self._indptr, "name_ids": self._name_ids, "sizes": self._sizes}

    @property
    def grams(self) -> Sequence[str]:
        return self._grams

    def grams_of(self, text: str) -> set[str]:
        return plain_grams(text, self.pervasive)

    def gram_ids(self) -> dict[str, int]:
        """Gram -> its row in the arrays, built on first need (~40 ms at 100k passages)."""
        if self._ids is None:
            with self._lock:
                if self._ids is None:
                    self._ids = dict(zip(self._grams, range(len(self._grams)), strict=True))
        return self._ids

    def closest(self, grams: set[str], limit: int) -> list[str]:
        """The `limit` names with the highest Dice overlap (> 0), ties in name order."""
        if not grams or limit <= 0:
            return []
        known = self.gram_ids()
        ids = [known[g] for g in grams if g in known]
        if not ids:
            return []
        hits = np.concatenate([self._name_ids[self._indptr[g] : self._indptr[g + 1]] for g in ids])
        names, shared = np.unique(hits, return_counts=True)
        scores = 2 * shared / (len(grams) + self._sizes[names])
        best = names[np.lexsort((names, -scores))[:limit]]
        return [self.names[int(i)] for i in best]
