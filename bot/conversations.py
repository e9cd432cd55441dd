"""Conversation context in SQLite: the last turn of each chat, forgotten after a TTL.

Keys: a private chat's id; in groups "chat:user", so two members' threads never mix.
A turn is stored as the text its owner encoded: this table knows nothing of its shape.
"""

from __future__ import annotations

import time

from bot.store import Database


async def load(db: Database, key: str, ttl_seconds: float, now: float | None = None) -> str | None:
    """The conversation's last turn as stored, or None if there is none or it is older than the TTL."""
    row = await db.fetchone("SELECT turn, updated_at FROM conversations WHERE key = ?", (key,))
    if row is None:
        return None
    if (now if now is not None else time.time()) - float(row[1]) > ttl_seconds:
        return None
    return str(row[0])


async def save(db: Database, key: str, turn: str, now: float | None = None) -> None:
    async with db.transaction() as conn:
        await conn.execute(
            "INSERT INTO conversations(key, turn, updated_at) VALUES (?, ?, ?)"
            " ON CONFLICT(key) DO UPDATE SET turn = excluded.turn, updated_at = excluded.updated_at",
            (key, turn, now if now is not None else time.time()),
        )


async def clear(db: Database, key: str) -> None:
    async with db.transaction() as conn:
        await conn.execute("DELETE FROM conversations WHERE key = ?", (key,))
