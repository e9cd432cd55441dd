"""The snapshot served: memory-mapped from the copy kept beside the database when there
is one (`bot.snapshot_files`), else built from the database's chunks and kept for the
next start. The indexer names each rewrite of the chunks with a new CHUNKS_ID, so a kept
copy is read only for the chunks it was built from.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from bot import snapshot_files
from bot.kb.model import ArticleInfo, Passage, Snapshot
from bot.kb.readers import DOCUMENT_SUFFIXES
from bot.records import ArticleRow
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


# The chunk columns in `Passage.to_row` order.
_PASSAGE_COLUMNS = (
    "SELECT c.id, a.path, a.article_id, a.title, a.url, c.heading, c.text, c.tokens,"
    " c.subheadings, c.layout, c.kind FROM chunks c JOIN articles a ON a.id = c.article"
)


async def build_snapshot(db: Database) -> Snapshot:
    """Build a snapshot from the chunks stored in the database."""
    rows = await db.fetchall(f"{_PASSAGE_COLUMNS} ORDER BY a.path, c.ord")
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


async def passages_of(db: Database, article_path: str) -> list[Passage]:
    """An article's passages as indexed, in order."""
    rows = await db.fetchall(f"{_PASSAGE_COLUMNS} WHERE a.path = ? ORDER BY c.ord", (article_path,))
    return [Passage.from_row(r) for r in rows]


async def passages_by_id(db: Database, ids: Sequence[int]) -> list[Passage]:
    """The passages with these ids that are still indexed, in the order asked."""
    if not ids:
        return []
    marks = ",".join("?" * len(ids))
    rows = await db.fetchall(f"{_PASSAGE_COLUMNS} WHERE c.id IN ({marks})", tuple(ids))
    found = {int(r[0]): Passage.from_row(r) for r in rows}
    return [found[i] for i in ids if i in found]


async def passages_with(db: Database, text: str, limit: int = 50) -> list[Passage]:
    """Passages whose text contains `text` (case-insensitive for Latin letters)."""
    pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    rows = await db.fetchall(
        f"{_PASSAGE_COLUMNS} WHERE c.text LIKE ? ESCAPE '\\' ORDER BY a.path, c.ord LIMIT ?", (pattern, limit)
    )
    return [Passage.from_row(r) for r in rows]


async def article_rows(db: Database) -> list[ArticleRow]:
    """Every indexed article with its passage count and kind."""
    rows = await db.fetchall(
        "SELECT a.path, a.title, a.url, a.date, count(c.id), coalesce(sum(c.kind = 'course'), 0)"
        " FROM articles a LEFT JOIN chunks c ON c.article = a.id GROUP BY a.id ORDER BY a.path"
    )
    out = []
    for path, title, url, date, passages, course in rows:
        if str(path).lower().endswith(DOCUMENT_SUFFIXES):
            kind = "document"
        else:
            kind = "course" if passages and course * 2 > passages else "article"
        out.append(ArticleRow(str(path), str(title), url, date, int(passages), kind))
    return out
