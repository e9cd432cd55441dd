"""What the callbacks share: settings, the service, rate limits and per-user locks."""

from __future__ import annotations

from dataclasses import dataclass, field

from telegram import User
from telegram.ext import ContextTypes

from bot.config import Settings
from bot.errors import BotError
from bot.i18n import Lang, detect_language
from bot.ratelimit import UserRateLimiter
from bot.service import KnowledgeService


@dataclass
class BotState:
    """Kept in `application.bot_data["state"]`, built in post_init."""

    settings: Settings
    service: KnowledgeService
    limiter: UserRateLimiter  # questions
    presses: UserRateLimiter  # button presses
    inline: UserRateLimiter  # inline queries
    blocked_chats: set[int] = field(default_factory=set)
    # (user, action) pairs being served: a double press sends one message, not two
    busy: set[tuple[int, str]] = field(default_factory=set)


def get_state(context: ContextTypes.DEFAULT_TYPE) -> BotState:
    state = context.bot_data.get("state")
    if not isinstance(state, BotState):
        raise BotError("bot is still starting")
    return state


def user_lang(user: User | None, text: str = "") -> Lang:
    return detect_language(text, user.language_code if user else None)
