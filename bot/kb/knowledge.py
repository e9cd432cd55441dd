"""Build and refresh the knowledge base: files -> SQLite (articles, blocks, chunks) -> index.

Only new or changed files are parsed and tokenised; their blocks' tokens are stored, so
re-chunking after a change elsewhere (boilerplate shared across articles) re-tokenises
nothing. The in-memory `Snapshot` is immutable: a reload builds a new one and swaps it.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import sqlite3
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from bot.errors import ArticleError, StorageError
from bot.kb.bm25 import BM25Index
from bot.kb.boilerplate import find_boilerplate
from bot.kb.chunking import Chunker, ChunkSpec
from bot.kb.cleaning import Block, clean_markdown
from bot.kb.course import is_course
from bot.kb.ingest import RawArticle, list_article_files, read_article
from bot.kb.tokenizer import Tokenizer
from bot.store import Database

log = logging.getLogger(__name__)

BOILERPLATE_VERSION = "3"
PassageKind = Literal["content", "course"]


@dataclass(frozen=True)
class Passage:
    """A chunk as served: its text, where it comes from, and its index tokens."""

    id: int
    article_path: str
    article_id: str
    title: str
    url: str | None
    heading: str
    text: str
    tokens: tuple[str, ...]
    subheadings: tuple[str, ...] = ()  # headings inside the passage (merged sections)
    # One entry per text line, "<block ord><h|t|i><level>", so the answer composer can
    # rebuild the article's outline (whole lists across chunk boundaries).
    layout: str = ""
    kind: PassageKind = "content"


@dataclass(frozen=True)
class ArticleInfo:
    path: str
    article_id: str
    title: str
    url: str | None


@dataclass(frozen=True)
class Snapshot:
    """An immutable, searchable state of the knowledge base."""

    passages: tuple[Passage, ...]
    articles: tuple[ArticleInfo, ...]
    index: BM25Index
    # Passages of one article are contiguous: article path -> their positions.
    article_ranges: dict[str, range] = field(default_factory=dict, compare=False)

    @classmethod
    def build(cls, passages: Sequence[Passage], articles: Sequence[ArticleInfo]) -> Snapshot:
        ranges: dict[str, range] = {}
        start = 0
        for position in range(1, len(passages) + 1):
            if position == len(passages) or passages[position].article_path != passages[start].article_path:
                ranges[passages[start].article_path] = range(start, position)
                start = position
        return cls(tuple(passages), tuple(articles), BM25Index([p.tokens for p in passages]), ranges)


@dataclass
class IndexReport:
    """What a refresh did, for the CLI and the admins' /reload reply."""

    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)
    articles: int = 0
    chunks: int = 0
    promo_blocks: int = 0
    duplicate_blocks: int = 0
    rechunked: bool = False
    seconds: float = 0.0

    @property
    def modified(self) -> bool:
        return bool(self.added or self.changed or self.removed)

    def lines(self) -> list[str]:
        out = [
            f"articles: {self.articles} ({len(self.added)} added, {len(self.changed)} changed, "
            f"{len(self.removed)} removed, {self.unchanged} unchanged, {len(self.skipped)} skipped)",
            f"passages: {self.chunks}"
            + (
                f" (dropped {self.promo_blocks} promotional and {self.duplicate_blocks} duplicate blocks)"
                if self.rechunked
                else ""
            ),
        ]
        for label, paths in (("added", self.added), ("changed", self.changed), ("removed", self.removed)):
            out += [f"  {label}: {p}" for p in paths]
        out += [f"  skipped: {path}: {reason}" for path, reason in self.skipped]
        out.append(f"time: {self.seconds:.2f} s")
        return out


@dataclass
class _Parsed:
    raw: RawArticle
    size: int
    mtime_ns: int
    blocks: list[Block]
    tokens: list[list[str]]
    title_tokens: list[str]


