"""Hostile documents, made on the spot: for the tests that feed them to the bot and for
bench/hostile_folder.py, which times `aigc-bot index` on a folder full of them."""

from __future__ import annotations

import io
import random
import shutil
import zipfile
from pathlib import Path

import docx
from pypdf import PdfReader, PdfWriter

from tests.test_readers import make_pdf


def slow_docx(paragraphs: int = 100_000) -> bytes:
    """A 370 KB Word document whose hundred thousand tiny paragraphs keep python-docx
    busy for over a minute: within every size and ratio bound, only time stops it."""
    base = io.BytesIO()
    docx.Document().save(base)
    rng = random.Random(1)
    body = "".join(
        f"<w:p><w:r><w:t>第{rng.randrange(100)}段 {rng.randrange(100)}</w:t></w:r></w:p>"
        for _ in range(paragraphs)
    )
    out = io.BytesIO()
    with zipfile.ZipFile(base) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "word/document.xml":
                head, _, rest = data.decode().partition("<w:body>")
                data = f"{head}<w:body>{body}{rest}".encode()
            target.writestr(item, data)
    return out.getvalue()


def docx_bomb(mebibytes: int = 80) -> bytes:
    """One text node of `mebibytes` MiB of a single letter: a few hundred KB zipped."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", b"<w:t>" + b"a" * (mebibytes * 1024 * 1024) + b"</w:t>")
    return out.getvalue()


def with_title(pdf: bytes, title: str = "AI智能体（Agent）入门") -> bytes:
    """`pdf` with a title in its metadata (pypdf's own text type: it once crashed index)."""
    writer = PdfWriter()
    for page in PdfReader(io.BytesIO(pdf)).pages:
        writer.add_page(page)
    writer.add_metadata({"/Title": title})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def yaml_bomb(depth: int = 9) -> bytes:
    """Nested aliases: 472 bytes that expand to 10^9 strings when turned into text."""
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    lines += [f"a{i}: &a{i} [{','.join(['*a' + str(i - 1)] * 10)}]" for i in range(1, depth)]
    return ("---\n" + "\n".join(lines) + f"\ntitle: *a{depth - 1}\n---\n\n# 炸弹\n\n正文。\n").encode()


# file name -> (content, a fragment of the reason it is skipped; None: it is indexed)
def hostile_files(gigabyte: bool = True) -> dict[str, tuple[bytes, str | None]]:
    """Every kind of bad document (`gigabyte=False` leaves out the one that takes seconds
    to make: a 1 GiB text node zipped to 1 MB)."""
    files = {
        "agent.pdf": (with_title(make_pdf([["Agents plan and act with tools."]])), None),
        "slow.docx": (slow_docx(), "s of CPU"),
        "bomb.docx": (docx_bomb(80), "unpacks to more than"),
        "no-text.pdf": (make_pdf([[]], header=""), "no text"),
        "truncated.pdf": (make_pdf([["cut short"]])[:200], "cannot read PDF"),
        "garbage.pdf": (b"%PDF-1.4\n" + b"\x00garbage" * 1000, "PDF"),
        "garbage.docx": (b"PK\x03\x04" + bytes(range(256)) * 40, "cannot read"),
        "aliases.md": (yaml_bomb(), "aliases"),
        "binary.md": (b"\x89PNG\r\n\x1a\n\x00\x00\x00IHDR", "binary file"),
        "deep.html": (b"<div>" * 200_000 + "深层嵌套的网页。".encode() + b"</div>" * 200_000, "main text"),
    }
    if gigabyte:
        files["gigabyte-node.docx"] = (docx_bomb(1024), "unpacks to more than")
    return files


def write_hostile_folder(folder: Path, articles: Path, gigabyte: bool = True) -> dict[str, str | None]:
    """`folder` with the shipped `articles` and every hostile file; what each should say."""
    folder.mkdir(parents=True, exist_ok=True)
    for article in articles.glob("*.txt"):
        shutil.copy(article, folder / article.name)
    expected = {}
    for name, (data, reason) in hostile_files(gigabyte).items():
        (folder / name).write_bytes(data)
        expected[name] = reason
    return expected
