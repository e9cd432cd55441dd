"""Odd input, Telegram faults, reloads under load and admin security, through the real loop."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from telegram.request import HTTPXRequest

from tests.conftest import VOCAB
from tests.fakes.bot_api import FakeBotAPI, wait_until
from tests.fakes.running import App, bot_settings, running_app

pytestmark = pytest.mark.asyncio(loop_scope="module")
ADMIN = 42


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def app(
    fake: FakeBotAPI, knowledge: Path, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[App]:
    settings = bot_settings(
        fake,
        knowledge,
        tmp_path_factory.mktemp("db") / "bot.sqlite3",
        VOCAB,
        admin_user_ids=frozenset({ADMIN}),
        rate_limit_per_minute=1000,
        max_upload_bytes=4096,
    )
    # Short timeouts, so that a stalled Bot API turns into TimedOut quickly.
    request = HTTPXRequest(connection_pool_size=256, read_timeout=1.0, connect_timeout=3.0, write_timeout=1.0)
    updates = HTTPXRequest(read_timeout=0.5, connect_timeout=1.0)
    async with running_app(settings, request=request, get_updates_request=updates) as application:
        yield application


_chat = iter(range(20_000, 30_000))


def replies(fake: FakeBotAPI, chat_id: int) -> list[dict[str, Any]]:
    return [c.params for c in fake.sent("sendMessage", chat_id)]


async def settle(fake: FakeBotAPI) -> None:
    """Wait until every pushed update was fetched and handled (a sentinel got its answer)."""
    sentinel = next(_chat)
    fake.message("/help", chat_id=sentinel, user_id=sentinel)
    await wait_until(lambda: bool(replies(fake, sentinel)))
    await asyncio.sleep(0.3)


# (case id, text or None, extra message fields, replies expected, fragment of the reply)
INPUTS: list[tuple[str, str | None, dict[str, Any], int, str]] = [
    ("whitespace-only", "   \n\t ", {}, 1, "请输入"),
    ("only-punctuation", "？？？！！。。", {}, 1, "没有找到"),
    ("only-emoji", "😀🤖🎨", {}, 1, "没有找到"),
    ("4096-characters", "什么是AIGC？" + "啊" * 4088, {}, 1, "AIGC"),
    ("zero-width-and-rtl", "\u200b\u200f什么是\u200dAIGC\u202e？", {}, 1, "AIGC"),
    ("html-looking", "<b>AIGC</b> & <script>alert(1)</script> 是什么", {}, 1, ""),
    ("markdown-looking", "**AIGC** _是_ `什么` [x](http://e.org)", {}, 1, ""),
    ("sql-looking", "'; DROP TABLE questions; -- AIGC薪资", {}, 1, "年薪"),
    ("ask-without-question", "/ask", {}, 1, "用法"),
    ("command-for-another-bot", "/reload@someotherbot", {}, 1, "命令"),
    ("unknown-command", "/frobnicate", {}, 1, "命令"),
    (
        "forwarded",
        "文心一言是什么？",
        {"forward_origin": {"type": "hidden_user", "date": 1, "sender_user_name": "x"}},
        1,
        "文心一言",
    ),
    ("photo", None, {"photo": [{"file_id": "p", "file_unique_id": "p", "width": 1, "height": 1}]}, 1, "文字"),
    ("voice", None, {"voice": {"file_id": "v", "file_unique_id": "v", "duration": 1}}, 1, "文字"),
]


@pytest.mark.parametrize(
    ("text", "extra", "count", "fragment"), [c[1:] for c in INPUTS], ids=[c[0] for c in INPUTS]
)
async def test_odd_input_gets_a_sensible_reply(
    app: App,
    fake: FakeBotAPI,
    text: str | None,
    extra: dict[str, Any],
    count: int,
    fragment: str,
) -> None:
    chat = next(_chat)
    rejected = len(fake.rejected())
    fake.message(text, chat_id=chat, user_id=chat, extra=extra or None)
    await wait_until(lambda: len(replies(fake, chat)) >= count)
    await settle(fake)
    got = replies(fake, chat)
    assert len(got) == count
    assert fragment in got[0]["text"]
    assert len(fake.rejected()) == rejected, "Telegram would have refused a reply"


async def test_edited_message_is_answered_again(app: App, fake: FakeBotAPI) -> None:
    chat = next(_chat)
    fake.message("AIGC是", chat_id=chat, user_id=chat)
    fake.message("AIGC人才的平均年薪是多少？", chat_id=chat, user_id=chat, edited=True)
    await wait_until(lambda: len(replies(fake, chat)) >= 2)
    assert any("年薪" in r["text"] for r in replies(fake, chat))


async def test_channel_posts_and_group_chatter_are_silent(app: App, fake: FakeBotAPI) -> None:
    group = -next(_chat)
    fake.channel_post("什么是AIGC？", chat_id=-100777)
    fake.message("什么是AIGC？", chat_id=group, chat_type="supergroup")
    fake.sticker(chat_id=group, chat_type="supergroup")
    await settle(fake)
    assert not replies(fake, -100777) and not replies(fake, group)


async def test_bot_added_to_a_group_says_hello_once(app: App, fake: FakeBotAPI) -> None:
    group = -next(_chat)
    fake.added_to_group(group)
    await wait_until(lambda: bool(replies(fake, group)))
    await settle(fake)
    [hello] = replies(fake, group)
    assert "/ask" in hello["text"] and fake.username in hello["text"]


async def test_429_is_retried_and_the_answer_delivered(app: App, fake: FakeBotAPI) -> None:
    chat = next(_chat)
    fake.failures["sendMessage"] = [(429, "Too Many Requests: retry after 1", 1)]
    fake.message("文心一言是什么？", chat_id=chat, user_id=chat)
    await wait_until(lambda: bool(replies(fake, chat)), timeout=20)
    assert "文心一言" in replies(fake, chat)[0]["text"]
    assert any(c.error.startswith("Too Many Requests") for c in fake.calls)


@pytest.mark.parametrize(
    ("method", "failure"),
    [
        ("sendMessage", "502"),
        ("sendMessage", "timeout"),
        ("getUpdates", "502"),
        ("getUpdates", "timeout"),
    ],
    ids=["sendMessage-502", "sendMessage-timeout", "getUpdates-502", "getUpdates-timeout"],
)
async def test_bot_api_faults_are_logged_and_the_loop_survives(
    app: App,
    fake: FakeBotAPI,
    caplog: pytest.LogCaptureFixture,
    method: str,
    failure: str,
) -> None:
    if failure == "502":
        fake.failures[method] = [(502, "Bad Gateway", None)]
    else:
        fake.delays[method] = [2.5]
    chat = next(_chat)
    with caplog.at_level(logging.WARNING):
        fake.message("什么是AIGC？", chat_id=chat, user_id=chat)
        if method == "sendMessage":
            # The lost reply is logged, then the next question is answered as usual.
            await wait_until(lambda: any(r.levelno >= logging.ERROR for r in caplog.records), timeout=20)
            fake.message("AIGC人才薪资怎么样？", chat_id=chat, user_id=chat)
        await wait_until(lambda: bool(replies(fake, chat)), timeout=30)
    assert replies(fake, chat), "the bot keeps answering after the fault"


async def test_user_who_blocked_the_bot_is_logged_once(
    app: App,
    fake: FakeBotAPI,
    caplog: pytest.LogCaptureFixture,
) -> None:
    chat = next(_chat)
    blocked = (403, "Forbidden: bot was blocked by the user", None)
    fake.failures["sendMessage"] = [blocked, blocked]
    with caplog.at_level(logging.WARNING):
        fake.message("什么是AIGC？", chat_id=chat, user_id=chat)
        fake.message("文心一言是什么？", chat_id=chat, user_id=chat)
        await wait_until(lambda: not fake.failures["sendMessage"], timeout=20)
        await settle(fake)
    sends = [c for c in fake.calls if c.method == "sendMessage" and int(c.params.get("chat_id", 0)) == chat]
    assert len(sends) == 2, "no retry storm"
    assert len([r for r in caplog.records if "blocked" in r.getMessage()]) == 1


async def test_reload_while_100_questions_are_in_flight(app: App, fake: FakeBotAPI, knowledge: Path) -> None:
    (knowledge / "新文章.md").write_text("# 光子绘图\n\n光子绘图是一种示例AIGC方法。\n", encoding="utf-8")
    before = len(replies(fake, ADMIN))
    rejected = len(fake.rejected())
    fake.message("/reload", chat_id=ADMIN, user_id=ADMIN)
    chats = [next(_chat) for _ in range(100)]
    for chat in chats:
        fake.message("AIGC人才的平均年薪是多少？", chat_id=chat, user_id=chat)
    fake.message("/reload", chat_id=ADMIN, user_id=ADMIN)  # a second reload at the same time
    await wait_until(lambda: all(replies(fake, c) for c in chats), timeout=60)
    await wait_until(lambda: len(replies(fake, ADMIN)) - before >= 4, timeout=60)
    texts = {replies(fake, c)[0]["text"][:60] for c in chats}
    assert all("年薪" in replies(fake, c)[0]["text"] for c in chats), texts
    reports = [r["text"] for r in replies(fake, ADMIN)[before:] if "段落:" in r["text"]]
    assert len(reports) == 2, "two reloads, serialized, one report each"
    assert sum("1 新增" in r for r in reports) == 1 and sum("0 新增" in r for r in reports) == 1
    assert len(fake.rejected()) == rejected


@pytest.mark.parametrize("command", ["/reload", "/stats", "/explain 什么是AIGC"])
async def test_admin_commands_are_refused_to_others_also_in_groups(
    app: App,
    fake: FakeBotAPI,
    command: str,
) -> None:
    group = -next(_chat)
    fake.message(command, chat_id=group, chat_type="supergroup", user_id=7)
    await wait_until(lambda: bool(replies(fake, group)))
    assert "管理员" in replies(fake, group)[0]["text"]


@pytest.mark.parametrize(
    ("name", "data", "user", "fragment"),
    [
        ("tool.exe", b"MZ\x90\x00", ADMIN, "只接受这些文件：.md"),
        ("big.md", b"# big\n\n" + b"x" * 5000, ADMIN, "文件太大"),
        ("binary.md", b"\x00\x01\x02", ADMIN, "二进制文件"),
        ("fine.md", b"# ok\n\ntext", 7, "管理员"),
    ],
    ids=["wrong-extension", "over-size-limit", "binary-content", "not-an-admin"],
)
async def test_uploads_are_checked(
    app: App,
    fake: FakeBotAPI,
    knowledge: Path,
    name: str,
    data: bytes,
    user: int,
    fragment: str,
) -> None:
    before = len(replies(fake, user))
    fake.document(name, data, user_id=user)
    await wait_until(lambda: len(replies(fake, user)) > before)
    assert fragment in replies(fake, user)[before]["text"]
    assert not (knowledge / name).exists()


async def test_documents_shared_in_groups_are_ignored(app: App, fake: FakeBotAPI) -> None:
    group = -next(_chat)
    fake.document("notes.md", b"# x\n\ny", user_id=7)  # private: refused (not an admin)
    fake.message(
        None,
        chat_id=group,
        chat_type="supergroup",
        extra={"document": {"file_id": "g", "file_unique_id": "g", "file_name": "notes.md", "file_size": 9}},
    )
    await settle(fake)
    assert not replies(fake, group)
