"""Database faults: a clear error at start-up; at run time the bot answers from memory."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from bot import querylog
from bot.cli import main
from bot.errors import StorageError
from bot.service import KnowledgeService
from bot.store import Database
from tests.conftest import KNOWLEDGE, answer_to, make_settings, write


@pytest.mark.parametrize(
    ("case", "prepare", "message"),
    [
        ("corrupted", lambda p: p.write_bytes(b"\x00garbage" * 512), "file is not a database"),
        ("path-is-a-folder", lambda p: p.mkdir(), "it is a folder"),
        ("parent-is-a-file", lambda p: write(p.parent, "not a folder"), "cannot open database"),
    ],
    ids=["corrupted", "path-is-a-folder", "parent-is-a-file"],
)
def test_unusable_database_fails_start_up_with_one_line(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    case: str,
    prepare: object,
    message: str,
) -> None:
    db = tmp_path / "state" / "bot.sqlite3"
    if case != "parent-is-a-file":
        db.parent.mkdir()
    prepare(db)  # type: ignore[operator]
    monkeypatch.setenv("DATABASE_PATH", str(db))
    monkeypatch.setenv("KNOWLEDGE_DIR", str(KNOWLEDGE))
    assert main(["ask", "什么是AIGC"]) == 1
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and err.startswith("aigc-bot:") and message in err, err


async def test_missing_database_folder_is_created(tmp_path: Path) -> None:
    service = await KnowledgeService.open(make_settings(tmp_path / "a" / "b"))
    try:
        assert (tmp_path / "a" / "b" / "kb.sqlite3").exists()
    finally:
        await service.close()


async def test_locked_database_keeps_the_old_index(tmp_path: Path) -> None:
    kb = tmp_path / "kb"
    write(kb / "a.md", "# 甲\n\n量子绘图是一种新的AIGC方法。")
    settings = make_settings(tmp_path, knowledge=kb)
    service = KnowledgeService(settings, await Database.open(settings.database_path, busy_timeout_ms=100))
    await service.reload()
    other = sqlite3.connect(settings.database_path)
    try:
        other.execute("BEGIN EXCLUSIVE")  # another process holds the write lock
        write(kb / "b.md", "# 乙\n\n光子作画是另一种方法。")
        with pytest.raises(StorageError, match="locked"):
            await service.reload()
        assert answer_to(service, "量子绘图").answered, "the old index keeps answering"
    finally:
        other.rollback()
        other.close()
    report = await service.reload()  # once the lock is gone, the change lands
    assert report.added == ["b.md"]
    await service.close()


async def test_read_only_database_at_run_time(tmp_path: Path) -> None:
    service = await KnowledgeService.open(make_settings(tmp_path))
    try:
        await service.db.conn.execute("PRAGMA query_only = ON")  # writes now fail, as on a read-only file
        with pytest.raises(StorageError):
            await querylog.log_question(
                service.db,
                user_id=1,
                chat_id=1,
                chat_type="private",
                text="q",
                answered=True,
                passage_ids=[],
                latency_ms=1,
                lang="zh",
            )
        write(tmp_path / "extra.md", "# x\n\ny")
        assert answer_to(service, "文心一言是什么？").answered, "answers come from memory"
    finally:
        await service.close()
