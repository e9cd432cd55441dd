"""The knowledge service: the one async API the CLI and the Telegram bot call.

It owns the database, the tokenizer and the current snapshot. Every question is
analysed once, then searched, composed, suggested for or explained in a worker thread,
so the event loop only does I/O. Questions are answered from whatever snapshot is
current; a reload builds the next one on the side and swaps a single reference, so a
question asked during a reload is answered from the old index and never fails.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import datetime
import io
import logging
import os
import time
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from bot import conversations, dictionary, querylog, snapshots
from bot.config import Settings
from bot.data_out import (
    EXPORT_KINDS,
    ExportKind,
    backup,
    check_target,
    drop_knowledge,
    export_rows,
    parse_since,
    purge_questions,
    write_rows,
)
from bot.errors import BotError, ConfigError, StorageError
from bot.explain import render_explanation
from bot.i18n import detect_language
from bot.indexer import KnowledgeIndexer
from bot.isolation import reader_for
from bot.kb import asking
from bot.kb.answer_text import answer_body
from bot.kb.asking import Reply
from bot.kb.bilingual import english_to_chinese
from bot.kb.chunking import Chunker
from bot.kb.followup import Turn
from bot.kb.ingest import MAX_ARTICLE_BYTES
from bot.kb.model import Passage, Snapshot
from bot.kb.results import Answer, RetrievalConfig
from bot.kb.retrieval import Retriever
from bot.kb.spelling import load_english_words
from bot.kb.spelling import use_table as use_english_table
from bot.kb.thesaurus import shipped_thesaurus
from bot.kb.tokenizer import Tokenizer
from bot.kb.vocab import load_vocabulary, normalize_text
from bot.plaintext import clean_input, clip
from bot.records import ArticleRow, Asker, Disliked, LoggedQuestion, Refused, Reloaded, Stats, Usage
from bot.report import IndexReport
from bot.store import Database
from bot.writelock import index_writer

__all__ = ["EXPORT_KINDS", "Asker", "KnowledgeService", "Reply", "check_export_target", "parse_since"]


def _question_key(text: str) -> str:
    """What near-identical questions share: normalised, without punctuation or spaces."""
    return "".join(ch for ch in normalize_text(text) if ch.isalnum())


def check_export_target(settings: Settings, target: Path, force: bool) -> None:
    """ConfigError unless an export may be written to `target` (checked before the
    database is opened): never the database or its files, never through a link, and
    nothing existing unless `force`."""
    check_target(target, settings.database_path, force)


log = logging.getLogger(__name__)

# The answer kept in the question log with each question (for reviewing 👎).
MAX_LOGGED_ANSWER = 4000


@dataclass(frozen=True)
class _State:
    snapshot: Snapshot
    retriever: Retriever


class KnowledgeService:
    """Answers questions from the current snapshot; `reload()` refreshes it from disk."""

    def __init__(self, settings: Settings, db: Database, retrieval: RetrievalConfig | None = None):
        self.settings = settings
        self.db = db
        self.retrieval = retrieval or RetrievalConfig()
        self._tokenizer: Tokenizer | None = None
        self._state: _State | None = None
        self._generation: str | None = None  # the database generation being served
        self._reload_lock = asyncio.Lock()
        self.last_report: IndexReport | None = None
        self.loaded_at: str | None = None  # ISO time of the last successful reload

    def install(self, snapshot: Snapshot, tokenizer: Tokenizer) -> None:
        """Serve a snapshot built elsewhere (benchmarks, tests) instead of the folder's."""
        self._tokenizer = tokenizer
        self._state = _State(snapshot, Retriever(snapshot, tokenizer, self.retrieval))

    @classmethod
    async def open(cls, settings: Settings, *, load: bool = True) -> KnowledgeService:
        """Open the database and, with `load`, build (or refresh) the index; without it
        only the question log is usable (export, backup) until `reload()`."""
        # Checked before the database is created, so a wrong folder leaves nothing behind.
        if load and not settings.knowledge_dir.is_dir():
            raise ConfigError(f"knowledge folder {settings.knowledge_dir} does not exist (set KNOWLEDGE_DIR)")
        db = await Database.open(settings.database_path)
        service = cls(settings, db)
        try:
            if load:
                await service.reload()
        except BaseException:
            await db.close()
            raise
        return service

    async def close(self) -> None:
        await self.db.close()

    @property
    def snapshot(self) -> Snapshot:
        return self._loaded().snapshot

    @property
    def retriever(self) -> Retriever:
        return self._loaded().retriever

    async def _current_tokenizer(self) -> Tokenizer:
        vocab = await asyncio.to_thread(load_vocabulary, self.settings.resolved_vocab_dir)
        if self._tokenizer is None or self._tokenizer.vocab.signature != vocab.signature:
            # A new dictionary means a new jieba instance: off the loop. jieba's own words
            # come from a mapped table (a second saved per start), kept where jieba keeps
            # its cache, so every knowledge base on the machine shares one.

            def make() -> Tokenizer:
                folder = dictionary.shared_folder()
                use_english_table(dictionary.english(folder))
                return Tokenizer(
                    vocab, frequencies=dictionary.frequencies(folder), names=dictionary.names(folder)
                )

            self._tokenizer = await asyncio.to_thread(make)
        return self._tokenizer

    async def reload(self) -> IndexReport:
        """Re-read the knowledge folder; one reload at a time, the old index serves meanwhile."""
        async with self._reload_lock, self._writer():
            tokenizer = await self._current_tokenizer()
            vocab_dir = self.settings.resolved_vocab_dir
            indexer = KnowledgeIndexer(
                self.db,
                self.settings.knowledge_dir,
                tokenizer,
                Chunker(self.settings.chunk_max_chars),
                # A vocab folder is never indexed as articles, wherever VOCAB_DIR points.
                exclude=(vocab_dir, self.settings.knowledge_dir / "vocab"),
                reader=reader_for(self.settings),
            )
            # The current snapshot can be kept only if it was tokenised the same way.
            same = self._state is not None and self._state.retriever.tokenizer is tokenizer
            snapshot, report, self._generation = await indexer.refresh(
                self.snapshot if same else None, self._generation
            )
            # Unchanged: keep the retriever too, with its warm caches and spelling index.
            if self._state is None or snapshot is not self._state.snapshot:
                self._state = _State(snapshot, Retriever(snapshot, tokenizer, self.retrieval))
            self.last_report = report
            self.loaded_at = datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")
            log.info("knowledge base loaded: %s", "; ".join(report.lines()[:2]))
            days = self.settings.log_retention_days
            if days is not None:
                purged = await purge_questions(self.db, days)
                if purged:
                    log.info("purged %d question rows older than %d days", purged, days)
            return report

    async def rebuild(self) -> IndexReport:
        """Every article re-read from scratch; the question log stays."""
        async with self._writer():  # not while another index writes
            await drop_knowledge(self.db)
        self._state, self._generation = None, None
        return await self.reload()

    @contextlib.asynccontextmanager
    async def _writer(self) -> AsyncIterator[None]:
        """The cross-process index writer lock, taken and released off the event loop."""
        lock = index_writer(self.settings.database_path)
        await asyncio.to_thread(lock.__enter__)
        try:
            yield
        finally:
            await asyncio.to_thread(lock.__exit__, None, None, None)

    # -- questions: each runs on one snapshot, in a worker thread -------------------------

    async def ask(
        self,
        question: str,
        *,
        conversation: str | None = None,
        continues: bool = True,
        asker: Asker | None = None,
        k: int = 3,
        offset: int = 0,
        suggest: bool = True,
    ) -> Reply:
        """Answer a question: its control codes dropped, clipped to MAX_QUESTION_CHARS
        (`Reply.truncated` says so), suggestions if refused.

        In a `conversation` (a key: a chat, a group member, a console session) the last
        turn, if younger than CONTEXT_TTL_SECONDS and `continues`, resolves follow-ups, and
        this question's turn is kept. With an `asker` the question is logged, and the reply
        carries its log id. A failed write costs the user nothing: it is logged, and the
        answer is returned."""
        started = time.perf_counter()
        question, truncated = self._bounded(question)
        # Where the turn is kept: nowhere without a conversation or with a TTL of 0.
        key = conversation if conversation and self.settings.context_ttl_seconds > 0 else None
        previous = await self._context(key) if key and continues else None
        retriever = self._loaded().retriever
        reply = await asyncio.to_thread(
            asking.ask,
            retriever,
            question,
            k=k,
            offset=offset,
            suggest=suggest,
            previous=previous,
            remember=key is not None,
        )
        if key and reply.turn is not None:
            try:
                await conversations.save(self.db, key, reply.turn.to_json())
            except StorageError as exc:  # the answer matters more than the thread
                log.warning("conversation not stored: %s", exc)
        question_id = None
        if asker is not None:
            latency_ms = (time.perf_counter() - started) * 1000
            question_id = await self._log(asker, question, reply, latency_ms)
        return dataclasses.replace(reply, question_id=question_id, truncated=truncated)

    def _bounded(self, question: str) -> tuple[str, bool]:
        """The question without control codes, clipped to MAX_QUESTION_CHARS (very long
        input is searched by its beginning), and whether it was clipped."""
        question = clean_input(question).strip()
        limit = self.settings.max_question_chars
        return clip(question, limit), len(question) > limit

    async def _context(self, key: str) -> Turn | None:
        try:
            stored = await conversations.load(self.db, key, self.settings.context_ttl_seconds)
        except StorageError as exc:
            log.warning("conversation not read: %s", exc)
            return None
        return Turn.decode(stored)

    async def _log(self, asker: Asker, question: str, reply: Reply, latency_ms: float) -> int | None:
        try:
            return await querylog.log_question(
                self.db,
                user_id=asker.user_id,
                chat_id=asker.chat_id,
                chat_type=asker.chat_type,
                text=question,
                answered=reply.answered,
                passage_ids=[p.passage.id for p in reply.answer.passages],
                latency_ms=latency_ms,
                lang=asker.lang,
                answer=clip(
                    answer_body(reply.answer, detect_language(question, asker.lang), reply.understood),
                    MAX_LOGGED_ANSWER,
                )
                if reply.answered
                else "",
            )
        except (StorageError, ValueError) as exc:
            log.warning("question not logged: %s", exc)
            return None

    async def forget(self, conversation: str) -> None:
        """The conversation's next question stands on its own."""
        try:
            await conversations.clear(self.db, conversation)
        except StorageError as exc:
            log.warning("conversation not cleared: %s", exc)

    async def more(self, logged: LoggedQuestion, k: int = 3) -> Answer:
        """The next passages of a logged question ("more" under an answer)."""
        answer = (await self.ask(logged.text, k=k, offset=logged.shown, suggest=False)).answer
        with contextlib.suppress(StorageError):  # the next "more" repeats: harmless
            await querylog.mark_shown(self.db, logged.id, logged.shown + len(answer.passages))
        return answer

    async def suggest(self, question: str, limit: int = 3) -> list[str]:
        """Headings or article titles to offer when there is no answer."""
        retriever = self._loaded().retriever
        return await asyncio.to_thread(retriever.suggestions, question, limit)

    async def explain(self, question: str, k: int = 3) -> str:
        """Why passages ranked, as plain text (`ask --explain`, /explain)."""
        retriever = self._loaded().retriever

        def run() -> str:
            return render_explanation(retriever.search(question, k=k), retriever)

        return await asyncio.to_thread(run)

    async def inline(self, question: str, articles: int = 5) -> list[Answer]:
        """One answer per article for inline mode, best article first."""
        retriever = self._loaded().retriever
        question, _ = self._bounded(question)
        return await asyncio.to_thread(asking.per_article, retriever, question, articles)

    # -- the question log, feedback and statistics (the faces never see the database) -----

    async def question(self, question_id: int) -> LoggedQuestion | None:
        return await querylog.get_question(self.db, question_id)

    async def feedback(self, question_id: int, user_id: int, value: int) -> bool:
        return await querylog.record_feedback(self.db, question_id, user_id, value)

    async def log_reload(self, user_id: int | None, ok: bool, summary: str, seconds: float) -> None:
        await querylog.log_reload(self.db, user_id, ok, summary, seconds)

    async def reload_recorded(self, user_id: int | None = None) -> IndexReport:
        """An admin's reload (Telegram, the admin console): `reload()`, then kept in the
        reload history with its report or the reason it failed, and warmed when it worked.
        BotError or OSError when it failed; the previous index keeps serving."""
        started = time.perf_counter()
        try:
            report = await self.reload()
        except (BotError, OSError) as exc:
            await self._record_reload(user_id, False, str(exc), started)
            raise
        await self._record_reload(user_id, True, "\n".join(report.lines()), started)
        await self.warm()
        return report

    async def _record_reload(self, user_id: int | None, ok: bool, summary: str, started: float) -> None:
        try:  # the history is a convenience; the reload is done
            await self.log_reload(user_id, ok, summary, time.perf_counter() - started)
        except StorageError as exc:
            log.warning("reload not recorded: %s", exc)

    async def stats(self) -> Stats:
        numbers = await querylog.stats(self.db)
        snapshot = self.snapshot
        return dataclasses.replace(numbers, articles=len(snapshot.articles), passages=len(snapshot.passages))

    async def export(self, kind: ExportKind, since: str, fmt: str, out: TextIO, until: str = "") -> int:
        """The question log, unanswered questions or feedback as CSV or JSON lines; rows written."""
        columns, rows = await export_rows(self.db, kind, since, until)
        write_rows(columns, rows, fmt, out)
        return len(rows)

    async def export_csv(self, kind: ExportKind, since: str = "") -> bytes:
        """An export as CSV bytes (admins' /export)."""
        out = io.StringIO()
        await self.export(kind, since, "csv", out)
        return out.getvalue().encode("utf-8-sig")  # with a BOM: spreadsheet apps read it as UTF-8

    async def export_file(self, kind: ExportKind, since: str, fmt: str, target: Path, force: bool) -> int:
        """An export written to `target`: never the database, never through a link, and
        nothing existing replaced unless `force` (also when it appears meanwhile)."""
        check_target(target, self.settings.database_path, force)
        flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_NOFOLLOW", 0)
        flags |= 0 if force else os.O_EXCL
        try:
            descriptor = os.open(target, flags, 0o600)
        except OSError as exc:
            raise ConfigError(f"cannot write {target} ({exc.strerror})") from None
        with open(descriptor, "w", encoding="utf-8", newline="") as out:
            return await self.export(kind, since, fmt, out)

    async def backup(self, target: Path, force: bool = False) -> None:
        """A consistent copy of the live database (SQLite's online backup)."""
        await backup(self.db, target, force)

    # -- what the admin console shows ---------------------------------------------------

    async def usage(self, days: int = 30) -> Usage:
        """Questions per day (answered and refused) over `days` days, and the votes."""
        return await querylog.usage(self.db, days)

    async def last_reload(self) -> Reloaded | None:
        return await querylog.last_reload(self.db)

    async def refused(self, since: str = "", until: str = "", groups: int = 100) -> list[Refused]:
        """Refused questions between two dates, near-identical ones grouped (case, width,
        traditional characters, punctuation and spaces aside), most asked first, each with
        the "did you mean" topics it is offered now."""
        wordings = await querylog.refused(self.db, since, until)
        grouped: dict[str, Refused] = {}
        for text, count, last in wordings:  # newest first: a group shows its latest wording
            key = _question_key(text)
            seen = grouped.get(key)
            grouped[key] = (
                Refused(text, count, last)
                if seen is None
                else dataclasses.replace(seen, count=seen.count + count)
            )
        ranked = sorted(grouped.values(), key=lambda g: (g.count, g.last_asked), reverse=True)[:groups]
        retriever = self._loaded().retriever

        def offered() -> list[Refused]:  # one worker thread for every group's suggestions
            return [dataclasses.replace(g, suggestions=tuple(retriever.suggestions(g.text))) for g in ranked]

        return await asyncio.to_thread(offered)

    async def disliked(self, limit: int = 100) -> list[tuple[Disliked, list[Passage]]]:
        """Every 👎 with the passages its answer was built from (those still indexed)."""
        votes = await querylog.disliked(self.db, limit)
        ids = list(dict.fromkeys(i for d in votes for i in d.passage_ids))
        found = {p.id: p for p in await snapshots.passages_by_id(self.db, ids)}  # one query for all
        return [(d, [found[i] for i in d.passage_ids if i in found]) for d in votes]

    async def articles(self) -> list[ArticleRow]:
        return await snapshots.article_rows(self.db)

    async def article(self, path: str) -> list[Passage]:
        """An article's passages and headings exactly as indexed."""
        return await snapshots.passages_of(self.db, path)

    async def find_passages(self, text: str, limit: int = 50) -> list[Passage]:
        return await snapshots.passages_with(self.db, clip(clean_input(text), 200), limit)

    # -- the knowledge folder: what admins add (callers reload afterwards) -----------------

    async def add_sources(self, sources: Sequence[str], *, files: bool = True) -> list[Path]:
        """Files and web pages saved as new articles; every source is checked before
        anything is written. URLs reach public addresses only (unless FETCH_ALLOW_PRIVATE);
        `files=False` refuses local paths (a path typed in Telegram must not publish a
        server file). ArticleError says which source failed and why."""
        # Imported here: the fetcher's HTTP stack is a tenth of every start (`aigc-bot ask`
        # starts once per batch of questions) and only adding articles needs it.
        from bot import adding

        folder = self.settings.knowledge_dir
        if not folder.is_dir():
            raise ConfigError(f"knowledge folder {folder} does not exist (set KNOWLEDGE_DIR)")
        limit = self.settings.max_upload_bytes if not files else MAX_ARTICLE_BYTES
        return await adding.add_sources(
            folder,
            sources,
            limit,
            allow_private=self.settings.fetch_allow_private,
            files=files,
            reader=reader_for(self.settings),
        )

    async def add_upload(self, name: str | None, data: bytes) -> tuple[str, str | None]:
        """An uploaded file saved under its sanitised name (documents as Markdown), the
        same checks as an article on disk. Returns the saved name and the name the
        previous version was kept under, if one was replaced."""
        from bot import adding  # see add_sources

        settings = self.settings
        saved, kept = await asyncio.to_thread(
            adding.receive_upload,
            settings.knowledge_dir,
            name,
            data,
            settings.max_upload_bytes,
            reader_for(settings),
        )
        return saved, kept.name if kept is not None else None

    # -- the knowledge base being served -------------------------------------------------

    def overview(self) -> tuple[int, int, list[str]]:
        """Articles, passages and article titles of the knowledge base being served."""
        snapshot = self.snapshot
        return len(snapshot.articles), len(snapshot.passages), [a.title for a in snapshot.articles]

    async def warm(self) -> None:
        """Prepare, in worker threads, what a long-running bot wants and a one-question
        CLI need not pay for: the "did you mean" index (built when the snapshot was not
        stored with it) and its gram lookup, the English word list the spelling check
        reads, the bilingual dictionary English words are translated with, the thesaurus
        unknown Chinese words are, and jieba's dictionary as a plain dict. Called after
        start-up."""
        state = self._loaded()
        suggestions = await asyncio.to_thread(state.retriever.suggestion_index)
        await asyncio.to_thread(suggestions.gram_ids)
        await asyncio.to_thread(load_english_words)
        await asyncio.to_thread(english_to_chinese)  # the first English question's 0.4 s
        await asyncio.to_thread(shipped_thesaurus)  # the first unknown Chinese word's 0.1 s
        await asyncio.to_thread(state.retriever.tokenizer.materialize)

    def _loaded(self) -> _State:
        if self._state is None:
            raise RuntimeError("knowledge base not loaded yet")
        return self._state
