"""`aigc-bot add` and the admins' /add: files and web pages into the knowledge folder.

A source (a file path, or an http(s) URL fetched with httpx under time, size and
redirect limits) is converted to a Markdown article with front matter (title, url,
date), validated like an upload, and saved under a safe name that never overwrites
another article. Every source is checked before anything is written: one bad source
means nothing is saved.
"""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

import httpx

from bot.errors import ArticleError
from bot.kb.ingest import ARTICLE_SUFFIXES, decode_bytes
from bot.kb.readers import DOCUMENT_SUFFIXES, read_document
from bot.uploads import save_article, validate_article

FETCH_TIMEOUT = 20.0
MAX_REDIRECTS = 3
MAX_FETCH_BYTES = 10 * 1024 * 1024
_TYPES = {
    "text/html": ".html",
    "application/xhtml+xml": ".html",
    "application/pdf": ".pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
    "text/markdown": ".md",
    "text/plain": ".txt",
}


@dataclass(frozen=True)
class NewArticle:
    name: str  # file name in the knowledge folder
    markdown: bytes
    source: str


async def fetch(url: str, max_bytes: int = MAX_FETCH_BYTES) -> tuple[bytes, str, str]:
    """(body, suffix, final URL) of a web document; ArticleError with a clear reason."""
    if urlparse(url).scheme not in ("http", "https"):
        raise ArticleError(f"{url}: only http(s) URLs can be added")
    try:
        async with (
            httpx.AsyncClient(
                follow_redirects=True, max_redirects=MAX_REDIRECTS, timeout=FETCH_TIMEOUT
            ) as client,
            client.stream("GET", url, headers={"User-Agent": "aigc-bot"}) as response,
        ):
            if response.status_code != 200:
                raise ArticleError(f"{url}: the server answered {response.status_code}")
            kind = response.headers.get("content-type", "").split(";")[0].strip().lower()
            suffix = _TYPES.get(kind)
            if suffix is None:
                raise ArticleError(f"{url}: not a document ({kind or 'no content type'})")
            body = bytearray()
            async for chunk in response.aiter_bytes():
                body += chunk
                if len(body) > max_bytes:
                    raise ArticleError(f"{url}: larger than {max_bytes // (1024 * 1024)} MiB")
            return bytes(body), suffix, str(response.url)
    except httpx.TooManyRedirects:
        raise ArticleError(f"{url}: more than {MAX_REDIRECTS} redirects") from None
    except httpx.HTTPError as exc:
        raise ArticleError(f"{url}: cannot fetch ({exc.__class__.__name__})") from None


def convert(data: bytes, suffix: str, source: str, url: str | None, max_bytes: int) -> NewArticle:
    """The source as a validated Markdown article with a file name from its title."""
    if suffix in DOCUMENT_SUFFIXES:
        document = read_document(suffix, data, url)
        if url and not document.url:
            document = dataclasses.replace(document, url=url)
        markdown = document.to_markdown().encode()
        title = document.title
    elif suffix in ARTICLE_SUFFIXES:
        text = decode_bytes(data)
        if url and not text.lstrip().startswith("---"):
            text = f"---\nurl: {url}\n---\n\n{text}"
        markdown, title = text.encode(), None
    else:
        raise ArticleError(f"{source}: unsupported format ({suffix or 'no suffix'})")
    stem = _slug(title) or _slug(Path(urlparse(url).path).stem if url else Path(source).stem) or "article"
    name = f"{stem}.md"
    validate_article(name, markdown, max_bytes)
    return NewArticle(name, markdown, source)


async def prepare(source: str, max_bytes: int) -> NewArticle:
    if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*://", source):
        data, suffix, final = await fetch(source)
        return convert(data, suffix, source, final, max_bytes)
    path = Path(source)
    if not path.is_file():
        raise ArticleError(f"{source}: no such file")
    if path.stat().st_size > max_bytes:
        raise ArticleError(f"{source}: too large ({path.stat().st_size // 1024} KiB)")
    return convert(path.read_bytes(), path.suffix.lower(), source, None, max_bytes)


def save_new(folder: Path, article: NewArticle) -> Path:
    """Save under a name no other article has ("name-2.md", "name-3.md"…)."""
    stem, n = article.name[: -len(".md")], 1
    name = article.name
    while (folder / name).exists():
        n += 1
        name = f"{stem}-{n}.md"
    save_article(folder, name, article.markdown)
    return folder / name


def _slug(text: str | None) -> str:
    text = unicodedata.normalize("NFKC", text or "")
    return re.sub(r"[^\w\-]+", "-", text).strip("-_")[:60]
