"""Questions: private text, /ask, mentions and replies in groups, /start and /help."""

from __future__ import annotations

import logging
import re

from telegram import Message, MessageEntity, Update
from telegram.constants import ChatType
from telegram.ext import ContextTypes

from bot.formatting import (
    MAX_MESSAGE,
    esc,
    render_answer,
    render_commands,
    render_help,
    render_no_answer,
    tg_length,
)
from bot.i18n import t
from bot.records import Asker
from bot.telegram.replies import (
    answer_keyboard,
    examples_keyboard,
    reply_messages,
    suggestions_keyboard,
    typing,
)
from bot.telegram.state import get_state, user_lang

log = logging.getLogger(__name__)


async def respond(
    update: Update, context: ContextTypes.DEFAULT_TYPE, message: Message, question: str
) -> None:
    """Answer `question` under `message`: rate limit, ask the service, render, reply."""
    state = get_state(context)
    user = update.effective_user
    lang = user_lang(user, question)
    if user is not None:
        wait = state.limiter.check(user.id)
        if wait > 0:
            # One notice per window; a flood of messages then meets silence.
            if state.limiter.should_notify(user.id):
                await message.reply_text(t("rate_limited", lang, seconds=max(1, round(wait))))
            return
    key, follow = conversation_key(update, context, message)
    chat = message.chat
    asker = Asker(user.id if user else None, chat.id, chat.type, lang)
    async with typing(context, chat.id):
        # The service works in a thread: the loop keeps serving other chats.
        reply = await state.service.ask(question, conversation=key, continues=follow, asker=asker)
    answer, question_id = reply.answer, reply.question_id
    if not answer.answered:
        suggestions = list(reply.suggestions)
        markup = suggestions_keyboard(question_id, suggestions) if question_id is not None else None
        texts = [render_no_answer(lang, suggestions, answer.missing)]
    else:
        markup = answer_keyboard(question_id, lang) if question_id is not None else None
        texts = render_answer(answer, lang)
    if reply.understood:
        texts = with_notice(texts, reply.understood)
    if reply.truncated:
        texts = with_notice(texts, t("truncated", lang, chars=state.settings.max_question_chars))
    await reply_messages(message, texts, markup)


def conversation_key(
    update: Update, context: ContextTypes.DEFAULT_TYPE, message: Message
) -> tuple[str | None, bool]:
    """Where a conversation is kept, and whether this message continues it: a private chat
    is one conversation; in a group each member has their own, continued only by
    replying to the bot (a fresh mention starts afresh)."""
    chat, user = message.chat, update.effective_user
    if chat.type == ChatType.PRIVATE:
        return str(chat.id), True
    if user is None:
        return None, False
    incoming = update.message or update.edited_message
    earlier = incoming.reply_to_message if incoming is not None else None
    author = earlier.from_user if earlier is not None else None
    to_bot = author is not None and author.id == context.bot.id
    return f"{chat.id}:{user.id}", bool(to_bot)


async def reset(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/reset: the next question stands on its own."""
    message = update.effective_message
    if message is None:
        return
    await forget(update, context, message)
    await message.reply_text(esc(t("reset_done", user_lang(update.effective_user))))


async def forget(update: Update, context: ContextTypes.DEFAULT_TYPE, message: Message) -> None:
    key, _ = conversation_key(update, context, message)
    if key:
        await get_state(context).service.forget(key)


def with_notice(texts: list[str], notice: str) -> list[str]:
    """A short italic notice above the reply, in its first message when it fits."""
    head = f"<i>{esc(notice)}</i>"
    if texts and tg_length(head) + 2 + tg_length(texts[0]) <= MAX_MESSAGE:
        return [f"{head}\n\n{texts[0]}", *texts[1:]]
    return [head, *texts]


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/start: what the bot knows, with example questions as buttons."""
    message = update.effective_message
    if message is None:
        return
    state = get_state(context)
    lang = user_lang(update.effective_user)
    await forget(update, context, message)  # /start is a fresh start
    articles, _, titles = state.service.overview()
    await message.reply_text(render_help(lang, articles, titles), reply_markup=examples_keyboard(lang))


async def help_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/help: the commands; admins also see theirs."""
    message = update.effective_message
    if message is None:
        return
    state = get_state(context)
    user = update.effective_user
    admin = user is not None and user.id in state.settings.admin_user_ids
    await message.reply_text(
        render_commands(user_lang(user), admin), reply_markup=examples_keyboard(user_lang(user))
    )


async def ask(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/ask <question>, in any chat; /ask as a reply asks the replied-to text."""
    message = update.effective_message
    if message is None:
        return
    question = " ".join(context.args or []).strip()
    replied = message.reply_to_message
    if not question and replied is not None and (replied.text or replied.caption):
        question = (replied.text or replied.caption or "").strip()
    if not question:
        await message.reply_text(t("ask_usage", user_lang(update.effective_user)))
        return
    await respond(update, context, message, question)


async def private_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Any text in a private chat is a question."""
    message = update.effective_message
    if message is None or not message.text:
        return
    if not message.text.strip():
        await message.reply_text(t("empty_question", user_lang(update.effective_user)))
        return
    await respond(update, context, message, message.text)


def addressed_question(message: Message, username: str, bot_id: int) -> str | None:
    """The question in a group message meant for the bot (mention or reply), else None."""
    text = message.text or ""
    mention = f"@{username}".lower()
    # Entity offsets are UTF-16 based: let PTB cut them out.
    mentions = message.parse_entities([MessageEntity.MENTION]).values()
    mentioned = any(m.lower() == mention for m in mentions)
    replied = (
        message.reply_to_message is not None
        and message.reply_to_message.from_user is not None
        and message.reply_to_message.from_user.id == bot_id
    )
    if not (mentioned or replied):
        return None
    return " ".join(re.sub(re.escape(mention), " ", text, flags=re.IGNORECASE).split())


async def group_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """In groups, answer only when addressed; stay silent otherwise."""
    message = update.effective_message
    if message is None:
        return
    question = addressed_question(message, context.bot.username, context.bot.id)
    if question is None:
        return
    if not question:
        await message.reply_text(t("ask_usage", user_lang(update.effective_user)), do_quote=True)
        return
    await respond(update, context, message, question)


async def unknown_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A command this bot does not have (or one addressed to another bot), in a private chat."""
    message = update.effective_message
    if message is not None:
        await message.reply_text(t("unknown_command", user_lang(update.effective_user)))


async def added_to_group(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Introduce the bot once when it joins a group."""
    member = update.my_chat_member
    if member is None or member.chat.type == ChatType.PRIVATE:
        return
    was_in = member.old_chat_member.status in {"member", "administrator", "creator"}
    is_in = member.new_chat_member.status in {"member", "administrator"}
    if is_in and not was_in:
        lang = user_lang(member.from_user)
        await context.bot.send_message(
            member.chat.id, esc(t("group_hello", lang, username=context.bot.username))
        )


async def non_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Stickers, photos, voice…: a short hint in private chats."""
    message = update.effective_message
    if message is not None:
        await message.reply_text(t("non_text", user_lang(update.effective_user)))
