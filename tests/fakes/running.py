"""Run the real Application (Updater polling + handlers) against a FakeBotAPI."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from telegram import Update
from telegram.ext import Application
from telegram.request import BaseRequest

from bot.app import build_application
from bot.config import Settings
from bot.service import KnowledgeService
from tests.fakes.bot_api import TOKEN, FakeBotAPI

# The running Application, fully parametrised for mypy --strict.
App = Application[Any, Any, Any, Any, Any, Any]


def bot_settings(fake: FakeBotAPI, knowledge: Path, database: Path, vocab: Path, **extra: Any) -> Settings:
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        knowledge_dir=knowledge,
        vocab_dir=vocab,
        database_path=database,
        telegram_bot_token=TOKEN,  # type: ignore[arg-type]
        telegram_base_url=fake.base_url,
        telegram_base_file_url=fake.base_file_url,
        **extra,
    )


@asynccontextmanager
async def running_app(
    settings: Settings,
    *,
    request: BaseRequest | None = None,
    get_updates_request: BaseRequest | None = None,
    service: KnowledgeService | None = None,
) -> AsyncIterator[App]:
    """The same steps run_polling takes, without installing signal handlers."""
    application = build_application(
        settings, request=request, get_updates_request=get_updates_request, service=service
    )
    await application.initialize()
    assert application.post_init is not None and application.updater is not None
    await application.post_init(application)
    await application.updater.start_polling(poll_interval=0, timeout=1, allowed_updates=Update.ALL_TYPES)
    await application.start()
    try:
        yield application
    finally:
        await application.updater.stop()
        await application.stop()
        assert application.post_shutdown is not None
        await application.post_shutdown(application)
        await application.shutdown()


@asynccontextmanager
async def module_app(
    fake: FakeBotAPI, knowledge: Path, tmp_path_factory: Any, vocab: Path, **extra: Any
) -> AsyncIterator[App]:
    """A running app on a fresh database in a temporary folder, for a module's tests."""
    database = tmp_path_factory.mktemp("db") / "bot.sqlite3"
    async with running_app(bot_settings(fake, knowledge, database, vocab, **extra)) as application:
        yield application
