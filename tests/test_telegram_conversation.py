"""Follow-ups through the real polling loop: private chats, group reply threads, the TTL
and /reset."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio

from bot.telegram.state import BotState
from tests.conftest import VOCAB
from tests.fakes.bot_api import FakeBotAPI, wait_until
from tests.fakes.running import App, module_app

pytestmark = pytest.mark.asyncio(loop_scope="module")


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def app(
    fake: FakeBotAPI, knowledge: Path, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[App]:
    async with module_app(
        fake, knowledge, tmp_path_factory, VOCAB, rate_limit_per_minute=1000
    ) as application:
        yield application


async def say(fake: FakeBotAPI, text: str, chat: int, user: int | None = None, **kwargs: object) -> str:
    before = len(fake.sent("sendMessage", chat))
    fake.message(text, chat_id=chat, user_id=user if user is not None else chat, **kwargs)  # type: ignore[arg-type]
    await wait_until(lambda: len(fake.sent("sendMessage", chat)) > before)
    return str(fake.sent("sendMessage", chat)[before].params["text"])


async def test_a_follow_up_in_a_private_chat(app: App, fake: FakeBotAPI) -> None:
    await say(fake, "AIGC人才的薪资会随着工作经验上涨吗？", chat=801)
    reply = await say(fake, "那算法工程师一般能拿多少？", chat=801)
    assert "理解为" in reply and "48万" in reply


async def test_an_ordinal_picks_from_the_list_shown(app: App, fake: FakeBotAPI) -> None:
    first = await say(fake, "从兴趣上看，什么样的人适合做AIGC？", chat=802)
    assert "跨学科学习" in first
    reply = await say(fake, "第三个具体说说", chat=802)
    assert "交叉领域" in reply


async def test_a_group_thread_continues_only_in_replies_to_the_bot(app: App, fake: FakeBotAPI) -> None:
    group = -8030
    await say(fake, "/ask AIGC人才的薪资会随着工作经验上涨吗？", chat=group, user=803, chat_type="supergroup")
    replied = await say(
        fake, "那算法工程师一般能拿多少？", chat=group, user=803, chat_type="supergroup", reply_to_bot=True
    )
    assert "理解为" in replied
    # Another member asking the same words fresh gets no one else's context.
    fresh = await say(fake, "/ask 那算法工程师一般能拿多少？", chat=group, user=804, chat_type="supergroup")
    assert "理解为" not in fresh


async def test_context_expires_after_the_ttl(app: App, fake: FakeBotAPI) -> None:
    await say(fake, "AIGC人才的薪资会随着工作经验上涨吗？", chat=805)
    state = app.bot_data["state"]
    assert isinstance(state, BotState)
    async with state.service.db.transaction() as conn:  # as if ten minutes had passed
        await conn.execute("UPDATE conversations SET updated_at = updated_at - 601 WHERE key = '805'")
    reply = await say(fake, "那算法工程师一般能拿多少？", chat=805)
    assert "理解为" not in reply


async def test_reset_clears_the_context(app: App, fake: FakeBotAPI) -> None:
    await say(fake, "AIGC人才的薪资会随着工作经验上涨吗？", chat=806)
    assert "重新开始" in await say(fake, "/reset", chat=806)
    reply = await say(fake, "那算法工程师一般能拿多少？", chat=806)
    assert "理解为" not in reply
    assert not fake.rejected()
