"""Heading-aware chunking: sections become passages of bounded size.

A section that fits is one passage. A larger one is split: its own paragraphs are packed
into passages, and consecutive small subsections are merged, so that e.g. six tools under
their own `#### 1、ChatGPT` headings stay answerable together for "which tools are there".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from bot.kb.cleaning import Block
from bot.kb.course import is_course

DEFAULT_MAX_CHARS = 600
DEFAULT_MIN_CHARS = 80


@dataclass(frozen=True)
class ChunkSpec:
    """One passage: which blocks it holds (indices into the article's blocks) and where."""

    heading_ids: tuple[int, ...]  # the heading blocks above this passage, outermost first
    block_ids: tuple[int, ...]


@dataclass
class _Section:
    heading: int | None  # index of the heading block, None for the article root
    level: int
    own: list[int] = field(default_factory=list)
    children: list[_Section] = field(default_factory=list)


def _build_tree(blocks: Sequence[Block]) -> _Section:
    root = _Section(None, 0)
    stack = [root]
    start = 0
    # The article's first top-level heading is its title, not a section.
    headings = [b.level for b in blocks if b.kind == "heading"]
    if blocks and blocks[0].kind == "heading" and headings.count(min(headings)) == 1:
        start = 1
    for index in range(start, len(blocks)):
        block = blocks[index]
        if block.kind == "heading":
            while len(stack) > 1 and stack[-1].level >= block.level:
                stack.pop()
            section = _Section(index, block.level)
            stack[-1].children.append(section)
            stack.append(section)
        else:
            stack[-1].own.append(index)
    return root


class Chunker:
    """Packs an article's blocks into passages of at most `max_chars` characters."""

    def __init__(self, max_chars: int = DEFAULT_MAX_CHARS, min_chars: int = DEFAULT_MIN_CHARS):
        if max_chars < 50 or not 0 <= min_chars < max_chars:
            raise ValueError("need max_chars >= 50 and 0 <= min_chars < max_chars")
        self.max_chars = max_chars
        self.min_chars = min_chars

    def chunk(self, blocks: Sequence[Block], keep: Sequence[bool] | None = None) -> list[ChunkSpec]:
        """Chunk the blocks for which `keep` is true (all by default)."""
        kept = [True] * len(blocks) if keep is None else list(keep)
        self._blocks = blocks
        self._sizes = [len(b.text) if kept[i] else 0 for i, b in enumerate(blocks)]
        self._kept = kept
        self._out: list[ChunkSpec] = []
        carry = self._emit(_build_tree(blocks), (), ())
        if carry:
            self._flush(carry, ())
        return self._out

    # -- helpers -------------------------------------------------------------------------

    def _content(self, section: _Section) -> list[int]:
        """All kept block ids of a section in document order, headings included."""
        ids = [section.heading] if section.heading is not None else []
        ids += section.own
        for child in section.children:
            ids += self._content(child)
        return [i for i in ids if self._kept[i]]

    def _size(self, ids: Sequence[int]) -> int:
        return sum(self._sizes[i] for i in ids)

    def _has_text(self, ids: Sequence[int]) -> bool:
        return any(self._blocks[i].kind != "heading" for i in ids)

    def _flush(self, ids: Sequence[int], path: tuple[int, ...]) -> None:
        if self._has_text(ids):
            self._out.append(ChunkSpec(path, tuple(ids)))

    def _pack(self, ids: list[int], path: tuple[int, ...], carry: tuple[int, ...]) -> tuple[int, ...]:
        """Greedily pack blocks into passages; returns a short remainder to carry on."""
        current = list(carry)
        for block_id in ids:
            full = current and self._size(current) + self._sizes[block_id] > self.max_chars
            if full and self._has_text(current):
                self._flush(current, path)
                current = []
            current.append(block_id)
        if current and self._size(current) < self.min_chars:
            return tuple(current)
        self._flush(current, path)
        return ()

    def _emit(self, section: _Section, path: tuple[int, ...], carry: tuple[int, ...]) -> tuple[int, ...]:
        here = path
        if section.heading is not None and self._kept[section.heading]:
            here = (*path, section.heading)
        content = self._content(section)
        if not self._has_text(content):
            return carry
        if self._size(carry) + self._size(content) <= self.max_chars:
            return self._pack(list(carry) + content, here, ())
        head = [section.heading] if section.heading is not None and self._kept[section.heading] else []
        carry = self._pack(head + [i for i in section.own if self._kept[i]], here, carry)
        group: list[int] = []
        for child in section.children:
            child_ids = self._content(child)
            if not self._has_text(child_ids):
                continue
            if self._size(child_ids) > self.max_chars:
                if group:
                    carry = self._pack(list(carry) + group, here, ())
                    group = []
                carry = self._emit(child, here, carry)
                continue
            if group and self._size(carry) + self._size(group) + self._size(child_ids) > self.max_chars:
                carry = self._pack(list(carry) + group, here, ())
                group = []
            group += child_ids
        if group:
            carry = self._pack(list(carry) + group, here, ())
        return carry


def render_chunk(
    ord_: int,
    spec: ChunkSpec,
    blocks: Sequence[Block],
    tokens: Sequence[Sequence[str]],
    title_tokens: str,
    course_markers: Sequence[str] = (),
) -> tuple[object, ...]:
    """A chunk as stored: (ord, heading path, inner headings, text, tokens, layout, kind).
    Title and heading tokens join the passage's own, so they count towards relevance."""
    lines = []
    layout = []
    for block_id in spec.block_ids:
        block = blocks[block_id]
        lines.append(f"• {block.text}" if block.kind == "item" else block.text)
        layout.append(f"{block_id}{block.kind[0]}{block.level}")
    label = list(spec.heading_ids)
    first = spec.block_ids[0] if spec.block_ids else None
    if first is not None and blocks[first].kind == "heading" and first not in label:
        label.append(first)  # merged siblings: name the passage by its first heading
    heading = "\n".join(blocks[i].text for i in label)  # one heading per line
    # Title and heading path count towards relevance: their tokens join the passage's,
    # one line each, then one line per block (`Passage.token_lines`).
    path_tokens = [t for i in spec.heading_ids if i not in spec.block_ids for t in tokens[i]]
    token_lines = [title_tokens.split(), path_tokens, *(tokens[i] for i in spec.block_ids)]
    inner = "\n".join(
        blocks[i].text for i in spec.block_ids if blocks[i].kind == "heading" and i not in label
    )
    headings = [blocks[i].text for i in (*spec.heading_ids, *spec.block_ids) if blocks[i].kind == "heading"]
    body = [blocks[i] for i in spec.block_ids if blocks[i].kind != "heading"]
    kind = "course" if is_course(headings, body, course_markers) else "content"
    toks = "\n".join(map(" ".join, token_lines))
    return (ord_, heading, inner, "\n".join(lines), toks, " ".join(layout), kind)
