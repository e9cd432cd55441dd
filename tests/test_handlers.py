"""Handler helpers that need no Bot API: retries, addressing, admin checks."""

from __future__ import annotations

import datetime
from typing import Any

import httpx
import pytest
from telegram import Chat, Message, MessageEntity, User
from telegram.error import TimedOut

from bot.telegram import questions, replies

BOT = User(4242, "AIGC", is_bot=True, username="aigc_test_bot")


class FlakyMessage:
    """Stands in for telegram.Message.reply_text: fails as told, records what was sent."""

    def __init__(self, failures: list[BaseException]) -> None:
        self.chat = Chat(1, Chat.PRIVATE)
        self.failures = failures
        self.sent: list[str] = []

    async def reply_text(self, text: str, **kwargs: Any) -> None:
        if self.failures:
            raise self.failures.pop(0)
        self.sent.append(text)


def timed_out(cause: BaseException) -> TimedOut:
    error = TimedOut()
    error.__cause__ = cause
    return error


async def test_reply_is_retried_when_it_never_left(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("bot.telegram.replies.asyncio.sleep", _no_sleep)
    message = FlakyMessage([timed_out(httpx.ConnectTimeout("connect")), timed_out(httpx.PoolTimeout("pool"))])
    await replies.reply_messages(message, ["answer"])  # type: ignore[arg-type]
    assert message.sent == ["answer"]


async def test_reply_is_not_retried_when_it_may_have_arrived() -> None:
    message = FlakyMessage([timed_out(httpx.ReadTimeout("read"))])
    with pytest.raises(TimedOut):
        await replies.reply_messages(message, ["answer"])  # type: ignore[arg-type]
    assert message.sent == [], "a read timeout may mean Telegram got it: no duplicate"


async def _no_sleep(seconds: float) -> None:
    return None


def group_message(
    text: str, entities: list[MessageEntity] | None = None, reply_to: Message | None = None
) -> Message:
    chat = Chat(-100, Chat.SUPERGROUP)
    return Message(
        1,
        datetime.datetime.now(datetime.UTC),
        chat,
        from_user=User(7, "u", False),
        text=text,
        entities=entities,
        reply_to_message=reply_to,
    )


@pytest.mark.parametrize(
    ("text", "offset", "expected"),
    [
        ("@aigc_test_bot 什么是AIGC", 0, "什么是AIGC"),
        ("😀 @AIGC_TEST_BOT 文心一言", 3, "😀 文心一言"),  # UTF-16 offsets after an emoji
        ("@aigc_test_bot", 0, ""),
    ],
    ids=["mention-first", "after-emoji-any-case", "mention-only"],
)
def test_addressed_by_mention(text: str, offset: int, expected: str) -> None:
    entity = MessageEntity(MessageEntity.MENTION, offset, len("@aigc_test_bot"))
    assert questions.addressed_question(group_message(text, [entity]), "aigc_test_bot", 4242) == expected


def test_group_chatter_and_other_mentions_are_not_addressed() -> None:
    other = MessageEntity(MessageEntity.MENTION, 0, len("@someone"))
    assert (
        questions.addressed_question(group_message("@someone 什么是AIGC", [other]), "aigc_test_bot", 4242)
        is None
    )
    assert questions.addressed_question(group_message("什么是AIGC"), "aigc_test_bot", 4242) is None


def test_reply_to_the_bot_is_addressed() -> None:
    earlier = Message(9, None, Chat(-100, Chat.SUPERGROUP), from_user=BOT, text="old")  # type: ignore[arg-type]
    assert (
        questions.addressed_question(group_message("那薪资呢？", reply_to=earlier), "aigc_test_bot", 4242)
        == "那薪资呢？"
    )
