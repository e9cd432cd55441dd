"""Fetching a web document for a server: public addresses only, bounded in time and size.

`/add` and `aigc-bot add` fetch URLs that admins type, and a URL is hostile until proven
otherwise (OWASP's SSRF rules):

- only http and https;
- every address a host resolves to must be public (no loopback, private, link-local,
  CGNAT, multicast, reserved, unique-local, nor IPv4-mapped forms of these), and the
  connection goes to an address that was checked, so a second DNS answer cannot swap it;
- redirects are followed by hand, at most MAX_REDIRECTS, each hop checked the same way;
- one deadline for the whole fetch, besides httpx's per-read timeout;
- the body is counted as it is decoded (gzip or deflate by our own bounded decoder), so
  a decompression bomb stops at the size limit instead of growing past it.

`allow_private` (FETCH_ALLOW_PRIVATE) lifts the address rule for tests and intranets.
"""

from __future__ import annotations

import asyncio
import codecs
import ipaddress
import re
import socket
import ssl
import zlib
from urllib.parse import parse_qsl, urlencode, urljoin, urlparse, urlsplit, urlunsplit

import httpcore
import httpx

from bot.errors import ArticleError

FETCH_TIMEOUT = 20.0  # per read, and for the whole fetch
MAX_REDIRECTS = 3
MAX_FETCH_BYTES = 10 * 1024 * 1024
TYPES = {
    "text/html": ".html",
    "application/xhtml+xml": ".html",
    "application/pdf": ".pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
    "text/markdown": ".md",
    "text/plain": ".txt",
}


