"""Documents parsed where a bad one can be killed: a worker process with limits.

PDF, Word and HTML parsers are large third-party code fed with files from the outside;
one crafted file can spin for minutes or take gigabytes (a PDF without a text layer, a
DOCX of 250 million paragraphs). As Apache Tika isolates its parsers, each document here
is parsed in a worker process whose CPU time and address space are capped with
`resource.setrlimit`, under a wall-clock deadline as well. A worker over a limit is
killed and the file is reported as skipped with the reason; the next document gets a
fresh worker. The worker hands back plain strings only.
"""

from __future__ import annotations

import atexit
import concurrent.futures
import multiprocessing
import threading
from collections.abc import Callable
from concurrent.futures.process import BrokenProcessPool

from bot.config import Settings
from bot.errors import ArticleError
from bot.kb.readers import Document, read_document

Parse = Callable[[str, bytes, "str | None"], Document]
DEFAULT_CPU_SECONDS = 30
DEFAULT_MEMORY_BYTES = 512 * 1024 * 1024


def _limit(cpu_seconds: int, memory_bytes: int) -> None:
    """In the worker: cap its CPU time and its address space, and keep the parsers' own
    warnings ("EOF marker not found") off the admin's terminal: the report says why a
    file was skipped."""
    import logging
    import resource

    logging.getLogger().addHandler(logging.NullHandler())

    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 1))
    resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))


def _parse_plain(parse: Parse, suffix: str, data: bytes, url: str | None) -> tuple[str | None, ...]:
    """In the worker: the document as plain strings (nothing of the parser's own types)."""
    try:
        document = parse(suffix, data, url)
    except MemoryError:
        raise ArticleError("needed more memory than documents may use") from None
    return tuple(
        None if v is None else str(v) for v in (document.title, document.url, document.date, document.body)
    )


class IsolatedReader:
    """`read_document`, run in a limited worker process; one document at a time."""

    def __init__(
        self,
        cpu_seconds: int = DEFAULT_CPU_SECONDS,
        memory_bytes: int = DEFAULT_MEMORY_BYTES,
        parse: Parse = read_document,
    ) -> None:
        self.cpu_seconds = cpu_seconds
        self.memory_bytes = memory_bytes
        self.wall_seconds = cpu_seconds * 2 + 10  # a worker blocked on I/O or sleeping
        self._parse = parse
        self._pool: concurrent.futures.ProcessPoolExecutor | None = None
        self._lock = threading.Lock()

    def __call__(self, suffix: str, data: bytes, url: str | None = None) -> Document:
        with self._lock:
            pool = self._pool or self._start()
            future = pool.submit(_parse_plain, self._parse, suffix, data, url)
            try:
                title, source, date, body = future.result(timeout=self.wall_seconds)
            except concurrent.futures.TimeoutError:
                self._stop()
                raise ArticleError(f"took longer than {self.wall_seconds} s to read") from None
            except BrokenProcessPool:
                # Killed by its limits: SIGXCPU for CPU time, or a crash for memory.
                self._stop()
                raise ArticleError(
                    f"took more than {self.cpu_seconds} s of CPU or {self.memory_bytes // 2**20} MiB to read"
                ) from None
            return Document(title, source, date, body or "")

    def _start(self) -> concurrent.futures.ProcessPoolExecutor:
        # forkserver: workers fork from a clean process, not from the bot with its threads.
        context = multiprocessing.get_context("forkserver")
        self._pool = concurrent.futures.ProcessPoolExecutor(
            max_workers=1,
            mp_context=context,
            initializer=_limit,
            initargs=(self.cpu_seconds, self.memory_bytes),
        )
        return self._pool

    def _stop(self) -> None:
        pool, self._pool = self._pool, None
        if pool is None:
            return
        for process in list(getattr(pool, "_processes", {}).values()):
            process.kill()  # a worker over its limits does not get to finish
        pool.shutdown(wait=False, cancel_futures=True)

    def close(self) -> None:
        with self._lock:
            self._stop()


_shared: IsolatedReader | None = None
_shared_lock = threading.Lock()


def shared_reader(
    cpu_seconds: int = DEFAULT_CPU_SECONDS, memory_bytes: int = DEFAULT_MEMORY_BYTES
) -> IsolatedReader:
    """One reader per process and limits (its worker is reused across documents)."""
    global _shared
    with _shared_lock:
        if _shared is None or (_shared.cpu_seconds, _shared.memory_bytes) != (cpu_seconds, memory_bytes):
            if _shared is not None:
                _shared.close()
            _shared = IsolatedReader(cpu_seconds, memory_bytes)
            atexit.register(_shared.close)
        return _shared


def reader_for(settings: Settings) -> IsolatedReader:
    """The shared reader with the limits of PARSE_CPU_SECONDS and PARSE_MEMORY_MB."""
    return shared_reader(settings.parse_cpu_seconds, settings.parse_memory_mb * 2**20)
