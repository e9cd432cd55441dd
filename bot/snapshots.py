"""The snapshot served: memory-mapped from the copy kept beside the database when there
is one (`bot.snapshot_files`), else built from the database's chunks and kept for the
next start. The indexer names each rewrite of the chunks with a new CHUNKS_ID, so a kept
copy is read only for the chunks it was built from.
"""

from __future__ import annotations

import asyncio

from bot import snapshot_files
from bot.kb.model import ArticleInfo, Passage, Snapshot
from bot.store import Database

CHUNKS_ID = "chunks_id"


async def load_snapshot(db: Database) -> Snapshot:
    """The snapshot of the chunks stored in the database: memory-mapped from the
    copy kept beside it when there is one, else built (and kept for next time)."""
    folder = snapshot_files.folder_for(db.path)
    chunks_id = await db.get_meta(CHUNKS_ID)
    if folder is None or chunks_id is None:
        return await build_snapshot(db)
    key = snapshot_files.key_for(chunks_id)
    stored = await asyncio.to_thread(snapshot_files.read, folder, key)
    row = await db.fetchone("SELECT count(*) FROM chunks")
    if stored is not None and row is not None and len(stored.passages) == int(row[0]):
        return stored
    built = await build_snapshot(db)
    written = await asyncio.to_thread(snapshot_files.write, built, folder, key)
    # Serve the mapped copy: the built one holds every token in memory (a gigabyte at 100k).
    mapped = await asyncio.to_thread(snapshot_files.read, folder, key) if written else None
    return mapped or built


async def build_snapshot(db: Database) -> Snapshot:
    """Build a snapshot from the chunks stored in the database."""
    rows = await db.fetchall(
        "SELECT c.id, a.path, a.article_id, a.title, a.url, c.heading, c.text, c.tokens,"
        " c.subheadings, c.layout, c.kind"
        " FROM chunks c JOIN articles a ON a.id = c.article ORDER BY a.path, c.ord"
    )
    # One string object per distinct token (a few hundred thousand), not one per
    # occurrence (tens of millions at 100k passages): about a gigabyte less.
    tokens: dict[str, str] = {}
    intern = tokens.setdefault
    passages = [Passage.from_row(r, intern) for r in rows]
    articles = [
        ArticleInfo(r[0], r[1], r[2], r[3])
        for r in await db.fetchall("SELECT path, article_id, title, url FROM articles ORDER BY path")
    ]
    return await asyncio.to_thread(Snapshot.build, passages, articles)
