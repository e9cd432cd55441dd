"""Admins' article uploads: file-name sanitising, validation and atomic saving."""

from __future__ import annotations

import os
import re
import tempfile
import unicodedata
from pathlib import Path

from bot.errors import ArticleError
from bot.kb.cleaning import clean_markdown
from bot.kb.ingest import ARTICLE_SUFFIXES, content_hash, decode_bytes, parse_article
from bot.kb.readers import DOCUMENT_SUFFIXES

MAX_NAME = 100
_UNSAFE = re.compile(r"[^\w\-. ]+")


def sanitize_filename(raw: str | None) -> str:
    """A safe file name inside the knowledge folder: no folders, no traversal, no hidden files."""
    name = unicodedata.normalize("NFKC", raw or "")
    name = re.split(r"[\\/]", name)[-1]
    name = _UNSAFE.sub("_", name).strip(" ._")
    stem, suffix = os.path.splitext(name)
    suffix = suffix.lower()
    if suffix not in ARTICLE_SUFFIXES + DOCUMENT_SUFFIXES:
        raise ArticleError(f"only {', '.join(ARTICLE_SUFFIXES + DOCUMENT_SUFFIXES)} files are accepted")
    stem = stem.strip(" ._")[: MAX_NAME - len(suffix)] or "article"
    return stem + suffix


def validate_article(name: str, data: bytes, max_bytes: int) -> None:
    """Raise ArticleError unless `data` is an article the indexer will accept."""
    if len(data) > max_bytes:
        raise ArticleError(f"too large ({len(data) // 1024} KiB > {max_bytes // 1024} KiB)")
    article = parse_article(decode_bytes(data), name, content_hash(data))
    if not any(block.kind != "heading" for block in clean_markdown(article.body)):
        raise ArticleError("no text left after cleaning")


def save_article(folder: Path, name: str, data: bytes) -> Path | None:
    """Write atomically (temp file + rename), so a reload never reads half a file.

    An article of the same name is kept as `name.bak` (not indexed: not an article
    suffix); returns that backup's path, or None when nothing was replaced.
    """
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / name
    if target.resolve().parent != folder.resolve():
        raise ArticleError("file name escapes the knowledge folder")
    backup = None
    if target.is_file() and target.read_bytes() != data:
        backup = target.with_name(target.name + ".bak")
        try:
            os.replace(target, backup)
        except OSError as exc:
            raise ArticleError(f"cannot keep the previous version: {exc.strerror or exc}") from exc
    handle, temp = tempfile.mkstemp(dir=folder, prefix=".upload-", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(temp, target)
    except OSError as exc:
        Path(temp).unlink(missing_ok=True)
        raise ArticleError(f"cannot save: {exc.strerror or exc}") from exc
    return backup
