"""Conversation context in SQLite: the last turn of each chat, forgotten after a TTL.

Keys: a private chat's id; in groups "chat:user", so two members' threads never mix.
"""

from __future__ import annotations

import json
import time

from bot.kb.followup import Turn
from bot.store import Database


async def load(db: Database, key: str, ttl_seconds: float, now: float | None = None) -> Turn | None:
    """The conversation's last turn, or None if there is none or it is older than the TTL."""
    row = await db.fetchone("SELECT turn, updated_at FROM conversations WHERE key = ?", (key,))
    if row is None:
        return None
    if (now if now is not None else time.time()) - float(row[1]) > ttl_seconds:
        return None
    try:
        return Turn.from_json(str(row[0]))
    except (ValueError, KeyError, TypeError, json.JSONDecodeError):
        return None  # written by another version: start afresh


async def save(db: Database, key: str, turn: Turn, now: float | None = None) -> None:
    async with db.transaction() as conn:
        await conn.execute(
            "INSERT INTO conversations(key, turn, updated_at) VALUES (?, ?, ?)"
            " ON CONFLICT(key) DO UPDATE SET turn = excluded.turn, updated_at = excluded.updated_at",
            (key, turn.to_json(), now if now is not None else time.time()),
        )


async def clear(db: Database, key: str) -> None:
    async with db.transaction() as conn:
        await conn.execute("DELETE FROM conversations WHERE key = ?", (key,))
