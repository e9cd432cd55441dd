"""Course syllabi: content of their own kind, served only to questions about learning.

A paid-course outline ("第一阶段（30天）", forty lesson titles, "该阶段我们正式进入…",
"学到这里你就可以接副业…") ranks well for many questions because it names every tool,
yet it answers none of them. It is recognised by structure (stage headings, a section
that is mostly short unpunctuated bullets) plus an admin-editable marker list
(`vocab/course_markers.txt`) — never by the text of particular articles.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from bot.kb.cleaning import SENTENCE_END, Block
from bot.kb.vocab import normalize_text

# "第一阶段", "第3周", "第二课", "Day 3", "（30天）", "(45天以上)", "Lesson 2", "Week 1".
_STAGE = re.compile(
    r"第\s?[一二三四五六七八九十百\d]{1,3}\s?(?:阶段|周|课|讲|期|天)"
    r"|[（(]\s?\d{1,3}\s?(?:天|周|小时|课时)(?:以上)?\s?[）)]"
    r"|\b(?:day|week|lesson|module|stage)\s?\d{1,2}\b",
    re.IGNORECASE,
)
# A syllabus is a run of short lesson titles: many items, few of them sentences.
OUTLINE_MIN_ITEMS = 8
OUTLINE_MAX_ITEM_CHARS = 40
OUTLINE_SHARE = 0.8


def is_course_heading(text: str, markers: Sequence[str] = ()) -> bool:
    normal = normalize_text(text)
    return _STAGE.search(normal) is not None or any(m in normal for m in markers)


def is_outline(body: Sequence[Block]) -> bool:
    """Mostly short list items without sentence punctuation: a table of contents."""
    items = [b for b in body if b.kind == "item"]
    if len(items) < OUTLINE_MIN_ITEMS:
        return False
    short = sum(
        len(b.text) <= OUTLINE_MAX_ITEM_CHARS and not any(c in b.text for c in SENTENCE_END + "，,。")
        for b in items
    )
    return short >= OUTLINE_SHARE * len(body)


def is_course(headings: Sequence[str], body: Sequence[Block], markers: Sequence[str] = ()) -> bool:
    """A passage under a course-stage heading, or one whose text is a lesson outline or
    carries a course marker ("该阶段", "学到这里")."""
    if any(is_course_heading(h, markers) for h in headings):
        return True
    if is_outline(body):
        return True
    return any(m in normalize_text(b.text) for b in body for m in markers)
