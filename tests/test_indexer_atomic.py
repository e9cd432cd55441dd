"""One owner of the database: a reload lands whole or not at all, and writers converge."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

import pytest

import bot.indexer as indexer_module
from bot import querylog
from bot.errors import StorageError
from bot.service import KnowledgeService
from tests.conftest import KNOWLEDGE, answer_to, make_settings, write

NEW = (
    "---\ntitle: 墨韵引擎\nurl: https://example.org/q\n---\n\n"
    "# 墨韵引擎\n\n墨韵引擎是一种全新的水墨风格生成工具。\n"
)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    kb = tmp_path / "kb"
    shutil.copytree(KNOWLEDGE, kb)
    return kb


async def counts(service: KnowledgeService) -> tuple[int, int, int]:
    rows = [
        await service.db.fetchone(f"SELECT count(*) FROM {table}")
        for table in ("articles", "blocks", "chunks")
    ]
    return tuple(int(r[0]) if r else 0 for r in rows)  # type: ignore[return-value]


async def test_a_failed_reload_with_a_question_logged_meanwhile_commits_nothing(
    folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    service = await KnowledgeService.open(make_settings(tmp_path, folder))
    try:
        before = await counts(service)
        write(folder / "new.md", NEW)
        (folder / "000_a288b48f3c329daf.txt").unlink()
        real = indexer_module.KnowledgeIndexer._insert_article
        started = asyncio.Event()

        async def failing(self: indexer_module.KnowledgeIndexer, conn: object, item: object) -> None:
            started.set()
            await asyncio.sleep(0.05)  # a question is logged while the reload writes
            await real(self, conn, item)  # type: ignore[arg-type]
            raise StorageError("disk full")

        monkeypatch.setattr(indexer_module.KnowledgeIndexer, "_insert_article", failing)

        async def ask_meanwhile() -> int:
            await started.wait()
            return await querylog.log_question(
                service.db,
                user_id=1,
                chat_id=1,
                chat_type="private",
                text="什么是AIGC？",
                answered=True,
                passage_ids=[],
                latency_ms=1.0,
                lang="zh",
            )

        reload_result, question_id = await asyncio.gather(
            service.reload(), ask_meanwhile(), return_exceptions=True
        )
        assert isinstance(reload_result, StorageError)
        assert isinstance(question_id, int), "the question is logged, after the failed reload"
        assert await counts(service) == before, "the reload's delete and inserts were all rolled back"
        assert answer_to(service, "文心一言是什么？").answered, "the old index keeps answering"
        monkeypatch.undo()
        report = await service.reload()
        assert report.added == ["new.md"] and report.removed == ["000_a288b48f3c329daf.txt"]
    finally:
        await service.close()


async def test_a_reload_cancelled_mid_write_recovers_to_a_clean_build(folder: Path, tmp_path: Path) -> None:
    service = await KnowledgeService.open(make_settings(tmp_path, folder))
    try:
        write(folder / "new.md", NEW)
        real = indexer_module.KnowledgeIndexer._insert_article

        async def slow(self: indexer_module.KnowledgeIndexer, conn: object, item: object) -> None:
            await real(self, conn, item)  # type: ignore[arg-type]
            await asyncio.sleep(10)

        indexer_module.KnowledgeIndexer._insert_article = slow  # type: ignore[method-assign]
        try:
            task = asyncio.create_task(service.reload())
            await asyncio.sleep(0.5)
            task.cancel()  # as a kill would: the transaction never commits
            with pytest.raises(asyncio.CancelledError):
                await task
        finally:
            indexer_module.KnowledgeIndexer._insert_article = real  # type: ignore[method-assign]
        report = await service.reload()
        assert report.added == ["new.md"], "not called unchanged: nothing of it had landed"
        assert answer_to(service, "墨韵引擎是什么？").answered
    finally:
        await service.close()


async def test_index_by_another_process_then_reload_serves_the_new_article(
    folder: Path, tmp_path: Path
) -> None:
    settings = make_settings(tmp_path, folder)
    bot_service = await KnowledgeService.open(settings)
    try:
        assert not answer_to(bot_service, "墨韵引擎是什么？").answered
        write(folder / "new.md", NEW)
        other = await KnowledgeService.open(settings)  # `aigc-bot index` on the same database
        await other.close()
        report = await bot_service.reload()
        assert report.unchanged >= 5 and not report.added, "the files were indexed by the other writer"
        assert answer_to(bot_service, "墨韵引擎是什么？").answered, "the new generation is loaded"
    finally:
        await bot_service.close()


async def test_an_article_stored_without_blocks_is_read_again_not_unchanged(
    folder: Path, tmp_path: Path
) -> None:
    """As a database written by an older version, killed mid-reload, can be."""
    service = await KnowledgeService.open(make_settings(tmp_path, folder))
    try:
        async with service.db.transaction() as conn:
            await conn.execute(
                "DELETE FROM blocks WHERE article = (SELECT id FROM articles WHERE path = ?)",
                ("000_a288b48f3c329daf.txt",),
            )
        report = await service.reload()
        assert report.added == ["000_a288b48f3c329daf.txt"] and report.unchanged == 4
        assert (await counts(service))[1] > 0
    finally:
        await service.close()
