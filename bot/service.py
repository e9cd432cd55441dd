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
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from typing import Any

from bot import conversations, dictionary, querylog
from bot.config import Settings
from bot.data_out import ExportKind, export_rows, purge_questions, write_rows
from bot.errors import ConfigError
from bot.explain import render_explanation
from bot.i18n import detect_language
from bot.indexer import KnowledgeIndexer
from bot.isolation import reader_for
from bot.kb.answer import compose_answer
from bot.kb.chunking import Chunker
from bot.kb.followup import Resolution, Turn, resolve
from bot.kb.model import Snapshot
from bot.kb.results import Answer, RetrievalConfig, SearchResult
from bot.kb.retrieval import Retriever
from bot.kb.spelling import load_english_words
from bot.kb.tokenizer import QueryTerm, Tokenizer
from bot.kb.vocab import load_vocabulary
from bot.report import IndexReport
from bot.store import Database
from bot.writelock import index_writer

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class _State:
    snapshot: Snapshot
    retriever: Retriever


@dataclass(frozen=True)
class Reply:
    """A question's answer, the search behind it, and "did you mean" when refused."""

    answer: Answer
    result: SearchResult
    suggestions: tuple[str, ...] = ()
    turn: Turn | None = None  # what the conversation remembers of this question
    understood: str = ""  # "（理解为接着问：…）" when the previous turn was used

    @property
    def answered(self) -> bool:
        return self.answer.answered


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
    async def open(cls, settings: Settings) -> KnowledgeService:
        """Open the database and build (or refresh) the index; returns a ready service."""
        # Checked before the database is created, so a wrong folder leaves nothing behind.
        if not settings.knowledge_dir.is_dir():
            raise ConfigError(f"knowledge folder {settings.knowledge_dir} does not exist (set KNOWLEDGE_DIR)")
        db = await Database.open(settings.database_path)
        service = cls(settings, db)
        try:
            await service.reload()
        except BaseException:
            await db.close()
            raise
        return service

    async def close(self) -> None:
        await self.db.close()

    @property
    def snapshot(self) -> Snapshot:
        if self._state is None:
            raise RuntimeError("knowledge base not loaded yet")
        return self._state.snapshot

    @property
    def retriever(self) -> Retriever:
        if self._state is None:
            raise RuntimeError("knowledge base not loaded yet")
        return self._state.retriever

    async def _current_tokenizer(self) -> Tokenizer:
        vocab = await asyncio.to_thread(load_vocabulary, self.settings.resolved_vocab_dir)
        if self._tokenizer is None or self._tokenizer.vocab.signature != vocab.signature:
            # A new dictionary means a new jieba instance: off the loop. jieba's own words
            # come from a mapped table (a second saved per start), kept where jieba keeps
            # its cache, so every knowledge base on the machine shares one.

            def make() -> Tokenizer:
                return Tokenizer(vocab, frequencies=dictionary.frequencies(dictionary.shared_folder()))

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

    @contextlib.asynccontextmanager
    async def _writer(self) -> AsyncIterator[None]:
        """The cross-process index writer lock, taken and released off the event loop."""
        lock = index_writer(self.settings.database_path)
        await asyncio.to_thread(lock.__enter__)
        try:
            yield
        finally:
            await asyncio.to_thread(lock.__exit__, None, None, None)

    # -- the async API: each call runs on one snapshot, in a worker thread ------------------

    def _ask(self, question: str, k: int, offset: int, suggest: bool, previous: Turn | None) -> Reply:
        state = self._loaded()
        retriever = state.retriever
        resolution = Resolution(question)
        alone: SearchResult | None = None
        if previous is not None:
            alone = retriever.search(question, k=k, offset=offset)
            own = alone.analysis
            # Names a topic of its own: a known, not ubiquitous word of two characters or more.
            index = state.snapshot.index
            topic = any(
                len(t.token) > 1 and index.df(t.token) > 0 and t.token not in own.ubiquitous
                for t in own.terms
            )
            english = detect_language(question) == "en"
            resolution = resolve(question, previous, alone.answered, english, topic)
            if resolution.kind == "more":
                offset = previous.shown
        if alone is not None and resolution.kind == "standalone":
            result = alone  # the question stands alone: its own search is the answer's
        else:
            carried = retriever.analyse(resolution.question, resolution.context, resolution.intent)
            result = retriever.search(carried, k=k, offset=offset)
        analysis = result.analysis
        answer = compose_answer(result, state.snapshot)
        suggestions: list[str] = []
        if suggest and not result.answered:
            # The search's nearest matches are this question's when it was searched alone.
            searched_alone = result.question == question and not resolution.context
            nearest = result.nearest if searched_alone else None
            suggestions = retriever.suggestions(question, nearest=nearest)
        # The conversation remembers the question's words and what the answer was about.
        lead = answer.lead[0].text if answer.lead else ""
        about = tuple(QueryTerm(w, 1.0, w, "answer") for w in retriever.entities(lead))
        turn = Turn(
            resolution.question,
            (*analysis.terms, *about),
            analysis.intent.intent,
            tuple(c.text for c in answer.items),
            offset + len(result.passages),
        )
        if not result.answered and previous is not None:
            turn = previous  # a refused question does not replace the topic
        return Reply(
            answer, result, tuple(suggestions), turn, resolution.understood if result.answered else ""
        )

    async def ask(
        self,
        question: str,
        k: int = 3,
        offset: int = 0,
        *,
        suggest: bool = True,
        previous: Turn | None = None,
    ) -> Reply:
        """Answer a question (passages after `offset` for "more"); suggestions if refused.
        With `previous` (the conversation's last turn) follow-ups are resolved against it."""
        return await asyncio.to_thread(self._ask, question, k, offset, suggest, previous)

    async def suggest(self, question: str, limit: int = 3) -> list[str]:
        """Headings or article titles to offer when there is no answer."""
        state = self._loaded()
        return await asyncio.to_thread(state.retriever.suggestions, question, limit)

    async def explain(self, question: str, k: int = 3) -> str:
        """Why passages ranked, as plain text (`ask --explain`, /explain)."""

        def run() -> str:
            state = self._loaded()
            return render_explanation(state.retriever.search(question, k=k), state.retriever)

        return await asyncio.to_thread(run)

    async def inline(self, question: str, articles: int = 5) -> list[Answer]:
        """One answer per article for inline mode, best article first."""

        def run() -> list[Answer]:
            state = self._loaded()
            result = state.retriever.search(question, k=10)
            out: list[Answer] = []
            seen: set[str] = set()
            for scored in result.passages:
                if scored.passage.article_path in seen:
                    continue
                seen.add(scored.passage.article_path)
                one = dataclasses.replace(result, passages=(scored,))
                out.append(compose_answer(one, state.snapshot))
                if len(out) == articles:
                    break
            return out

        return await asyncio.to_thread(run)

    # -- the question log, feedback and statistics (the handlers never see the database) --

    async def log_question(self, **fields: Any) -> int:
        """Log a question; StorageError if the write fails (callers keep the answer)."""
        return await querylog.log_question(self.db, **fields)

    async def question(self, question_id: int) -> querylog.LoggedQuestion | None:
        return await querylog.get_question(self.db, question_id)

    async def mark_shown(self, question_id: int, shown: int) -> None:
        await querylog.mark_shown(self.db, question_id, shown)

    async def feedback(self, question_id: int, user_id: int, value: int) -> bool:
        return await querylog.record_feedback(self.db, question_id, user_id, value)

    async def log_reload(self, user_id: int | None, ok: bool, summary: str, seconds: float) -> None:
        await querylog.log_reload(self.db, user_id, ok, summary, seconds)

    async def stats(self) -> querylog.Stats:
        numbers = await querylog.stats(self.db)
        snapshot = self.snapshot
        return dataclasses.replace(numbers, articles=len(snapshot.articles), passages=len(snapshot.passages))

    async def export_csv(self, kind: ExportKind, since: str = "") -> bytes:
        """An export of the question log as CSV bytes (admins' /export)."""
        columns, rows = await export_rows(self.db, kind, since)
        out = io.StringIO()
        write_rows(columns, rows, "csv", out)
        return out.getvalue().encode("utf-8-sig")  # with a BOM: spreadsheet apps read it as UTF-8

    async def context(self, key: str) -> Turn | None:
        """The last turn of a conversation, within CONTEXT_TTL_SECONDS."""
        return await conversations.load(self.db, key, self.settings.context_ttl_seconds)

    async def remember(self, key: str, turn: Turn) -> None:
        await conversations.save(self.db, key, turn)

    async def forget(self, key: str) -> None:
        await conversations.clear(self.db, key)

    def overview(self) -> tuple[int, int, list[str]]:
        """Articles, passages and article titles of the knowledge base being served."""
        snapshot = self.snapshot
        return len(snapshot.articles), len(snapshot.passages), [a.title for a in snapshot.articles]

    async def warm(self) -> None:
        """Prepare, in worker threads, what a long-running bot wants and a one-question
        CLI need not pay for: the "did you mean" index (built when the snapshot was not
        stored with it) and its gram lookup, the English word list the spelling check
        reads, and jieba's dictionary as a plain dict. Called after start-up."""
        state = self._loaded()
        suggestions = await asyncio.to_thread(state.retriever.suggestion_index)
        await asyncio.to_thread(suggestions.gram_ids)
        await asyncio.to_thread(load_english_words)
        await asyncio.to_thread(state.retriever.tokenizer.materialize)

    def _loaded(self) -> _State:
        if self._state is None:
            raise RuntimeError("knowledge base not loaded yet")
        return self._state

    def conversation(self, questions: Sequence[str]) -> list[Reply]:
        """Synchronous: the questions as one conversation, for evaluation and tests."""
        replies: list[Reply] = []
        previous: Turn | None = None
        for question in questions:
            replies.append(self._ask(question, 3, 0, False, previous))
            previous = replies[-1].turn
        return replies

    def answer(self, question: str, k: int = 3, offset: int = 0) -> Answer:
        """Synchronous answer, for tests (the bot and the CLI use `ask`)."""
        return self._ask(question, k, offset, False, None).answer
