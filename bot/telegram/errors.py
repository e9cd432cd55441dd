"""The one error handler: logs every failure, tells the user when it makes sense, never
stops the loop."""

from __future__ import annotations

import contextlib
import logging

from telegram import Update
from telegram.constants import ChatType
from telegram.error import Forbidden, TelegramError
from telegram.ext import ContextTypes

from bot.i18n import t
from bot.telegram.state import BotState, user_lang

log = logging.getLogger(__name__)


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log every error; tell the user when it makes sense; never stop the loop."""
    error = context.error
    if isinstance(error, Forbidden):
        chat = update.effective_chat if isinstance(update, Update) else None
        state = context.bot_data.get("state")
        blocked = state.blocked_chats if isinstance(state, BotState) else set()
        if chat is not None and chat.id not in blocked:
            blocked.add(chat.id)
            log.warning("chat %s blocked the bot or removed it: %s", chat.id, error)
        return
    log.error("error while handling an update", exc_info=error)
    if isinstance(error, TelegramError):
        return  # Telegram itself failed (timeout, 5xx): an apology would likely fail too
    if isinstance(update, Update) and update.effective_message is not None:
        chat = update.effective_chat
        if chat is not None and chat.type == ChatType.PRIVATE:
            with contextlib.suppress(TelegramError):
                await update.effective_message.reply_text(t("error", user_lang(update.effective_user)))
