"""A process killed (SIGKILL) while indexing leaves a database that recovers to exactly
a clean build: the reload's changes land in one transaction or not at all."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import KNOWLEDGE, REPO

QUESTIONS = ["什么是AIGC？", "AIGC人才的平均年薪是多少？", "主题42讲了什么？", "主题7的第3节是什么？"]


def env_for(folder: Path, db: Path) -> dict[str, str]:
    return {**os.environ, "KNOWLEDGE_DIR": str(folder), "DATABASE_PATH": str(db), "PYTHONPATH": str(REPO)}


def answers(folder: Path, db: Path) -> list[object]:
    proc = subprocess.run(
        [sys.executable, "-m", "bot", "ask", "--json", *QUESTIONS],
        env=env_for(folder, db),
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    return [json.loads(line) for line in proc.stdout.splitlines()]


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    kb = tmp_path_factory.mktemp("kill") / "kb"
    shutil.copytree(KNOWLEDGE, kb)
    for i in range(120):  # enough text that indexing takes a while
        sections = "\n\n".join(
            f"## 第{j}节\n\n主题{i}的第{j}节讲的是生成式模型在场景{j}中的用法。" * 3 for j in range(6)
        )
        (kb / f"t{i:03d}.md").write_text(f"---\ntitle: 主题{i}\n---\n\n{sections}\n", encoding="utf-8")
    return kb


@pytest.mark.parametrize("after", [0.8, 2.0], ids=lambda s: f"killed-after-{s}s")
def test_kill_during_index_recovers_to_a_clean_build(folder: Path, tmp_path: Path, after: float) -> None:
    clean = tmp_path / "clean.sqlite3"
    expected = answers(folder, clean)
    killed = tmp_path / "killed.sqlite3"
    # Half the knowledge base first, so the killed run is a reload with changes.
    half = tmp_path / "half"
    shutil.copytree(folder, half, ignore=lambda _, names: [n for n in names if n.startswith("t1")])
    answers(half, killed)
    shutil.rmtree(half)
    shutil.copytree(folder, half)
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot", "index"],
        env=env_for(half, killed),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    time.sleep(after)
    if proc.poll() is None:
        os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=60)
    assert answers(half, killed) == expected
