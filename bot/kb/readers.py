"""Readers for the formats admins have: web pages, Word documents, PDFs.

Each turns a document into the same thing a Markdown article is: YAML front matter
(title, url, date) and a Markdown body, so cleaning, chunking and indexing stay one path.

- HTML: trafilatura keeps the main content (navigation, sidebars, comments, footers,
  scripts and styles dropped) and reads the title, the canonical / og:url and the date.
- DOCX: python-docx; Heading styles become headings, the Title style (or the first
  heading) the title, list paragraphs bullets.
- PDF: pypdf's text layer, pages joined, lines repeated on most pages (running headers
  and footers, page numbers) dropped.
The libraries load on first use, so starting the bot does not pay for them.
"""

from __future__ import annotations

import codecs
import contextlib
import io
import re
import zipfile
from collections import Counter
from dataclasses import dataclass

import yaml

from bot.errors import ArticleError

DOCUMENT_SUFFIXES = (".html", ".htm", ".docx", ".pdf")


@dataclass(frozen=True)
class Document:
    title: str | None
    url: str | None
    date: str | None
    body: str  # Markdown

    def to_markdown(self) -> str:
        # Plain str only: a parser's own string types (pypdf's TextStringObject) cannot
        # be written as YAML, and one such title once stopped the whole index.
        meta = {k: str(v) for k, v in (("title", self.title), ("url", self.url), ("date", self.date)) if v}
        head = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False).strip() if meta else ""
        return (f"---\n{head}\n---\n\n" if head else "") + self.body.strip() + "\n"


def read_document(suffix: str, data: bytes, url: str | None = None) -> Document:
    """A document's text as Markdown; ArticleError when it cannot be read."""
    suffix = suffix.lower()
    try:
        if suffix in (".html", ".htm"):
            return _html(data, url)
        if suffix == ".docx":
            return _docx(data)
        if suffix == ".pdf":
            return _pdf(data)
    except ArticleError:
        raise
    except Exception as exc:  # a third-party parser's own errors: the file is not usable
        raise ArticleError(f"cannot read {suffix[1:].upper()} ({exc.__class__.__name__}: {exc})") from None
    raise ArticleError(f"unsupported format ({suffix})")


_META_CHARSET = re.compile(
    rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([A-Za-z0-9_\-:.]{2,40})""", re.IGNORECASE
)
_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))


def decode_html(data: bytes) -> str:
    """A page's text by its declared charset: a byte-order mark, then `<meta charset>`
    (the HTTP header's is applied by the fetcher, which re-encodes with a BOM), then
    UTF-8, then a guess (charset_normalizer, through trafilatura)."""
    for bom, name in _BOMS:
        if data.startswith(bom):
            return data.decode(name, errors="replace")
    declared = _META_CHARSET.search(data[:8192])
    if declared is not None:
        with contextlib.suppress(LookupError):
            return data.decode(declared.group(1).decode("ascii").lower(), errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    from trafilatura.utils import detect_encoding

    for guess in detect_encoding(data):
        with contextlib.suppress(LookupError, UnicodeDecodeError):
            return data.decode(guess)
    return data.decode("utf-8", errors="replace")


def _html(data: bytes, url: str | None) -> Document:
    import trafilatura

    text = decode_html(data)
    body = trafilatura.extract(
        text, output_format="markdown", include_comments=False, include_tables=True, favor_precision=True
    )
    if not body or not body.strip():
        raise ArticleError("no main text found in the page")
    meta = trafilatura.extract_metadata(text, default_url=url)
    canonical = _canonical(text) or (meta.url if meta is not None else None) or url
    title = meta.title if meta is not None else None
    date = meta.date if meta is not None else None
    return Document(title, canonical, date, body)


_CANONICAL = re.compile(
    r"<link[^>]{0,300}rel=[\"']canonical[\"'][^>]{0,300}href=[\"']([^\"']{1,2000})[\"']"
    r"|<link[^>]{0,300}href=[\"']([^\"']{1,2000})[\"'][^>]{0,300}rel=[\"']canonical[\"']"
    r"|<meta[^>]{0,300}property=[\"']og:url[\"'][^>]{0,300}content=[\"']([^\"']{1,2000})[\"']",
    re.IGNORECASE,
)


def _canonical(html: str) -> str | None:
    match = _CANONICAL.search(html[:200_000])
    if match is None:
        return None
    found = next(g for g in match.groups() if g)
    return found if found.startswith(("http://", "https://")) else None


# A .docx is a zip: bounded before python-docx inflates it (a zip bomb of XML).
MAX_DOCX_UNPACKED = 64 * 1024 * 1024
MAX_DOCX_RATIO = 200


def _check_zip(data: bytes) -> None:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        members = archive.infolist()
        total = sum(m.file_size for m in members)
        if total > MAX_DOCX_UNPACKED:
            raise ArticleError(f"the document unpacks to more than {MAX_DOCX_UNPACKED // 2**20} MiB")
        for m in members:
            if m.file_size > 1_000_000 and m.file_size > MAX_DOCX_RATIO * max(m.compress_size, 1):
                raise ArticleError(f"the document is compressed more than {MAX_DOCX_RATIO}:1 (a zip bomb?)")


def _docx(data: bytes) -> Document:
    import docx

    _check_zip(data)
    document = docx.Document(io.BytesIO(data))
    title = str(document.core_properties.title or "").strip() or None
    lines: list[str] = []
    for paragraph in document.paragraphs:
        text = paragraph.text.strip()
        if not text:
            continue
        style = (paragraph.style.name if paragraph.style is not None else "") or ""
        if style == "Title":
            title = title or text
            continue
        level = re.match(r"Heading (\d)", style)
        if level:
            lines.append(f"{'#' * min(int(level.group(1)) + 1, 6)} {text}")
            title = title or text
        elif "List" in style:
            lines.append(f"- {text}")
        else:
            lines.append(text)
    if not lines:
        raise ArticleError("the document has no text")
    return Document(title, None, None, "\n\n".join(lines))


def _pdf(data: bytes) -> Document:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    pages = [(page.extract_text() or "").splitlines() for page in reader.pages]
    # A line on most pages is a running header or footer; numbers alone are page numbers.
    seen = Counter(line.strip() for lines in pages for line in set(lines) if line.strip())
    repeated = {line for line, n in seen.items() if len(pages) >= 3 and n >= 0.6 * len(pages)}
    kept = [
        line.strip()
        for lines in pages
        for line in lines
        if line.strip() and line.strip() not in repeated and not line.strip().isdigit()
    ]
    if not kept:
        raise ArticleError("the PDF has no text layer")
    meta = reader.metadata
    title = str(meta.title).strip() if meta is not None and meta.title else None
    return Document(title or None, None, None, "\n".join(kept))
