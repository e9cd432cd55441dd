"""Find promotional boilerplate and blocks repeated across articles.

Two general mechanisms, no per-file rules:
- promo markers (an admin-editable phrase list): a block containing one is dropped, and
  when an article *ends* in promotion, the whole promotional tail goes with it;
- recurrence: a block found in several articles is boilerplate. A run of recurring blocks
  touching promotion is dropped; otherwise the block is indexed once, in its first article.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from bot.kb.cleaning import Block
from bot.kb.vocab import normalize_text

MIN_FINGERPRINT_CHARS = 4
# A tail counts as promotional when this share of its blocks is promo or recurring...
TAIL_PROMO_DENSITY = 0.3
# ...and it is no more than this share of the article, so real content is never lost.
TAIL_MAX_SHARE = 0.5

_NON_WORD = re.compile(r"[\W_]+", re.UNICODE)


def fingerprint(text: str) -> str | None:
    """Identity of a block for recurrence: case, width and punctuation ignored."""
    key = _NON_WORD.sub("", normalize_text(text))
    if len(key) < MIN_FINGERPRINT_CHARS:
        return None
    return hashlib.sha1(key.encode("utf-8")).hexdigest()[:16]


def is_promo(text: str, markers: Sequence[str]) -> bool:
    normal = normalize_text(text)
    return any(marker in normal for marker in markers)


@dataclass(frozen=True)
class BoilerplateReport:
    promo_blocks: int
    duplicate_blocks: int


def _promo_tail_start(promo: list[bool], recurring: list[bool], sizes: list[int]) -> int | None:
    """Index where a promotional tail starts, or None when the article does not end in one."""
    if not promo or not promo[-1]:
        return None
    total = sum(sizes) or 1
    start = None
    tail_size = 0
    flagged = 0
    for index in range(len(promo) - 1, -1, -1):
        tail_size += sizes[index]
        flagged += promo[index] or recurring[index]
        if tail_size / total > TAIL_MAX_SHARE:
            break
        count = len(promo) - index
        if promo[index] and flagged / count >= TAIL_PROMO_DENSITY:
            start = index
    return start


def find_boilerplate(
    articles: Sequence[Sequence[Block]], markers: Sequence[str]
) -> tuple[list[list[bool]], BoilerplateReport]:
    """For each article, which of its blocks to drop. Articles are in priority order."""
    prints = [[fingerprint(b.text) for b in blocks] for blocks in articles]
    seen_in = Counter(fp for fps in prints for fp in set(fps) if fp)
    kept_once: set[str] = set()
    drops: list[list[bool]] = []
    promo_count = duplicate_count = 0
    for blocks, fps in zip(articles, prints, strict=True):
        recurring = [fp is not None and seen_in[fp] > 1 for fp in fps]
        drop = _promotion(blocks, markers, recurring)
        duplicate_count += _drop_repeats(blocks, fps, recurring, drop, kept_once)
        promo_count += sum(drop)
        drops.append(drop)
    return drops, BoilerplateReport(promo_count - duplicate_count, duplicate_count)


def _promotion(blocks: Sequence[Block], markers: Sequence[str], recurring: list[bool]) -> list[bool]:
    """An article's promotional blocks: those with a marker, a promotional tail, and runs
    of recurring blocks (headings included) that touch promotion."""
    promo = [is_promo(b.text, markers) for b in blocks]
    drop = list(promo)
    tail = _promo_tail_start(promo, recurring, [len(b.text) for b in blocks])
    if tail is not None:
        drop[tail:] = [True] * (len(blocks) - tail)
    index = 0
    while index < len(blocks):
        if not recurring[index]:
            index += 1
            continue
        end = index
        while end < len(blocks) and (recurring[end] or promo[end]):
            end += 1
        # Promotion opens with its hook: what follows a promo block in the run goes,
        # what precedes it is shared content (kept once, by `_drop_repeats`).
        first_promo = next((i for i in range(max(index - 1, 0), end) if promo[i]), None)
        if first_promo is not None:
            start = max(first_promo, index)
            drop[start:end] = [True] * (end - start)
        index = end
    return drop


def _drop_repeats(
    blocks: Sequence[Block],
    fps: Sequence[str | None],
    recurring: list[bool],
    drop: list[bool],
    kept_once: set[str],
) -> int:
    """Marks in `drop` the recurring blocks an earlier article already kept; how many."""
    repeats = 0
    for index, fp in enumerate(fps):
        if drop[index] or not recurring[index] or fp is None:
            continue
        if blocks[index].kind == "heading":
            continue  # a shared heading is harmless and keeps its section readable
        if fp in kept_once:
            drop[index] = True
            repeats += 1
        else:
            kept_once.add(fp)
    return repeats
