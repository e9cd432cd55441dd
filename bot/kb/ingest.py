"""Read article files: decode bytes, parse YAML front matter, find title and source URL.

Front matter is parsed with python-frontmatter (PyYAML underneath). CSDN exports keep
their source URL hex-encoded in `arturl_encode`, with `:` separators sprinkled in.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import frontmatter
import yaml
from frontmatter.default_handlers import YAMLHandler

from bot.errors import ArticleError
from bot.kb.readers import DOCUMENT_SUFFIXES, Document, read_document

ARTICLE_SUFFIXES = (".md", ".markdown", ".txt")
URL_FIELDS = ("url", "source", "link", "source_url", "original_url")
MAX_ARTICLE_BYTES = 5 * 1024 * 1024
MAX_FRONT_MATTER_CHARS = 64 * 1024

_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.+?)\s*#*\s*$", re.MULTILINE)


@dataclass(frozen=True)
class RawArticle:
    """An article file read and split into metadata and Markdown body."""

    path: str  # relative to the knowledge folder, POSIX separators
    article_id: str
    title: str
    url: str | None
    date: str | None
    tags: tuple[str, ...]
    body: str
    content_hash: str
    metadata: dict[str, object] = field(default_factory=dict, compare=False)


def content_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def decode_bytes(data: bytes) -> str:
    """UTF-8 (with or without BOM); GB18030 as the fallback that Chinese Windows tools write."""
    if not data.strip():
        raise ArticleError("empty file")
    if b"\x00" in data[:8192]:
        raise ArticleError("binary file (contains NUL bytes)")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("gb18030")
        except UnicodeDecodeError as exc:
            raise ArticleError(f"not UTF-8 or GB18030 text ({exc.reason})") from None
    # GB18030 decodes almost any bytes: binary files are recognised by their share of
    # control characters, not by NUL bytes alone.
    sample = text[:8192]
    controls = sum(1 for ch in sample if (ord(ch) < 32 and ch not in "\t\n\r\f") or 0x7F <= ord(ch) < 0xA0)
    if controls > max(8, len(sample) // 50):
        raise ArticleError("binary file (not text)")
    return text


def decode_hex_url(value: str) -> str | None:
    """Decode CSDN's `arturl_encode`: hex digits of the URL, `:` separators ignored."""
    digits = re.sub(r"[^0-9a-fA-F]", "", value)
    if not digits or len(digits) % 2:
        return None
    try:
        url = bytes.fromhex(digits).decode("utf-8")
    except (ValueError, UnicodeDecodeError):
        return None
    return url if _is_http_url(url) else None


def _is_http_url(value: str) -> bool:
    return re.match(r"https?://[^\s/$.?#][^\s]*$", value) is not None


def _source_url(meta: dict[str, object]) -> str | None:
    encoded = meta.get("arturl_encode")
    if isinstance(encoded, str):
        url = decode_hex_url(encoded)
        if url:
            return url
    for key in URL_FIELDS:
        value = meta.get(key)
        if isinstance(value, str) and _is_http_url(value.strip()):
            return value.strip()
    return None


def _as_text(value: object) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return str(value).strip() or None


def _tags(value: object) -> tuple[str, ...]:
    if isinstance(value, str):
        return tuple(t.strip() for t in value.split(",") if t.strip())
    if isinstance(value, list | tuple):
        return tuple(str(t).strip() for t in value if str(t).strip())
    return ()


def _first_heading(body: str) -> str | None:
    match = _HEADING.search(body)
    return match.group(1).strip() if match else None


class _NoAliasLoader(yaml.SafeLoader):
    """YAML without anchors and aliases: a 500-byte "billion laughs" front matter
    expands to gigabytes when its values are turned into text. No article needs them."""

    def compose_node(self, parent: yaml.Node | None, index: object) -> yaml.Node | None:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()  # type: ignore[no-untyped-call]
            raise yaml.composer.ComposerError(
                None, None, "YAML aliases (*name) are not allowed in front matter", event.start_mark
            )
        return super().compose_node(parent, index)  # type: ignore[arg-type]


