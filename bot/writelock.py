"""One index writer at a time, across processes: a lock file beside the database.

Two `aigc-bot index` at once, or a CLI index during a bot's /reload, used to end one of
them in "UNIQUE constraint failed". The second writer now waits for the first (with a
log line naming its pid), and gives up after WAIT_SECONDS with "another index is running
(pid N)". The lock is `flock` on `<database>.lock`, released by the kernel when the
holder exits, however it exits.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import time
from collections.abc import Iterator
from pathlib import Path

from bot.errors import StorageError

log = logging.getLogger(__name__)
WAIT_SECONDS = 120.0


def lock_path(database: Path) -> Path | None:
    return None if str(database) == ":memory:" else database.with_name(database.name + ".lock")


@contextlib.contextmanager
def index_writer(database: Path, wait: float = WAIT_SECONDS) -> Iterator[None]:
    """Hold the database's writer lock (blocking, in the caller's thread)."""
    with exclusive(lock_path(database), "another index is running", wait):
        yield


@contextlib.contextmanager
def exclusive(path: Path | None, busy: str, wait: float = WAIT_SECONDS) -> Iterator[None]:
    """Hold an flock on `path` (None: nothing to lock); StorageError "<busy> (pid N)"
    when another process still holds it after `wait` seconds."""
    if path is None:
        yield
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), 0o600)
    try:
        deadline = time.monotonic() + wait
        told = False
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                holder = _holder(fd)
                if time.monotonic() >= deadline:
                    raise StorageError(f"{busy} (pid {holder}); try again later") from None
                if not told:
                    log.warning("waiting: %s (pid %s)", busy, holder)
                    told = True
                time.sleep(0.2)
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def _holder(fd: int) -> str:
    try:
        return os.pread(fd, 32, 0).decode().strip() or "?"
    except (OSError, UnicodeDecodeError):
        return "?"
