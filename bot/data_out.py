"""Data out of SQLite: exports of the question log, online backups, retention, rebuilds.

Operators own their data: the questions (what to write next), the unanswered ones and
the feedback can be exported as CSV or JSON lines; the database can be copied while the
bot runs (SQLite's online backup API); old question rows can be purged; and the
knowledge tables can be rebuilt without touching the logs.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Literal, TextIO

from bot.errors import ConfigError
from bot.store import Database

ExportKind = Literal["questions", "unanswered", "feedback"]
EXPORT_KINDS: tuple[ExportKind, ...] = ("questions", "unanswered", "feedback")

_QUESTIONS = (
    "SELECT id, asked_at, user_id, chat_id, chat_type, text, answered, latency_ms, lang FROM questions"
    " WHERE asked_at >= ? {extra} ORDER BY asked_at"
)
_SQL: dict[ExportKind, str] = {
    "questions": _QUESTIONS.format(extra=""),
    "unanswered": _QUESTIONS.format(extra="AND answered = 0"),
    "feedback": "SELECT f.question, f.given_at, f.user_id, f.value, q.text FROM feedback f"
    " JOIN questions q ON q.id = f.question WHERE f.given_at >= ? ORDER BY f.given_at",
}


def parse_since(value: str | None) -> str:
    """A date (YYYY-MM-DD) as the timestamp prefix the log stores; "" for everything."""
    if not value:
        return ""
    try:
        return dt.date.fromisoformat(value).isoformat()
    except ValueError:
        raise ConfigError(f"--since must be a date like 2026-01-31, not {value!r}") from None


async def export_rows(
    db: Database, kind: ExportKind, since: str = ""
) -> tuple[list[str], list[Sequence[object]]]:
    async with db.conn.execute(_SQL[kind], (since,)) as cursor:
        columns = [c[0] for c in cursor.description]
        rows: list[Sequence[object]] = [tuple(r) for r in await cursor.fetchall()]
    return columns, rows


def write_rows(columns: list[str], rows: list[Sequence[object]], fmt: str, out: TextIO) -> None:
    if fmt == "jsonl":
        for row in rows:
            out.write(json.dumps(dict(zip(columns, row, strict=True)), ensure_ascii=False) + "\n")
        return
    writer = csv.writer(out)
    writer.writerow(columns)
    writer.writerows(rows)


async def backup(db: Database, target: Path) -> None:
    """A consistent copy of the live database (SQLite's online backup API)."""
    import aiosqlite

    if target.exists():
        raise ConfigError(f"{target} exists; choose a new file for the backup")
    target.parent.mkdir(parents=True, exist_ok=True)
    async with aiosqlite.connect(target) as copy:
        await db.conn.backup(copy)


async def purge_questions(db: Database, days: int) -> int:
    """Delete question rows (and their feedback) older than `days`; returns how many."""
    async with db.transaction() as conn:
        cursor = await conn.execute(
            "DELETE FROM questions WHERE asked_at < strftime('%Y-%m-%dT%H:%M:%f', 'now', ?)",
            (f"-{days} days",),
        )
        return cursor.rowcount


async def drop_knowledge(db: Database) -> None:
    """Empty the knowledge tables for a full rebuild; the question log stays."""
    async with db.transaction() as conn:
        await conn.execute("DELETE FROM chunks")
        await conn.execute("DELETE FROM articles")  # blocks go with them (ON DELETE CASCADE)
        await conn.execute("DELETE FROM meta WHERE key = 'chunk_signature'")
