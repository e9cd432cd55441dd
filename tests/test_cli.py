import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import main
from tests.conftest import DATA, KNOWLEDGE, REPO, write


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    db = tmp_path / "data" / "kb.sqlite3"
    monkeypatch.setenv("DATABASE_PATH", str(db))
    monkeypatch.setenv("KNOWLEDGE_DIR", str(KNOWLEDGE))
    return db


def test_ask_json_shape(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ask", "--json", "什么是AIGC？", "明天会下雨吗？"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 2
    first, second = (json.loads(line) for line in lines)
    assert first["question"] == "什么是AIGC？" and first["answered"] is True
    assert 1 <= len(first["passages"]) <= 3
    for passage in first["passages"]:
        assert set(passage) == {"title", "url", "heading", "text", "score"}
        assert isinstance(passage["score"], float) and passage["text"]
        assert passage["url"].startswith("https://")
    scores = [p["score"] for p in first["passages"]]
    assert scores == sorted(scores, reverse=True)
    assert {k: second[k] for k in ("question", "answered", "passages")} == {
        "question": "明天会下雨吗？",
        "answered": False,
        "passages": [],
    }
    assert 1 <= len(second["suggestions"]) <= 3 and all(isinstance(s, str) for s in second["suggestions"])
    assert "suggestions" not in first
    assert env.exists(), "ask builds the database when it is missing"


def test_ask_text_shows_sentences_and_sources(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ask", "文心一言是什么？"]) == 0
    out = capsys.readouterr().out
    assert "文心一言" in out and "来源" in out and "https://blog.csdn.net/" in out


def test_ask_explain_shows_terms_origins_and_contributions(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["ask", "--explain", "midjourny 好用吗", "AIGC 的 salary 大概多少"]) == 0
    out = capsys.readouterr().out
    assert "midjourney" in out and "via fuzzy of 'midjourny'" in out
    assert "via glossary of 'salary'" in out and "#1 " in out


def test_index_reports_then_finds_nothing_to_do(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["index"]) == 0
    first = capsys.readouterr().out
    assert "5 added" in first and "passages:" in first and "time:" in first
    assert main(["index"]) == 0
    assert "5 unchanged" in capsys.readouterr().out


def test_index_names_skipped_files(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    kb = tmp_path / "kb"
    write(kb / "good.md", "# 标题\n\nAIGC是人工智能生成内容。")
    write(kb / "bad.md", b"")
    monkeypatch.setenv("KNOWLEDGE_DIR", str(kb))
    monkeypatch.setenv("DATABASE_PATH", str(tmp_path / "db.sqlite3"))
    assert main(["index"]) == 0
    assert "skipped: bad.md: empty file" in capsys.readouterr().out


def test_chat_answers_until_eof(
    env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    questions = iter(["", "AIGC人才的平均年薪是多少？", "/quit"])
    monkeypatch.setattr("builtins.input", lambda prompt="": next(questions))
    assert main(["chat"]) == 0
    out = capsys.readouterr().out
    assert "请输入一个问题" in out and "年薪" in out


def test_eval_prints_metrics(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["eval", str(DATA / "dev.jsonl")]) == 0
    out = capsys.readouterr().out
    for metric in ["hit@1:", "hit@3:", "MRR@3:", "no-answer precision:", "promo passages in top 3: 0"]:
        assert metric in out


@pytest.mark.parametrize(
    ("argv", "env_name", "value", "message"),
    [
        (["eval", "missing.jsonl"], None, None, "no such file"),
        (["ask", "x"], "CHUNK_MAX_CHARS", "abc", "CHUNK_MAX_CHARS"),
        (["index"], "KNOWLEDGE_DIR", "/nonexistent/kb", "does not exist"),
    ],
)
def test_errors_are_one_clear_line(
    env: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    argv: list[str],
    env_name: str | None,
    value: str | None,
    message: str,
) -> None:
    if env_name:
        monkeypatch.setenv(env_name, str(value))
    assert main(argv) in (1, 2)
    err = capsys.readouterr().err.strip()
    assert message in err and len(err.splitlines()) == 1


def test_module_entry_point_runs(tmp_path: Path) -> None:
    environ = {**os.environ, "DATABASE_PATH": str(tmp_path / "db.sqlite3"), "KNOWLEDGE_DIR": str(KNOWLEDGE)}
    proc = subprocess.run(
        [sys.executable, "-m", "bot", "ask", "--json", "AIGC salary"],
        capture_output=True,
        text=True,
        env=environ,
        cwd=REPO,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["answered"] is True
    assert proc.stderr == "", "no jieba chatter on stderr"


def test_ask_json_conversation(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    questions = ["AIGC在问答领域的代表产品是哪个？", "它是谁开发的？"]
    assert main(["ask", "--json", "--conversation", *questions]) == 0
    first, second = (json.loads(line) for line in capsys.readouterr().out.strip().splitlines())
    assert first["understood"] == "" and second["understood"].startswith("（理解为")
    assert "OpenAI" in second["answer"][:300] and second["intent"]
    assert main(["ask", "--json", *questions]) == 0, "without --conversation each stands alone"
    alone = json.loads(capsys.readouterr().out.strip().splitlines()[1])
    assert alone["understood"] == ""


def test_init_writes_a_ready_folder_and_never_overwrites(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "bot"
    assert main(["init", str(folder)]) == 0
    assert "next: cd" in capsys.readouterr().out
    names = {p.name for p in (folder / "knowledge").iterdir()}
    assert "vocab" in names and len([n for n in names if n.endswith(".txt")]) == 5
    env = (folder / ".env").read_text(encoding="utf-8")
    assert "KNOWLEDGE_DIR=knowledge" in env and "# TELEGRAM_BOT_TOKEN=" in env
    assert main(["init", str(folder)]) == 2
    assert "exists already" in capsys.readouterr().err
