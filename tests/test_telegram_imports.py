"""While an admin imports something slow or hostile, every other chat is still answered:
the fetch is asynchronous and bounded, parsing happens in a worker process. Through the
real polling loop against the fake Bot API."""

from __future__ import annotations

import gzip
import http.server
import statistics
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import pytest
import pytest_asyncio

from tests.conftest import VOCAB
from tests.fakes.bot_api import FakeBotAPI, wait_until
from tests.fakes.running import App, module_app
from tests.hostile import docx_bomb, slow_docx

pytestmark = pytest.mark.asyncio(loop_scope="module")

ADMIN = 77


class _Slow(http.server.BaseHTTPRequestHandler):
    bomb = b""

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        if self.path == "/bomb":
            self.send_header("Content-Encoding", "gzip")
            self.end_headers()
            self.wfile.write(_Slow.bomb)
            return
        self.end_headers()
        for _ in range(300):  # a byte every 0.1 s: the 20 s whole-fetch deadline ends it
            self.wfile.write(b"<")
            self.wfile.flush()
            time.sleep(0.1)


@pytest.fixture(scope="module")
def site() -> Iterator[str]:
    _Slow.bomb = gzip.compress(b"<p>" + b"a" * (48 * 1024 * 1024), compresslevel=9)
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Slow)
    httpd.daemon_threads = True
    httpd.handle_error = lambda request, client_address: None  # type: ignore[method-assign]
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def app(
    fake: FakeBotAPI, knowledge: Path, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[App]:
    async with module_app(
        fake,
        knowledge,
        tmp_path_factory,
        VOCAB,
        admin_user_ids=frozenset({ADMIN}),
        fetch_allow_private=True,  # the hostile server is on loopback
        rate_limit_per_minute=100,
        parse_cpu_seconds=2,  # a slow document is stopped sooner than the default 30 s
    ) as application:
        yield application


def texts(fake: FakeBotAPI, chat_id: int) -> list[str]:
    return [c.params["text"] for c in fake.sent("sendMessage", chat_id)]


def replied(fake: FakeBotAPI, user: int, count: int) -> Callable[[], bool]:
    return lambda: len(texts(fake, user)) > count


async def answered_while(fake: FakeBotAPI, users: range) -> float:
    """The p95 of other users' reply times, each asking in turn."""
    latencies = []
    for user in users:
        count = len(texts(fake, user))
        asked = time.monotonic()
        fake.message("什么是AIGC？", user_id=user)
        await wait_until(replied(fake, user, count))
        latencies.append(time.monotonic() - asked)
    return statistics.quantiles(latencies, n=20)[-1]


@pytest.mark.parametrize(("path", "says"), [("/trickle", "20"), ("/bomb", "10 MiB")])
async def test_other_chats_are_answered_while_an_admin_adds_a_hostile_url(
    app: App, fake: FakeBotAPI, site: str, path: str, says: str
) -> None:
    before = len(texts(fake, ADMIN))
    fake.message(f"/add {site}{path}", user_id=ADMIN)
    p95 = await answered_while(fake, range(900, 912))
    assert p95 < 1.0, f"p95 {p95:.2f} s while the admin's import ran"
    await wait_until(lambda: len(texts(fake, ADMIN)) > before, timeout=60)
    assert says in texts(fake, ADMIN)[-1]


@pytest.mark.parametrize(("make", "says"), [(slow_docx, "秒 CPU"), (docx_bomb, "解压后超过")])
async def test_other_chats_are_answered_while_an_admin_uploads_a_hostile_document(
    app: App, fake: FakeBotAPI, make: Callable[[], bytes], says: str
) -> None:
    data = make()
    before = len(texts(fake, ADMIN))
    fake.document(f"{make.__name__}.docx", data, user_id=ADMIN)
    p95 = await answered_while(fake, range(920, 932))
    assert p95 < 1.0, f"p95 {p95:.2f} s while the admin's upload was parsed"
    await wait_until(lambda: len(texts(fake, ADMIN)) > before, timeout=60)
    assert says in texts(fake, ADMIN)[-1], texts(fake, ADMIN)[-1]