class KnowledgeIndexer:
    """Keeps the database in step with the knowledge folder and loads snapshots from it."""

    def __init__(
        self,
        db: Database,
        knowledge_dir: Path,
        tokenizer: Tokenizer,
        chunker: Chunker | None = None,
        *,
        exclude: Sequence[Path] = (),
    ) -> None:
        self.db = db
        self.knowledge_dir = knowledge_dir
        self.tokenizer = tokenizer
        self.chunker = chunker or Chunker()
        self.exclude = tuple(exclude)

    @property
    def chunk_signature(self) -> str:
        return (
            f"{BOILERPLATE_VERSION}:{self.chunker.max_chars}:{self.chunker.min_chars}:"
            f"{self.tokenizer.signature}"
        )

    async def refresh(self, current: Snapshot | None = None) -> tuple[Snapshot, IndexReport]:
        """Bring the database up to date with the folder and return a snapshot of it.

        When nothing changed, `current` (the snapshot in use, built by this same
        configuration) is returned as it is: an unchanged reload costs a directory scan.
        A database failure rolls back and raises StorageError; the caller keeps `current`.
        """
        try:
            return await self._refresh(current)
        except sqlite3.Error as exc:
            with contextlib.suppress(sqlite3.Error):
                await self.db.conn.rollback()
            raise StorageError(f"database {self.db.path}: {exc}") from exc

    async def _refresh(self, current: Snapshot | None) -> tuple[Snapshot, IndexReport]:
        started = time.perf_counter()
        report = IndexReport()
        if not self.knowledge_dir.is_dir():
            raise ArticleError(f"knowledge folder {self.knowledge_dir} does not exist")
        files = await asyncio.to_thread(list_article_files, self.knowledge_dir, self.exclude)
        stored: dict[str, Sequence[object]] = {
            str(row[0]): tuple(row)
            for row in await self.db.fetchall(
                "SELECT path, content_hash, size, mtime_ns, tokenizer, id FROM articles"
            )
        }
        parsed, unchanged, skipped, touched = await asyncio.to_thread(self._scan, files, stored)
        report.unchanged = len(unchanged)
        report.skipped = skipped
        present = {p.raw.path for p in parsed} | set(unchanged)
        removed = [path for path in stored if path not in present]
        conn = self.db.conn
        for path in removed:
            await conn.execute("DELETE FROM articles WHERE path = ?", (path,))
        report.removed = sorted(removed)
        for item in parsed:
            (report.changed if item.raw.path in stored else report.added).append(item.raw.path)
            await self._write_article(item, stored.get(item.raw.path))
        for path, mtime_ns in touched:
            await conn.execute("UPDATE articles SET mtime_ns = ? WHERE path = ?", (mtime_ns, path))

        signature = await self.db.get_meta("chunk_signature")
        rechunk = report.modified or signature != self.chunk_signature
        if rechunk:
            await self._rechunk(report)
            await self.db.set_meta("chunk_signature", self.chunk_signature)
        await conn.commit()

        snapshot = current if current is not None and not rechunk else await self.load()
        report.articles = len(snapshot.articles)
        report.chunks = len(snapshot.passages)
        report.seconds = time.perf_counter() - started
        return snapshot, report

    def _scan(
        self, files: Sequence[Path], stored: dict[str, Sequence[object]]
    ) -> tuple[list[_Parsed], list[str], list[tuple[str, str]], list[tuple[str, int]]]:
        """Runs in a worker thread: stat, read, parse and tokenise what changed."""
        parsed: list[_Parsed] = []
        unchanged: list[str] = []
        skipped: list[tuple[str, str]] = []
        touched: list[tuple[str, int]] = []
        seen_hashes: dict[str, str] = {}
        for path in files:
            rel = path.relative_to(self.knowledge_dir).as_posix()
            row = stored.get(rel)
            try:
                stat = path.stat()
                if (
                    row is not None
                    and row[2] == stat.st_size
                    and row[3] == stat.st_mtime_ns
                    and row[4] == self.tokenizer.signature
                ):
                    unchanged.append(rel)
                    seen_hashes.setdefault(str(row[1]), rel)
                    continue
                raw = read_article(path, self.knowledge_dir)
            except ArticleError as exc:
                skipped.append((rel, str(exc)))
                continue
            except FileNotFoundError:
                skipped.append((rel, "file disappeared while indexing"))
                continue
            except OSError as exc:
                skipped.append((rel, f"cannot read ({exc.strerror or exc})"))
                continue
            if raw.content_hash in seen_hashes:
                skipped.append((rel, f"same content as {seen_hashes[raw.content_hash]}"))
                continue
            seen_hashes[raw.content_hash] = rel
            if row is not None and row[1] == raw.content_hash and row[4] == self.tokenizer.signature:
                unchanged.append(rel)
                touched.append((rel, stat.st_mtime_ns))
                continue
            blocks = clean_markdown(raw.body)
            if not any(b.kind != "heading" for b in blocks):
                skipped.append((rel, "no text left after cleaning"))
                continue
            parsed.append(
                _Parsed(
                    raw=raw,
                    size=stat.st_size,
                    mtime_ns=stat.st_mtime_ns,
                    blocks=blocks,
                    tokens=self.tokenizer.tokens_many(b.text for b in blocks),
                    title_tokens=self.tokenizer.tokens(raw.title),
                )
            )
        return parsed, unchanged, skipped, touched

    async def _write_article(self, item: _Parsed, row: Sequence[object] | None) -> None:
        raw = item.raw
        conn = self.db.conn
        if row is not None:
            await conn.execute("DELETE FROM articles WHERE id = ?", (row[5],))
        cursor = await conn.execute(
            "INSERT INTO articles(path, article_id, title, url, date, tags, content_hash, size,"
            " mtime_ns, tokenizer, title_tokens) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            (
                raw.path,
                raw.article_id,
                raw.title,
                raw.url,
                raw.date,
                json.dumps(list(raw.tags), ensure_ascii=False),
                raw.content_hash,
                item.size,
                item.mtime_ns,
                self.tokenizer.signature,
                " ".join(item.title_tokens),
            ),
        )
        article = cursor.lastrowid
        await conn.executemany(
            "INSERT INTO blocks(article, ord, kind, level, text, tokens) VALUES (?,?,?,?,?,?)",
            [
                (article, ord_, b.kind, b.level, b.text, " ".join(toks))
                for ord_, (b, toks) in enumerate(zip(item.blocks, item.tokens, strict=True))
            ],
        )

    async def _rechunk(self, report: IndexReport) -> None:
        """Rebuild every passage from stored blocks: boilerplate is a corpus-wide property."""
        articles = await self.db.fetchall("SELECT id, title_tokens FROM articles ORDER BY path")
        rows = await self.db.fetchall(
            "SELECT b.article, b.kind, b.level, b.text, b.tokens FROM blocks b"
            " JOIN articles a ON a.id = b.article ORDER BY a.path, b.ord"
        )
        blocks: dict[int, list[Block]] = {int(a[0]): [] for a in articles}
        tokens: dict[int, list[list[str]]] = {int(a[0]): [] for a in articles}
        for article, kind, level, text, toks in rows:
            blocks[article].append(Block(kind, text, level))
            tokens[article].append(toks.split())
        order = [int(a[0]) for a in articles]
        drops, stats = await asyncio.to_thread(
            find_boilerplate, [blocks[a] for a in order], self.tokenizer.vocab.promo_markers
        )
        report.promo_blocks, report.duplicate_blocks, report.rechunked = (
            stats.promo_blocks,
            stats.duplicate_blocks,
            True,
        )
        out: list[tuple[object, ...]] = []
        markers = self.tokenizer.vocab.course_markers
        for (article, title_tokens), drop in zip(articles, drops, strict=True):
            specs = self.chunker.chunk(blocks[article], [not d for d in drop])
            for ord_, spec in enumerate(specs):
                out.append(
                    _render_chunk(
                        article, ord_, spec, blocks[article], tokens[article], title_tokens, markers
                    )
                )
        await self.db.conn.execute("DELETE FROM chunks")
        await self.db.executemany(
            "INSERT INTO chunks(article, ord, heading, subheadings, text, tokens, layout, kind)"
            " VALUES (?,?,?,?,?,?,?,?)",
            out,
        )

    async def load(self) -> Snapshot:
        """Build a snapshot from the chunks stored in the database."""
        rows = await self.db.fetchall(
            "SELECT c.id, a.path, a.article_id, a.title, a.url, c.heading, c.text, c.tokens,"
            " c.subheadings, c.layout, c.kind"
            " FROM chunks c JOIN articles a ON a.id = c.article ORDER BY a.path, c.ord"
        )
        passages = [
            Passage(
                int(r[0]),
                r[1],
                r[2],
                r[3],
                r[4],
                r[5],
                r[6],
                tuple(r[7].split()),
                tuple(h for h in r[8].split("\n") if h),
                r[9],
                "course" if r[10] == "course" else "content",
            )
            for r in rows
        ]
        articles = [
            ArticleInfo(r[0], r[1], r[2], r[3])
            for r in await self.db.fetchall("SELECT path, article_id, title, url FROM articles ORDER BY path")
        ]
        return await asyncio.to_thread(Snapshot.build, passages, articles)


