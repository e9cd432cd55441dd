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
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Literal, TextIO

from bot.errors import ConfigError
from bot.store import Database

ExportKind = Literal["questions", "unanswered", "feedback"]
EXPORT_KINDS: tuple[ExportKind, ...] = ("questions", "unanswered", "feedback")

_QUESTIONS = (
    "SELECT id, asked_at, user_id, chat_id, chat_type, text, answered, latency_ms, lang FROM questions"
    " WHERE asked_at >= :since AND (:until = '' OR asked_at < :until) {extra} ORDER BY asked_at"
)
_SQL: dict[ExportKind, str] = {
    "questions": _QUESTIONS.format(extra=""),
    "unanswered": _QUESTIONS.format(extra="AND answered = 0"),
    "feedback": "SELECT f.question, f.given_at, f.user_id, f.value, q.text FROM feedback f"
    " JOIN questions q ON q.id = f.question"
    " WHERE f.given_at >= :since AND (:until = '' OR f.given_at < :until) ORDER BY f.given_at",
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
    db: Database, kind: ExportKind, since: str = "", until: str = ""
) -> tuple[list[str], list[Sequence[object]]]:
    """Rows from `since` until before `until` (dates; "" for no bound)."""
    async with db.conn.execute(_SQL[kind], {"since": since, "until": until}) as cursor:
        columns = [c[0] for c in cursor.description]
        rows: list[Sequence[object]] = [tuple(r) for r in await cursor.fetchall()]
    return columns, rows


# A cell a spreadsheet would run as a formula (OWASP's CSV injection rule).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> object:
    """A CSV cell that a spreadsheet shows as text: one starting with =, +, -, @, tab or
    CR gets a leading apostrophe ("=HYPERLINK(…)" -> "'=HYPERLINK(…)"). Numbers stay."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def write_rows(columns: list[str], rows: list[Sequence[object]], fmt: str, out: TextIO) -> None:
    if fmt == "jsonl":  # data, not a sheet: exactly as stored
        for row in rows:
            out.write(json.dumps(dict(zip(columns, row, strict=True)), ensure_ascii=False) + "\n")
        return
    writer = csv.writer(out)
    writer.writerow(columns)
    writer.writerows([safe_cell(v) for v in row] for row in rows)


def check_target(target: Path, database: Path, force: bool) -> None:
    """ConfigError unless `target` may be written: never the database, its journal or
    its index folder, never through a link, and nothing that exists unless `force`."""
    if target.is_symlink():
        raise ConfigError(f"{target} is a link; give the real path")
    resolved = target.resolve()
    base = database.resolve()
    protected = [base, *(base.with_name(base.name + suffix) for suffix in ("-wal", "-shm", "-journal"))]
    index = base.with_name(base.name + ".index")
    if resolved in protected or resolved == index or resolved.is_relative_to(index):
        raise ConfigError(f"{target} is the live database or its files; choose another path")
    if target.exists() and not force:
        raise ConfigError(f"{target} exists; add --force to replace it")


async def backup(db: Database, target: Path, force: bool = False) -> None:
    """A consistent copy of the live database (SQLite's online backup API), written
    beside the target and moved into place, so a failed backup leaves no half file."""
    import aiosqlite

    check_target(target, db.path, force)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.partial")
    partial.unlink(missing_ok=True)
    try:
        async with aiosqlite.connect(partial) as copy:
            await db.conn.backup(copy)
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)


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
