"""Stock phrasing: sentences that other articles say almost word for word.

"AIGC技术也将与人工智能技术紧密结合…" in five articles is boilerplate, not the answer
to this question: the sentence ranker sees it as a feature ("stock"). Which sentences
of two passages say the same thing does not depend on the question, so it is worked out
once per pair of passages.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

from bot.kb.model import Snapshot
from bot.kb.outline import pieces
from bot.kb.results import ScoredPassage
from bot.kb.sentences import near_duplicates


def stock_places(snapshot: Snapshot, passages: Sequence[ScoredPassage]) -> set[tuple[int, int, int]]:
    """(rank, line, position) of each sentence of `passages` that a passage of another
    article repeats."""
    stock: set[tuple[int, int, int]] = set()
    for r, s in itertools.combinations(range(len(passages)), 2):
        if passages[r].passage.article_path == passages[s].passage.article_path:
            continue
        mine, theirs = pieces(snapshot, passages[r].doc), pieces(snapshot, passages[s].doc)
        for i, j in _near_duplicates(snapshot, passages[r].doc, passages[s].doc):
            stock.add((r, mine[i].line_ord, mine[i].position))
            stock.add((s, theirs[j].line_ord, theirs[j].position))
    return stock


def _near_duplicates(snapshot: Snapshot, a: int, b: int) -> frozenset[tuple[int, int]]:
    """`near_duplicates` of two passages' sentences, kept with the snapshot per pair."""
    if a > b:
        return frozenset((j, i) for i, j in _near_duplicates(snapshot, b, a))

    def make() -> frozenset[tuple[int, int]]:
        first, second = ([p.text for p in pieces(snapshot, doc)] for doc in (a, b))
        return near_duplicates(first, second)

    return snapshot.kept("stock phrasing", (a, b), make)
