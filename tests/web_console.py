"""A running admin console for tests: the shipped (or a given) knowledge base, a known
admin token, any free port, in the test's event loop."""

from __future__ import annotations

import contextlib
import re
from collections.abc import AsyncIterator
from pathlib import Path

import httpx

from bot.service import KnowledgeService
from bot.web.server import RunningConsole, start_console
from tests.conftest import KNOWLEDGE, make_settings

TOKEN = "console-test-token-0123456789"
_XSRF = re.compile(r'name="_xsrf" value="([^"]+)"')


@contextlib.asynccontextmanager
async def running_console(
    tmp_path: Path, knowledge: Path = KNOWLEDGE, **extra: object
) -> AsyncIterator[tuple[KnowledgeService, RunningConsole]]:
    settings = make_settings(tmp_path, knowledge, web_admin_token=TOKEN, **extra)
    service = await KnowledgeService.open(settings)
    running = start_console(service, settings, port=0)
    try:
        yield service, running
    finally:
        running.stop()
        await service.close()


def xsrf_of(page: str) -> str:
    found = _XSRF.search(page)
    assert found, "the page carries a CSRF token"
    return found.group(1)


async def log_in(client: httpx.AsyncClient, token: str = TOKEN) -> httpx.Response:
    form = await client.get("/login")
    return await client.post("/login", data={"_xsrf": xsrf_of(form.text), "token": token, "next": "/"})
