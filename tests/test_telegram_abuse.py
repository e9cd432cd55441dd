"""Bounded users and safe admin actions, through the real polling loop: floods get one
notice, double presses send one message, forged callbacks are refused."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio

from tests.conftest import VOCAB
from tests.fakes.bot_api import FakeBotAPI, wait_until
from tests.fakes.running import App, module_app

pytestmark = pytest.mark.asyncio(loop_scope="module")

ADMIN = 42
LIMIT = 5


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def app(
    fake: FakeBotAPI, knowledge: Path, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[App]:
    async with module_app(
        fake,
        knowledge,
        tmp_path_factory,
        VOCAB,
        admin_user_ids=frozenset({ADMIN}),
        rate_limit_per_minute=LIMIT,
    ) as application:
        yield application


def texts(fake: FakeBotAPI, chat_id: int) -> list[str]:
    return [c.params["text"] for c in fake.sent("sendMessage", chat_id)]


async def answered(fake: FakeBotAPI, user: int, question: str) -> dict[str, Any]:
    """Ask and return the bot's message (as Telegram would send it back) with buttons."""
    before = len(fake.sent("sendMessage", user))
    fake.message(question, user_id=user)
    await wait_until(lambda: len(fake.sent("sendMessage", user)) > before)
    call = fake.sent("sendMessage", user)[before]
    return {"message": call.params["_result"], "markup": call.params.get("reply_markup", {})}


def button(reply: dict[str, Any], prefix: str) -> str:
    return str(
        next(
            b["callback_data"]
            for row in reply["markup"]["inline_keyboard"]
            for b in row
            if b["callback_data"].startswith(prefix)
        )
    )


async def settle(fake: FakeBotAPI, seconds: float = 0.5) -> None:
    import asyncio

    await asyncio.sleep(seconds)


async def test_a_flood_gets_one_notice_then_silence(app: App, fake: FakeBotAPI) -> None:
    user = 501
    for _ in range(40):
        fake.message("什么是AIGC？", user_id=user)
    await wait_until(lambda: len(texts(fake, user)) >= LIMIT + 1)
    await settle(fake, 1.0)
    got = texts(fake, user)
    notices = [t for t in got if "太快" in t]
    assert len(notices) == 1, got
    assert len(got) == LIMIT + 1, "five answers and one notice for forty messages"


async def test_a_double_press_sends_one_message(app: App, fake: FakeBotAPI) -> None:
    user = 502
    reply = await answered(fake, user, "AIGC可以应用到哪些行业？")
    more = button(reply, "more:")
    before = len(texts(fake, user))
    for _ in range(30):
        fake.callback(more, user_id=user, message=reply["message"])
    await wait_until(lambda: len(texts(fake, user)) > before)
    await settle(fake, 1.0)
    assert len(texts(fake, user)) == before + 1
    assert not fake.rejected(), "every press was answered exactly once"


async def test_forged_callbacks_for_another_chat_are_refused(app: App, fake: FakeBotAPI) -> None:
    victim, attacker = 503, 504
    victims = await answered(fake, victim, "AIGC人才薪资怎么样？")
    mine = await answered(fake, attacker, "什么是AIGC？")
    answers = len(fake.sent("answerCallbackQuery"))
    before = len(texts(fake, attacker))
    question_id = button(victims, "more:").split(":")[1]
    for data in (f"more:{question_id}", f"fb:{question_id}:-1", f"sg:{question_id}:0"):
        fake.callback(data, user_id=attacker, message=mine["message"])
    await wait_until(lambda: len(fake.sent("answerCallbackQuery")) >= answers + 3)
    notices = [c.params.get("text", "") for c in fake.sent("answerCallbackQuery")[answers:]]
    assert all("别的对话" in n for n in notices), notices
    await settle(fake)
    assert len(texts(fake, attacker)) == before, "nothing of the victim's was sent to the attacker"


async def test_stats_in_a_group_points_to_a_private_chat(app: App, fake: FakeBotAPI) -> None:
    group = -9001
    fake.message("/stats", user_id=ADMIN, chat_id=group, chat_type="supergroup")
    await wait_until(lambda: len(texts(fake, group)) >= 1)
    assert "私聊" in texts(fake, group)[0] and "热门问题" not in texts(fake, group)[0]


async def test_an_overwritten_upload_is_kept_as_bak(app: App, fake: FakeBotAPI, knowledge: Path) -> None:
    first = "# 星河画笔\n\n星河画笔是一种示例用的绘画工具。\n".encode()
    second = "# 星河画笔\n\n星河画笔是一种示例用的绘画工具，第二版增加了视频。\n".encode()
    for body in (first, second):
        before = len(texts(fake, ADMIN))
        fake.document("星河画笔.md", body, user_id=ADMIN)
        await wait_until(lambda before=before: len(texts(fake, ADMIN)) >= before + 2)  # type: ignore[misc]
    assert "备份" in " ".join(texts(fake, ADMIN)[-2:])
    assert (knowledge / "星河画笔.md.bak").read_bytes() == first
    assert (knowledge / "星河画笔.md").read_bytes() == second


async def test_a_failed_download_gets_a_reply(app: App, fake: FakeBotAPI) -> None:
    before = len(texts(fake, ADMIN))
    doc = {"file_id": "missing", "file_unique_id": "umissing", "file_name": "x.md", "file_size": 10}
    fake.message(None, user_id=ADMIN, extra={"document": doc})
    await wait_until(lambda: len(texts(fake, ADMIN)) > before)
    assert "下载文件失败" in texts(fake, ADMIN)[-1]


async def test_admin_export_sends_the_unanswered_questions_as_csv(app: App, fake: FakeBotAPI) -> None:
    fake.message("怎么做红烧肉？", user_id=505)  # an unanswered question to export
    await wait_until(lambda: len(texts(fake, 505)) >= 1)
    fake.message("/export", user_id=ADMIN)
    await wait_until(lambda: len(fake.sent("sendDocument", ADMIN)) >= 1)
    document = fake.sent("sendDocument", ADMIN)[-1].params["document"]
    assert document["filename"] == "unanswered.csv"
    assert "怎么做红烧肉" in document["data"].decode("utf-8-sig")
    fake.message("/export", user_id=505)
    await wait_until(lambda: len(texts(fake, 505)) >= 2)
    assert "管理员" in texts(fake, 505)[-1], "not for everyone"


async def test_a_regex_heavy_upload_leaves_other_chats_answered(app: App, fake: FakeBotAPI) -> None:
    # Inputs that once froze every chat for 10-30 s while the upload was validated and
    # indexed: emphasis markers, unclosed links and comments, repeated tens of thousands of times.
    body = "\n\n".join(["# 压力测试", " *a" * 20_000, "[" * 40_000, "<!--" * 20_000, "![" * 20_000]).encode()
    before = len(texts(fake, ADMIN))
    fake.document("hostile.md", body, user_id=ADMIN)
    await settle(fake, 0.2)  # the upload is being read and indexed now
    for user in (601, 602, 603):
        asked = time.monotonic()
        reply = await answered(fake, user, "什么是AIGC？")
        assert "AIGC" in reply["message"]["text"]
        # Generous for a shared machine; the freeze this guards against lasted 10-30 s.
        assert time.monotonic() - asked < 5, "another chat waited for the upload"
    await wait_until(lambda: len(texts(fake, ADMIN)) >= before + 2, timeout=60)
