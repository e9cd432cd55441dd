"""The service is the one API of every face: conversations, the question log and
bounded input are handled there, the same for the console, the CLI and Telegram."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from bot import querylog
from bot.errors import ArticleError, StorageError
from bot.records import Asker
from bot.service import KnowledgeService
from tests.conftest import make_settings

FIRST, FOLLOW_UP = "想进AIGC行业的求职者，文章给了哪些建议？", "第三条是什么？"


async def test_a_conversation_key_carries_the_last_turn_until_forgotten(tmp_path: Path) -> None:
    service = await KnowledgeService.open(make_settings(tmp_path))
    try:
        await service.ask(FIRST, conversation="chat-1")
        followed = await service.ask(FOLLOW_UP, conversation="chat-1")
        assert followed.understood, "the follow-up is read with the previous turn"
        elsewhere = await service.ask(FOLLOW_UP, conversation="chat-2")
        assert not elsewhere.understood, "another conversation has no context"
        await service.forget("chat-1")
        assert not (await service.ask(FOLLOW_UP, conversation="chat-1")).understood
        await service.ask(FIRST, conversation="chat-3")
        fresh = await service.ask(FOLLOW_UP, conversation="chat-3", continues=False)
        assert not fresh.understood, "a fresh mention in a group starts afresh"
    finally:
        await service.close()


async def test_without_a_ttl_every_question_stands_alone(tmp_path: Path) -> None:
    service = await KnowledgeService.open(make_settings(tmp_path, context_ttl_seconds=0))
    try:
        first = await service.ask(FIRST, conversation="chat")
        assert first.answered and first.turn is None, "nothing keeps the turn: none is made"
        assert not (await service.ask(FOLLOW_UP, conversation="chat")).understood
    finally:
        await service.close()


async def test_an_asker_logs_the_question_and_gets_its_id(tmp_path: Path) -> None:
    service = await KnowledgeService.open(make_settings(tmp_path))
    try:
        reply = await service.ask(FIRST, asker=Asker(7, 70, "private", "zh"))
        assert reply.answered and reply.question_id is not None
        logged = await service.question(reply.question_id)
        assert logged is not None and logged.text == FIRST and logged.user_id == 7
        shown = logged.shown
        more = await service.more(logged)
        again = await service.question(reply.question_id)
        assert again is not None and again.shown == shown + len(more.passages)
        assert (await service.ask("没人记录")).question_id is None, "no asker, no log row"
    finally:
        await service.close()


async def test_a_failed_log_write_still_answers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    service = await KnowledgeService.open(make_settings(tmp_path))

    async def broken(*args: object, **kwargs: object) -> int:
        raise StorageError("disk full")

    monkeypatch.setattr(querylog, "log_question", broken)
    try:
        reply = await service.ask(FIRST, conversation="c", asker=Asker(1, 1, "private", "zh"))
        assert reply.answered and reply.question_id is None
    finally:
        await service.close()


async def test_questions_are_cleaned_and_bounded(tmp_path: Path) -> None:
    service = await KnowledgeService.open(make_settings(tmp_path, max_question_chars=40))
    try:
        reply = await service.ask("文心一言\x00是什么？" + "啊" * 500)
        assert reply.truncated and len(reply.result.question) <= 40
        assert "\x00" not in reply.result.question
        assert not (await service.ask(FIRST)).truncated
    finally:
        await service.close()


async def test_uploads_and_sources_go_through_the_service(tmp_path: Path) -> None:
    folder = tmp_path / "knowledge"
    folder.mkdir()
    (folder / "a.md").write_text("# 墨韵引擎\n\n墨韵引擎是一个写诗的模型。\n", encoding="utf-8")
    service = await KnowledgeService.open(make_settings(tmp_path, folder))
    try:
        name, kept = await service.add_upload("../../etc/b.md", "# 砚台\n\n砚台是磨墨的工具。\n".encode())
        assert (name, kept) == ("b.md", None) and (folder / "b.md").is_file()
        name, kept = await service.add_upload("b.md", "# 砚台\n\n砚台是文房四宝之一。\n".encode())
        assert kept == "b.md.bak"
        with pytest.raises(ArticleError):
            await service.add_upload("c.exe", b"MZ")
        with pytest.raises(ArticleError):
            await service.add_sources([str(folder / "a.md")], files=False)
        await service.reload()
        assert (await service.ask("砚台是什么？")).answered
        out = io.StringIO()
        assert await service.export("questions", "", "jsonl", out) == 0
    finally:
        await service.close()
