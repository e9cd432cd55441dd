"""Data out: export, backup, retention and rebuild, through the command line."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import sqlite3
from pathlib import Path

import pytest

from bot import querylog
from bot.cli import main
from bot.store import Database
from tests.conftest import KNOWLEDGE


@pytest.fixture
def db_path(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    path = tmp_path / "bot.sqlite3"
    monkeypatch.setenv("DATABASE_PATH", str(path))
    monkeypatch.setenv("KNOWLEDGE_DIR", str(KNOWLEDGE))

    async def fill() -> None:
        async with await Database.open(path) as db:
            for text, answered in [("什么是AIGC？", True), ("怎么做蛋糕", False), ("ChatGPT是什么", True)]:
                qid = await querylog.log_question(
                    db,
                    user_id=7,
                    chat_id=7,
                    chat_type="private",
                    text=text,
                    answered=answered,
                    passage_ids=[],
                    latency_ms=3.0,
                    lang="zh",
                )
            await querylog.record_feedback(db, qid, 7, 1)
            async with db.transaction() as conn:  # one old row, for --since and retention
                await conn.execute("UPDATE questions SET asked_at = '2020-01-01T00:00:00.000' WHERE id = 1")

    asyncio.run(fill())
    return path


def test_export_questions_as_csv(db_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["export", "questions"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [r["text"] for r in rows] == ["什么是AIGC？", "怎么做蛋糕", "ChatGPT是什么"]


def test_export_unanswered_since_a_date_as_jsonl(db_path: Path, tmp_path: Path) -> None:
    out = tmp_path / "unanswered.jsonl"
    assert main(["export", "unanswered", "--since", "2021-01-01", "--format", "jsonl", "-o", str(out)]) == 0
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["text"] for r in rows] == ["怎么做蛋糕"] and rows[0]["answered"] == 0


def test_export_feedback_and_a_bad_date(db_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["export", "feedback"]) == 0
    assert "ChatGPT是什么" in capsys.readouterr().out
    assert main(["export", "questions", "--since", "yesterday"]) == 2
    assert "--since must be a date" in capsys.readouterr().err


def test_backup_is_a_consistent_copy_and_never_overwrites(db_path: Path, tmp_path: Path) -> None:
    target = tmp_path / "backup" / "copy.sqlite3"
    assert main(["backup", str(target)]) == 0
    with sqlite3.connect(target) as copy:
        assert copy.execute("SELECT count(*) FROM questions").fetchone()[0] == 3
    assert main(["backup", str(target)]) == 2, "an existing file is never overwritten"


def test_retention_purges_old_questions_on_start(db_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LOG_RETENTION_DAYS", "30")
    assert main(["index"]) == 0
    with sqlite3.connect(db_path) as conn:
        assert [r[0] for r in conn.execute("SELECT text FROM questions")] == ["怎么做蛋糕", "ChatGPT是什么"]


def test_index_rebuild_keeps_the_question_log(db_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["index"]) == 0
    capsys.readouterr()
    assert main(["index", "--rebuild"]) == 0
    assert "5 added" in capsys.readouterr().out
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("SELECT count(*) FROM questions").fetchone()[0] == 3


def test_health_exit_codes(db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert main(["health"]) == 0
    empty = tmp_path / "empty"
    empty.mkdir()
    monkeypatch.setenv("KNOWLEDGE_DIR", str(empty))
    assert main(["health"]) == 1


def log_hostile(path: Path, texts: list[str]) -> None:
    async def fill() -> None:
        async with await Database.open(path) as db:
            for text in texts:
                await querylog.log_question(
                    db,
                    user_id=9,
                    chat_id=9,
                    chat_type="private",
                    text=text,
                    answered=False,
                    passage_ids=[],
                    latency_ms=1.0,
                    lang="zh",
                )

    asyncio.run(fill())


FORMULAS = ['=HYPERLINK("http://x","click")', "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)", "\tx", "\rx"]


def test_csv_cells_a_spreadsheet_would_run_are_neutralised(
    db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    log_hostile(db_path, FORMULAS)
    assert main(["export", "unanswered"]) == 0
    # As a spreadsheet reads it: every cell that would start a formula is text.
    cells = [r["text"] for r in csv.DictReader(io.StringIO(capsys.readouterr().out))]
    hostile = cells[-len(FORMULAS) :]
    assert all(c.startswith("'") for c in hostile) and [c[1:] for c in hostile] == FORMULAS
    assert main(["export", "unanswered", "--format", "jsonl"]) == 0
    stored = [json.loads(line)["text"] for line in capsys.readouterr().out.splitlines()]
    assert stored[-len(FORMULAS) :] == FORMULAS, "JSON lines are data, untouched"


def test_export_and_backup_never_overwrite_without_force_nor_touch_the_database(
    db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = db_path.read_bytes()
    for target in [
        db_path,
        db_path.with_name(db_path.name + "-wal"),
        db_path.with_name(db_path.name + ".index"),
    ]:
        assert main(["export", "questions", "-o", str(target), "--force"]) == 2
        assert main(["backup", str(target), "--force"]) == 2
    assert db_path.read_bytes() == before
    existing = tmp_path / "report.csv"
    existing.write_text("keep me", encoding="utf-8")
    assert main(["export", "questions", "-o", str(existing)]) == 2
    assert "--force" in capsys.readouterr().err and existing.read_text(encoding="utf-8") == "keep me"
    assert main(["export", "questions", "-o", str(existing), "--force"]) == 0
    assert "什么是AIGC？" in existing.read_text(encoding="utf-8")
    dangling = tmp_path / "dangling.sqlite3"
    dangling.symlink_to(tmp_path / "nowhere" / "target.sqlite3")
    assert main(["backup", str(dangling)]) == 2
    assert not (tmp_path / "nowhere").exists(), "a link at the target is never followed"