def _render_chunk(
    article: int,
    ord_: int,
    spec: ChunkSpec,
    blocks: Sequence[Block],
    tokens: Sequence[Sequence[str]],
    title_tokens: str,
    course_markers: Sequence[str] = (),
) -> tuple[object, ...]:
    lines = []
    layout = []
    for block_id in spec.block_ids:
        block = blocks[block_id]
        lines.append(f"• {block.text}" if block.kind == "item" else block.text)
        layout.append(f"{block_id}{block.kind[0]}{block.level}")
    label = list(spec.heading_ids)
    first = spec.block_ids[0] if spec.block_ids else None
    if first is not None and blocks[first].kind == "heading" and first not in label:
        label.append(first)  # merged siblings: name the passage by its first heading
    heading = " > ".join(blocks[i].text for i in label)
    # Title and heading path count towards relevance: their tokens join the passage's.
    toks = title_tokens.split()
    for block_id in spec.heading_ids:
        if block_id not in spec.block_ids:
            toks += tokens[block_id]
    for block_id in spec.block_ids:
        toks += tokens[block_id]
    inner = "\n".join(
        blocks[i].text for i in spec.block_ids if blocks[i].kind == "heading" and i not in label
    )
    headings = [blocks[i].text for i in (*spec.heading_ids, *spec.block_ids) if blocks[i].kind == "heading"]
    body = [blocks[i] for i in spec.block_ids if blocks[i].kind != "heading"]
    kind = "course" if is_course(headings, body, course_markers) else "content"
    return (article, ord_, heading, inner, "\n".join(lines), " ".join(toks), " ".join(layout), kind)
