"""Thin python-telegram-bot callbacks: parse the update, call plain functions, reply.

Retrieval lives in `bot.service`, rendering in `bot.formatting`; nothing here decides
what an answer is, only who gets one and where it goes.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import re
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import httpx
from telegram import (
    Chat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InputTextMessageContent,
    Message,
    MessageEntity,
    Update,
    User,
)
from telegram.constants import ChatAction, ChatType
from telegram.error import Forbidden, NetworkError, TelegramError, TimedOut
from telegram.ext import ContextTypes

from bot import querylog
from bot.config import Settings
from bot.errors import ArticleError, BotError, StorageError
from bot.formatting import (
    Callback,
    clean_input,
    clip,
    decode_callback,
    encode_callback,
    esc,
    render_answer,
    render_help,
    render_no_answer,
    render_passages,
    render_plain,
    render_report,
    render_stats,
)
from bot.i18n import EXAMPLES, Lang, detect_language, t
from bot.kb.answer import Answer
from bot.ratelimit import UserRateLimiter
from bot.service import KnowledgeService
from bot.uploads import sanitize_filename, save_article, validate_article

log = logging.getLogger(__name__)

ALL_EXAMPLES = EXAMPLES["zh"] + EXAMPLES["en"]
SEND_ATTEMPTS = 3
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
# Answers that take longer than this show "typing…"; quicker ones need no indicator,
# and skipping it saves an API call against Telegram's 30 messages/s budget.
TYPING_DELAY = 0.3


@dataclass
class BotState:
    """What the handlers share, kept in `application.bot_data["state"]`."""

    settings: Settings
    service: KnowledgeService
    limiter: UserRateLimiter
    blocked_chats: set[int] = field(default_factory=set)


def get_state(context: ContextTypes.DEFAULT_TYPE) -> BotState:
    state = context.bot_data.get("state")
    if not isinstance(state, BotState):
        raise BotError("bot is still starting")
    return state


def user_lang(user: User | None, text: str = "") -> Lang:
    return detect_language(text, user.language_code if user else None)


def is_admin(state: BotState, user: User | None) -> bool:
    # By numeric id only: usernames can be changed and re-registered by anyone.
    return user is not None and user.id in state.settings.admin_user_ids


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
            [InlineKeyboardButton(clip(s, 40), callback_data=encode_callback(Callback("sg", question_id, i)))]
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


async def respond(
    update: Update, context: ContextTypes.DEFAULT_TYPE, message: Message, question: str
) -> None:
    """Answer `question` under `message`: rate limit, search, log, render, reply."""
    state = get_state(context)
    user = update.effective_user
    lang = user_lang(user, question)
    if user is not None:
        wait = state.limiter.check(user.id)
        if wait > 0:
            await message.reply_text(t("rate_limited", lang, seconds=max(1, round(wait))))
            return
    # Very long input is searched by its beginning, never refused.
    question = clip(clean_input(question), state.settings.max_question_chars)
    async with typing(context, message.chat.id):
        started = time.perf_counter()
        # The service works in a thread: the loop keeps serving other chats (and can
        # show "typing…") while a large index is scored.
        reply = await state.service.ask(question)
        latency_ms = (time.perf_counter() - started) * 1000
    answer = reply.answer
    question_id = await log_question(state, update, message.chat, question, answer, latency_ms, lang)
    if not answer.answered:
        suggestions = list(reply.suggestions)
        markup = suggestions_keyboard(question_id, suggestions) if question_id is not None else None
        await reply_messages(message, [render_no_answer(lang, suggestions)], markup)
        return
    markup = answer_keyboard(question_id, lang) if question_id is not None else None
    await reply_messages(message, render_answer(answer, lang), markup)


async def log_question(
    state: BotState,
    update: Update,
    chat: Chat,
    question: str,
    answer: Answer,
    latency_ms: float,
    lang: Lang,
) -> int | None:
    """Log a question; a failed write is logged and costs the user nothing but the buttons."""
    try:
        return await querylog.log_question(
            state.service.db,
            user_id=update.effective_user.id if update.effective_user else None,
            chat_id=chat.id,
            chat_type=chat.type,
            text=question,
            answered=answer.answered,
            passage_ids=[p.passage.id for p in answer.passages],
            latency_ms=latency_ms,
            lang=lang,
        )
    except (StorageError, ValueError) as exc:
        log.warning("question not logged: %s", exc)
        return None


# -- conversation -------------------------------------------------------------------------


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/start and /help: what the bot knows, with example questions as buttons."""
    message = update.effective_message
    if message is None:
        return
    state = get_state(context)
    lang = user_lang(update.effective_user)
    snapshot = state.service.snapshot
    text = render_help(lang, len(snapshot.articles), [a.title for a in snapshot.articles])
    await message.reply_text(text, reply_markup=examples_keyboard(lang))


