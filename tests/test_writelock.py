"""One index writer at a time across processes: the second waits, or says who writes."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from bot.errors import StorageError
from bot.writelock import index_writer
from tests.conftest import KNOWLEDGE

REPO = Path(__file__).resolve().parent.parent


def test_a_second_writer_is_told_who_holds_the_lock(tmp_path: Path) -> None:
    database = tmp_path / "kb.sqlite3"
    errors: list[str] = []
    with index_writer(database):

        def second() -> None:
            try:
                with index_writer(database, wait=0.5):
                    pass
            except StorageError as exc:
                errors.append(str(exc))

        thread = threading.Thread(target=second)
        thread.start()
        thread.join(10)
    assert errors == [f"another index is running (pid {os.getpid()}); try again later"]
    with index_writer(database, wait=0.5):  # released: the next writer goes ahead
        pass


def test_two_index_commands_at_once_both_finish(tmp_path: Path) -> None:
    folder = tmp_path / "kb"
    folder.mkdir()
    for path in KNOWLEDGE.iterdir():
        for copy in range(4):
            (folder / f"{copy}-{path.name}").write_text(
                path.read_text(encoding="utf-8").replace("title:", f"title: {copy}", 1), encoding="utf-8"
            )
    env = {**os.environ, "KNOWLEDGE_DIR": str(folder), "DATABASE_PATH": str(tmp_path / "kb.sqlite3")}
    runs = [
        subprocess.Popen(
            [sys.executable, "-m", "bot", "index"],
            cwd=tmp_path,
            env={**env, "PYTHONPATH": str(REPO)},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    outputs = [run.communicate(timeout=300) for run in runs]
    for run, (_, err) in zip(runs, outputs, strict=True):
        assert run.returncode == 0, err
        assert "UNIQUE constraint" not in err and "Traceback" not in err
    assert any("added" in out for out, _ in outputs)


@pytest.mark.parametrize("database", [":memory:"])
def test_an_in_memory_database_needs_no_lock(database: str) -> None:
    with index_writer(Path(database)):
        pass
