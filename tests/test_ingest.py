from pathlib import Path

import pytest

from bot.errors import ArticleError
from bot.kb.ingest import decode_hex_url, list_article_files, read_article
from tests.conftest import KNOWLEDGE, write

HEX_URL = (
    "68747470733a2f2f626c6f:672e6373646e2e6e65742f323430315f38353131363933332f"
    ":61727469636c652f64657461696c732f313339383631343134"
)
CSDN = """---
arturl_encode: "{URL}"
title: "AIGC新职业"
date: 2024-09-09 04:24:59 +0800
tags: ['人工智能', 'Aigc']
artid: "139861414"
---

# 【AIGC新职业】

正文。
""".replace("{URL}", HEX_URL)


def test_csdn_front_matter(tmp_path: Path) -> None:
    article = read_article(write(tmp_path / "a.md", CSDN), tmp_path)
    assert article.title == "AIGC新职业"
    assert article.article_id == "139861414"
    assert article.url == "https://blog.csdn.net/2401_85116933/article/details/139861414"
    assert article.tags == ("人工智能", "Aigc")
    assert article.date is not None and article.date.startswith("2024-09-09")
    assert article.body.strip().startswith("# 【AIGC新职业】")


@pytest.mark.parametrize(
    ("encoded", "url"),
    [
        ("68747470733a2f2f:6578616d706c652e636f6d", "https://example.com"),
        ("6874:7470:3a2f2f612e6f7267", "http://a.org"),
        ("zz", None),  # not hex
        ("6162", None),  # hex, but not a URL ("ab")
        ("686", None),  # odd length
    ],
)
def test_hex_url_decoding(encoded: str, url: str | None) -> None:
    assert decode_hex_url(encoded) == url


@pytest.mark.parametrize("field", ["url", "source", "link"])
def test_plain_url_fields(tmp_path: Path, field: str) -> None:
    text = f"---\ntitle: T\n{field}: https://example.org/post\n---\n正文内容"
    assert read_article(write(tmp_path / "a.md", text), tmp_path).url == "https://example.org/post"


def test_no_front_matter_takes_the_first_heading(tmp_path: Path) -> None:
    article = read_article(write(tmp_path / "note.markdown", "intro\n\n## 标题在这里\n\n正文"), tmp_path)
    assert article.title == "标题在这里"
    assert article.url is None
    assert article.article_id == "note"


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("bom.md", "\ufeff# 标题\n\n正文".encode()),
        ("gbk.txt", "# 标题\n\n正文".encode("gbk")),
    ],
)
def test_encodings(tmp_path: Path, name: str, data: bytes) -> None:
    assert read_article(write(tmp_path / name, data), tmp_path).title == "标题"


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("empty.md", b"", "empty"),
        ("blank.md", b"  \n\n", "empty"),
        ("binary.md", b"\x89PNG\x00\x00\x01", "binary"),
        ("bad-yaml.md", b"---\ntitle: [unclosed\n---\nbody", "front matter"),
        ("only-meta.md", b"---\ntitle: x\n---\n", "no text"),
    ],
)
def test_unusable_files_are_refused_with_a_reason(
    tmp_path: Path, name: str, data: bytes, reason: str
) -> None:
    with pytest.raises(ArticleError, match=reason):
        read_article(write(tmp_path / name, data), tmp_path)


def test_symlink_outside_the_folder_is_refused(tmp_path: Path) -> None:
    outside = write(tmp_path / "outside.md", "# secret\n\ntext")
    root = tmp_path / "kb"
    root.mkdir()
    (root / "link.md").symlink_to(outside)
    with pytest.raises(ArticleError, match="outside"):
        read_article(root / "link.md", root)


def test_listing_skips_vocab_hidden_and_other_files(tmp_path: Path) -> None:
    for name in [
        "a.md",
        "b.markdown",
        "c.txt",
        "d.pdf",
        "d.png",
        ".hidden/e.md",
        "_drafts/f.md",
        "vocab/g.txt",
        "sub/h.md",
    ]:
        write(tmp_path / name, "# x\n\ny")
    others: list[Path] = []
    found = list_article_files(tmp_path, (tmp_path / "vocab",), others)
    names = [p.relative_to(tmp_path).as_posix() for p in found]
    assert names == ["a.md", "b.markdown", "c.txt", "d.pdf", "sub/h.md"]
    assert [p.name for p in others] == ["d.png"], "named in the report, not silently ignored"


def test_seed_articles_all_have_titles_and_urls() -> None:
    files = list_article_files(KNOWLEDGE)
    assert len(files) == 5
    for path in files:
        article = read_article(path, KNOWLEDGE)
        assert article.url and article.url.startswith("https://blog.csdn.net/")
        assert article.url.endswith(article.article_id)
