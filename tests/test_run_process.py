"""`aigc-bot run` as a real process against the fake Bot API: answers, then exits 0 on SIGTERM."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import KNOWLEDGE
from tests.fakes.bot_api import TOKEN, FakeBotAPI


@pytest.fixture
def fake() -> Iterator[FakeBotAPI]:
    api = FakeBotAPI().start()
    yield api
    api.stop()


def wait(predicate: object, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        time.sleep(0.05)


def test_run_answers_and_stops_cleanly_on_sigterm(fake: FakeBotAPI, tmp_path: Path) -> None:
    env = {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_BASE_URL": fake.base_url,
        "TELEGRAM_BASE_FILE_URL": fake.base_file_url,
        "ADMIN_USER_IDS": "42",
        "KNOWLEDGE_DIR": str(KNOWLEDGE),
        "DATABASE_PATH": str(tmp_path / "bot.sqlite3"),
        "LOG_LEVEL": "INFO",
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot", "run"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        wait(lambda: any(c.method == "getUpdates" for c in fake.calls) or proc.poll() is not None)
        assert proc.poll() is None, proc.communicate()[0]
        last = fake.message("什么是AIGC？")
        wait(lambda: len(fake.sent("sendMessage")) >= 1)
        assert "href" in fake.sent("sendMessage")[0].params["text"]
        proc.send_signal(signal.SIGTERM)
        output, _ = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, output
    assert fake.confirmed > last, "pending updates were not confirmed before exit"
    assert TOKEN not in output and TOKEN.split(":")[1] not in output, "the token leaked into the logs"
    assert not fake.rejected()
