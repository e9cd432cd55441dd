"""Keep the database in step with the knowledge folder, and load snapshots from it.

Only new or changed files are parsed and tokenised; their blocks' tokens are stored, so
re-chunking after a change elsewhere (boilerplate shared across articles) re-tokenises
nothing. All the work happens first, in worker threads and plain reads; then every
change is written in one short transaction, so a reload that fails or is killed leaves
the database exactly as it was. Each write bumps a generation number: another process
(`aigc-bot index`, a second bot) that wrote the database is noticed on the next refresh.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

import aiosqlite

from bot.errors import ArticleError
from bot.kb.boilerplate import BoilerplateReport, find_boilerplate
from bot.kb.chunking import Chunker, render_chunk
from bot.kb.cleaning import Block, clean_markdown
from bot.kb.ingest import DocumentReader, RawArticle, list_article_files, read_article
from bot.kb.model import Snapshot
from bot.kb.readers import read_document
from bot.kb.tokenizer import Tokenizer
from bot.kb.vocab import Vocabulary
from bot.report import IndexReport
from bot.snapshots import CHUNKS_ID, load_snapshot
from bot.store import Database, put_meta

log = logging.getLogger(__name__)

BOILERPLATE_VERSION = "5"  # 4: heading paths stored one heading per line; 5: tokens line by line
GENERATION = "generation"
# Cleaning and tokenising one article may take this long; a slower one is skipped.
ARTICLE_BUDGET_SECONDS = 10.0


def chunk_rows(
    articles: Sequence[tuple[str, Sequence[Block], Sequence[Sequence[str]], str]],
    chunker: Chunker,
    vocab: Vocabulary,
) -> tuple[list[tuple[str, tuple[object, ...]]], BoilerplateReport]:
    """The chunk rows of every article (path, blocks, their tokens, title tokens), in
    priority order: boilerplate is a property of the whole collection. What the chunk
    table stores, versioned by BOILERPLATE_VERSION."""
    drops, stats = find_boilerplate([blocks for _, blocks, _, _ in articles], vocab.promo_markers)
    out: list[tuple[str, tuple[object, ...]]] = []
    for (path, blocks, tokens, title), drop in zip(articles, drops, strict=True):
        specs = chunker.chunk(blocks, [not d for d in drop])
        for ord_, spec in enumerate(specs):
            out.append((path, render_chunk(ord_, spec, blocks, tokens, title, vocab.course_markers)))
    return out, stats


def _tally(
    report: IndexReport,
    parsed: Sequence[_Parsed],
    unchanged: Sequence[str],
    stored: dict[str, StoredArticle],
    broken: set[str],
) -> list[str]:
    """Fill the report's added, changed, unchanged and removed; returns the removed paths."""
    report.unchanged = len(unchanged)
    present = {p.raw.path for p in parsed} | set(unchanged)
    report.removed = sorted(path for path in stored if path not in present)
    for item in parsed:
        new = item.raw.path not in stored or item.raw.path in broken
        (report.added if new else report.changed).append(item.raw.path)
    return report.removed


class StoredArticle(NamedTuple):
    """An article's row as the indexer compares it with the file on disk."""

    path: str
    content_hash: str
    size: int
    mtime_ns: int
    tokenizer: str
    id: int


@dataclass
class _Scan:
    """What a scan of the folder found, file by file."""

    parsed: list[_Parsed] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    touched: list[tuple[str, int]] = field(default_factory=list)  # same content, new mtime
    hashes: dict[str, str] = field(default_factory=dict)  # content hash -> first path


@dataclass
class _Parsed:
    raw: RawArticle
    size: int
    mtime_ns: int
    blocks: list[Block]
    tokens: list[list[str]]
    title_tokens: list[str]


SKIPPED_KEY = "skipped_files"


