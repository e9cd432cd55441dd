"""An article's outline rebuilt from its passages: headings with levels, text and items.

Passages are bounded in size, so a list (six tools, three skills) can straddle two of
them. Each passage records its lines' block numbers and kinds (`Passage.layout`); the
passages of one article together give back its cleaned blocks in order, from which the
composer reads whole sections.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from bot.kb.cleaning import split_sentences
from bot.kb.model import Passage, Snapshot

LineKind = Literal["heading", "text", "item"]
_KINDS: dict[str, LineKind] = {"h": "heading", "t": "text", "i": "item"}
_ENTRY = re.compile(r"(\d+)([hti])(\d+)")


@dataclass(frozen=True)
class Line:
    """One cleaned block as shown: position in the article, kind, level, text."""

    ord: int
    kind: LineKind
    level: int
    text: str
    passage: int  # position of the passage that holds it in the snapshot


def passage_lines(passage: Passage, position: int) -> list[Line]:
    """The lines of one passage; without a layout (older databases) all are text."""
    texts = passage.text.split("\n")
    entries = [_ENTRY.fullmatch(e) for e in passage.layout.split()]
    if len(entries) != len(texts) or not all(entries):
        headings = {*passage.headings, *passage.subheadings}
        return [
            Line(
                i, "heading" if t in headings else ("item" if t.startswith("• ") else "text"), 0, t, position
            )
            for i, t in enumerate(texts)
        ]
    out = []
    for text, match in zip(texts, entries, strict=True):
        assert match is not None
        kind = _KINDS[match.group(2)]
        if kind == "item" and text.startswith("• "):
            text = text[2:]
        out.append(Line(int(match.group(1)), kind, int(match.group(3)), text, position))
    return out


@dataclass(frozen=True)
class Piece:
    """A sentence of a passage as the composer weighs it, with its section's heading."""

    text: str
    line_ord: int
    position: int  # within its line
    heading: str  # the nearest heading at or above its line ("" before any)


def pieces(snapshot: Snapshot, position: int) -> tuple[Piece, ...]:
    """The sentences of the passage at `position` (headings excluded), kept with the
    snapshot: they do not depend on the question, and the same passages answer many."""
    return snapshot.kept("pieces", position, lambda: _pieces(snapshot, position))


def _pieces(snapshot: Snapshot, position: int) -> tuple[Piece, ...]:
    out: list[Piece] = []
    heading: str | None = None
    for line in passage_lines(snapshot.passages[position], position):
        if line.kind == "heading":
            heading = line.text
            continue
        if heading is None:  # the passage opens inside a section: whose heading?
            heading = _heading_before(snapshot, position, line.ord)
        out += [Piece(text, line.ord, i, heading) for i, text in enumerate(split_sentences(line.text))]
    return tuple(out)


def _heading_before(snapshot: Snapshot, position: int, line_ord: int) -> str:
    """The last heading before line `line_ord`, read back through the earlier passages of
    its article only as far as one holds a heading (not the whole article's outline)."""
    article = snapshot.passages[position].article_path
    first = snapshot.article_ranges.get(article, range(position, position + 1)).start
    for earlier in range(position, first - 1, -1):
        headings = [
            line
            for line in passage_lines(snapshot.passages[earlier], earlier)
            if line.kind == "heading" and line.ord < line_ord
        ]
        if headings:
            return max(headings, key=lambda line: line.ord).text
    return ""


class Outline:
    """The lines of one article in document order, with section navigation."""

    def __init__(self, lines: list[Line]) -> None:
        self.lines = lines
        self._at = {line.ord: i for i, line in enumerate(lines)}
        # Each line's section and each heading's parent, found once: outlines are kept
        # and list questions ask for them again and again.
        self._section: list[int | None] = []
        self._parent: dict[int, int | None] = {}
        section: int | None = None
        open_headings: list[int] = []  # enclosing headings, levels rising
        for i, line in enumerate(lines):
            if line.kind == "heading":
                section = i
                while open_headings and lines[open_headings[-1]].level >= line.level:
                    open_headings.pop()
                self._parent[i] = open_headings[-1] if open_headings else None
                open_headings.append(i)
            self._section.append(section)

    @classmethod
    def of(cls, snapshot: Snapshot, article_path: str) -> Outline:
        """The article's outline, kept with the snapshot: the articles that answer one
        question tend to answer the next ones too (a few hundred kept)."""

        def make() -> Outline:
            seen: dict[int, Line] = {}
            for position in snapshot.article_ranges.get(article_path, range(0)):
                for line in passage_lines(snapshot.passages[position], position):
                    seen.setdefault(line.ord, line)
            return cls(sorted(seen.values(), key=lambda line: line.ord))

        return snapshot.kept("outline", article_path, make)

    def index(self, ord_: int) -> int | None:
        return self._at.get(ord_)

    def section_of(self, i: int) -> int | None:
        """Index of the nearest heading at or above line i (None: the article's root)."""
        return self._section[i]

    def parent(self, h: int) -> int | None:
        """The nearest heading above heading h at a higher level (None: the root)."""
        if h in self._parent:
            return self._parent[h]
        level = self.lines[h].level  # not a heading: the same rule, walked
        above = (j for j in range(h - 1, -1, -1) if self.lines[j].kind == "heading")
        return next((j for j in above if self.lines[j].level < level), None)

    def span(self, h: int | None) -> range:
        """Lines belonging to the section headed at h (not the heading itself)."""
        if h is None:
            return range(0, len(self.lines))
        level = self.lines[h].level
        end = h + 1
        while end < len(self.lines) and not (
            self.lines[end].kind == "heading" and self.lines[end].level <= level
        ):
            end += 1
        return range(h + 1, end)

    def own(self, h: int | None) -> list[int]:
        """Non-heading lines of a section before its first subsection."""
        out = []
        for j in self.span(h):
            if self.lines[j].kind == "heading":
                break
            out.append(j)
        return out

    def children(self, h: int | None) -> list[int]:
        """Direct subsection headings of a section."""
        heads = [j for j in self.span(h) if self.lines[j].kind == "heading"]
        if not heads:
            return []
        top = min(self.lines[j].level for j in heads)
        return [j for j in heads if self.lines[j].level == top]
