from pathlib import Path

import pytest

from bot.errors import StorageError
from bot.store import MIGRATIONS, Database


async def test_migrations_apply_once(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "sub" / "db.sqlite3")
    try:
        assert await db.migrate() == []  # already applied by open()
        names = [r[0] for r in await db.fetchall("SELECT name FROM schema_migrations ORDER BY name")]
        assert names == [name for name, _ in MIGRATIONS]
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
