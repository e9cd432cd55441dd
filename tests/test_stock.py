"""Stock phrasing: a sentence another article repeats almost word for word counts half."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.kb.model import Snapshot
from bot.kb.outline import pieces
from bot.kb.results import ScoredPassage
from bot.kb.sentences import near_duplicates
from bot.kb.stock import stock_places
from bot.service import KnowledgeService
from tests.conftest import make_settings, write

STOCK = "随着技术的不断进步，AIGC必将在各个领域发挥越来越重要的作用，值得每个人关注。"


def article(name: str, own: str, stock: str = STOCK) -> str:
    return f"---\ntitle: {name}\nurl: https://example.org/{name}\n---\n\n## {name}的前景\n\n{stock}{own}\n"


def test_near_duplicates_pairs_sentences_that_say_the_same_words() -> None:
    a = [STOCK, "写诗的模型需要大量的诗歌语料来训练。"]
    b = ["完全无关的一句话，说的是天气。", STOCK.replace("不断", "持续"), "短句。"]
    assert near_duplicates(a, b) == {(0, 1)}
    assert near_duplicates(b, a) == {(1, 0)}
    assert near_duplicates([], b) == frozenset()


@pytest.fixture
async def snapshot(tmp_path: Path) -> AsyncIterator[Snapshot]:
    kb = tmp_path / "kb"
    write(kb / "a.md", article("音乐", "AIGC在音乐领域的前景是自动作曲，几秒生成一段旋律。"))
    write(kb / "b.md", article("绘画", "AIGC在绘画领域的前景是文生图，一句话生成插画。"))
    service = await KnowledgeService.open(make_settings(tmp_path, kb))
    yield service.snapshot
    await service.close()


def texts_at(snapshot: Snapshot, docs: list[int], places: set[tuple[int, int, int]]) -> set[tuple[int, str]]:
    """(rank, sentence text) of the stock places found."""
    return {
        (rank, p.text)
        for rank, doc in enumerate(docs)
        for p in pieces(snapshot, doc)
        if (rank, p.line_ord, p.position) in places
    }


def test_the_sentence_both_articles_say_is_stock_in_each(snapshot: Snapshot) -> None:
    docs = list(range(len(snapshot.passages)))
    assert len(docs) == 2
    scored = [ScoredPassage(snapshot.passages[d], 1.0, (), d) for d in docs]
    assert texts_at(snapshot, docs, stock_places(snapshot, scored)) == {(0, STOCK), (1, STOCK)}
    # Asked again (the pair is remembered), and in the other order: the same.
    again = docs[::-1]
    assert texts_at(snapshot, again, stock_places(snapshot, scored[::-1])) == {(0, STOCK), (1, STOCK)}


def test_one_articles_passages_are_never_stock_to_each_other(snapshot: Snapshot) -> None:
    doc = 0
    scored = [ScoredPassage(snapshot.passages[doc], 1.0, (), doc)] * 2
    assert stock_places(snapshot, scored) == set()
