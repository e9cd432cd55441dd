"""Webhook mode on our own small tornado server: Telegram's updates, and GET /healthz.

    pip install "python-telegram-bot[webhooks]"   (tornado)

PTB's `run_webhook` serves only Telegram's path. Production needs a health endpoint
too, so this runner serves both, the way PTB's custom-webhook example does: updates go
into `application.update_queue`; /healthz answers 200 with the knowledge base's size and
last reload once it is loaded, 503 before.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import logging
import secrets
import signal
import socket
from collections.abc import Callable
from typing import Any

from telegram import Update
from telegram.ext import Application
from tornado.netutil import bind_sockets
from tornado.web import Application as WebApplication
from tornado.web import RequestHandler

from bot.config import Settings
from bot.http_server import CappedHTTPServer
from bot.telegram.state import BotState

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_UPDATE_BYTES = 1 << 20  # an update is a few KB; refuse anything absurd
IDLE_SECONDS = 10.0


class _TelegramHandler(RequestHandler):
    def initialize(self, bot_app: Application, secret: str) -> None:  # type: ignore[type-arg]
        # tornado's own `self.application` is the web app: the bot's goes by another name
        self.bot_app, self.secret = bot_app, secret

    async def post(self) -> None:
        given = self.request.headers.get(SECRET_HEADER, "")
        if not hmac.compare_digest(given.encode(), self.secret.encode()):
            self.set_status(403)
            return
        if len(self.request.body) > MAX_UPDATE_BYTES:
            self.set_status(413)
            return
        try:
            payload = json.loads(self.request.body)
            if not isinstance(payload, dict):  # [], null, 1: not an update
                raise ValueError("not an object")
            update = Update.de_json(payload, self.bot_app.bot)
        except (ValueError, TypeError, KeyError, AttributeError, RecursionError):
            self.set_status(400)
            return
        await self.bot_app.update_queue.put(update)
        self.set_status(200)


class _HealthHandler(RequestHandler):
    def initialize(self, bot_app: Application) -> None:  # type: ignore[type-arg]
        self.bot_app = bot_app

    def get(self) -> None:
        state = self.bot_app.bot_data.get("state")
        self.set_header("Content-Type", "application/json")
        if not isinstance(state, BotState):
            self.set_status(503)
            self.write(json.dumps({"ok": False, "status": "loading"}))
            return
        articles, passages, _ = state.service.overview()
        loaded = state.service.loaded_at
        self.write(
            json.dumps({"ok": True, "articles": articles, "passages": passages, "last_reload": loaded})
        )


def webhook_secret(settings: Settings) -> str:
    """The configured secret, or a random one for this run: every update must carry one,
    so that nobody who finds the URL can post a forged admin update."""
    configured = settings.webhook_secret_token
    return configured.get_secret_value() if configured else secrets.token_urlsafe(32)


def web_app(application: Application, settings: Settings, secret: str) -> WebApplication:  # type: ignore[type-arg]
    path = "/" + settings.webhook_path.strip("/")
    return WebApplication(
        [
            (rf"{path}/?", _TelegramHandler, {"bot_app": application, "secret": secret}),
            (r"/healthz", _HealthHandler, {"bot_app": application}),
        ]
    )


async def serve(
    application: Application,  # type: ignore[type-arg]
    settings: Settings,
    allowed_updates: list[str],
    *,
    stop: asyncio.Event | None = None,
    on_listening: Callable[[int], Any] | None = None,
) -> None:
    """Listen (health reports 503 while loading), load, register the webhook, serve until
    SIGINT/SIGTERM or `stop`, then shut down cleanly."""
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):  # not the main thread (tests)
            loop.add_signal_handler(sig, stop.set)
    secret = webhook_secret(settings)
    # A client that connects and stalls (half a request, an idle keep-alive) is dropped,
    # and past the connection cap the oldest connection makes room (bot/http_server.py).
    server = CappedHTTPServer(
        web_app(application, settings, secret),
        max_body_size=MAX_UPDATE_BYTES,
        idle_connection_timeout=IDLE_SECONDS,
        body_timeout=IDLE_SECONDS,
        max_header_size=64 * 1024,
    )
    sockets = bind_sockets(settings.webhook_port, settings.webhook_listen, family=socket.AF_UNSPEC)
    server.add_sockets(sockets)
    if on_listening is not None:
        on_listening(sockets[0].getsockname()[1])
    try:
        await application.initialize()
        if application.post_init is not None:
            await application.post_init(application)
        path = settings.webhook_path.strip("/")
        await application.bot.set_webhook(
            url=f"{str(settings.webhook_url).rstrip('/')}/{path}",
            allowed_updates=allowed_updates,
            secret_token=secret,
        )
        await application.start()
        log.info("webhook server listening on %s:%s", settings.webhook_listen, settings.webhook_port)
        await stop.wait()
    finally:
        server.stop()
        if application.running:
            await application.stop()
        if application.post_shutdown is not None:
            await application.post_shutdown(application)
        await application.shutdown()
