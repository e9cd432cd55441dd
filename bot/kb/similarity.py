"""Set similarities of texts, shared by ranking, suggestions and the composer."""

from __future__ import annotations

from collections.abc import Set as AbstractSet


def bigrams(text: str) -> set[str]:
    """Character bigrams of an already cleaned string (the string itself when shorter)."""
    return {text[i : i + 2] for i in range(len(text) - 1)} or ({text} if text else set())


def dice(a: AbstractSet[str], b: AbstractSet[str]) -> float:
    return 2 * len(a & b) / (len(a) + len(b)) if a and b else 0.0


def jaccard(a: AbstractSet[str], b: AbstractSet[str]) -> float:
    if not a or not b:
        return 0.0
    shared = len(a & b)  # |a ∪ b| without building the union
    return shared / (len(a) + len(b) - shared)


def longest_shared(a: str, b: str) -> int:
    """Characters of the longest stretch of `a` found verbatim in `b`. Each start in `a`
    only has to beat the best so far, so a short `a` (a question) costs a few substring
    searches of `b` in C, not the index of `b` that difflib would build."""
    best = 0
    for i in range(len(a)):
        while i + best < len(a) and a[i : i + best + 1] in b:
            best += 1
    return best
