"""Bad article files on index/reload: each is skipped with a named reason, never a crash."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.indexer import KnowledgeIndexer
from bot.kb.ingest import list_article_files
from bot.kb.tokenizer import Tokenizer
from bot.store import Database
from tests.conftest import write
from tests.hostile import yaml_bomb

GOOD = "---\ntitle: 正常文章\n---\n\n# 正常文章\n\nAIGC是人工智能生成内容。\n"


def _symlink_outside(folder: Path) -> None:
    outside = write(folder.parent / "secret.md", "# 机密\n\n不应被索引的内容。")
    (folder / "link.md").symlink_to(outside)


# (case id, file name, content or setup, expected: None = indexed, else a reason fragment)
CASES: list[tuple[str, str, bytes | Callable[[Path], None], str | None]] = [
    ("empty", "empty.md", b"", "empty file"),
    ("binary", "binary.md", b"\x89PNG\r\n\x1a\n\x00\x00\x00IHDR", "binary file"),
    ("gbk-encoded-chinese", "gbk.txt", "# 标题\n\nGBK编码的中文内容，讲AIGC。".encode("gbk"), None),
    ("malformed-yaml", "bad-yaml.md", b"---\ntitle: [oops\n---\n\nbody text", "malformed YAML"),
    ("front-matter-only", "meta-only.md", b"---\ntitle: only\n---\n", "no text after the front matter"),
    ("10-mb-file", "huge.md", b"# big\n\n" + "很长的内容。".encode() * (10 * 1024 * 1024 // 18), "too large"),
    ("same-content-twice", "zz-copy.md", GOOD.encode(), "same content as good.md"),
    ("symlink-outside", "link.md", _symlink_outside, "outside the knowledge folder"),
    ("yaml-alias-bomb", "bomb.md", yaml_bomb(), "aliases"),
    ("spaces-and-chinese-name", "我的 文章 1.md", "# 空格与中文\n\n文件名带空格的文章。".encode(), None),
]


def place(folder: Path, name: str, content: bytes | Callable[[Path], None]) -> None:
    if callable(content):
        content(folder)
    else:
        write(folder / name, content)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    kb = tmp_path / "kb"
    write(kb / "good.md", GOOD)
    return kb


@pytest.mark.parametrize(("name", "content", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
async def test_each_bad_file_is_named_and_the_rest_indexed(
    folder: Path,
    tmp_path: Path,
    tokenizer: Tokenizer,
    name: str,
    content: bytes | Callable[[Path], None],
    expected: str | None,
) -> None:
    place(folder, name, content)
    async with await Database.open(tmp_path / "db.sqlite3") as db:
        snapshot, report, _ = await KnowledgeIndexer(db, folder, tokenizer).refresh()
    indexed = {a.path for a in snapshot.articles}
    assert "good.md" in indexed, "one bad file must not stop the rest"
    if expected is None:
        assert name in indexed and not report.skipped
    else:
        assert name not in indexed
        assert [(path, reason) for path, reason in report.skipped if path == name]
        assert expected in dict(report.skipped)[name]


async def test_all_bad_files_at_once(folder: Path, tmp_path: Path, tokenizer: Tokenizer) -> None:
    for _, name, content, _ in CASES:
        place(folder, name, content)
    async with await Database.open(tmp_path / "db.sqlite3") as db:
        _, report, _ = await KnowledgeIndexer(db, folder, tokenizer).refresh()
    skipped = dict(report.skipped)
    assert {name for _, name, _, expected in CASES if expected} == set(skipped)
    assert all(reason for reason in skipped.values())


async def test_file_deleted_between_listing_and_reading(
    folder: Path, tmp_path: Path, tokenizer: Tokenizer, monkeypatch: pytest.MonkeyPatch
) -> None:
    ghost = folder / "ghost.md"
    real_list = list_article_files
    monkeypatch.setattr(
        "bot.indexer.list_article_files",
        lambda root, exclude, unsupported=None: [*real_list(root, exclude, unsupported), ghost],
    )
    async with await Database.open(tmp_path / "db.sqlite3") as db:
        snapshot, report, _ = await KnowledgeIndexer(db, folder, tokenizer).refresh()
    assert report.skipped == [("ghost.md", "file disappeared while indexing")]
    assert [a.path for a in snapshot.articles] == ["good.md"]


async def test_unreadable_file_is_skipped(folder: Path, tmp_path: Path, tokenizer: Tokenizer) -> None:
    target = write(folder / "locked.md", "# x\n\ny")
    os.chmod(target, 0)
    try:
        if os.access(target, os.R_OK):
            pytest.skip("running as root: permissions are not enforced")
        async with await Database.open(tmp_path / "db.sqlite3") as db:
            _, report, _ = await KnowledgeIndexer(db, folder, tokenizer).refresh()
        assert "cannot read" in dict(report.skipped)["locked.md"]
    finally:
        os.chmod(target, 0o644)


async def test_an_article_over_its_time_budget_is_named_and_skipped(
    folder: Path, tmp_path: Path, tokenizer: Tokenizer
) -> None:
    write(folder / "heavy.md", "# 重\n\n" + "很长的一段内容，讲AIGC。" * 2000)
    async with await Database.open(tmp_path / "db.sqlite3") as db:
        indexer = KnowledgeIndexer(db, folder, tokenizer, article_budget=0.0)
        _, report, _ = await indexer.refresh()
    reasons = dict(report.skipped)
    assert "budget" in reasons["heavy.md"] and "good.md" in reasons, "every article was over a zero budget"


def test_a_yaml_bomb_upload_is_refused_quickly_and_small() -> None:
    import time
    import tracemalloc

    from bot.errors import ArticleError
    from bot.uploads import validate_article

    tracemalloc.start()
    started = time.perf_counter()
    with pytest.raises(ArticleError, match="aliases"):
        validate_article("bomb.md", yaml_bomb(9), 1_048_576)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert time.perf_counter() - started < 2 and peak < 50 * 1024 * 1024
