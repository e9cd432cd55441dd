"""Inline mode (`@bot question` in any chat): up to five articles, rate limited."""

from __future__ import annotations

from telegram import InlineQueryResultArticle, InputTextMessageContent, Update
from telegram.ext import ContextTypes

from bot.formatting import render_answer
from bot.plaintext import clip_line
from bot.telegram.state import get_state, user_lang


async def inline_query(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Each article's best sentences; nothing for an empty or too-frequent query."""
    query = update.inline_query
    if query is None:
        return
    state = get_state(context)
    text = query.query  # the service cleans and bounds it
    lang = user_lang(query.from_user, text)
    # Typing sends a query per keystroke: past the limit the user just sees no results.
    if not text.strip() or state.inline.check(query.from_user.id) > 0:
        await query.answer([], cache_time=5)
        return
    results = []
    for answer in await state.service.inline(text):
        passage = answer.passages[0].passage
        results.append(
            InlineQueryResultArticle(
                id=str(passage.id),
                title=clip_line(passage.title, 100),
                description=clip_line(" ".join(answer.sentences) or passage.text, 120),
                input_message_content=InputTextMessageContent(render_answer(answer, lang)[0]),
            )
        )
    await query.answer(results, cache_time=30)
