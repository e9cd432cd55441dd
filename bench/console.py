"""The admin console with a large question log: how long each page takes to answer.

    python bench/console.py                       # 100,000 logged questions
    python bench/console.py --questions 10000     # smaller

The shipped articles are indexed into a fresh database; `--questions` questions are
logged over the last 90 days (a third refused, with repeats, as a real log has), with a
👎 for every 50th; then `aigc-bot web` is started as its own process and each page is
requested 20 times with the admin token (after one warm-up request). Prints the median
and the slowest request per page; the overview's bar is 200 ms.

Figures come from one run on a shared machine: compare rows of one run.
"""

from __future__ import annotations

import argparse
import os
import random
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parent.parent
TOKEN = "bench-console-token-0123456789"
PAGES = ("/", "/unanswered", "/feedback", "/knowledge", "/knowledge?q=AIGC", "/hit?q=什么是AIGC")
REFUSED = (
    "怎么做红烧肉",
    "今天天气怎么样",
    "Sora的训练成本是多少",
    "Midjourney会员一个月多少钱",
    "股票怎么买",
)
ANSWERED = ("什么是AIGC？", "AIGC有哪些工具？", "AIGC人才薪资怎么样？", "AIGC的未来发展前景如何？")


def seed(database: Path, questions: int) -> None:
    """Rows straight into the question log (as months of the bot's own logging would)."""
    rng = random.Random(7)
    with sqlite3.connect(database) as conn:
        rows = []
        for n in range(questions):
            refused = n % 3 == 0
            text = rng.choice(REFUSED if refused else ANSWERED) + ("" if n % 7 else f" {n % 500}")
            when = f"-{rng.randrange(90 * 24 * 60)} minutes"
            rows.append((n % 997, n % 997, "private", text, int(not refused), "[1, 2]", when))
        conn.executemany(
            "INSERT INTO questions(user_id, chat_id, chat_type, text, answered, passages, asked_at)"
            " VALUES (?,?,?,?,?,?, strftime('%Y-%m-%dT%H:%M:%f', 'now', ?))",
            rows,
        )
        conn.execute(
            "INSERT INTO feedback(question, user_id, value)"
            " SELECT id, user_id, -1 FROM questions WHERE id % 50 = 0"
        )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for(url: str, proc: subprocess.Popen[bytes], seconds: float = 120.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit("aigc-bot web exited")
        try:
            httpx.get(url + "login", timeout=2)
            return
        except httpx.HTTPError:
            time.sleep(0.2)
    raise SystemExit("aigc-bot web did not start")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--questions", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        env = {
            **os.environ,
            "KNOWLEDGE_DIR": str(REPO / "knowledge"),
            "DATABASE_PATH": str(Path(tmp) / "bench.sqlite3"),
            "WEB_ADMIN_TOKEN": TOKEN,
            "WEB_PORT": str(free_port()),
            "LOG_LEVEL": "WARNING",
        }
        subprocess.run([sys.executable, "-m", "bot", "index"], env=env, check=True, capture_output=True)
        seed(Path(env["DATABASE_PATH"]), args.questions)
        url = f"http://127.0.0.1:{env['WEB_PORT']}/"
        proc = subprocess.Popen([sys.executable, "-m", "bot", "web"], env=env, stdout=subprocess.DEVNULL)
        try:
            wait_for(url, proc)
            headers = {"Authorization": f"Bearer {TOKEN}"}
            print(f"admin console, {args.questions:,} logged questions, {args.runs} requests per page")
            print(f"{'page':<22} {'median ms':>10} {'slowest ms':>11}")
            with httpx.Client(base_url=url, headers=headers, timeout=60) as client:
                for page in PAGES:
                    client.get(page).raise_for_status()  # warm-up
                    times = []
                    for _ in range(args.runs):
                        started = time.perf_counter()
                        client.get(page).raise_for_status()
                        times.append((time.perf_counter() - started) * 1000)
                    print(f"{page:<22} {statistics.median(times):>10.1f} {max(times):>11.1f}")
        finally:
            proc.terminate()
            proc.wait(timeout=60)


if __name__ == "__main__":
    main()
