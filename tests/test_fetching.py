"""Fetching for a server: public addresses only, at every hop; bounded in time and size."""

from __future__ import annotations

import asyncio
import gzip
import http.server
import threading
import time
import tracemalloc
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot import fetching
from bot.adding import prepare
from bot.cli import main
from bot.errors import ArticleError
from tests.conftest import knowledge_folder


@pytest.mark.parametrize(
    "address",
    [
        *("127.0.0.1", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254", "100.64.0.1", "0.0.0.0"),
        *("224.0.0.1", "::1", "fe80::1", "fc00::1", "::ffff:127.0.0.1", "::ffff:10.0.0.1"),
    ],
)
def test_non_public_addresses_are_not_fetched(address: str) -> None:
    assert not fetching.is_public(address)


@pytest.mark.parametrize("address", ["93.184.216.34", "8.8.8.8", "2606:4700:4700::1111"])
def test_public_addresses_are(address: str) -> None:
    assert fetching.is_public(address)


class _Handler(http.server.BaseHTTPRequestHandler):
    bomb = b""  # 64 MiB of zeros, gzipped: made before memory is measured

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        port = self.server.server_address[1]  # type: ignore[index]
        if self.path == "/redirect":
            self.send_response(302)
            self.send_header("Location", f"http://127.0.0.1:{port}/secret")
            self.end_headers()
        elif self.path == "/secret":
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.end_headers()
            self.wfile.write("内部数据库管理员密码是 INTERNAL-SECRET-7731".encode())
        elif self.path == "/bomb":
            body = _Handler.bomb
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Encoding", "gzip")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        elif self.path == "/trickle":
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.end_headers()
            for _ in range(100):
                self.wfile.write(b"x")
                self.wfile.flush()
                time.sleep(0.1)


@pytest.fixture
def server() -> Iterator[str]:
    """A server on 127.0.0.2, an address these tests treat as public (127.0.0.1 not)."""
    if not _Handler.bomb:
        _Handler.bomb = gzip.compress(b"\0" * (64 * 1024 * 1024), compresslevel=9)
    httpd = http.server.ThreadingHTTPServer(("127.0.0.2", 0), _Handler)
    httpd.daemon_threads = True
    httpd.handle_error = lambda request, client_address: None  # type: ignore[method-assign]
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.2:{httpd.server_address[1]}"
    httpd.shutdown()


@pytest.fixture
def only_127_0_0_2_is_public(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fetching, "is_public", lambda address: address == "127.0.0.2")


def test_loopback_is_refused_without_the_setting() -> None:
    with pytest.raises(ArticleError, match="not a public address"):
        asyncio.run(fetching.fetch("http://127.0.0.1:9/page"))
    with pytest.raises(ArticleError, match="not a public address"):
        asyncio.run(fetching.fetch("http://localhost:9/page"))


def test_a_redirect_to_an_internal_address_is_refused(server: str, only_127_0_0_2_is_public: None) -> None:
    with pytest.raises(ArticleError, match="not a public address"):
        asyncio.run(fetching.fetch(f"{server}/redirect"))


def test_a_decompression_bomb_stops_at_the_limit(server: str, only_127_0_0_2_is_public: None) -> None:
    tracemalloc.start()
    started = time.monotonic()
    try:
        with pytest.raises(ArticleError, match="larger than 10 MiB"):
            asyncio.run(fetching.fetch(f"{server}/bomb"))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 40 * 1024 * 1024, f"peak {peak / 2**20:.0f} MiB"
    assert time.monotonic() - started < 30


def test_a_trickling_server_meets_the_whole_fetch_deadline(
    server: str, only_127_0_0_2_is_public: None
) -> None:
    started = time.monotonic()
    with pytest.raises(ArticleError, match="took longer than 2 s"):
        asyncio.run(fetching.fetch(f"{server}/trickle", deadline=2.0))
    assert time.monotonic() - started < 5


def test_only_http_urls(tmp_path: Path) -> None:
    with pytest.raises(ArticleError, match="only http"):
        asyncio.run(fetching.fetch("file:///etc/passwd"))


def test_telegram_add_takes_urls_only(tmp_path: Path) -> None:
    secret = tmp_path / "notes.txt"
    secret.write_text("server notes", encoding="utf-8")
    with pytest.raises(ArticleError, match="only http"):
        asyncio.run(prepare(str(secret), 1_000_000, files=False))


def test_cli_add_of_a_loopback_url_writes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = knowledge_folder(tmp_path, monkeypatch)
    assert main(["add", "http://127.0.0.1:9/secret"]) == 1
    err = capsys.readouterr().err.strip()
    assert "not a public address" in err and len(err.splitlines()) == 1
    assert list(folder.iterdir()) == []


@pytest.mark.parametrize(
    ("given", "published"),
    [
        ("https://user:pass@example.org/a?id=3&token=abc#x", "https://example.org/a?id=3#x"),
        ("https://example.org/doc?api_key=1&Signature=2&page=2", "https://example.org/doc?page=2"),
        ("http://[2001:db8::1]:8080/p?sessionid=9", "http://[2001:db8::1]:8080/p"),
        ("https://example.org/plain", "https://example.org/plain"),
    ],
)
def test_credentials_never_reach_a_published_source_link(given: str, published: str) -> None:
    assert fetching.public_url(given) == published


@pytest.mark.parametrize(
    ("header", "page", "expected"),
    [
        ("text/html; charset=gbk", "<html><body><p>{}</p></body></html>", "gbk"),
        (
            "text/html",
            '<html><head><meta charset="shift_jis"></head><body><p>{}</p></body></html>',
            "shift_jis",
        ),
        ("text/html; charset=utf-16", "<html><body><p>{}</p></body></html>", "utf-16"),
    ],
)
def test_pages_are_decoded_by_their_declared_charset(header: str, page: str, expected: str) -> None:
    from bot.kb.readers import decode_html

    text = "生成式人工智能的文章内容" if expected != "shift_jis" else "日本語の記事です"
    body = page.format(text).encode(expected)
    decoded = decode_html(fetching._declared(body, header, ".html"))
    assert text in decoded