class _SafeYAMLHandler(YAMLHandler):
    def load(self, fm: str, **kwargs: object) -> Any:
        if len(fm) > MAX_FRONT_MATTER_CHARS:
            raise yaml.YAMLError(f"front matter over {MAX_FRONT_MATTER_CHARS // 1024} KiB")
        loaded = yaml.load(fm, Loader=_NoAliasLoader)  # a SafeLoader subclass
        return loaded if isinstance(loaded, dict) else {}


_HANDLER = _SafeYAMLHandler()


def parse_article(text: str, relpath: str, digest: str) -> RawArticle:
    """Split front matter from body and pull out the fields the bot uses."""
    try:
        post = frontmatter.loads(text, handler=_HANDLER)
    except yaml.YAMLError as exc:
        problem = getattr(exc, "problem", None) or str(exc) or exc.__class__.__name__
        raise ArticleError(f"malformed YAML front matter ({problem})") from None
    meta = dict(post.metadata)
    body = post.content
    if not body.strip():
        raise ArticleError("no text after the front matter")
    stem = Path(relpath).stem
    title = _as_text(meta.get("title")) or _first_heading(body) or stem
    article_id = _as_text(meta.get("artid")) or _as_text(meta.get("id")) or stem
    return RawArticle(
        path=relpath,
        article_id=article_id,
        title=title,
        url=_source_url(meta),
        date=_as_text(meta.get("date")),
        tags=_tags(meta.get("tags")),
        body=body,
        content_hash=digest,
        metadata=meta,
    )


DocumentReader = Callable[[str, bytes, "str | None"], Document]


def read_article(path: Path, root: Path, reader: DocumentReader = read_document) -> RawArticle:
    """Read one file under `root`; raise ArticleError with a reason if it cannot be used.
    `reader` converts web pages, Word documents and PDFs (the indexer passes one that
    parses in a limited worker process, `bot.isolation`)."""
    relpath = path.relative_to(root).as_posix()
    if not path.resolve().is_relative_to(root.resolve()):
        raise ArticleError("link points outside the knowledge folder")
    try:
        size = path.stat().st_size
        if size > MAX_ARTICLE_BYTES:
            raise ArticleError(f"too large ({size // 1024} KiB > {MAX_ARTICLE_BYTES // 1024} KiB)")
        data = path.read_bytes()
    except FileNotFoundError:
        raise ArticleError("file disappeared while indexing") from None
    except OSError as exc:
        raise ArticleError(f"cannot read ({exc.strerror or exc})") from None
    suffix = path.suffix.lower()
    if suffix in DOCUMENT_SUFFIXES:  # a web page, Word document or PDF: converted first
        return parse_article(reader(suffix, data, None).to_markdown(), relpath, content_hash(data))
    return parse_article(decode_bytes(data), relpath, content_hash(data))


def list_article_files(
    root: Path, exclude: tuple[Path, ...] = (), unsupported: list[Path] | None = None
) -> list[Path]:
    """Article files under `root`, sorted; hidden/underscore folders and `exclude` skipped.
    Other files (.docx, .pdf, .html…) are appended to `unsupported` when given, so the
    report can name them instead of ignoring them silently; `.bak` copies are not.

    os.walk rather than Path.rglob: a reload of 10,000 unchanged articles is mostly this.
    Linked folders are not followed; linked files are listed and checked when read.
    """
    excluded = {os.path.realpath(p) for p in exclude}
    found: list[Path] = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = [
            d
            for d in dirs
            if not d.startswith((".", "_")) and os.path.realpath(os.path.join(folder, d)) not in excluded
        ]
        for name in files:
            if name.startswith((".", "_")):
                continue
            suffix = os.path.splitext(name)[1].lower()
            if suffix in ARTICLE_SUFFIXES or suffix in DOCUMENT_SUFFIXES:
                found.append(Path(folder, name))
            elif unsupported is not None and suffix != ".bak":
                unsupported.append(Path(folder, name))
    found.sort()
    return found