def is_public(address: str) -> bool:
    """Whether an IP address belongs to the public internet."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


class _CheckedBackend(httpcore.AsyncNetworkBackend):
    """Resolves the host itself, refuses non-public addresses, and connects to the
    address it checked (not to whatever the name resolves to a moment later)."""

    def __init__(self, allow_private: bool) -> None:
        self._inner = httpcore.AnyIOBackend()
        self._allow_private = allow_private

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: object = None,
    ) -> httpcore.AsyncNetworkStream:
        loop = asyncio.get_running_loop()
        try:
            infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except OSError:
            raise ArticleError(f"cannot resolve {host}") from None
        addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
        allowed = [a for a in addresses if self._allow_private or is_public(a)]
        if not allowed:
            shown = addresses[0] if addresses else "nothing"
            raise ArticleError(
                f"{host} is not a public address ({shown}); only the public internet is fetched"
            )
        return await self._inner.connect_tcp(
            allowed[0],
            port,
            timeout=timeout,
            local_address=local_address,
            socket_options=socket_options,  # type: ignore[arg-type]
        )

    async def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: object = None
    ) -> httpcore.AsyncNetworkStream:
        raise ArticleError("unix sockets are not fetched")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


def _transport(allow_private: bool) -> httpx.AsyncHTTPTransport:
    transport = httpx.AsyncHTTPTransport(retries=0)
    # httpx has no parameter for httpcore's network backend: its pool is replaced by one
    # that resolves through _CheckedBackend (tests/test_fetching.py checks this holds).
    transport._pool = httpcore.AsyncConnectionPool(
        ssl_context=ssl.create_default_context(), network_backend=_CheckedBackend(allow_private)
    )
    return transport


def _decoder(encoding: str, url: str) -> zlib._Decompress | None:
    encoding = encoding.strip().lower()
    if encoding in ("", "identity"):
        return None
    if encoding in ("gzip", "x-gzip"):
        return zlib.decompressobj(16 + zlib.MAX_WBITS)
    if encoding == "deflate":
        return zlib.decompressobj()
    raise ArticleError(f"{url}: unsupported content encoding ({encoding})")


async def _read_bounded(response: httpx.Response, limit: int, url: str) -> bytes:
    """The body, decoded as it arrives and never beyond `limit` decoded bytes."""
    decoder = _decoder(response.headers.get("content-encoding", ""), url)
    body = bytearray()
    async for raw in response.aiter_raw():
        chunk = raw
        while chunk:
            if decoder is None:
                piece, chunk = chunk, b""
            else:
                piece = decoder.decompress(chunk, limit + 1 - len(body))
                chunk = decoder.unconsumed_tail
            body += piece
            if len(body) > limit:
                raise ArticleError(f"{url}: larger than {limit // (1024 * 1024)} MiB")
    if decoder is not None:
        body += decoder.flush(limit + 1 - len(body))
        if len(body) > limit:
            raise ArticleError(f"{url}: larger than {limit // (1024 * 1024)} MiB")
    return bytes(body)


_CHARSET = re.compile(r"charset\s*=\s*[\"']?([A-Za-z0-9_\-:.]+)", re.IGNORECASE)


def _declared(body: bytes, content_type: str, suffix: str) -> bytes:
    """A page in the charset its HTTP header declares, as UTF-8 with a byte-order mark
    (which outranks a `<meta charset>` when the page is read): the header comes first."""
    found = _CHARSET.search(content_type)
    if suffix != ".html" or found is None:
        return body
    try:
        text = body.decode(found.group(1).lower(), errors="replace")
    except LookupError:
        return body  # a charset Python does not know: the page's own declaration decides
    return codecs.BOM_UTF8 + text.lstrip("\ufeff").encode("utf-8")


def public_url(url: str) -> str:
    """A URL fit to publish as a source link: without user info, and without query
    parameters that look like credentials (token, key, secret, password, sig...)."""
    parts = urlsplit(url)
    host = parts.netloc.rsplit("@", 1)[-1]  # user info dropped; brackets and port kept
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _SECRET_KEY.search(k)]
    return urlunsplit((parts.scheme, host, parts.path, urlencode(query), parts.fragment))


_SECRET_KEY = re.compile(r"token|key|secret|passw|pwd|sig|auth|credential|session", re.IGNORECASE)


async def fetch(
    url: str,
    max_bytes: int = MAX_FETCH_BYTES,
    *,
    allow_private: bool = False,
    deadline: float = FETCH_TIMEOUT,
) -> tuple[bytes, str, str]:
    """(body, suffix, final URL) of a web document; ArticleError with a clear reason."""
    try:
        async with asyncio.timeout(deadline):
            return await _fetch(url, max_bytes, allow_private)
    except TimeoutError:
        raise ArticleError(f"{url}: took longer than {deadline:.0f} s") from None
    except httpx.HTTPError as exc:
        raise ArticleError(f"{url}: cannot fetch ({exc.__class__.__name__})") from None


async def _fetch(url: str, max_bytes: int, allow_private: bool) -> tuple[bytes, str, str]:
    headers = {"User-Agent": "aigc-bot", "Accept-Encoding": "gzip, deflate"}
    async with httpx.AsyncClient(
        transport=_transport(allow_private), follow_redirects=False, timeout=FETCH_TIMEOUT
    ) as client:
        current = url
        for _ in range(MAX_REDIRECTS + 1):
            if urlparse(current).scheme not in ("http", "https") or not urlparse(current).hostname:
                raise ArticleError(f"{current}: only http(s) URLs can be added")
            async with client.stream("GET", current, headers=headers) as response:
                if response.is_redirect and "location" in response.headers:
                    current = urljoin(current, response.headers["location"])
                    continue
                if response.status_code != 200:
                    raise ArticleError(f"{url}: the server answered {response.status_code}")
                kind = response.headers.get("content-type", "").split(";")[0].strip().lower()
                suffix = TYPES.get(kind)
                if suffix is None:
                    raise ArticleError(f"{url}: not a document ({kind or 'no content type'})")
                body = await _read_bounded(response, max_bytes, url)
                return _declared(body, response.headers.get("content-type", ""), suffix), suffix, current
    raise ArticleError(f"{url}: more than {MAX_REDIRECTS} redirects")
