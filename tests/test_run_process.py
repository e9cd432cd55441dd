"""`aigc-bot run` as a real process against the fake Bot API: answers, then exits 0 on SIGTERM."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import KNOWLEDGE
from tests.fakes.bot_api import TOKEN, FakeBotAPI

CONSOLE_TOKEN = "run-console-token-0123456789"


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


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_run_answers_serves_the_console_and_stops_cleanly_on_sigterm(
    fake: FakeBotAPI, tmp_path: Path
) -> None:
    port = free_port()
    env = {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_BASE_URL": fake.base_url,
        "TELEGRAM_BASE_FILE_URL": fake.base_file_url,
        "ADMIN_USER_IDS": "42",
        "KNOWLEDGE_DIR": str(KNOWLEDGE),
        "DATABASE_PATH": str(tmp_path / "bot.sqlite3"),
        "LOG_LEVEL": "INFO",
        "WEB_PORT": str(port),  # the admin console in the same process
        "WEB_ADMIN_TOKEN": CONSOLE_TOKEN,
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
        overview = httpx.get(
            f"http://127.0.0.1:{port}/", headers={"Authorization": f"Bearer {CONSOLE_TOKEN}"}
        )
        assert overview.status_code == 200 and 'id="asked">1<' in overview.text, (
            "the console sees the bot's log"
        )
        proc.send_signal(signal.SIGTERM)
        output, _ = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, output
    assert fake.confirmed > last, "pending updates were not confirmed before exit"
    assert TOKEN not in output and TOKEN.split(":")[1] not in output, "the token leaked into the logs"
    assert not fake.rejected()


WRONG = "999999:WRONG-token_abcdefghijklmnopqrstuv"


@pytest.mark.parametrize(
    ("case", "code", "says"),
    [
        ("rejected-token", 3, "rejected TELEGRAM_BOT_TOKEN"),
        ("unreachable-bot-api", 4, "cannot reach the Bot API"),
        ("bad-setting", 2, "invalid setting RATE_LIMIT_PER_MINUTE"),
        ("unusable-database", 1, "is a folder"),
        ("console-on-a-network-without-a-token", 2, "WEB_ADMIN_TOKEN is not set"),
    ],
)
def test_start_up_failure_is_one_clear_line_without_the_token(
    fake: FakeBotAPI, tmp_path: Path, case: str, code: int, says: str
) -> None:
    env = {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_BASE_URL": fake.base_url,
        "KNOWLEDGE_DIR": str(KNOWLEDGE),
        "DATABASE_PATH": str(tmp_path / "bot.sqlite3"),
        "LOG_LEVEL": "INFO",
    }
    if case == "rejected-token":
        env["TELEGRAM_BOT_TOKEN"] = WRONG
    elif case == "unreachable-bot-api":
        env["TELEGRAM_BASE_URL"] = "http://127.0.0.1:9/bot"  # nothing listens on the discard port
    elif case == "bad-setting":
        env["RATE_LIMIT_PER_MINUTE"] = "lots"
    elif case == "console-on-a-network-without-a-token":
        env.update(WEB_PORT="8080", WEB_LISTEN="0.0.0.0")
    else:
        (tmp_path / "bot.sqlite3").mkdir()
    proc = subprocess.run(
        [sys.executable, "-m", "bot", "run"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    output = proc.stdout + proc.stderr
    assert proc.returncode == code, output
    assert says in output
    assert len(output.strip().splitlines()) <= 5, output
    assert "Traceback" not in output
    for token in (TOKEN, WRONG):
        assert token.split(":")[1] not in output, "the token leaked"
