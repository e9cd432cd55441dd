"""The knowledge base as served: passages, articles and the immutable searchable Snapshot.

Pure data: no storage, no I/O. `bot.indexer` fills it from SQLite; retrieval and the
answer composer read it. A reload builds a new Snapshot and swaps one reference.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from bot.kb.bm25 import BM25Index

PassageKind = Literal["content", "course"]


@dataclass(frozen=True)
class Passage:
    """A chunk as served: its text, where it comes from, and its index tokens."""

    id: int
    article_path: str
    article_id: str
    title: str
    url: str | None
    heading: str
    text: str
    tokens: tuple[str, ...]
    subheadings: tuple[str, ...] = ()  # headings inside the passage (merged sections)
    # One entry per text line, "<block ord><h|t|i><level>", so the answer composer can
    # rebuild the article's outline (whole lists across chunk boundaries).
    layout: str = ""
    kind: PassageKind = "content"


@dataclass(frozen=True)
class ArticleInfo:
    path: str
    article_id: str
    title: str
    url: str | None


@dataclass(frozen=True)
class Snapshot:
    """An immutable, searchable state of the knowledge base."""

    passages: tuple[Passage, ...]
    articles: tuple[ArticleInfo, ...]
    index: BM25Index
    # Passages of one article are contiguous: article path -> their positions.
    article_ranges: dict[str, range] = field(default_factory=dict, compare=False)

    @classmethod
    def build(cls, passages: Sequence[Passage], articles: Sequence[ArticleInfo]) -> Snapshot:
        ranges: dict[str, range] = {}
        start = 0
        for position in range(1, len(passages) + 1):
            if position == len(passages) or passages[position].article_path != passages[start].article_path:
                ranges[passages[start].article_path] = range(start, position)
                start = position
        return cls(tuple(passages), tuple(articles), BM25Index([p.tokens for p in passages]), ranges)
