"""Buttons under answers: examples, "did you mean", 更多 and feedback.

Each kind has its own callback, routed by `CallbackQueryHandler(pattern=...)`. Every
press is rate limited, a second press of the same kind by the same user while the first
is being served is ignored (a double press sends one message), and a press on a question
from another chat is refused: callback data can be forged.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from typing import Any

from telegram import CallbackQuery, Message, Update
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from bot.errors import StorageError
from bot.formatting import Callback, decode_callback, render_passages
from bot.i18n import EXAMPLES, Lang, t
from bot.records import LoggedQuestion
from bot.telegram.questions import respond
from bot.telegram.replies import reply_messages
from bot.telegram.state import get_state, user_lang

log = logging.getLogger(__name__)

ALL_EXAMPLES = EXAMPLES["zh"] + EXAMPLES["en"]
# 更多 pages through the first passages only: deeper pages cost more and help no one.
MAX_MORE_SHOWN = 30


class Press:
    """One button press: answers its callback query exactly once (Telegram rejects a
    second answer; an unanswered one keeps the button spinning)."""

    def __init__(self, update: Update, context: ContextTypes.DEFAULT_TYPE, query: CallbackQuery) -> None:
        self.update, self.context, self.query = update, context, query
        self.state = get_state(context)
        self.lang: Lang = user_lang(query.from_user)
        self._answered = False

    async def answer(self, notice: str | None = None) -> None:
        if not self._answered:
            self._answered = True
            with contextlib.suppress(TelegramError):
                await self.query.answer(notice)

    async def own_question(self, message: Message, question_id: int) -> LoggedQuestion | None:
        """The logged question, if it was asked in this chat; else answer why not."""
        logged = await self.state.service.question(question_id)
        if logged is None:
            await self.answer(t("expired", self.lang))
            return None
        if logged.chat_id != message.chat.id:
            await self.answer(t("not_yours", self.lang))
            return None
        return logged


Action = Callable[[Press, Message, Callback], Awaitable[None]]


Handler = Callable[[Update, ContextTypes.DEFAULT_TYPE], Coroutine[Any, Any, None]]


def button(action: str) -> Callable[[Action], Handler]:
    """Decode, rate limit and lock a press, then run `action`; always answer the query."""

    def wrap(run: Action) -> Handler:
        async def callback(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
            query = update.callback_query
            if query is None:
                return
            press = Press(update, context, query)
            try:
                decoded = decode_callback(query.data)
                message = query.message if isinstance(query.message, Message) else None
                user = query.from_user.id
                if decoded is None or message is None:
                    await press.answer(t("expired", press.lang))
                    return
                if press.state.presses.check(user) > 0:
                    notify = press.state.presses.should_notify(user)
                    await press.answer(t("slow_down", press.lang) if notify else None)
                    return
                key = (user, action)
                if key in press.state.busy:
                    return  # the same press is being served already
                press.state.busy.add(key)
                try:
                    await run(press, message, decoded)
                finally:
                    press.state.busy.discard(key)
            finally:
                await press.answer()

        callback.__doc__ = run.__doc__
        return callback

    return wrap


async def ask_chosen(press: Press, message: Message, choices: Sequence[str], index: int) -> None:
    """Ask the question a button picked from `choices`; a stale index has expired."""
    if index >= len(choices):
        await press.answer(t("expired", press.lang))
        return
    await press.answer()
    await respond(press.update, press.context, message, choices[index])


@button("example")
async def example(press: Press, message: Message, callback: Callback) -> None:
    """An example question from /start or /help."""
    await ask_chosen(press, message, ALL_EXAMPLES, callback.value)


@button("suggestion")
async def suggestion(press: Press, message: Message, callback: Callback) -> None:
    """A "did you mean" heading: ask about it."""
    logged = await press.own_question(message, callback.question_id)
    if logged is None:
        return
    await ask_chosen(press, message, await press.state.service.suggest(logged.text), callback.value)


@button("more")
async def more(press: Press, message: Message, callback: Callback) -> None:
    """更多: the next passages of the same question."""
    logged = await press.own_question(message, callback.question_id)
    if logged is None:
        return
    if logged.shown >= MAX_MORE_SHOWN:
        await press.answer(t("no_more", press.lang))
        return
    answer = await press.state.service.more(logged)
    if not answer.passages:
        await press.answer(t("no_more", press.lang))
        return
    await press.answer()
    await reply_messages(message, render_passages(answer, press.lang))


@button("feedback")
async def feedback(press: Press, message: Message, callback: Callback) -> None:
    """👍 / 👎, stored per user (a later vote replaces the earlier one)."""
    logged = await press.own_question(message, callback.question_id)
    if logged is None:
        return
    try:
        await press.state.service.feedback(logged.id, press.query.from_user.id, callback.value)
    except StorageError as exc:  # thank the user anyway; the admins have the log
        log.warning("feedback not stored: %s", exc)
    await press.answer(t("thanks", press.lang))
