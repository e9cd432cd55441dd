"""Turn an article's Markdown body into clean blocks: headings, paragraphs and list items.

CSDN exports break lines mid-sentence, wrap single words in links to CSDN search, put
bold "pseudo headings" on their own lines and sprinkle images everywhere. Cleaning keeps
the words a reader sees and drops the rest.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import Literal

BlockKind = Literal["heading", "text", "item"]


@dataclass(frozen=True)
class Block:
    """A unit of cleaned text. Headings carry their level (1-6; pseudo headings one deeper)."""

    kind: BlockKind
    text: str
    level: int = 0


_FENCE = re.compile(r"^\s*(```|~~~)")
_HEADING = re.compile(r"^\s{0,3}(#{1,6})\s*(.*?)\s*#*\s*$")
_LIST_ITEM = re.compile(r"^(\s*)(?:[*+\-•]|(\d{1,3})[.)、])\s+(.*)$")
_QUOTE = re.compile(r"^\s{0,3}>\s?")
_RULE = re.compile(r"^\s*([-*_=])(\s*\1){2,}\s*$")
# Every pattern here is linear on hostile input ("["×40000, " *a"×20000): no repeated
# scan may cross the delimiter it waits for, so each start position costs at most the
# distance to the next delimiter (tests/test_cleaning.py grows such inputs).
_IMAGE = re.compile(r"!\[[^\[\]]*\]\([^()]*\)|!\[[^\[\]]*\]\[[^\[\]]*\]")
_LINK = re.compile(r"\[([^\[\]]*)\]\((?:[^()]|\([^()]*\))*\)")
_REF_LINK = re.compile(r"\[([^\[\]]+)\]\[[^\[\]]*\]")
_LINK_DEF = re.compile(r"^\s{0,3}\[[^\]]+\]:\s+\S+.*$")
_AUTOLINK = re.compile(r"<(https?://[^>\s]+)>")
_HTML_BREAK = re.compile(r"<br\s*/?>|</p>|</div>|</h\d>|</li>", re.IGNORECASE)
_HTML_TAG = re.compile(r"</?[a-zA-Z][^<>]*>")
_EMPHASIS = (
    re.compile(r"\*\*((?:[^*]|\*(?!\*))+?)\*\*"),
    re.compile(r"__((?:[^_]|_(?!_))+?)__"),
    re.compile(r"(?<![*A-Za-z0-9])\*(?![\s*])([^*]+?)(?<![\s*])\*(?![*A-Za-z0-9])"),
    re.compile(r"(?<![\w_])_(?!\s)([^_]+?)(?<!\s)_(?![\w_])"),
    re.compile(r"~~((?:[^~]|~(?!~))+?)~~"),
    re.compile(r"`+([^`]*)`+"),
)
_DASH_RUN = re.compile(r"-{3,}|={3,}|_{3,}")

SENTENCE_END = "。！？!?；;…"
_CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uf900-\ufaff\uff00-\uffef]")
_PSEUDO_HEADING_MAX = 40
_NUMBERED = re.compile(
    r"^(\d{1,2}|[一二三四五六七八九十]{1,3})\s*[.、:：)）]|^\S{1,4}\d{1,2}\s*[:：.、]|^第\S{1,3}[章节部分步]"
)
# Longer paragraphs are split at sentence ends, so passages stay focused and bounded.
MAX_BLOCK_CHARS = 400
# A Latin full stop ends a sentence before a capital or a Chinese character, except after
# an initial or a short title ("Andrew W. Mellon", "John H. McArthur", "St. John").
_SENTENCE_SPLIT = re.compile(
    rf"(?<=[{SENTENCE_END}])|(?<=[.])(?<!(?<![A-Za-z])[A-Z]\.)(?<!(?<![A-Za-z])[A-Z][a-z]\.)\s+(?=[A-Z\u4e00-\u9fff])"
)


def strip_inline(text: str) -> str:
    """Inline Markdown/HTML to plain text: images gone, links reduced to their text."""
    text = _IMAGE.sub("", text)
    text = _LINK.sub(r"\1", text)
    text = _REF_LINK.sub(r"\1", text)
    text = _AUTOLINK.sub(r"\1", text)
    text = _HTML_TAG.sub("", text)
    for pattern in _EMPHASIS:
        text = pattern.sub(r"\1", text)
    text = text.replace("**", "").replace("__", "")
    text = html.unescape(text)
    return _DASH_RUN.sub("", text)


def join_lines(left: str, right: str) -> str:
    """Re-join a line broken mid-sentence: no space between CJK, one between Latin words."""
    if not left:
        return right
    if not right:
        return left
    if _CJK.match(left[-1]) or _CJK.match(right[0]) or left[-1] in "-/(（" or right[0] in ",.:;!?)）%":
        return left + right
    return left + " " + right


def _is_pseudo_heading(text: str, was_bold: bool) -> bool:
    if len(text) > _PSEUDO_HEADING_MAX or not text:
        return False
    if text[-1] in SENTENCE_END or text[-1] in "，,。.":
        return False
    return was_bold or not re.search(r"[，,。]", text)


@dataclass
class _Paragraph:
    kind: BlockKind
    text: str = ""
    was_bold: bool = True
    indent: int = 0


def clean_markdown(body: str) -> list[Block]:
    """Parse a Markdown body into a flat list of clean blocks in document order."""
    body = _drop_comments(body.replace("\r\n", "\n").replace("\r", "\n"))
    body = _HTML_BREAK.sub("\n", body)
    raw: list[Block | _Paragraph] = []
    current: _Paragraph | None = None
    in_fence = False

    def flush() -> None:
        nonlocal current
        if current is not None and current.text.strip():
            raw.append(current)
        current = None

    for line in body.split("\n"):
        if _FENCE.match(line):
            in_fence = not in_fence
            flush()
            continue
        if in_fence:
            # Code is kept as its own paragraph, line by line.
            if line.strip():
                raw.append(_Paragraph("text", line.strip(), was_bold=False))
            continue
        while _QUOTE.match(line):
            line = _QUOTE.sub("", line, count=1)
        if not line.strip():
            if line == "" or current is None:
                flush()
            elif current.text and current.text[-1] in SENTENCE_END:
                # CSDN's "  " soft-break lines separate paragraphs after a full stop...
                flush()
            # ...but mid-sentence they are just a wrapped line: keep joining.
            continue
        if _RULE.match(line) or _LINK_DEF.match(line):
            flush()
            continue
        heading = _HEADING.match(line)
        if heading:
            flush()
            text = strip_inline(heading.group(2)).strip()
            if text:
                raw.append(Block("heading", text, len(heading.group(1))))
            continue
        item = _LIST_ITEM.match(line)
        if item:
            flush()
            number = item.group(2)
            content = item.group(3)
            current = _Paragraph("item", was_bold=_looks_bold(content), indent=len(item.group(1)))
            current.text = (f"{number}. " if number else "") + strip_inline(content).strip()
            continue
        stripped = line.strip()
        piece = strip_inline(stripped).strip()
        if current is None:
            current = _Paragraph("text", was_bold=_looks_bold(stripped))
        elif not _looks_bold(stripped) and piece:
            current.was_bold = False
        current.text = join_lines(current.text, piece)
    flush()
    return _split_long(_promote_pseudo_headings(raw))


def _drop_comments(text: str) -> str:
    """Remove <!-- … --> with str.find: linear, where a lazy regex is quadratic on an
    unclosed "<!--" repeated many times."""
    out, start = [], 0
    while True:
        opening = text.find("<!--", start)
        if opening < 0:
            out.append(text[start:])
            return "".join(out)
        closing = text.find("-->", opening + 4)
        out.append(text[start:opening])
        if closing < 0:
            return "".join(out)  # an unclosed comment runs to the end, as in HTML
        start = closing + 3


def split_sentences(text: str) -> list[str]:
    """Split after sentence-final punctuation (Chinese or Latin), keeping the punctuation."""
    parts = _SENTENCE_SPLIT.split(text)
    return [p.strip() for p in parts if p and p.strip()]


def _split_long(blocks: list[Block], limit: int = MAX_BLOCK_CHARS) -> list[Block]:
    out: list[Block] = []
    for block in blocks:
        if block.kind == "heading" or len(block.text) <= limit:
            out.append(block)
            continue
        piece = ""
        for sentence in split_sentences(block.text):
            while len(sentence) > limit:  # one giant "sentence": cut it hard
                if piece:
                    out.append(Block(block.kind, piece))
                    piece = ""
                out.append(Block(block.kind, sentence[:limit]))
                sentence = sentence[limit:]
            if piece and len(piece) + len(sentence) > limit:
                out.append(Block(block.kind, piece))
                piece = ""
            piece = join_lines(piece, sentence)
        if piece:
            out.append(Block(block.kind, piece))
    return out


def _looks_bold(line: str) -> bool:
    line = _IMAGE.sub("", line).strip()
    return bool(line) and (
        re.fullmatch(r"\*\*.+\*\*[:：]?", line) is not None or re.fullmatch(r"__.+__[:：]?", line) is not None
    )


def _promote_pseudo_headings(raw: list[Block | _Paragraph]) -> list[Block]:
    """Short standalone lines followed by text become headings one level below the last."""
    blocks: list[Block] = []
    level = 1
    plain_seen = False  # an unnumbered pseudo heading opened the current group
    for index, entry in enumerate(raw):
        if isinstance(entry, Block):
            blocks.append(entry)
            level = entry.level
            plain_seen = False
            continue
        text = " ".join(entry.text.split())
        if not text:
            continue
        following = raw[index + 1] if index + 1 < len(raw) else None
        followed_by_text = isinstance(following, _Paragraph)
        # A bold list item with nested items under it ("1. **技能匹配**") is a heading too.
        item_heading = (
            entry.kind == "item"
            and entry.was_bold
            and isinstance(following, _Paragraph)
            and following.kind == "item"
            and following.indent > entry.indent
        )
        if (
            (entry.kind == "text" or item_heading)
            and followed_by_text
            and _is_pseudo_heading(text, entry.was_bold)
        ):
            # Numbered pseudo headings ("1.高薪化特征") nest under an unnumbered one
            # ("【薪资待遇情况】") that precedes them; unnumbered ones are siblings.
            numbered = _NUMBERED.match(text) is not None
            depth = 2 if numbered and plain_seen else 1
            plain_seen = plain_seen or not numbered
            blocks.append(Block("heading", text.rstrip("：:"), min(level + depth, 7)))
            continue
        blocks.append(Block(entry.kind, text))
    return blocks
