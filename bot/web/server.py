"""The console's tornado application and server: `aigc-bot web` on its own, or beside
the Telegram bot in `run` and `webhook` when WEB_PORT is set."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import socket
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from typing import Any

from tornado.netutil import bind_sockets
from tornado.web import Application

from bot.config import Settings
from bot.http_server import CappedHTTPServer
from bot.service import KnowledgeService
from bot.web import actions, pages
from bot.web.access import Access, console_access
from bot.web.base import Console

log = logging.getLogger(__name__)

DEFAULT_PORT = 8080
# A client that connects and stalls is dropped; a reload answers well within this.
IDLE_SECONDS = 60.0


def make_app(console: Console) -> Application:
    here = resources.files("bot.web")
    routes: list[tuple[str, type, dict[str, Any]]] = [
        (path, handler, {"console": console})
        for path, handler in (
            (r"/", pages.Overview),
            (r"/login", pages.Login),
            (r"/logout", pages.Logout),
            (r"/unanswered", pages.Unanswered),
            (r"/unanswered\.(csv|jsonl)", pages.UnansweredDownload),
            (r"/feedback", pages.Feedback),
            (r"/knowledge", pages.Knowledge),
            (r"/knowledge/article", pages.Article),
            (r"/hit", pages.HitTest),
            (r"/actions/reload", actions.Reload),
            (r"/actions/upload", actions.Upload),
            (r"/actions/add", actions.AddPage),
        )
    ]
    return Application(
        routes,
        template_path=str(here / "templates"),
        static_path=str(here / "static"),
        cookie_secret=console.access.cookie_secret,
        xsrf_cookies=True,
        xsrf_cookie_kwargs={"httponly": True, "samesite": "Strict"},
        login_url="/login",
        autoescape="xhtml_escape",
        compress_response=True,
    )


@dataclass
class RunningConsole:
    server: CappedHTTPServer
    url: str
    access: Access

    def stop(self) -> None:
        self.server.stop()

    def announce(self) -> str:
        """The line an admin needs to open the console (with the token only when it was
        made up for this run and so cannot be read anywhere else)."""
        if self.access.generated:
            return f"admin console: {self.url}  (token for this run: {self.access.token})"
        return f"admin console: {self.url}  (log in with WEB_ADMIN_TOKEN)"


def start_console(service: KnowledgeService, settings: Settings, port: int | None = None) -> RunningConsole:
    """Listen on WEB_LISTEN:port (0: any free port) in the running event loop.
    ConfigError without a token on a non-loopback address, OSError if the port is taken."""
    access = console_access(settings)
    console = Console(service, settings, access)
    server = CappedHTTPServer(
        make_app(console),
        max_body_size=settings.max_upload_bytes + actions.FORM_OVERHEAD_BYTES,
        idle_connection_timeout=IDLE_SECONDS,
        body_timeout=IDLE_SECONDS,
        max_header_size=64 * 1024,
    )
    chosen = (settings.web_port or DEFAULT_PORT) if port is None else port
    sockets = bind_sockets(chosen, settings.web_listen, family=socket.AF_UNSPEC)
    server.add_sockets(sockets)
    host = settings.web_listen if ":" not in settings.web_listen else f"[{settings.web_listen}]"
    return RunningConsole(server, f"http://{host}:{sockets[0].getsockname()[1]}/", access)


async def serve(
    settings: Settings,
    *,
    say: Callable[[str], None],
    stop: asyncio.Event | None = None,
    port: int | None = None,
) -> None:
    """`aigc-bot web`: open the knowledge base, serve the console until SIGINT/SIGTERM
    or `stop`, then close."""
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):  # not the main thread (tests)
            loop.add_signal_handler(sig, stop.set)
    console_access(settings)  # refuse a network address without a token before loading
    service = await KnowledgeService.open(settings)
    try:
        running = start_console(service, settings, port)
        say(running.announce())
        warm = loop.create_task(service.warm())
        try:
            await stop.wait()
        finally:
            running.stop()
            warm.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await warm
    finally:
        await service.close()
