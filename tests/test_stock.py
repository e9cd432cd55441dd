"""Stock phrasing: a sentence another article repeats almost word for word counts half."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.kb.model import Snapshot
from bot.kb.outline import pieces
from bot.kb.results import ScoredPassage
from bot.kb.sentences import BOILERPLATE_FACTOR, Sentence, near_duplicates
from bot.kb.stock import demote_stock_phrasing
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


def candidates(snapshot: Snapshot, docs: list[int]) -> list[Sentence]:
    return [
        Sentence(p.text, 1.0, rank, snapshot.passages[doc].article_path, p.line_ord, p.position)
        for rank, doc in enumerate(docs)
        for p in pieces(snapshot, doc)
    ]


def test_the_sentence_both_articles_say_counts_half_in_each(snapshot: Snapshot) -> None:
    docs = list(range(len(snapshot.passages)))
    assert len(docs) == 2
    scored = [ScoredPassage(snapshot.passages[d], 1.0, (), d) for d in docs]
    sentences = candidates(snapshot, docs)
    demote_stock_phrasing(snapshot, scored, sentences)
    by_text = {(s.rank, s.text): s.score for s in sentences}
    assert by_text[(0, STOCK)] == by_text[(1, STOCK)] == BOILERPLATE_FACTOR
    assert all(score == 1.0 for (_, text), score in by_text.items() if text != STOCK)
    # Asked again (the pair is remembered), and in the other order: the same.
    again = candidates(snapshot, docs[::-1])
    demote_stock_phrasing(snapshot, scored[::-1], again)
    assert sorted(s.score for s in again) == sorted(s.score for s in sentences)


def test_one_articles_passages_never_demote_each_other(snapshot: Snapshot) -> None:
    doc = 0
    scored = [ScoredPassage(snapshot.passages[doc], 1.0, (), doc)] * 2
    sentences = candidates(snapshot, [doc, doc])
    demote_stock_phrasing(snapshot, scored, sentences)
    assert all(s.score == 1.0 for s in sentences)
