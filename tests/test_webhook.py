"""Webhook mode on its own server: Telegram's updates with the secret, and /healthz."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import time
from pathlib import Path

import httpx
import pytest

from bot import http_server
from bot.app import ALLOWED_UPDATES, build_application
from bot.config import Settings
from bot.telegram import webhook
from tests.conftest import KNOWLEDGE, VOCAB
from tests.fakes.bot_api import FakeBotAPI, wait_until
from tests.fakes.running import bot_settings

SECRET = "s3cret_token-1"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def update(update_id: int, text: str, chat: int) -> dict[str, object]:
    user = {"id": chat, "is_bot": False, "first_name": "u", "language_code": "zh"}
    message = {
        "message_id": update_id,
        "date": int(time.time()),
        "chat": {"id": chat, "type": "private"},
        "from": user,
        "text": text,
    }
    return {"update_id": update_id, "message": message}


def webhook_settings(fake: FakeBotAPI, tmp_path: Path, port: int, **extra: object) -> Settings:
    """Webhook mode on loopback against the fake Bot API."""
    return bot_settings(
        fake,
        KNOWLEDGE,
        tmp_path / "bot.sqlite3",
        VOCAB,
        webhook_url="https://bot.example.org",
        webhook_listen="127.0.0.1",
        webhook_port=port,
        **extra,
    )


async def test_webhook_serves_updates_and_health(fake: FakeBotAPI, tmp_path: Path) -> None:
    settings = webhook_settings(fake, tmp_path, free_port(), webhook_secret_token=SECRET)
    application = build_application(settings)
    stop = asyncio.Event()
    ports: list[int] = []
    task = asyncio.create_task(
        webhook.serve(application, settings, ALLOWED_UPDATES, stop=stop, on_listening=ports.append)
    )
    try:
        await wait_until(lambda: bool(ports))
        base = f"http://127.0.0.1:{ports[0]}"
        async with httpx.AsyncClient(base_url=base, timeout=10) as client:
            statuses = set()
            for _ in range(300):  # 503 while the knowledge base loads, then 200
                response = await client.get("/healthz")
                statuses.add(response.status_code)
                if response.status_code == 200:
                    break
                await asyncio.sleep(0.05)
            body = response.json()
            assert response.status_code == 200 and statuses <= {200, 503}
            assert body["ok"] and body["articles"] == 5 and body["passages"] > 0 and body["last_reload"]
            await wait_until(lambda: "url" in fake.webhook)  # registered right after loading
            assert fake.webhook["url"] == "https://bot.example.org/telegram"
            assert set(fake.webhook["allowed_updates"]) == set(ALLOWED_UPDATES)
            forged = await client.post("/telegram", json=update(1, "什么是AIGC？", 901))
            assert forged.status_code == 403, "without the secret header"
            headers = {webhook.SECRET_HEADER: SECRET}
            accepted = await client.post("/telegram", json=update(2, "什么是AIGC？", 902), headers=headers)
            assert accepted.status_code == 200
            await wait_until(lambda: len(fake.sent("sendMessage", 902)) >= 1)
            assert "人工智能生成内容" in fake.sent("sendMessage", 902)[0].params["text"]
            assert not fake.sent("sendMessage", 901)
            bad = await client.post("/telegram", content=b"not json", headers=headers)
            assert bad.status_code == 400
    finally:
        stop.set()
        await asyncio.wait_for(task, 30)


async def test_without_a_configured_secret_a_random_one_guards_the_webhook(
    fake: FakeBotAPI, tmp_path: Path
) -> None:
    settings = webhook_settings(fake, tmp_path, free_port())
    application = build_application(settings)
    stop = asyncio.Event()
    ports: list[int] = []
    fake.webhook = {}  # the fake outlives one test
    task = asyncio.create_task(
        webhook.serve(application, settings, ALLOWED_UPDATES, stop=stop, on_listening=ports.append)
    )
    try:
        await wait_until(lambda: bool(ports) and "url" in fake.webhook, timeout=60)
        secret = str(fake.webhook.get("secret_token", ""))
        assert len(secret) >= 32, "Telegram is told a secret even when none is configured"
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{ports[0]}", timeout=10) as client:
            forged = await client.post("/telegram", json=update(1, "/add http://evil.example/x", 911))
            assert forged.status_code == 403
            headers = {webhook.SECRET_HEADER: secret}
            for body in (b"[]", b"null", b"1", b"[" * 100_000 + b"]" * 100_000):
                response = await client.post("/telegram", content=body, headers=headers)
                assert response.status_code == 400, body[:10]
            accepted = await client.post("/telegram", json=update(2, "什么是AIGC？", 912), headers=headers)
            assert accepted.status_code == 200
    finally:
        stop.set()
        await asyncio.wait_for(task, 30)


async def test_a_flood_of_stalled_connections_neither_holds_the_server_nor_its_descriptors(
    fake: FakeBotAPI, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(http_server, "MAX_CONNECTIONS", 100)
    port = free_port()
    settings = webhook_settings(fake, tmp_path, port, webhook_secret_token=SECRET)
    stop = asyncio.Event()
    task = asyncio.create_task(
        webhook.serve(build_application(settings), settings, ALLOWED_UPDATES, stop=stop)
    )
    stalled: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=10) as client:
            for _ in range(600):  # 503 (or not listening yet) while loading, then 200
                with contextlib.suppress(httpx.TransportError):
                    if (await client.get("/healthz")).status_code == 200:
                        break
                await asyncio.sleep(0.05)
            for _ in range(300):  # half a request each, then silence
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
                writer.write(b"POST /telegram HTTP/1.1\r\nHost: bot\r\nContent-Length: 1000\r\n\r\n{")
                stalled.append((reader, writer))
            started = time.monotonic()
            health = await client.get("/healthz")
            assert health.status_code == 200 and time.monotonic() - started < 1.0
            headers = {webhook.SECRET_HEADER: SECRET}
            accepted = await client.post("/telegram", json=update(3, "什么是AIGC？", 903), headers=headers)
            assert accepted.status_code == 200
            await wait_until(lambda: len(fake.sent("sendMessage", 903)) >= 1)
            ends = await asyncio.gather(
                *(asyncio.wait_for(reader.read(), 3) for reader, _ in stalled), return_exceptions=True
            )
            dropped = sum(1 for end in ends if not isinstance(end, asyncio.TimeoutError))
            assert dropped >= 200, "the oldest stalled connections were closed past the cap"
    finally:
        for _, writer in stalled:
            writer.close()
        stop.set()
        await asyncio.wait_for(task, 30)
