"""Admin commands: /reload, /explain, /stats and article uploads.

Admins are recognised by numeric user id (usernames can be re-registered by anyone),
once, by a filter on the handlers; everyone else gets a polite refusal.
"""

from __future__ import annotations

import io

from telegram import InputFile, Message, Update, User
from telegram.constants import ChatType
from telegram.error import TelegramError
from telegram.ext import ContextTypes, filters

from bot.errors import ArticleError, BotError
from bot.formatting import esc, render_plain, render_report, render_stats
from bot.i18n import Lang, reason, t
from bot.plaintext import clip_line
from bot.telegram.replies import reply_messages
from bot.telegram.state import BotState, get_state, user_lang


def admin_filter(admin_ids: frozenset[int]) -> filters.BaseFilter:
    """Updates from the admins; an empty set lets nobody through."""
    return filters.User(user_id=sorted(admin_ids), allow_empty=False)


async def refuse(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """An admin command from someone who is not an admin."""
    if update.effective_message is not None:
        await update.effective_message.reply_text(t("admin_only", user_lang(update.effective_user)))


async def reload(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/reload: re-read the knowledge folder in the background and report."""
    message = update.effective_message
    if message is None:
        return
    lang = user_lang(update.effective_user)
    await message.reply_text(t("reloading", lang))
    # The reply comes from a task, so this handler returns at once and questions keep
    # being answered from the current index while the new one is built.
    task = run_reload(get_state(context), message, update.effective_user, lang)
    context.application.create_task(task, update)


async def run_reload(state: BotState, message: Message, user: User | None, lang: Lang) -> None:
    """Reload and reply with the report, or why it failed (kept in the history either way)."""
    try:
        report = await state.service.reload_recorded(user.id if user else None)
    except (BotError, OSError) as exc:
        await message.reply_text(esc(clip_line(t("reload_failed", lang, reason=str(exc)), 3000)))
        return
    await reply_messages(message, render_report(report, lang))


async def explain(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/explain <question>: matched terms, their origin and score contributions."""
    message = update.effective_message
    if message is None:
        return
    question = " ".join(context.args or []).strip()
    if not question:
        await message.reply_text(t("ask_usage", user_lang(update.effective_user)).replace("/ask", "/explain"))
        return
    await reply_messages(message, render_plain(await get_state(context).service.explain(question)))


async def _private_only(update: Update) -> tuple[Message, Lang] | None:
    """The message and language, if in a private chat: /stats and /export show other
    users' questions, so in a group they only point the admin to a private chat."""
    message = update.effective_message
    if message is None:
        return None
    lang = user_lang(update.effective_user)
    if message.chat.type != ChatType.PRIVATE:
        await message.reply_text(t("stats_private", lang))
        return None
    return message, lang


async def stats(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/stats: usage, no-answer rate, what to write next, feedback (private chats only)."""
    private = await _private_only(update)
    if private is None:
        return
    message, lang = private
    numbers = await get_state(context).service.stats()
    await reply_messages(message, render_stats(numbers, lang))


async def add(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/add URL…: fetch web pages (or documents) into the knowledge folder and reload."""
    message = update.effective_message
    if message is None:
        return
    state = get_state(context)
    lang = user_lang(update.effective_user)
    sources = list(context.args or [])
    if not sources:
        await message.reply_text(esc(t("add_usage", lang)))
        return
    try:
        saved = await state.service.add_sources(sources[:5], files=False)
    except ArticleError as exc:  # nothing was written
        await refuse_upload(message, str(exc), lang)
        return
    await message.reply_text(esc(t("upload_saved", lang, name=", ".join(p.name for p in saved))))
    await run_reload(state, message, update.effective_user, lang)


async def refuse_upload(message: Message, why: str, lang: Lang) -> None:
    await message.reply_text(esc(clip_line(t("upload_refused", lang, reason=reason(why, lang)), 3000)))


async def export(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/export: the unanswered questions as a CSV document (what to write next)."""
    private = await _private_only(update)
    if private is None:
        return
    message, lang = private
    data = await get_state(context).service.export_csv("unanswered")
    await message.reply_document(
        InputFile(io.BytesIO(data), filename="unanswered.csv"), caption=t("export_caption", lang)
    )


async def document(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """An admin sends an article file: validate, save (keeping the old one), reload."""
    message = update.effective_message
    if message is None or message.document is None:
        return
    state = get_state(context)
    lang = user_lang(update.effective_user)
    doc = message.document
    try:
        # Refused before the download when Telegram already says it is too large.
        limit = state.settings.max_upload_bytes
        if doc.file_size and doc.file_size > limit:
            raise ArticleError(f"too large ({doc.file_size // 1024} KiB > {limit // 1024} KiB)")
        try:
            data = bytes(await (await doc.get_file()).download_as_bytearray())
        except TelegramError as exc:
            raise ArticleError(t("download_failed", lang, reason=str(exc))) from exc
        name, kept = await state.service.add_upload(doc.file_name, data)
    except ArticleError as exc:
        await refuse_upload(message, str(exc), lang)
        return
    saved = t("upload_saved", lang, name=name)
    if kept is not None:
        saved += " " + t("upload_backup", lang, name=kept)
    await message.reply_text(esc(saved))
    await run_reload(state, message, update.effective_user, lang)
