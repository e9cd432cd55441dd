"""`aigc-bot add` and the admins' /add: files and web pages into the knowledge folder.

A source (a file path, or an http(s) URL fetched by `bot.fetching`: public addresses
only, under time, size and redirect limits) is converted to a Markdown article with front matter (title, url,
date), validated like an upload, and saved under a safe name that never overwrites
another article. Every source is checked before anything is written: one bad source
means nothing is saved.
"""

from __future__ import annotations

import asyncio
import dataclasses
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

from bot.errors import ArticleError
from bot.fetching import fetch, public_url
from bot.kb.ingest import ARTICLE_SUFFIXES, DocumentReader, decode_bytes
from bot.kb.readers import DOCUMENT_SUFFIXES, read_document
from bot.uploads import sanitize_filename, save_article, validate_article


@dataclass(frozen=True)
class NewArticle:
    name: str  # file name in the knowledge folder
    markdown: bytes
    source: str


def convert(
    data: bytes,
    suffix: str,
    source: str,
    url: str | None,
    max_bytes: int,
    reader: DocumentReader = read_document,
) -> NewArticle:
    """The source as a validated Markdown article with a file name from its title.
    `reader` converts documents (callers pass `bot.isolation`'s limited worker)."""
    url = public_url(url) if url else url  # the source link is published: no credentials
    if suffix in DOCUMENT_SUFFIXES:
        document = reader(suffix, data, url)
        if url and not document.url:
            document = dataclasses.replace(document, url=url)
        elif document.url:
            document = dataclasses.replace(document, url=public_url(document.url))
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


def is_url(source: str) -> bool:
    return re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*://", source) is not None


async def prepare(
    source: str,
    max_bytes: int,
    *,
    allow_private: bool = False,
    files: bool = True,
    reader: DocumentReader = read_document,
) -> NewArticle:
    """A source as a new article: a URL fetched (public addresses only, unless
    `allow_private`), or a local file when `files` (the CLI, run by the server's owner;
    never Telegram, where a path would publish a server file). Converted off the loop."""
    if is_url(source):
        data, suffix, final = await fetch(source, allow_private=allow_private)
        return await asyncio.to_thread(convert, data, suffix, source, final, max_bytes, reader)
    if not files:
        raise ArticleError(f"{source}: only http(s) URLs can be added here")
    path = Path(source)
    if not path.is_file():
        raise ArticleError(f"{source}: no such file")
    if path.stat().st_size > max_bytes:
        raise ArticleError(f"{source}: too large ({path.stat().st_size // 1024} KiB)")
    data = await asyncio.to_thread(path.read_bytes)
    return await asyncio.to_thread(convert, data, path.suffix.lower(), source, None, max_bytes, reader)


async def add_sources(
    folder: Path,
    sources: Sequence[str],
    max_bytes: int,
    *,
    allow_private: bool = False,
    files: bool = True,
    reader: DocumentReader = read_document,
) -> list[Path]:
    """Every source prepared first, then all saved: one bad source and nothing is written."""
    articles = [
        await prepare(source, max_bytes, allow_private=allow_private, files=files, reader=reader)
        for source in sources
    ]
    return [await asyncio.to_thread(save_new, folder, article) for article in articles]


def receive_upload(
    folder: Path, raw_name: str | None, data: bytes, max_bytes: int, reader: DocumentReader = read_document
) -> tuple[str, Path | None]:
    """An uploaded file saved as an article under its own (sanitised) name: a web page,
    Word file or PDF as Markdown. Returns the saved name and the kept previous version."""
    name = sanitize_filename(raw_name)
    if Path(name).suffix in DOCUMENT_SUFFIXES:
        article = convert(data, Path(name).suffix, name, None, max_bytes, reader)
        name, data = f"{Path(name).stem}.md", article.markdown
    validate_article(name, data, max_bytes)
    return name, save_article(folder, name, data)


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