async def ask(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/ask <question>, in any chat."""
    message = update.effective_message
    if message is None:
        return
    question = " ".join(context.args or []).strip()
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


async def button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Example, suggestion, "more" and feedback buttons."""
    query = update.callback_query
    if query is None:
        return
    lang = user_lang(query.from_user)
    answered = False

    async def answer_query(notice: str | None = None) -> None:
        # Exactly once: Telegram rejects a second answer to the same query.
        nonlocal answered
        if not answered:
            answered = True
            with contextlib.suppress(TelegramError):
                await query.answer(notice)

    try:
        callback = decode_callback(query.data)
        state = get_state(context)
        message = query.message if isinstance(query.message, Message) else None
        if callback is None or message is None:
            await answer_query(t("expired", lang))
        elif callback.kind == "fb":
            db, user_id = state.service.db, query.from_user.id
            try:
                stored = await querylog.record_feedback(db, callback.question_id, user_id, callback.value)
            except StorageError as exc:  # thank the user anyway; the admins have the log
                log.warning("feedback not stored: %s", exc)
                stored = True
            await answer_query(t("thanks" if stored else "expired", lang))
        elif callback.kind == "more":
            await answer_query(await more(state, message, callback.question_id, lang))
        else:
            question = await button_question(state, callback)
            await answer_query(None if question else t("expired", lang))
            if question:
                await respond(update, context, message, question)
    finally:
        # Callback queries must always be answered, or the button keeps spinning.
        await answer_query()


async def button_question(state: BotState, callback: Callback) -> str | None:
    """The question an example or "did you mean" button stands for."""
    if callback.kind == "ex":
        return ALL_EXAMPLES[callback.value] if callback.value < len(ALL_EXAMPLES) else None
    logged = await querylog.get_question(state.service.db, callback.question_id)
    suggestions = await state.service.suggest(logged.text) if logged else []
    return suggestions[callback.value] if callback.value < len(suggestions) else None


async def more(state: BotState, message: Message, question_id: int, lang: Lang) -> str | None:
    logged = await querylog.get_question(state.service.db, question_id)
    if logged is None:
        return t("expired", lang)
    answer = (await state.service.ask(logged.text, k=3, offset=logged.shown, suggest=False)).answer
    if not answer.passages:
        return t("no_more", lang)
    await reply_messages(message, render_passages(answer, lang))
    with contextlib.suppress(StorageError):
        await querylog.mark_shown(state.service.db, question_id, logged.shown + len(answer.passages))
    return None


async def inline_query(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """`@bot question` in any chat: up to five articles, each with its best sentences."""
    query = update.inline_query
    if query is None:
        return
    state = get_state(context)
    text = clip(clean_input(query.query), state.settings.max_question_chars)
    lang = user_lang(query.from_user, text)
    if not text.strip():
        await query.answer([], cache_time=60)
        return
    results = []
    for answer in await state.service.inline(text):
        passage = answer.passages[0].passage
        results.append(
            InlineQueryResultArticle(
                id=str(passage.id),
                title=clip(passage.title, 100),
                description=clip(" ".join(answer.sentences) or passage.text, 120),
                input_message_content=InputTextMessageContent(render_answer(answer, lang)[0]),
            )
        )
    await query.answer(results, cache_time=30)


# -- admins -------------------------------------------------------------------------------


async def _refuse_non_admin(update: Update, context: ContextTypes.DEFAULT_TYPE) -> bool:
    state = get_state(context)
    if is_admin(state, update.effective_user):
        return False
    if update.effective_message is not None:
        await update.effective_message.reply_text(t("admin_only", user_lang(update.effective_user)))
    return True


async def reload(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/reload (admins): re-read the knowledge folder in the background and report."""
    message = update.effective_message
    if message is None or await _refuse_non_admin(update, context):
        return
    lang = user_lang(update.effective_user)
    await message.reply_text(t("reloading", lang))
    # The reply comes from a task, so this handler returns at once and questions keep
    # being answered from the current index while the new one is built.
    task = run_reload(get_state(context), message, update.effective_user, lang)
    context.application.create_task(task, update)


async def run_reload(state: BotState, message: Message, user: User | None, lang: Lang) -> None:
    """Reload, reply with the report (or why it failed), and record it in the history."""
    started = time.perf_counter()
    try:
        report = await state.service.reload()
    except (BotError, OSError) as exc:
        text = str(exc)
        await message.reply_text(clip_html(t("reload_failed", lang, reason=text)))
        ok, summary = False, text
    else:
        await reply_messages(message, render_report(report, lang))
        ok, summary = True, "\n".join(report.lines())
    with contextlib.suppress(StorageError):
        await querylog.log_reload(
            state.service.db, user.id if user else None, ok, summary, time.perf_counter() - started
        )


def clip_html(text: str) -> str:
    return esc(clip(text, 3000))


async def explain(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/explain <question> (admins): matched terms, their origin and score contributions."""
    message = update.effective_message
    if message is None or await _refuse_non_admin(update, context):
        return
    question = " ".join(context.args or []).strip()
    if not question:
        await message.reply_text(t("ask_usage", user_lang(update.effective_user)).replace("/ask", "/explain"))
        return
    explanation = await get_state(context).service.explain(question)
    await reply_messages(message, render_plain(explanation))


async def stats(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/stats (admins): usage, no-answer rate, what to write next, feedback."""
    message = update.effective_message
    if message is None or await _refuse_non_admin(update, context):
        return
    state = get_state(context)
    numbers = await querylog.stats(state.service.db)
    snapshot = state.service.snapshot
    numbers = dataclasses.replace(numbers, articles=len(snapshot.articles), passages=len(snapshot.passages))
    await reply_messages(message, render_stats(numbers, user_lang(update.effective_user)))


async def document(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """An admin sends a .md/.txt file: validate, save into the knowledge folder, reload."""
    message = update.effective_message
    if message is None or message.document is None or await _refuse_non_admin(update, context):
        return
    state = get_state(context)
    lang = user_lang(update.effective_user)
    doc = message.document
    try:
        name = sanitize_filename(doc.file_name)
        limit = state.settings.max_upload_bytes
        if doc.file_size and doc.file_size > limit:
            raise ArticleError(f"too large ({doc.file_size // 1024} KiB > {limit // 1024} KiB)")
        data = bytes(await (await doc.get_file()).download_as_bytearray())
        validate_article(name, data, limit)
        await asyncio.to_thread(save_article, state.settings.knowledge_dir, name, data)
    except ArticleError as exc:
        await message.reply_text(clip_html(t("upload_refused", lang, reason=str(exc))))
        return
    await message.reply_text(clip_html(t("upload_saved", lang, name=name)))
    await run_reload(state, message, update.effective_user, lang)


# -- errors -------------------------------------------------------------------------------


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
