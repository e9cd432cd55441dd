"""The knowledge base as served: passages, articles and the searchable Snapshot.

No storage, no I/O of its own. `bot.indexer` fills it from SQLite; retrieval and the
answer composer read it. Its data never changes (a reload builds a new Snapshot and swaps
one reference); it keeps only the views questions derive from it, in one bounded memo.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar

import numpy as np
import numpy.typing as npt

from bot.kb.bm25 import BM25Index
from bot.kb.memo import Memo
from bot.kb.suggestions import SuggestionIndex, pervasive_words

PassageKind = Literal["content", "course"]
_T = TypeVar("_T")


# id, article path, article id, title, url, headings and subheadings one per line,
# text, tokens space-separated (a line per title, heading path and text block), layout, kind
PassageRow = tuple[int, str, str, str, str | None, str, str, str, str, str, str]


@dataclass(frozen=True)
class Passage:
    """A chunk as served: its text, where it comes from, and its index tokens."""

    id: int
    article_path: str
    article_id: str
    title: str
    url: str | None
    headings: tuple[str, ...]  # the heading path, outermost first
    text: str
    tokens: tuple[str, ...]
    subheadings: tuple[str, ...] = ()  # headings inside the passage (merged sections)
    # One entry per text line, "<block ord><h|t|i><level>", so the answer composer can
    # rebuild the article's outline (whole lists across chunk boundaries).
    layout: str = ""
    kind: PassageKind = "content"
    # How many of `tokens` each stored line holds: the title's, the heading path's, then
    # one per text block. A question's words are then looked up line by line from the
    # index's own tokens (kb/coverage.py) instead of cutting the text again per question.
    # Empty for a passage built without it (coverage then cuts the text).
    token_lines: tuple[int, ...] = ()

    def token_groups(self) -> list[tuple[str, ...]]:
        """`tokens` cut at `token_lines` (no groups when there are none)."""
        out: list[tuple[str, ...]] = []
        at = 0
        for size in self.token_lines:
            out.append(self.tokens[at : at + size])
            at += size
        return out

    @property
    def heading(self) -> str:
        """The heading path as shown to people: "Outer > Inner"."""
        return " > ".join(self.headings)

    # The one codec of a passage, as plain columns: the database's chunk query selects
    # them in this order and the stored snapshot writes them as they are.
    def to_row(self) -> PassageRow:
        return (
            self.id,
            self.article_path,
            self.article_id,
            self.title,
            self.url,
            "\n".join(self.headings),
            self.text,
            "\n".join(map(" ".join, self.token_groups())) if self.token_lines else " ".join(self.tokens),
            "\n".join(self.subheadings),
            self.layout,
            self.kind,
        )

    @classmethod
    def from_row(cls, row: Sequence[Any], intern: Callable[[str, str], str] | None = None) -> Passage:
        """A passage from `to_row`'s columns; `intern` shares one string per token."""
        lines = [line.split() for line in str(row[7]).split("\n")]
        words = [w for line in lines for w in line]
        return cls(
            int(row[0]),
            str(row[1]),
            str(row[2]),
            str(row[3]),
            None if row[4] is None else str(row[4]),
            tuple(h for h in str(row[5]).split("\n") if h),
            str(row[6]),
            tuple([intern(w, w) for w in words] if intern else words),
            tuple(h for h in str(row[8]).split("\n") if h),
            str(row[9]),
            "course" if row[10] == "course" else "content",
            tuple(map(len, lines)) if len(lines) > 1 else (),
        )


@dataclass(frozen=True)
class ArticleInfo:
    path: str
    article_id: str
    title: str
    url: str | None


@dataclass(frozen=True)
class Snapshot:
    """A searchable state of the knowledge base: fixed data, plus a bounded memo of views.

    `passages` is any sequence: a tuple when built in memory, or a reader that decodes
    a passage from a memory-mapped file only when it is looked at (`bot.snapshot_files`),
    so a 100k-passage knowledge base starts without reading every text. Everything a
    query needs for all passages at once lives in arrays: the index, `course`, `names`.
    """

    passages: Sequence[Passage]
    articles: tuple[ArticleInfo, ...]
    index: BM25Index
    # Passages of one article are contiguous: article path -> their positions.
    article_ranges: dict[str, range] = field(compare=False)
    course: npt.NDArray[np.bool_] = field(compare=False)  # which passages are course material
    article_of: npt.NDArray[np.int32] = field(compare=False)  # passage -> position in articles
    names: tuple[str, ...] = ()  # distinct titles and headings, for "did you mean"
    suggestions: SuggestionIndex | None = field(default=None, compare=False)
    # Derived views that questions reuse, each kind bounded (see `kept`, bot.kb.memo).
    memo: Memo = field(default_factory=Memo, compare=False, repr=False)

    def kept(self, kind: str, key: Hashable, make: Callable[[], _T]) -> _T:
        """A view derived from this snapshot (an article's outline, a passage's sentences),
        made once and kept with it, the least recently used of its kind dropped first."""
        return self.memo.get(kind, key, make)

    def title_of(self, position: int) -> str:
        """The title of a passage's article, without decoding the passage."""
        article = int(self.article_of[position])
        return self.articles[article].title if article >= 0 else self.passages[position].title

    @classmethod
    def build(
        cls, passages: Sequence[Passage], articles: Sequence[ArticleInfo], index: BM25Index | None = None
    ) -> Snapshot:
        index = index or BM25Index([p.tokens for p in passages])
        names = tuple(dict.fromkeys(n for p in passages for n in (p.title, *p.headings, *p.subheadings) if n))
        paths = [p.article_path for p in passages]
        return cls(
            tuple(passages),
            tuple(articles),
            index,
            article_ranges(paths),
            np.fromiter((p.kind == "course" for p in passages), bool, len(passages)),
            article_positions(paths, articles),
            names,
            # Built with the snapshot, so that it is stored with it and no question waits.
            SuggestionIndex.build(names, pervasive_words(index)),
        )


def article_positions(paths: Sequence[str], articles: Sequence[ArticleInfo]) -> npt.NDArray[np.int32]:
    """Each passage's article as a position in `articles` (-1 if it is not listed)."""
    where = {a.path: i for i, a in enumerate(articles)}
    return np.fromiter((where.get(path, -1) for path in paths), np.int32, len(paths))


def article_ranges(paths: Sequence[str]) -> dict[str, range]:
    """Each article's contiguous run of positions, from the passages' article paths."""
    ranges: dict[str, range] = {}
    start = 0
    for position in range(1, len(paths) + 1):
        if position == len(paths) or paths[position] != paths[start]:
            ranges[paths[start]] = range(start, position)
            start = position
    return ranges
