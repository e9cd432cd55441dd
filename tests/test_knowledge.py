import os
from pathlib import Path

import pytest

from bot.indexer import KnowledgeIndexer
from bot.kb import spelling
from bot.kb.tokenizer import Tokenizer
from bot.service import KnowledgeService
from bot.store import Database
from tests.conftest import make_settings, write

ARTICLE = "---\ntitle: {title}\nurl: https://example.org/{name}\n---\n\n# {title}\n\n{body}\n"


def article(folder: Path, name: str, title: str, body: str) -> Path:
    return write(folder / name, ARTICLE.format(title=title, name=name, body=body))


class CountingTokenizer(Tokenizer):
    calls = 0

    def tokens(self, text: str) -> list[str]:
        CountingTokenizer.calls += 1
        return super().tokens(text)


@pytest.fixture
def counting(tokenizer: Tokenizer) -> Tokenizer:
    counted = CountingTokenizer.__new__(CountingTokenizer)
    counted.__dict__.update(tokenizer.__dict__)
    CountingTokenizer.calls = 0
    return counted


async def test_refresh_reports_added_changed_removed_and_skipped(tmp_path: Path, counting: Tokenizer) -> None:
    kb = tmp_path / "kb"
    article(kb, "a.md", "甲", "AIGC的薪资很高。")
    article(kb, "b.md", "乙", "Midjourney是绘画工具。")
    write(kb / "broken.md", b"\x00\x01binary")
    async with await Database.open(tmp_path / "db.sqlite3") as db:
        indexer = KnowledgeIndexer(db, kb, counting)
        snapshot, report, _ = await indexer.refresh()
        assert sorted(report.added) == ["a.md", "b.md"]
        assert report.skipped == [("broken.md", "binary file (contains NUL bytes)")]
        assert len(snapshot.articles) == 2 and report.chunks == len(snapshot.passages) >= 2

        counting_before = CountingTokenizer.calls
        snapshot, report, _ = await indexer.refresh()
        assert report.unchanged == 2 and not report.modified
        assert CountingTokenizer.calls == counting_before, "unchanged files were re-tokenised"

        article(kb, "a.md", "甲", "AIGC的薪资非常高，年薪超过40万。")
        os.utime(kb / "a.md", ns=(1, 1))
        (kb / "b.md").unlink()
        article(kb, "c.md", "丙", "文心一言是百度的大语言模型。")
        calls_before = CountingTokenizer.calls
        snapshot, report, _ = await indexer.refresh()
        assert report.changed == ["a.md"] and report.removed == ["b.md"] and report.added == ["c.md"]
        texts = " ".join(p.text for p in snapshot.passages)
        assert "年薪超过40万" in texts and "Midjourney" not in texts
        # only the two new files' blocks and titles were tokenised
        assert 0 < CountingTokenizer.calls - calls_before <= 10
        assert "skipped: broken.md" in "\n".join(report.lines())


async def test_same_content_twice_is_indexed_once(tmp_path: Path, tokenizer: Tokenizer) -> None:
    kb = tmp_path / "kb"
    article(kb, "a.md", "甲", "内容相同的文章。")
    write(kb / "copy.md", (kb / "a.md").read_bytes())
    async with await Database.open(tmp_path / "db.sqlite3") as db:
        snapshot, report, _ = await KnowledgeIndexer(db, kb, tokenizer).refresh()
    assert [a.path for a in snapshot.articles] == ["a.md"]
    assert report.skipped == [("copy.md", "same content as a.md")]


async def test_touched_but_identical_file_is_not_reparsed(tmp_path: Path, counting: Tokenizer) -> None:
    kb = tmp_path / "kb"
    path = article(kb, "a.md", "甲", "正文。")
    async with await Database.open(tmp_path / "db.sqlite3") as db:
        indexer = KnowledgeIndexer(db, kb, counting)
        await indexer.refresh()
        before = CountingTokenizer.calls
        os.utime(path, ns=(5, 5))
        _, report, _ = await indexer.refresh()
    assert report.unchanged == 1 and CountingTokenizer.calls == before


async def test_missing_folder_is_a_clear_error(tmp_path: Path, tokenizer: Tokenizer) -> None:
    from bot.errors import ArticleError

    async with await Database.open(tmp_path / "db.sqlite3") as db:
        with pytest.raises(ArticleError, match="does not exist"):
            await KnowledgeIndexer(db, tmp_path / "nope", tokenizer).refresh()


async def test_unchanged_refresh_keeps_the_snapshot_in_use(tmp_path: Path, tokenizer: Tokenizer) -> None:
    kb = tmp_path / "kb"
    article(kb, "a.md", "甲", "AIGC的薪资很高。")
    async with await Database.open(tmp_path / "db.sqlite3") as db:
        indexer = KnowledgeIndexer(db, kb, tokenizer)
        first, _, generation = await indexer.refresh()
        again, report, _ = await indexer.refresh(first, generation)
        assert again is first and report.chunks == len(first.passages) and report.articles == 1
        article(kb, "b.md", "乙", "新文章。")
        changed, _, _ = await indexer.refresh(first, generation)
        assert changed is not first and len(changed.articles) == 2


async def test_unchanged_service_reload_keeps_the_retriever(tmp_path: Path) -> None:
    from bot.service import KnowledgeService
    from tests.conftest import make_settings

    kb = tmp_path / "kb"
    article(kb, "a.md", "甲", "AIGC的薪资很高。")
    service = await KnowledgeService.open(make_settings(tmp_path, knowledge=kb))
    try:
        retriever = service.retriever
        await service.reload()
        assert service.retriever is retriever
        article(kb, "b.md", "乙", "新文章。")
        await service.reload()
        assert service.retriever is not retriever
    finally:
        await service.close()


async def test_unsupported_files_are_named_not_ignored(tmp_path: Path, tokenizer: Tokenizer) -> None:
    kb = tmp_path / "kb"
    article(kb, "a.md", "甲", "AIGC的薪资很高。")
    write(kb / "slides.pptx", b"PK\x03\x04 not readable")
    write(kb / "a.md.bak", "an upload's previous version")
    async with await Database.open(tmp_path / "db.sqlite3") as db:
        _, report, _ = await KnowledgeIndexer(db, kb, tokenizer).refresh()
    assert report.skipped == [("slides.pptx", "unsupported format (.pptx)")]
    assert "跳过: slides.pptx: 不支持的格式（.pptx）" in "\n".join(report.lines("zh"))


async def test_warm_loads_what_a_first_question_would_wait_for(tmp_path: Path) -> None:
    service = await KnowledgeService.open(make_settings(tmp_path))
    try:
        spelling._english_words.cache_clear()
        await service.warm()
        # The English words (a mapped table, or the list loaded) and the suggestion grams
        # are ready before any question: the first English question loads nothing.
        loaded = spelling._english_words.cache_info().misses
        assert service.retriever.suggestion_index()._ids is not None
        reply = await service.ask("what is AIGC")
        assert reply.answered and spelling._english_words.cache_info().misses == loaded
    finally:
        await service.close()
