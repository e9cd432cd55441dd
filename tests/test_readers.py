"""Web pages, Word documents and PDFs become articles; `add` fetches them safely."""

from __future__ import annotations

import http.server
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

import docx
import pytest

from bot.cli import main
from bot.kb.readers import read_document
from tests.conftest import DATA, knowledge_folder

PAGE = DATA / "docs" / "kling.html"
CHROME = ["首页", "导航栏", "侧边栏", "点击领取课程", "页脚", "备案号", "tracking", "color:red"]


def make_docx(path: Path) -> Path:
    document = docx.Document()
    document.add_paragraph("Suno写歌指南", style="Title")
    document.add_heading("什么是Suno", level=1)
    document.add_paragraph("Suno是一款用AI生成歌曲的工具，输入歌词和风格就能生成完整的歌曲。")
    document.add_heading("价格", level=1)
    document.add_paragraph("Suno的专业版每月10美元，可以生成500首歌曲。")
    document.add_paragraph("免费版每天可以生成10首歌曲", style="List Bullet")
    document.save(str(path))
    return path


def make_pdf(pages: list[list[str]], header: str = "ACME Weekly") -> bytes:
    """A small real PDF with a text layer: a running header, body lines, a page number."""
    objects = ["<< /Type /Catalog /Pages 2 0 R >>", ""]
    kids = []
    for number, lines in enumerate(pages, start=1):
        ops = ["BT /F1 12 Tf 72 760 Td", f"({header}) Tj"]
        ops += [f"0 -20 Td ({line}) Tj" for line in lines]
        ops += [f"0 -40 Td ({number}) Tj", "ET"]
        stream = "\n".join(ops)
        objects.append(f"<< /Length {len(stream)} >>\nstream\n{stream}\nendstream")
        content = len(objects)
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents {content} 0 R"
            " /Resources << /Font << /F1 << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> >> >> >>"
        )
        kids.append(f"{len(objects)} 0 R")
    objects[1] = f"<< /Type /Pages /Kids [{' '.join(kids)}] /Count {len(kids)} >>"
    out, offsets = b"%PDF-1.4\n", []
    for index, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{index} 0 obj\n{body}\nendobj\n".encode()
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += "".join(f"{o:010d} 00000 n \n" for o in offsets).encode()
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return out


def test_html_keeps_the_main_content_title_url_and_date() -> None:
    document = read_document(".html", PAGE.read_bytes())
    assert document.title == "可灵AI视频生成入门"
    assert document.url == "https://blog.example.org/kling-intro"
    assert document.date == "2024-06-01"
    assert "快手推出的AI视频生成大模型" in document.body
    assert not [c for c in CHROME if c in document.body]


def test_docx_headings_title_and_bullets(tmp_path: Path) -> None:
    document = read_document(".docx", make_docx(tmp_path / "suno.docx").read_bytes())
    assert document.title == "Suno写歌指南"
    assert "## 什么是Suno" in document.body and "- 免费版每天可以生成10首歌曲" in document.body


def test_pdf_text_layer_without_running_headers_and_page_numbers() -> None:
    pages = [["Sora is a video model by OpenAI.", "It makes clips from text."], ["Runway Gen-3 edits video."]]
    pages.append(["Pika turns images into short videos."])
    document = read_document(".pdf", make_pdf(pages))
    assert "Sora is a video model by OpenAI." in document.body and "Pika" in document.body
    assert "ACME Weekly" not in document.body
    assert not any(line.strip().isdigit() for line in document.body.splitlines())


@pytest.fixture
def kb(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    return knowledge_folder(tmp_path, monkeypatch)


def test_each_format_in_the_folder_is_indexed_with_its_title_and_url(
    kb: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.copy(PAGE, kb / "kling.html")
    make_docx(kb / "suno.docx")
    (kb / "sora.pdf").write_bytes(
        make_pdf([["Sora is a video model by OpenAI."], ["Sora makes clips."], ["x"]])
    )
    assert main(["index"]) == 0
    assert "3 added" in capsys.readouterr().out
    assert main(["ask", "--json", "可灵是什么", "Suno多少钱"]) == 0
    kling, suno = (__import__("json").loads(line) for line in capsys.readouterr().out.splitlines())
    assert kling["passages"][0]["url"] == "https://blog.example.org/kling-intro"
    assert kling["passages"][0]["title"] == "可灵AI视频生成入门"
    assert not [c for c in CHROME for p in kling["passages"] if c in p["text"]]
    assert suno["passages"][0]["title"] == "Suno写歌指南" and "10美元" in suno["answer"]


class _Server(http.server.ThreadingHTTPServer):
    pages: ClassVar[dict[str, tuple[int, str, bytes]]] = {}


class _Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        status, kind, body = _Server.pages.get(self.path, (404, "text/plain", b"not found"))
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def site(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    # The test server is on loopback, which `add` refuses unless this is set.
    monkeypatch.setenv("FETCH_ALLOW_PRIVATE", "true")
    _Server.pages = {
        "/kling": (200, "text/html; charset=utf-8", PAGE.read_bytes()),
        "/image.png": (200, "image/png", b"\x89PNG"),
    }
    server = _Server(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_add_a_url_saves_an_article_and_answers_from_it(
    kb: Path, site: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["add", f"{site}/kling"]) == 0
    saved = kb / "可灵AI视频生成入门.md"
    text = saved.read_text(encoding="utf-8")
    assert text.startswith("---\ntitle: 可灵AI视频生成入门\nurl: https://blog.example.org/kling-intro")
    capsys.readouterr()
    assert main(["ask", "可灵能生成多长的视频？"]) == 0
    out = capsys.readouterr().out
    assert "两分钟" in out and "https://blog.example.org/kling-intro" in out
    assert main(["add", f"{site}/kling"]) == 0 and (kb / "可灵AI视频生成入门-2.md").exists(), (
        "never overwrites"
    )


@pytest.mark.parametrize(
    ("path", "says"),
    [("/missing", "answered 404"), ("/image.png", "not a document")],
    ids=["404", "not-a-document"],
)
def test_a_bad_source_writes_nothing(
    kb: Path, site: str, path: str, says: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["add", f"{site}/kling", f"{site}{path}"]) == 1
    assert says in capsys.readouterr().err
    assert list(kb.iterdir()) == [], "one bad source: nothing saved"


def test_a_refused_connection_is_one_line(
    kb: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FETCH_ALLOW_PRIVATE", "true")
    assert main(["add", "http://127.0.0.1:9/page"]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("aigc-bot:") and "cannot fetch" in err and len(err.splitlines()) == 1
