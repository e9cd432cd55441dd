"""SQLite storage through aiosqlite: schema migrations and the knowledge-base tables.

Migrations are named, ordered and recorded in `schema_migrations`; applying them twice
is a no-op. The connection runs in WAL mode so readers never block the single writer.
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
import time
from collections.abc import AsyncIterator, Sequence
from pathlib import Path
from types import TracebackType

import aiosqlite

from bot.errors import StorageError
from bot.writelock import exclusive

# (name, SQL script[, query that returns a row when the change is already there])
MIGRATIONS: tuple[tuple[str, ...], ...] = (
    (
        "0001_knowledge_base",
        """
        CREATE TABLE articles (
            id INTEGER PRIMARY KEY,
            path TEXT NOT NULL UNIQUE,
            article_id TEXT NOT NULL,
            title TEXT NOT NULL,
            url TEXT,
            date TEXT,
            tags TEXT NOT NULL DEFAULT '',
            content_hash TEXT NOT NULL,
            size INTEGER NOT NULL,
            mtime_ns INTEGER NOT NULL,
            tokenizer TEXT NOT NULL,
            title_tokens TEXT NOT NULL DEFAULT '',
            indexed_at TEXT NOT NULL DEFAULT (datetime('now'))
        );
        CREATE TABLE blocks (
            article INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
            ord INTEGER NOT NULL,
            kind TEXT NOT NULL,
            level INTEGER NOT NULL,
            text TEXT NOT NULL,
            tokens TEXT NOT NULL,
            PRIMARY KEY (article, ord)
        ) WITHOUT ROWID;
        CREATE TABLE chunks (
            id INTEGER PRIMARY KEY,
            article INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
            ord INTEGER NOT NULL,
            heading TEXT NOT NULL,
            text TEXT NOT NULL,
            tokens TEXT NOT NULL
        );
        CREATE INDEX chunks_article ON chunks(article, ord);
        CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        """,
    ),
    (
        "0002_question_log",
        """
        CREATE TABLE questions (
            id INTEGER PRIMARY KEY,
            asked_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%f', 'now')),
            user_id INTEGER,
            chat_id INTEGER,
            chat_type TEXT NOT NULL,
            text TEXT NOT NULL,
            answered INTEGER NOT NULL,
            passages TEXT NOT NULL DEFAULT '[]',
            shown INTEGER NOT NULL DEFAULT 0,
            latency_ms REAL NOT NULL DEFAULT 0,
            lang TEXT NOT NULL DEFAULT 'zh'
        );
        CREATE INDEX questions_asked_at ON questions(asked_at);
        CREATE TABLE feedback (
            question INTEGER NOT NULL REFERENCES questions(id) ON DELETE CASCADE,
            user_id INTEGER NOT NULL,
            value INTEGER NOT NULL CHECK (value IN (-1, 1)),
            given_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%f', 'now')),
            PRIMARY KEY (question, user_id)
        );
        CREATE TABLE reloads (
            id INTEGER PRIMARY KEY,
            started_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%f', 'now')),
            user_id INTEGER,
            ok INTEGER NOT NULL,
            report TEXT NOT NULL,
            seconds REAL NOT NULL
        );
        """,
    ),
    (
        "0003_chunk_subheadings",
        "ALTER TABLE chunks ADD COLUMN subheadings TEXT NOT NULL DEFAULT '';",
        # databases built by an early development version already have the column
        "SELECT 1 FROM pragma_table_info('chunks') WHERE name = 'subheadings'",
    ),
    (
        "0004_chunk_layout_kind",
        # layout: each line's block and kind, for whole lists; kind: content or course
        "ALTER TABLE chunks ADD COLUMN layout TEXT NOT NULL DEFAULT '';"
        " ALTER TABLE chunks ADD COLUMN kind TEXT NOT NULL DEFAULT 'content';",
    ),
    (
        "0005_conversations",
        # the last turn of each conversation (a private chat, or a user in a group)
        "CREATE TABLE conversations (key TEXT PRIMARY KEY, turn TEXT NOT NULL, updated_at REAL NOT NULL);",
    ),
    (
        "0006_question_answer",
        # the answer as the user read it: a 👎 is reviewed against what was shown, not
        # against what today's index would answer
        "ALTER TABLE questions ADD COLUMN answer TEXT NOT NULL DEFAULT '';",
    ),
)


async def _wal(conn: aiosqlite.Connection, wait_ms: float) -> None:
    """Switch to WAL. SQLite does not wait on its busy handler for this switch when
    another process is creating the same database, so "locked" is retried here."""
    deadline = time.monotonic() + wait_ms / 1000
    while True:
        try:
            await conn.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() >= deadline:
                raise
            await asyncio.sleep(0.05)


def _statements(script: str) -> list[str]:
    """A migration's statements, one by one (executescript would commit first)."""
    out: list[str] = []
    current = ""
    for piece in script.split(";"):
        current += piece + ";"
        if sqlite3.complete_statement(current):
            if current.strip(" \n\t;"):
                out.append(current.strip())
            current = ""
    return out


