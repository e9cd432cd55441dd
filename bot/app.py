"""The application factory: wires settings, services and handlers into a PTB Application.

    pip install "python-telegram-bot[rate-limiter,webhooks]"

`build_application(settings)` is all `aigc-bot run` / `aigc-bot webhook` need; tests pass
their own `request` (or point TELEGRAM_BASE_URL at a fake Bot API) and a ready service.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from telegram import (
    BotCommand,
    BotCommandScope,
    BotCommandScopeAllGroupChats,
    BotCommandScopeChat,
    BotCommandScopeDefault,
    LinkPreviewOptions,
)
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    Defaults,
    InlineQueryHandler,
    MessageHandler,
    filters,
)
from telegram.request import BaseRequest

from bot.config import Settings
from bot.errors import ConfigError
from bot.ratelimit import UserRateLimiter
from bot.service import KnowledgeService
from bot.telegram import admin, buttons, inline, questions
from bot.telegram.errors import on_error
from bot.telegram.state import BotState
from bot.web.server import RunningConsole, start_console

log = logging.getLogger(__name__)

# Only the update types the bot handles: Telegram then sends nothing else.
ALLOWED_UPDATES = ["message", "edited_message", "callback_query", "inline_query", "my_chat_member"]

USER_COMMANDS = [
    BotCommand("ask", "提问 / ask a question"),
    BotCommand("reset", "重新开始对话 / start a new conversation"),
    BotCommand("help", "帮助与示例 / help and examples"),
    BotCommand("start", "开始 / start"),
]
GROUP_COMMANDS = USER_COMMANDS[:2]
ADMIN_COMMANDS = [
    *USER_COMMANDS,
    BotCommand("reload", "重新加载知识库 / reload the knowledge base"),
    BotCommand("stats", "使用统计 / usage statistics"),
    BotCommand("explain", "解释排序 / why passages ranked"),
    BotCommand("export", "导出未回答的问题 / unanswered questions as CSV"),
    BotCommand("add", "添加网页文章 / add a web article"),
]


def build_application(
    settings: Settings,
    *,
    request: BaseRequest | None = None,
    get_updates_request: BaseRequest | None = None,
    service: KnowledgeService | None = None,
) -> Application:  # type: ignore[type-arg]
    """A configured Application; the knowledge base is opened in post_init."""
    if settings.telegram_bot_token is None:
        raise ConfigError("TELEGRAM_BOT_TOKEN is not set (get one from @BotFather)")
    builder = (
        ApplicationBuilder()
        .token(settings.telegram_bot_token.get_secret_value())
        .base_url(settings.telegram_base_url)
        .base_file_url(settings.telegram_base_file_url)
        .defaults(
            Defaults(
                parse_mode=ParseMode.HTML,
                link_preview_options=LinkPreviewOptions(is_disabled=True),
                # A question deleted before the answer arrives must not turn into a 400.
                allow_sending_without_reply=True,
            )
        )
        # Retries after 429 (RetryAfter) and keeps within Telegram's flood limits.
        .rate_limiter(AIORateLimiter(max_retries=3))
        # Many chats at once: one slow reply must not hold up everyone else's.
        .concurrent_updates(True)
        .post_init(_post_init)
        .post_shutdown(_post_shutdown)
    )
    if request is not None:
        builder = builder.request(request)
    if get_updates_request is not None:
        builder = builder.get_updates_request(get_updates_request)
    application = builder.build()
    application.bot_data["settings"] = settings
    if service is not None:
        application.bot_data["service"] = service
    add_handlers(application, settings)
    return application


def add_handlers(application: Application, settings: Settings) -> None:  # type: ignore[type-arg]
    """Register callbacks. Order matters within a group: commands before free text, and
    an admin command's admin handler before the refusal for everyone else."""
    private = filters.ChatType.PRIVATE
    groups = filters.ChatType.GROUPS
    new_or_edited = filters.UpdateType.MESSAGE | filters.UpdateType.EDITED_MESSAGE
    admins = admin.admin_filter(settings.admin_user_ids)
    application.add_handler(CommandHandler("start", questions.start))
    application.add_handler(CommandHandler("help", questions.help_command))
    application.add_handler(CommandHandler("ask", questions.ask))
    application.add_handler(CommandHandler("reset", questions.reset))
    application.add_handler(CommandHandler("reload", admin.reload, filters=admins))
    application.add_handler(CommandHandler("stats", admin.stats, filters=admins))
    application.add_handler(CommandHandler("explain", admin.explain, filters=admins))
    application.add_handler(CommandHandler("export", admin.export, filters=admins))
    application.add_handler(CommandHandler("add", admin.add, filters=admins))
    application.add_handler(CommandHandler(["reload", "stats", "explain", "export", "add"], admin.refuse))
    # Buttons, one callback each, routed by their data's prefix.
    application.add_handler(CallbackQueryHandler(buttons.example, pattern=r"^ex:"))
    application.add_handler(CallbackQueryHandler(buttons.suggestion, pattern=r"^sg:"))
    application.add_handler(CallbackQueryHandler(buttons.more, pattern=r"^more:"))
    application.add_handler(CallbackQueryHandler(buttons.feedback, pattern=r"^fb:"))
    application.add_handler(CallbackQueryHandler(buttons.example))  # anything else: "expired"
    application.add_handler(InlineQueryHandler(inline.inline_query))
    application.add_handler(
        MessageHandler(new_or_edited & private & filters.TEXT & ~filters.COMMAND, questions.private_text)
    )
    application.add_handler(
        MessageHandler(new_or_edited & groups & filters.TEXT & ~filters.COMMAND, questions.group_text)
    )
    # Uploads only in private chats: files shared in groups are the members' business.
    upload = filters.UpdateType.MESSAGE & private & filters.Document.ALL
    application.add_handler(MessageHandler(upload & admins, admin.document))
    application.add_handler(MessageHandler(upload, admin.refuse))
    # Commands this bot lacks, or /cmd@otherbot (which CommandHandler leaves alone).
    unknown = filters.UpdateType.MESSAGE & private & filters.COMMAND
    application.add_handler(MessageHandler(unknown, questions.unknown_command))
    # Anything else sent privately (stickers, photos, voice...): a hint.
    application.add_handler(MessageHandler(filters.UpdateType.MESSAGE & private, questions.non_text))
    application.add_handler(ChatMemberHandler(questions.added_to_group, ChatMemberHandler.MY_CHAT_MEMBER))
    application.add_error_handler(on_error)


