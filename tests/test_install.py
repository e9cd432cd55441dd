"""A non-editable install, run from another folder, behaves exactly like the checkout."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from tests.conftest import DATA, KNOWLEDGE, REPO


def run(args: list[str], cwd: Path, env: dict[str, str]) -> str:
    proc = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc.stdout


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel built from this checkout, unpacked into a folder of its own."""
    out = tmp_path_factory.mktemp("install")
    env = {**os.environ, "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    # Build from a copy: an in-tree build would leave build/ and egg-info in the checkout.
    source = out / "source"
    shutil.copytree(
        REPO, source, ignore=shutil.ignore_patterns(".git", ".venv", "build", "*.egg-info", "data")
    )
    run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(out / "dist"), str(source)],
        out,
        env,
    )
    wheel = next((out / "dist").glob("aigc_bot-*.whl"))
    run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "-q",
            "--no-deps",
            "--target",
            str(out / "site"),
            str(wheel),
        ],
        out,
        env,
    )
    return out / "site"


def test_installed_package_reproduces_the_checkout_eval(installed: Path, tmp_path: Path) -> None:
    articles = tmp_path / "articles"
    shutil.copytree(KNOWLEDGE, articles, ignore=shutil.ignore_patterns("vocab"))
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    base = {k: v for k, v in os.environ.items() if k not in {"VOCAB_DIR", "PYTHONPATH"}}
    env = {**base, "KNOWLEDGE_DIR": str(articles)}
    where = run(
        [sys.executable, "-c", "import bot; print(bot.__file__)"],
        elsewhere,
        {**env, "PYTHONPATH": str(installed)},
    )
    assert where.startswith(str(installed)), "the installed copy is the one that runs"
    figures = []
    for pythonpath, db in ((str(installed), "installed.sqlite3"), (str(REPO), "checkout.sqlite3")):
        out = run(
            [sys.executable, "-m", "bot", "eval", str(DATA / "dev.jsonl")],
            elsewhere,
            {**env, "PYTHONPATH": pythonpath, "DATABASE_PATH": str(tmp_path / db)},
        )
        figures.append(out)
    assert "hit@1" in figures[0] and "lead@300" in figures[0]
    assert figures[0] == figures[1]


def test_init_from_the_installed_package_writes_a_ready_folder(installed: Path, tmp_path: Path) -> None:
    base = {k: v for k, v in os.environ.items() if k not in {"VOCAB_DIR", "PYTHONPATH", "KNOWLEDGE_DIR"}}
    env = {**base, "PYTHONPATH": str(installed)}
    out = run([sys.executable, "-m", "bot", "init", "ready"], tmp_path, env)
    folder = tmp_path / "ready"
    assert "next: cd ready && aigc-bot chat" in out
    assert len(list((folder / "knowledge").glob("*.txt"))) == 5, "the shipped articles travel in the wheel"
    assert (folder / "knowledge" / "vocab" / "glossary.txt").is_file() and (folder / ".env").is_file()
    answer = run([sys.executable, "-m", "bot", "ask", "什么是AIGC？"], folder, env)
    assert "人工智能生成内容" in answer


def test_the_installed_package_serves_the_admin_console(installed: Path, tmp_path: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    base = {k: v for k, v in os.environ.items() if k not in {"VOCAB_DIR", "PYTHONPATH"}}
    token = "installed-console-token-0123"
    env = {
        **base,
        "PYTHONPATH": str(installed),
        "KNOWLEDGE_DIR": str(KNOWLEDGE),
        "DATABASE_PATH": str(tmp_path / "web.sqlite3"),
        "WEB_PORT": str(port),
        "WEB_ADMIN_TOKEN": token,
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot", "web"], cwd=tmp_path, env=env, stdout=subprocess.PIPE, text=True
    )
    try:
        assert proc.stdout is not None
        assert "admin console: http://127.0.0.1:" in proc.stdout.readline(), "it says where it listens"
        headers = {"Authorization": f"Bearer {token}"}
        page = httpx.get(f"http://127.0.0.1:{port}/", headers=headers, timeout=30)
        assert page.status_code == 200 and 'id="articles">5<' in page.text
        script = re.search(r'src="(/static/chart\.umd\.min\.js[^"]*)"', page.text)
        assert script, "the page loads the vendored chart library"
        chart = httpx.get(f"http://127.0.0.1:{port}{script.group(1)}", timeout=30)
        assert chart.status_code == 200 and "Chart.js" in chart.text[:200], (
            "templates and static files are in the wheel"
        )
    finally:
        proc.terminate()
        proc.wait(timeout=60)
    assert proc.returncode == 0
