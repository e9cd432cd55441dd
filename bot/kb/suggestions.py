""" "Did you mean": titles and headings close to a refused question, from an index.

Every distinct title and heading is turned into character bigrams once (words found in
most passages left out), with an inverted index from bigram to names. A question then
touches only the names sharing a bigram with it, instead of scoring every heading of a
100,000-passage knowledge base; the Dice scores, and so the suggestions, are the same.
"""

from __future__ import annotations

import heapq
from collections import Counter
from collections.abc import Callable, Iterable


class SuggestionIndex:
    """Names (titles, headings) searchable by bigram overlap."""

    def __init__(self, names: Iterable[str], grams_of: Callable[[str], set[str]]) -> None:
        self.names = list(dict.fromkeys(n for n in names if n))
        self.grams = [grams_of(name) for name in self.names]
        self.postings: dict[str, list[int]] = {}
        for position, grams in enumerate(self.grams):
            for gram in grams:
                self.postings.setdefault(gram, []).append(position)

    def closest(self, grams: set[str], limit: int) -> list[str]:
        """The `limit` names with the highest Dice overlap (> 0), ties in name order."""
        if not grams:
            return []
        shared: Counter[int] = Counter()
        for gram in grams:
            shared.update(self.postings.get(gram, ()))
        scored = ((2 * n / (len(grams) + len(self.grams[i])), i) for i, n in shared.items())
        best = heapq.nsmallest(limit, ((-score, i) for score, i in scored))
        return [self.names[i] for _, i in best]
