"""What the CLI prints never carries a raw control sequence from an article or a name."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.cli import main
from bot.terminal import json_safe, visible
from tests.conftest import knowledge_folder

ESCAPE = "\x1b]0;pwned\x07\x1b[2K"


def test_controls_become_visible_and_newlines_and_tabs_stay() -> None:
    assert visible(f"a{ESCAPE}\tb\nc\x7f\x9b") == "a␛]0;pwned␇␛[2K\tb\nc\u2421\\x9b"
    assert json.loads(json_safe(json.dumps({"t": "x\x9by"}, ensure_ascii=False))) == {"t": "x\x9by"}


def test_escapes_in_articles_and_file_names_are_printed_visibly(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = knowledge_folder(tmp_path, monkeypatch)
    (folder / "suno.md").write_text(
        f"---\ntitle: Suno{ESCAPE}指南\n---\n\n# Suno\n\nSuno是一款AI音乐工具{ESCAPE}，可以写歌。\n",
        encoding="utf-8",
    )
    (folder / f"bad{ESCAPE[:1]}name.md").write_bytes(b"\xff\xfe\x00binary")
    assert main(["index"]) == 0
    assert main(["ask", "Suno是什么"]) == 0
    assert main(["ask", "--json", "Suno是什么"]) == 0
    out = capsys.readouterr()
    printed = out.out + out.err
    assert "\x1b" not in printed and "\x07" not in printed
    assert "␛" in printed