async def _post_init(application: Application) -> None:  # type: ignore[type-arg]
    settings: Settings = application.bot_data["settings"]
    service = application.bot_data.get("service") or await KnowledgeService.open(settings)
    limit = settings.rate_limit_per_minute
    application.bot_data["state"] = BotState(
        settings=settings,
        service=service,
        limiter=UserRateLimiter(limit),
        presses=UserRateLimiter(limit),
        # inline mode sends a query per keystroke
        inline=UserRateLimiter(limit * 3),
    )
    await set_commands(application, settings)
    if settings.web_port is not None:  # the admin console beside the bot, same service
        console = start_console(service, settings)
        application.bot_data["console"] = console
        log.warning("%s", console.announce())
    # In the background: polling starts now; the first refused question may still wait.
    application.bot_data["warm"] = asyncio.get_running_loop().create_task(service.warm())
    log.info(
        "ready: %d articles, %d passages", len(service.snapshot.articles), len(service.snapshot.passages)
    )


async def set_commands(application: Application, settings: Settings) -> None:  # type: ignore[type-arg]
    """Command menus per scope; admin commands appear only in admins' own chats."""
    menus: list[tuple[list[BotCommand], BotCommandScope]] = [
        (USER_COMMANDS, BotCommandScopeDefault()),
        (GROUP_COMMANDS, BotCommandScopeAllGroupChats()),
        *((ADMIN_COMMANDS, BotCommandScopeChat(admin)) for admin in sorted(settings.admin_user_ids)),
    ]
    for commands, scope in menus:
        try:
            await application.bot.set_my_commands(commands, scope=scope)
        except TelegramError as exc:  # e.g. an admin who has not started the bot yet
            # A missing menu is cosmetic: the bot must still start and answer.
            log.warning("cannot set the %s command menu: %s", scope.type, exc)


async def _post_shutdown(application: Application) -> None:  # type: ignore[type-arg]
    console = application.bot_data.get("console")
    if isinstance(console, RunningConsole):
        console.stop()
    warm = application.bot_data.get("warm")
    if isinstance(warm, asyncio.Task):
        warm.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await warm
    state = application.bot_data.get("state")
    if isinstance(state, BotState):
        await state.service.close()
