"""The built index kept beside the database: the next start maps it instead of rebuilding."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from bot import snapshot_files
from bot.indexer import KnowledgeIndexer
from bot.kb.answer import compose_answer
from bot.kb.results import Answer
from bot.kb.retrieval import Retriever
from bot.kb.tokenizer import Tokenizer
from bot.service import KnowledgeService
from bot.snapshot_files import StoredPassages
from bot.snapshots import build_snapshot, load_snapshot
from bot.store import Database
from tests.conftest import KNOWLEDGE, answer_to, make_settings, write

QUESTIONS = ["什么是AIGC？", "AIGC有哪些工具？", "AIGC人才薪资怎么样", "which tools exist?", "怎么做红烧肉"]


def stored_folders(tmp_path: Path) -> list[Path]:
    folder = snapshot_files.folder_for(tmp_path / "kb.sqlite3")
    assert folder is not None
    return (
        sorted(p for p in folder.iterdir() if p.is_dir() and not p.name.startswith("."))
        if folder.is_dir()
        else []
    )


async def open_service(tmp_path: Path, knowledge: Path = KNOWLEDGE) -> KnowledgeService:
    return await KnowledgeService.open(make_settings(tmp_path, knowledge))


def replies(service: KnowledgeService) -> list[Answer]:
    return [answer_to(service, question) for question in QUESTIONS]


async def test_a_restart_maps_the_stored_index_and_answers_the_same(tmp_path: Path) -> None:
    first = await open_service(tmp_path)
    built = replies(first)
    await first.close()
    assert len(stored_folders(tmp_path)) == 1

    again = await open_service(tmp_path)
    try:
        # Served from the mapped files: passages are decoded on demand, not all read.
        assert isinstance(again.snapshot.passages, StoredPassages)
        assert replies(again) == built
        assert await again.suggest("帮我写一首关于大海的诗") == await first.suggest("帮我写一首关于大海的诗")
    finally:
        await again.close()


async def test_a_damaged_stored_index_is_rebuilt_from_the_database(tmp_path: Path) -> None:
    first = await open_service(tmp_path)
    built = replies(first)
    await first.close()
    (folder,) = stored_folders(tmp_path)
    (folder / "passages.bin").write_bytes(b"[garbage")

    again = await open_service(tmp_path)
    try:
        assert replies(again) == built
    finally:
        await again.close()
    # ... and kept again, whole.
    assert snapshot_files.read(folder.parent, folder.name) is not None


@pytest.mark.parametrize("name", ["doc_ids.npy", "passages.bin", "offsets.npy", "terms.txt"])
async def test_bytes_changed_in_place_make_the_next_start_rebuild(
    tmp_path: Path, name: str, caplog: pytest.LogCaptureFixture
) -> None:
    """Same size, other bytes: what bounds checks alone would miss (IndexError and
    UnicodeDecodeError in every question before the checksums)."""
    first = await open_service(tmp_path)
    built = replies(first)
    await first.close()
    (folder,) = stored_folders(tmp_path)
    target = folder / name
    data = bytearray(target.read_bytes())
    for i in range(len(data) // 2, len(data)):
        data[i] = 0xFF
    target.write_bytes(bytes(data))
    again = await open_service(tmp_path)
    try:
        assert replies(again) == built
    finally:
        await again.close()
    assert any("changed after it was written" in r.getMessage() for r in caplog.records)
    assert snapshot_files.read(folder.parent, folder.name) is not None, "written again, whole"


async def test_cleaning_up_never_deletes_through_a_linked_index_folder(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    (elsewhere / "v0-precious").mkdir(parents=True)
    folder = snapshot_files.folder_for(tmp_path / "kb.sqlite3")
    assert folder is not None
    folder.symlink_to(elsewhere, target_is_directory=True)
    service = await open_service(tmp_path)
    await service.close()
    assert (elsewhere / "v0-precious").is_dir()


async def test_a_changed_knowledge_base_replaces_the_stored_index(tmp_path: Path) -> None:
    kb = tmp_path / "kb"
    write(kb / "a.md", "---\ntitle: 甲\n---\n\n# 甲\n\nAIGC的薪资很高。\n")
    service = await open_service(tmp_path, kb)
    try:
        (before,) = stored_folders(tmp_path)
        (before.parent / "notes.txt").write_text("an admin's file")
        write(kb / "b.md", "---\ntitle: 乙\n---\n\n# 乙\n\nMidjourney是一款绘画工具，能根据描述生成图片。\n")
        await service.reload()
        (after,) = stored_folders(tmp_path)  # the old one is gone
        assert after != before
        assert (after.parent / "notes.txt").exists(), "only old snapshots are removed"
        assert "Midjourney" in "".join(answer_to(service, "Midjourney是什么").sentences)
    finally:
        await service.close()


async def test_an_in_memory_database_keeps_nothing_on_disk(tmp_path: Path, tokenizer: Tokenizer) -> None:
    async with await Database.open(Path(":memory:")) as db:
        snapshot, _, _ = await KnowledgeIndexer(db, KNOWLEDGE, tokenizer).refresh()
    assert snapshot.passages and not isinstance(snapshot.passages, StoredPassages)
    assert not list(tmp_path.glob("*.index"))


@pytest.mark.parametrize("position", [0, -1])
async def test_stored_passages_equal_the_built_ones(
    tmp_path: Path, tokenizer: Tokenizer, position: int
) -> None:
    async with await Database.open(tmp_path / "db.sqlite3") as db:
        indexer = KnowledgeIndexer(db, KNOWLEDGE, tokenizer)
        await indexer.refresh()
        built = await build_snapshot(db)
        mapped = await load_snapshot(db)
    assert isinstance(mapped.passages, StoredPassages)
    assert mapped.passages[position] == built.passages[position]
    assert list(mapped.passages) == list(built.passages)
    assert mapped.article_ranges == built.article_ranges and mapped.names == built.names
    assert (mapped.course == built.course).all() and mapped.articles == built.articles
    assert mapped.suggestions is not None and built.suggestions is not None
    for text in ["学习路线", "AI绘画工具", "天气"]:
        grams = built.suggestions.grams_of(text)
        assert mapped.suggestions.closest(grams, 3) == built.suggestions.closest(grams, 3)
    for question in QUESTIONS:
        ours = Retriever(mapped, tokenizer).search(question)
        theirs = Retriever(built, tokenizer).search(question)
        assert [p.passage for p in ours.passages] == [p.passage for p in theirs.passages]
        assert compose_answer(ours, mapped) == compose_answer(theirs, built)


async def test_postings_read_from_the_file_answer_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Large postings are read slice by slice (not mapped): the same answers, the same
    BM25 contributions, as the index built in memory."""
    first = await open_service(tmp_path)
    built = replies(first)
    await first.close()
    monkeypatch.setattr(snapshot_files, "_READ_LIMIT", 0)  # every array counts as large
    again = await open_service(tmp_path)
    try:
        assert isinstance(again.snapshot.index._doc_ids, snapshot_files.FileColumn)
        assert replies(again) == built
        term = next(iter(first.snapshot.index.vocabulary))
        for doc in range(0, len(first.snapshot.passages), 7):
            expected = first.snapshot.index.contribution(term, doc)
            assert again.snapshot.index.contribution(term, doc) == expected
    finally:
        await again.close()


def test_a_file_column_reads_exactly_the_slices_asked(tmp_path: Path) -> None:
    values = np.arange(1000, dtype=np.int32) * 3
    np.save(tmp_path / "a.npy", values)
    column = snapshot_files.FileColumn(tmp_path / "a.npy")
    assert len(column) == 1000
    for start, stop in [(0, 0), (0, 1), (5, 17), (990, 1000), (995, 2000), (-3, None)]:
        assert column[start:stop].tolist() == values[start:stop].tolist()
    np.save(tmp_path / "b.npy", np.zeros((3, 3)))
    with pytest.raises(ValueError, match="one-dimensional"):
        snapshot_files.FileColumn(tmp_path / "b.npy")
    (tmp_path / "c.npy").write_bytes((tmp_path / "a.npy").read_bytes()[:-4])
    with pytest.raises(ValueError, match="truncated"):
        snapshot_files.FileColumn(tmp_path / "c.npy")
