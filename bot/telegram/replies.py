"""Sending replies (split, retried only when provably unsent) and the reply keyboards."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

import httpx
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message
from telegram.constants import ChatAction, ChatType
from telegram.error import NetworkError, TelegramError, TimedOut
from telegram.ext import ContextTypes

from bot.formatting import Callback, encode_callback
from bot.i18n import EXAMPLES, Lang, t
from bot.plaintext import clip_line

log = logging.getLogger(__name__)

SEND_ATTEMPTS = 3
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
# Answers that take longer than this show "typing…"; quicker ones need no indicator,
# and skipping it saves an API call against Telegram's 30 messages/s budget.
TYPING_DELAY = 0.3


@contextlib.asynccontextmanager
async def typing(context: ContextTypes.DEFAULT_TYPE, chat_id: int) -> AsyncIterator[None]:
    """Show "typing…" while the body runs, if it runs longer than TYPING_DELAY."""

    async def indicate() -> None:
        await asyncio.sleep(TYPING_DELAY)
        with contextlib.suppress(TelegramError):
            await context.bot.send_chat_action(chat_id, ChatAction.TYPING)

    task = asyncio.create_task(indicate())
    try:
        yield
    finally:
        task.cancel()


async def reply_messages(
    message: Message, texts: list[str], markup: InlineKeyboardMarkup | None = None
) -> None:
    """Send the parts of a split reply; buttons go under the last one."""
    quote = message.chat.type != ChatType.PRIVATE
    for index, text in enumerate(texts):
        last = index == len(texts) - 1
        for attempt in range(SEND_ATTEMPTS):
            try:
                await message.reply_text(
                    text, reply_markup=markup if last else None, do_quote=quote and index == 0
                )
                break
            except (TimedOut, NetworkError) as exc:
                # Retry only when the request provably never reached Telegram (no
                # connection), so a retry cannot deliver the same answer twice.
                if attempt + 1 == SEND_ATTEMPTS or not isinstance(exc.__cause__, _NOT_SENT):
                    raise
                log.info("reply not sent (%s), retrying", exc.__cause__.__class__.__name__)
                await asyncio.sleep(0.5 * (attempt + 1))


def answer_keyboard(question_id: int, lang: Lang) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    t("more", lang), callback_data=encode_callback(Callback("more", question_id))
                ),
                InlineKeyboardButton("👍", callback_data=encode_callback(Callback("fb", question_id, 1))),
                InlineKeyboardButton("👎", callback_data=encode_callback(Callback("fb", question_id, -1))),
            ]
        ]
    )


def suggestions_keyboard(question_id: int, suggestions: list[str]) -> InlineKeyboardMarkup | None:
    """ "Did you mean" buttons; pressing one asks about that heading or title."""
    if not suggestions:
        return None
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    clip_line(s, 40), callback_data=encode_callback(Callback("sg", question_id, i))
                )
            ]
            for i, s in enumerate(suggestions)
        ]
    )


def examples_keyboard(lang: Lang) -> InlineKeyboardMarkup:
    offset = 0 if lang == "zh" else len(EXAMPLES["zh"])
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(q, callback_data=encode_callback(Callback("ex", value=offset + i)))]
            for i, q in enumerate(EXAMPLES[lang])
        ]
    )