class SkippedFiles:
    """Files that could not be read, by size and modification time: one that has not
    changed is reported again without being parsed again (a slow or hostile PDF costs
    its time once, not at every reload)."""

    def __init__(self, entries: dict[str, list[object]], signature: str) -> None:
        self.entries = entries
        self.signature = signature
        self.changed = False

    @classmethod
    def load(cls, raw: str | None, signature: str) -> SkippedFiles:
        try:
            data = json.loads(raw or "{}")
        except ValueError:
            data = {}
        entries = (
            data.get("files", {}) if isinstance(data, dict) and data.get("signature") == signature else {}
        )
        return cls(entries if isinstance(entries, dict) else {}, signature)

    def reason(self, path: str, size: int, mtime_ns: int) -> str | None:
        entry = self.entries.get(path)
        if isinstance(entry, list) and len(entry) == 3 and entry[0] == size and entry[1] == mtime_ns:
            return str(entry[2])
        return None

    def remember(self, path: str, size: int, mtime_ns: int, reason: str) -> None:
        self.entries[path] = [size, mtime_ns, reason]
        self.changed = True

    def keep_only(self, present: set[str]) -> bool:
        """Forget files that are gone; whether anything is to be written."""
        gone = [p for p in self.entries if p not in present]
        for path in gone:
            del self.entries[path]
        return self.changed or bool(gone)

    def dump(self) -> str:
        return json.dumps({"signature": self.signature, "files": self.entries}, ensure_ascii=False)


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
        article_budget: float = ARTICLE_BUDGET_SECONDS,
        reader: DocumentReader = read_document,
    ) -> None:
        self.db = db
        self.reader = reader  # web pages, Word documents, PDFs (the service isolates it)
        self.article_budget = article_budget
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

    async def generation(self) -> str:
        return await self.db.get_meta(GENERATION) or "0"

    async def refresh(
        self, current: Snapshot | None = None, current_generation: str | None = None
    ) -> tuple[Snapshot, IndexReport, str]:
        """Bring the database up to date with the folder; return a snapshot of it, the
        report and the database generation the snapshot reflects.

        When nothing changed and the database is still at `current_generation`,
        `current` (the snapshot in use, built by this same configuration) is returned as
        it is: an unchanged reload costs a directory scan. A database failure raises
        StorageError and changes nothing; the caller keeps `current`.
        """
        started = time.perf_counter()
        report = IndexReport()
        if not self.knowledge_dir.is_dir():
            raise ArticleError(f"knowledge folder {self.knowledge_dir} does not exist")
        unsupported: list[Path] = []
        files = await asyncio.to_thread(list_article_files, self.knowledge_dir, self.exclude, unsupported)
        stored, broken = await self._stored()
        remembered = SkippedFiles.load(await self.db.get_meta(SKIPPED_KEY), self.tokenizer.signature)
        parsed, unchanged, skipped, touched = await asyncio.to_thread(
            self._scan, files, stored, broken, remembered
        )
        if remembered.keep_only({p.relative_to(self.knowledge_dir).as_posix() for p in files}):
            await self.db.set_meta(SKIPPED_KEY, remembered.dump())
        report.skipped = skipped + [
            (p.relative_to(self.knowledge_dir).as_posix(), f"unsupported format ({p.suffix or 'no suffix'})")
            for p in sorted(unsupported)
        ]
        removed = _tally(report, parsed, unchanged, stored, broken)
        signature = await self.db.get_meta("chunk_signature")
        rechunk = report.modified or bool(broken) or signature != self.chunk_signature
        chunks: list[tuple[str, tuple[object, ...]]] = []
        if rechunk:
            chunks = await self._chunk_all(parsed, unchanged, stored, report)
        if rechunk or touched:
            await self._write(parsed, removed, touched, chunks if rechunk else None, stored)
        generation = await self.generation()
        reuse = current is not None and not rechunk and generation == current_generation
        snapshot = current if reuse and current is not None else await load_snapshot(self.db)
        report.articles = len(snapshot.articles)
        report.chunks = len(snapshot.passages)
        report.seconds = time.perf_counter() - started
        return snapshot, report, generation

    async def _stored(self) -> tuple[dict[str, StoredArticle], set[str]]:
        """The stored articles by path, and those stored without their blocks."""
        stored = {
            str(row[0]): StoredArticle(*row)
            for row in await self.db.fetchall(f"SELECT {', '.join(StoredArticle._fields)} FROM articles")
        }
        # An article stored without blocks (a database written by an older version that
        # was killed mid-reload) is re-read, never called "unchanged".
        broken = {
            str(r[0])
            for r in await self.db.fetchall(
                "SELECT path FROM articles a WHERE NOT EXISTS (SELECT 1 FROM blocks b WHERE b.article = a.id)"
            )
        }
        return stored, broken

    def _scan(
        self,
        files: Sequence[Path],
        stored: dict[str, StoredArticle],
        broken: set[str],
        remembered: SkippedFiles,
    ) -> tuple[list[_Parsed], list[str], list[tuple[str, str]], list[tuple[str, int]]]:
        """Runs in a worker thread: stat, read, parse and tokenise what changed (and the
        `broken` articles, stored without their blocks)."""
        scan = _Scan()
        for path in files:
            rel = path.relative_to(self.knowledge_dir).as_posix()
            row = None if rel in broken else stored.get(rel)
            read = self._read(path, rel, row, remembered, scan)
            if read is None:
                continue
            raw, stat = read
            if raw.content_hash in scan.hashes:
                scan.skipped.append((rel, f"same content as {scan.hashes[raw.content_hash]}"))
                continue
            scan.hashes[raw.content_hash] = rel
            same = row is not None and row.content_hash == raw.content_hash
            if same and row is not None and row.tokenizer == self.tokenizer.signature:
                scan.unchanged.append(rel)
                scan.touched.append((rel, stat.st_mtime_ns))
                continue
            item = self._tokenised(rel, raw, stat, scan)
            if item is not None:
                scan.parsed.append(item)
        return scan.parsed, scan.unchanged, scan.skipped, scan.touched

    def _read(
        self, path: Path, rel: str, row: StoredArticle | None, remembered: SkippedFiles, scan: _Scan
    ) -> tuple[RawArticle, os.stat_result] | None:
        """The article as read, or None when it is unchanged (same size, time and
        tokenizer) or cannot be read (the reason is recorded; one bad file never stops
        the index)."""
        try:
            stat = path.stat()
            if (
                row is not None
                and row.size == stat.st_size
                and row.mtime_ns == stat.st_mtime_ns
                and row.tokenizer == self.tokenizer.signature
            ):
                scan.unchanged.append(rel)
                scan.hashes.setdefault(row.content_hash, rel)
                return None
            known = remembered.reason(rel, stat.st_size, stat.st_mtime_ns)
            if known is not None:  # skipped before and not changed since: not parsed again
                scan.skipped.append((rel, known))
                return None
            return read_article(path, self.knowledge_dir, self.reader), stat
        except ArticleError as exc:
            scan.skipped.append((rel, str(exc)))
            remembered.remember(rel, stat.st_size, stat.st_mtime_ns, str(exc))
        except FileNotFoundError:
            scan.skipped.append((rel, "file disappeared while indexing"))
        except OSError as exc:
            scan.skipped.append((rel, f"cannot read ({exc.strerror or exc})"))
        except Exception as exc:
            log.warning("skipped %s", rel, exc_info=True)
            scan.skipped.append((rel, f"cannot read ({exc.__class__.__name__})"))
            remembered.remember(rel, stat.st_size, stat.st_mtime_ns, scan.skipped[-1][1])
        return None

    def _tokenised(self, rel: str, raw: RawArticle, stat: os.stat_result, scan: _Scan) -> _Parsed | None:
        """The article cleaned and tokenised, or None (the reason recorded) when nothing
        is left, it breaks the cleaner, or it takes longer than the article budget."""
        started = time.perf_counter()
        try:
            blocks = clean_markdown(raw.body)
            if not any(b.kind != "heading" for b in blocks):
                scan.skipped.append((rel, "no text left after cleaning"))
                return None
            item = _Parsed(
                raw=raw,
                size=stat.st_size,
                mtime_ns=stat.st_mtime_ns,
                blocks=blocks,
                tokens=self.tokenizer.tokens_many(b.text for b in blocks),
                title_tokens=self.tokenizer.tokens(raw.title),
            )
        except Exception as exc:  # one bad file never stops the index
            log.warning("skipped %s", rel, exc_info=True)
            scan.skipped.append((rel, f"cannot clean ({exc.__class__.__name__})"))
            return None
        spent = time.perf_counter() - started
        if spent > self.article_budget:
            # Work happens in this worker thread, so others were answered meanwhile;
            # an article this costly is still not served, and the report names it.
            scan.skipped.append((rel, f"took {spent:.1f} s to process (budget {self.article_budget:g} s)"))
            return None
        return item

    async def _chunk_all(
        self,
        parsed: Sequence[_Parsed],
        unchanged: Sequence[str],
        stored: dict[str, StoredArticle],
        report: IndexReport,
    ) -> list[tuple[str, tuple[object, ...]]]:
        """Chunk every article (boilerplate is a corpus-wide property), in memory."""
        keep = [stored[path] for path in unchanged]
        blocks: dict[str, list[Block]] = {row.path: [] for row in keep}
        tokens: dict[str, list[list[str]]] = {row.path: [] for row in keep}
        titles: dict[str, str] = {}
        if keep:
            rows = await self.db.fetchall(
                "SELECT a.path, a.title_tokens, b.kind, b.level, b.text, b.tokens FROM blocks b"
                " JOIN articles a ON a.id = b.article ORDER BY a.path, b.ord"
            )
            for path, title_tokens, kind, level, text, toks in rows:
                if path in blocks:
                    titles[path] = title_tokens
                    blocks[path].append(Block(kind, text, level))
                    tokens[path].append(toks.split())
        for item in parsed:
            blocks[item.raw.path] = item.blocks
            tokens[item.raw.path] = item.tokens
            titles[item.raw.path] = " ".join(item.title_tokens)
        order = sorted(blocks)

        def work() -> list[tuple[str, tuple[object, ...]]]:
            articles = [(p, blocks[p], tokens[p], titles.get(p, "")) for p in order]
            out, stats = chunk_rows(articles, self.chunker, self.tokenizer.vocab)
            report.promo_blocks, report.duplicate_blocks = stats.promo_blocks, stats.duplicate_blocks
            report.rechunked = True
            return out

        return await asyncio.to_thread(work)

    async def _write(
        self,
        parsed: Sequence[_Parsed],
        removed: Sequence[str],
        touched: Sequence[tuple[str, int]],
        chunks: Sequence[tuple[str, tuple[object, ...]]] | None,
        stored: dict[str, StoredArticle],
    ) -> None:
        """Every change in one transaction: all of it lands, or none of it."""
        async with self.db.transaction() as conn:
            for path in [*removed, *(p.raw.path for p in parsed if p.raw.path in stored)]:
                await conn.execute("DELETE FROM articles WHERE path = ?", (path,))
            for item in parsed:
                await self._insert_article(conn, item)
            await conn.executemany(
                "UPDATE articles SET mtime_ns = ? WHERE path = ?", [(m, p) for p, m in touched]
            )
            if chunks is not None:
                ids = {
                    str(r[0]): int(r[1]) for r in await conn.execute_fetchall("SELECT path, id FROM articles")
                }
                await conn.execute("DELETE FROM chunks")
                await conn.executemany(
                    "INSERT INTO chunks(article, ord, heading, subheadings, text, tokens, layout, kind)"
                    " VALUES (?,?,?,?,?,?,?,?)",
                    [(ids[path], *row) for path, row in chunks],
                )
                await put_meta(conn, "chunk_signature", self.chunk_signature)
                # Names these chunks: a snapshot stored on disk under it is theirs.
                await put_meta(conn, CHUNKS_ID, uuid.uuid4().hex)
            await conn.execute(
                "INSERT INTO meta(key, value) VALUES (?, '1')"
                " ON CONFLICT(key) DO UPDATE SET value = CAST(value AS INTEGER) + 1",
                (GENERATION,),
            )

    async def _insert_article(self, conn: aiosqlite.Connection, item: _Parsed) -> None:
        raw = item.raw
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
        await conn.executemany(
            "INSERT INTO blocks(article, ord, kind, level, text, tokens) VALUES (?,?,?,?,?,?)",
            [
                (cursor.lastrowid, ord_, b.kind, b.level, b.text, " ".join(toks))
                for ord_, (b, toks) in enumerate(zip(item.blocks, item.tokens, strict=True))
            ],
        )