class Database:
    """An open aiosqlite connection with the schema migrated. Use `await Database.open()`.

    The one owner of writes: every write goes through `transaction()`, which holds a
    lock for its whole duration, so a question logged while a reload writes can neither
    commit half of the reload nor be rolled back with it. sqlite errors become
    StorageError here, in one place.
    """

    def __init__(self, conn: aiosqlite.Connection, path: Path) -> None:
        self.conn = conn
        self.path = path
        self._write_lock = asyncio.Lock()

    @contextlib.asynccontextmanager
    async def transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        """BEGIN IMMEDIATE ... COMMIT, or ROLLBACK on any error (also cancellation)."""
        async with self._write_lock:
            try:
                await self.conn.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as exc:
                raise StorageError(f"database {self.path}: {exc}") from exc
            try:
                yield self.conn
                await self.conn.commit()
            except BaseException as exc:
                with contextlib.suppress(sqlite3.Error):
                    await asyncio.shield(self.conn.rollback())
                if isinstance(exc, sqlite3.Error):
                    raise StorageError(f"database {self.path}: {exc}") from exc
                raise

    @classmethod
    async def open(cls, path: Path, busy_timeout_ms: int = 5000) -> Database:
        """Open (creating folder and file if needed) and migrate; StorageError if unusable."""
        if path.is_dir():  # checked here: sqlite's own error would leave a thread behind
            raise StorageError(f"cannot open database {path}: it is a folder")
        try:
            if str(path) != ":memory:":
                path.parent.mkdir(parents=True, exist_ok=True)
            conn = await aiosqlite.connect(path)
        except (OSError, sqlite3.Error) as exc:
            raise StorageError(f"cannot open database {path}: {exc}") from exc
        db = cls(conn, path)
        # Two processes setting up one new database at once: SQLite answers one of them
        # "locked" without waiting while the journal mode changes, so setup takes turns.
        setup = exclusive(
            None if str(path) == ":memory:" else path.with_name(path.name + ".setup.lock"),
            "another process is setting up the database",
            busy_timeout_ms / 1000,
        )
        try:
            await asyncio.to_thread(setup.__enter__)
        except BaseException:
            await conn.close()
            raise
        try:
            await conn.execute("PRAGMA foreign_keys = ON")
            # Another process holding the lock is waited for this long, then it is an error.
            await conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
            await _wal(conn, busy_timeout_ms)
            await db.migrate()
        except sqlite3.Error as exc:
            await conn.close()
            raise StorageError(f"cannot use database {path}: {exc}") from exc
        finally:
            await asyncio.to_thread(setup.__exit__, None, None, None)
        return db

    async def close(self) -> None:
        await self.conn.close()

    async def __aenter__(self) -> Database:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()

    async def migrate(self) -> list[str]:
        """Apply pending migrations in order; returns the names applied now."""
        await self.conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations ("
            " name TEXT PRIMARY KEY, applied_at TEXT NOT NULL DEFAULT (datetime('now')))"
        )
        async with self.conn.execute("SELECT name FROM schema_migrations") as cursor:
            done = {row[0] async for row in cursor}
        applied = []
        for name, sql, *already in MIGRATIONS:
            if name in done:
                continue
            # One process migrates at a time (two fresh `index` at once): the other waits
            # for the write lock, then finds the migration applied.
            await self.conn.execute("BEGIN IMMEDIATE")
            try:
                if await self.fetchone("SELECT 1 FROM schema_migrations WHERE name = ?", (name,)) is None:
                    if not (already and await self.fetchone(already[0]) is not None):
                        for statement in _statements(sql):
                            await self.conn.execute(statement)
                    await self.conn.execute("INSERT INTO schema_migrations(name) VALUES (?)", (name,))
                    applied.append(name)
                await self.conn.execute("COMMIT")
            except BaseException:
                await self.conn.execute("ROLLBACK")
                raise
        return applied

    async def fetchall(self, sql: str, params: Sequence[object] = ()) -> list[sqlite3.Row]:
        try:
            async with self.conn.execute(sql, params) as cursor:
                return list(await cursor.fetchall())
        except sqlite3.Error as exc:
            raise StorageError(f"database {self.path}: {exc}") from exc

    async def fetchone(self, sql: str, params: Sequence[object] = ()) -> sqlite3.Row | None:
        try:
            async with self.conn.execute(sql, params) as cursor:
                return await cursor.fetchone()
        except sqlite3.Error as exc:
            raise StorageError(f"database {self.path}: {exc}") from exc

    async def get_meta(self, key: str) -> str | None:
        row = await self.fetchone("SELECT value FROM meta WHERE key = ?", (key,))
        return None if row is None else str(row[0])

    async def set_meta(self, key: str, value: str) -> None:
        async with self.transaction() as conn:
            await put_meta(conn, key, value)


async def put_meta(conn: aiosqlite.Connection, key: str, value: str) -> None:
    """Set one meta value inside a transaction the caller holds."""
    await conn.execute(
        "INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        (key, value),
    )
