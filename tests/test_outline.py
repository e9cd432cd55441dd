"""Article outlines and passage sentences: each sentence under its section's heading,
found without rebuilding the whole article when the passage opens mid-section."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.kb.cleaning import split_sentences
from bot.kb.model import Snapshot
from bot.kb.outline import Line, Outline, passage_lines, pieces
from bot.kb.retrieval import Retriever
from bot.service import KnowledgeService
from tests.conftest import make_settings, write

PARAGRAPH = "第{n}段讲的是一个具体的做法，先准备好素材，再按照步骤逐一完成，最后检查结果是否符合预期。"
LONG = (
    "---\ntitle: 一篇很长的教程\nurl: https://example.org/long\n---\n\n# 一篇很长的教程\n\n"
    "开篇的一句话，在任何标题之前。\n\n## 准备工作\n\n"
    + "\n\n".join(PARAGRAPH.format(n=n) for n in range(12))
    + "\n\n## 收尾\n\n收尾的时候要记得保存。\n"
)


def headings_by_outline(snapshot: Snapshot, position: int) -> list[tuple[str, str]]:
    """What the article's whole outline says each sentence of a passage is under."""
    passage = snapshot.passages[position]
    outline = Outline.of(snapshot, passage.article_path)
    out = []
    for line in passage_lines(passage, position):
        if line.kind == "heading":
            continue
        i = outline.index(line.ord)
        h = outline.section_of(i) if i is not None else None
        heading = outline.lines[h].text if h is not None else ""
        out += [(text, heading) for text in split_sentences(line.text)]
    return out


def test_every_seed_sentence_is_under_its_outline_heading(seed_retriever: Retriever) -> None:
    snapshot = seed_retriever.snapshot
    for position in range(len(snapshot.passages)):
        found = [(p.text, p.heading) for p in pieces(snapshot, position)]
        assert found == headings_by_outline(snapshot, position), position


@pytest.fixture
async def long_article(tmp_path: Path) -> AsyncIterator[Snapshot]:
    kb = tmp_path / "kb"
    write(kb / "long.md", LONG)
    service = await KnowledgeService.open(make_settings(tmp_path, kb, chunk_max_chars=200))
    yield service.snapshot
    await service.close()


async def test_a_passage_opening_mid_section_reads_its_heading_back(long_article: Snapshot) -> None:
    snapshot = long_article
    positions = range(len(snapshot.passages))
    mid_section = [p for p in positions if passage_lines(snapshot.passages[p], p)[0].kind != "heading"]
    assert len(mid_section) >= 2, "the section spans several passages"
    for position in positions:
        assert [(p.text, p.heading) for p in pieces(snapshot, position)] == headings_by_outline(
            snapshot, position
        )
    later = [p for p in mid_section if any(x.text.startswith("第5段") for x in pieces(snapshot, p))]
    assert later and all(x.heading == "准备工作" for x in pieces(snapshot, later[0]))
    opening = next(x for p in positions for x in pieces(snapshot, p) if x.text.startswith("开篇"))
    assert opening.heading == ""  # before the first heading: no section


def test_sections_and_parents_follow_the_heading_levels() -> None:
    def line(ord_: int, kind: str, level: int = 0) -> Line:
        return Line(ord_, kind, level, f"{kind}{ord_}", 0)  # type: ignore[arg-type]

    outline = Outline(
        [
            line(0, "text"),
            line(1, "heading", 2),
            line(2, "text"),
            line(3, "heading", 3),
            line(4, "item"),
            line(5, "heading", 3),
            line(6, "heading", 2),
            line(7, "heading", 4),
            line(8, "text"),
        ]
    )
    assert [outline.section_of(i) for i in range(9)] == [None, 1, 1, 3, 3, 5, 6, 7, 7]
    assert [outline.parent(h) for h in (1, 3, 5, 6, 7)] == [None, 1, 1, None, 6]
    assert outline.children(1) == [3, 5] and outline.own(1) == [2] and outline.span(6) == range(7, 9)
