from pathlib import Path

import pytest

from bot.errors import StorageError
from bot.store import MIGRATIONS, Database


async def test_migrations_apply_once(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "sub" / "db.sqlite3")
    try:
        assert await db.migrate() == []  # already applied by open()
        names = [r[0] for r in await db.fetchall("SELECT name FROM schema_migrations ORDER BY name")]
        assert names == [migration[0] for migration in MIGRATIONS]
        mode = await db.fetchone("PRAGMA journal_mode")
        assert mode is not None and mode[0] == "wal"
    finally:
        await db.close()
    again = await Database.open(tmp_path / "sub" / "db.sqlite3")
    assert await again.migrate() == []
    await again.close()


async def test_meta_round_trip(tmp_path: Path) -> None:
    async with await Database.open(tmp_path / "db.sqlite3") as db:
        assert await db.get_meta("k") is None
        await db.set_meta("k", "1")
        await db.set_meta("k", "2")
        assert await db.get_meta("k") == "2"


async def test_unusable_database_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "corrupt.sqlite3"
    bad.write_bytes(b"this is not a database" * 100)
    with pytest.raises(StorageError, match=r"corrupt\.sqlite3"):
        await Database.open(bad)


async def test_question_log_feedback_and_stats(tmp_path: Path) -> None:
    from bot import querylog

    async with await Database.open(tmp_path / "db.sqlite3") as db:
        ids = []
        for text, answered in [("什么是AIGC", True), ("什么是AIGC ", True), ("天气", False)]:
            ids.append(
                await querylog.log_question(
                    db,
                    user_id=1,
                    chat_id=1,
                    chat_type="private",
                    text=text,
                    answered=answered,
                    passage_ids=[3, 4] if answered else [],
                    latency_ms=5.0,
                    lang="zh",
                )
            )
        logged = await querylog.get_question(db, ids[0])
        assert logged is not None and logged.shown == 2 and logged.text == "什么是AIGC"
        await querylog.mark_shown(db, ids[0], 5)
        assert (await querylog.get_question(db, ids[0])).shown == 5  # type: ignore[union-attr]
        assert await querylog.record_feedback(db, ids[0], 7, 1)
        assert await querylog.record_feedback(db, ids[0], 7, -1)  # changed mind: replaces
        assert await querylog.record_feedback(db, ids[1], 8, 1)
        assert not await querylog.record_feedback(db, 999, 7, 1)
        stats = await querylog.stats(db)
        assert stats.today == 3 and stats.week == 3
        assert abs(stats.unanswered_rate_week - 1 / 3) < 1e-9
        assert stats.top_questions[0] == ("什么是AIGC", 2), "counted case-insensitively, shown as asked"
        assert stats.top_unanswered == [("天气", 1)]
        assert (stats.helpful, stats.unhelpful) == (1, 1)


async def test_database_from_the_first_schema_is_upgraded(tmp_path: Path) -> None:
    import sqlite3

    path = tmp_path / "old.sqlite3"
    with sqlite3.connect(path) as conn:  # the schema as first released: no subheadings column
        conn.executescript(
            "CREATE TABLE schema_migrations (name TEXT PRIMARY KEY, applied_at TEXT);"
            + MIGRATIONS[0][1].replace("subheadings TEXT NOT NULL DEFAULT '',", "")
            + "INSERT INTO schema_migrations(name) VALUES ('0001_knowledge_base');"
        )
    async with await Database.open(path) as db:
        columns = {row[1] for row in await db.fetchall("PRAGMA table_info(chunks)")}
        assert "subheadings" in columns
        assert await db.fetchone("SELECT 1 FROM sqlite_master WHERE name = 'questions'") is not None
